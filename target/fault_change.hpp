#pragma once
#include <chrono>
#include <optional>
#include <string_view>

namespace firedrill::target {

// What one POST /admin/fault asks for. An absent field leaves that fault as it is; a null one
// ends it.
struct FaultChange {
  template <class T>
  using Setting = std::optional<std::optional<T>>;  // absent, null, or a value

  Setting<double> error_rate;  // 0..1
  Setting<std::chrono::milliseconds> extra_latency;
  Setting<double> leak_mb_per_s;  // MiB allocated and touched per second, kept
  Setting<std::chrono::milliseconds> crash_after;
};

// What a valid body looks like, for error responses.
extern const std::string_view kFaultChangeHelp;

// Throws common::ValueError naming the field and what would be valid.
FaultChange parse_fault_change(std::string_view body);

}  // namespace firedrill::target
