#include "common/errors.hpp"
#include "common/shell_command.hpp"
#include "common/text.hpp"
#include "validators/check.hpp"
#include "validators/live_check_support.hpp"

namespace firedrill::validators {

namespace {

using common::Duration;
using common::FieldType;
using common::ValueError;

constexpr std::size_t kOutputExcerpt = 512;

class ExecCheck final : public Check {
 public:
  explicit ExecCheck(const common::Params& p) {
    command_ = p.at("command").get<std::string>();
    if (command_.empty()) throw ValueError("command: must not be empty");
    exit_code_ = p.at("exitCode").get<int>();
    if (exit_code_ < 0 || exit_code_ > 255) throw ValueError("exitCode: must be 0 to 255");
    timeout_ = common::positive_duration_param(p, "timeout");
    output_ = live::TextExpectation(p, "output");
    env_ = common::environment_param(p, "env");
  }

  std::string describe() const override {
    return "exec " + common::quoted_excerpt(command_) + " -> exit code " +
           std::to_string(exit_code_) + output_.describe();
  }

  Observation observe(const CheckContext&) override {
    common::SubprocessResult result = common::run_shell_command(command_, env_, timeout_);
    std::string output = result.out + result.err;

    Observation o;
    o.evidence["duration_ms"] = live::milliseconds(result.elapsed);
    o.evidence["output"] = common::excerpt(output, kOutputExcerpt);
    std::vector<std::string> failed;
    if (result.exited) {
      o.evidence["exit_code"] = result.exit_code;
    } else if (!result.timed_out) {
      o.evidence["signal"] = result.signal;
    }
    if (result.timed_out) {
      o.evidence["timed_out"] = true;
      failed.push_back(result.status_text(timeout_));
    } else if (!result.exited || result.exit_code != exit_code_) {
      failed.push_back(result.status_text(timeout_) + ", expected exit code " +
                       std::to_string(exit_code_));
    }
    output_.check(output, failed);
    live::conclude(o, failed, result.status_text(timeout_));
    return o;
  }

 private:
  std::string command_;
  int exit_code_ = 0;
  Duration timeout_{0};
  live::TextExpectation output_;
  common::Environment env_;
};

}  // namespace

CheckKind exec_check_kind() {
  using common::FieldSpec;
  return {"exec",
          "Runs a shell command and expects an exit code and, optionally, output",
          "live: every poll observes the present",
          {{
              FieldSpec{"command", FieldType::String, true, "run with /bin/sh -c", {}, {}},
              FieldSpec{"exitCode", FieldType::Integer, false, "the exit code that passes", {}, 0},
              FieldSpec{"outputContains",
                        FieldType::String,
                        false,
                        "text stdout or stderr must contain",
                        {},
                        {}},
              FieldSpec{"outputMatches",
                        FieldType::String,
                        false,
                        "an ECMAScript regular expression stdout followed by "
                        "stderr must match somewhere (no back-references)",
                        {},
                        {}},
              FieldSpec{"timeout",
                        FieldType::Duration,
                        false,
                        "kill the command and everything it started after this "
                        "(a failed poll)",
                        {},
                        "10s"},
              FieldSpec{"env",
                        FieldType::StringMap,
                        false,
                        "environment variables added for the command; their "
                        "values never appear in reports",
                        {},
                        {}},
          }},
          [](const common::Params& p) { return std::make_unique<ExecCheck>(p); }};
}

}  // namespace firedrill::validators
