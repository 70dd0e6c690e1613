#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace firedrill::cli {

// The JSON document in the file at `path`. Throws common::UsageError naming the file when it
// cannot be read, is larger than kMaxJsonFileBytes or is not valid JSON (with where it stops
// being JSON).
inline constexpr size_t kMaxJsonFileBytes = 256 * 1024 * 1024;
nlohmann::json read_json_file(const std::string& path);

}  // namespace firedrill::cli
