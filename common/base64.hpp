#pragma once
#include <string>
#include <string_view>

namespace firedrill::common {

std::string base64_encode(std::string_view bytes);
// Throws common::ValueError when `text` is not base64 (line breaks and blanks are skipped).
std::string base64_decode(std::string_view text);

}  // namespace firedrill::common
