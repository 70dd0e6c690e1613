#pragma once
#include <array>
#include <string_view>

namespace firedrill::loadgen {

struct HpackStaticEntry {
  std::string_view name;
  std::string_view value;
};

// RFC 7541 Appendix A. Entry i of the spec (1-based) is element i - 1.
extern const std::array<HpackStaticEntry, 61> kHpackStaticTable;

}  // namespace firedrill::loadgen
