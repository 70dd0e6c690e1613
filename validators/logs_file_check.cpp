#include <fmt/format.h>

#include <regex>

#include "common/errors.hpp"
#include "common/rfc3339.hpp"
#include "common/text.hpp"
#include "local/local_services.hpp"
#include "validators/alerting_support.hpp"
#include "validators/check.hpp"

namespace firedrill::validators {

namespace {

using common::FieldSpec;
using common::FieldType;
using nlohmann::json;

constexpr std::size_t kLinesShown = 5;

// Counts the lines of a local service's log that match a pattern and were written after the
// most recent fault: the supervisor stamps each line as it arrives, so older lines never count.
class LogsFileCheck final : public Check {
 public:
  explicit LogsFileCheck(const common::Params& p)
      : service_(p.at("service").get<std::string>()),
        pattern_text_(p.at("pattern").get<std::string>()),
        min_count_(p.at("minCount").get<int>()),
        absent_(p.at("expect").get<std::string>() == "absent") {
    if (p.contains("replica")) replica_ = p.at("replica").get<int>();
    try {
      pattern_ = std::regex(pattern_text_, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw common::ValueError("pattern: not a valid regular expression (ECMAScript): " +
                               std::string(e.what()));
    }
    if (min_count_ < 1) throw common::ValueError("minCount: must be at least 1");
  }

  std::string describe() const override {
    std::string where = replica_ ? fmt::format("replica {} of {}", *replica_, service_) : service_;
    if (absent_) return fmt::format("no line of {} matches /{}/", where, pattern_text_);
    return fmt::format("{} line{} of {} match /{}/", min_count_, min_count_ == 1 ? "" : "s", where,
                       pattern_text_);
  }

  Observation observe(const CheckContext& context) override {
    if (!context.services || !context.services->has_service(service_)) {
      throw std::runtime_error("the drill has no service `" + service_ + "` in its `services:`");
    }
    const auto since = alerting::detection_start(context);
    std::vector<local::LogLine> lines = context.services->log_lines(service_, replica_, since);
    int count = 0;
    json shown = json::array();
    for (const auto& line : lines) {
      if (!std::regex_search(line.text, pattern_)) continue;
      ++count;
      if (shown.size() < kLinesShown) {
        shown.push_back({{"at", common::format_rfc3339(line.at)},
                         {"stream", line.stream},
                         {"line", common::excerpt(line.text, 500)}});
      }
    }
    Observation o;
    o.evidence = {{"since", alerting::detection_start_evidence(context)},
                  {"lines_since", lines.size()},
                  {"matching", count},
                  {"first_matching", shown}};
    bool enough = absent_ ? count == 0 : count >= min_count_;
    o.verdict = enough ? Verdict::Pass : Verdict::Fail;
    o.message = fmt::format("{} of {} lines since {} match", count, lines.size(),
                            alerting::detection_start_text(context));
    return o;
  }

 private:
  std::string service_;
  std::optional<int> replica_;
  std::string pattern_text_;
  std::regex pattern_;
  int min_count_;
  bool absent_;
};

}  // namespace

CheckKind logs_file_check_kind() {
  return {"logs.file",
          "Counts lines matching a pattern in a local service's log",
          "only lines written after the most recent fault (after the drill start when there was "
          "none) count",
          {{
              FieldSpec{"service",
                        FieldType::String,
                        true,
                        "a service of the drill's `services:` block",
                        {},
                        {}},
              FieldSpec{"replica",
                        FieldType::Integer,
                        false,
                        "only this replica's log; default: every replica's",
                        {},
                        {}},
              FieldSpec{"pattern",
                        FieldType::String,
                        true,
                        "an ECMAScript regular expression searched in each line",
                        {},
                        {}},
              FieldSpec{"minCount", FieldType::Integer, false, "lines that must match", {}, 1},
              FieldSpec{"expect",
                        FieldType::String,
                        false,
                        "present (at least minCount lines) or absent (none)",
                        {"present", "absent"},
                        "present"},
          }},
          [](const common::Params& p) { return std::make_unique<LogsFileCheck>(p); }};
}

}  // namespace firedrill::validators
