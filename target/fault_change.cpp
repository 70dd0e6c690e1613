#include "target/fault_change.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "common/errors.hpp"
#include "common/units.hpp"

namespace firedrill::target {

const std::string_view kFaultChangeHelp =
    "a JSON object with one or more of: \"error_rate\" (0 to 1: that share of requests answer "
    "500), \"extra_latency\" (a duration like \"200ms\", or milliseconds, up to 10m: added before "
    "answering), \"leak_mb_per_s\" (MiB per second to allocate and keep, up to 10240), "
    "\"crash_after\" (a duration like \"30s\", or milliseconds, more than 0 and up to 24h: the "
    "process then aborts); null ends that one fault";

namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kMaxExtraLatency = std::chrono::minutes(10);
constexpr milliseconds kMaxCrashAfter = std::chrono::hours(24);
constexpr double kMaxLeakMbPerSecond = 10240;

[[noreturn]] void bad(const std::string& field, const std::string& why, const json& value) {
  throw common::ValueError(field + " " + why + ", got " + value.dump());
}

double number_in(const std::string& field, const json& value, double low, double high,
                 const std::string& range) {
  if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < low ||
      value.get<double>() > high) {
    bad(field, "must be a number " + range, value);
  }
  return value.get<double>();
}

milliseconds duration_in(const std::string& field, const json& value, milliseconds low,
                         milliseconds high, const std::string& range) {
  const std::string expected =
      "must be a duration like \"200ms\" or a number of milliseconds, " + range;
  milliseconds result{};
  if (value.is_number()) {
    double ms = value.get<double>();
    if (!std::isfinite(ms) || ms < 0 || ms > static_cast<double>(high.count())) {
      bad(field, expected, value);
    }
    result = milliseconds(std::llround(ms));
  } else if (value.is_string()) {
    try {
      result = std::chrono::duration_cast<milliseconds>(
          common::parse_duration(value.get<std::string>()));
    } catch (const common::ValueError& e) {
      throw common::ValueError(field + ": " + e.what());
    }
  } else {
    bad(field, expected, value);
  }
  if (result < low || result > high) bad(field, expected, value);
  return result;
}

template <class T, class Parse>
void read_setting(const json& body, const std::string& field, FaultChange::Setting<T>& setting,
                  Parse parse) {
  auto it = body.find(field);
  if (it == body.end()) return;
  setting = it->is_null() ? std::optional<T>() : std::optional<T>(parse(*it));
}

}  // namespace

FaultChange parse_fault_change(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) throw common::ValueError("the body is not valid JSON");
  if (!parsed.is_object()) throw common::ValueError("the body must be a JSON object");
  if (parsed.empty()) throw common::ValueError("the body sets no fault");
  for (const auto& [key, value] : parsed.items()) {
    if (key != "error_rate" && key != "extra_latency" && key != "leak_mb_per_s" &&
        key != "crash_after") {
      throw common::ValueError("unknown field \"" + key + "\"");
    }
  }
  FaultChange change;
  read_setting(parsed, "error_rate", change.error_rate, [](const json& value) {
    return number_in("error_rate", value, 0, 1, "from 0 to 1");
  });
  read_setting(parsed, "extra_latency", change.extra_latency, [](const json& value) {
    return duration_in("extra_latency", value, milliseconds(0), kMaxExtraLatency, "0 to 10m");
  });
  read_setting(parsed, "leak_mb_per_s", change.leak_mb_per_s, [](const json& value) {
    return number_in("leak_mb_per_s", value, 0, kMaxLeakMbPerSecond, "from 0 to 10240");
  });
  read_setting(parsed, "crash_after", change.crash_after, [](const json& value) {
    return duration_in("crash_after", value, milliseconds(1), kMaxCrashAfter,
                       "more than 0 and up to 24h");
  });
  return change;
}

}  // namespace firedrill::target
