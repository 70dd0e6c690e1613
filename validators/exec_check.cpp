#include <cmath>
#include <optional>
#include <regex>

#include "common/errors.hpp"
#include "common/subprocess.hpp"
#include "common/text.hpp"
#include "validators/check.hpp"

namespace firedrill::validators {

namespace {

using common::Duration;
using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr std::size_t kOutputExcerpt = 512;

std::string in_quotes(const std::string& text) {
  return json(common::excerpt(text, 120)).dump();
}

class ExecCheck final : public Check {
 public:
  explicit ExecCheck(const common::Params& p) {
    command_ = p.at("command").get<std::string>();
    if (command_.empty()) throw ValueError("command: must not be empty");
    exit_code_ = p.at("exitCode").get<int>();
    if (exit_code_ < 0 || exit_code_ > 255) throw ValueError("exitCode: must be 0 to 255");
    timeout_ = common::duration_param(p, "timeout");
    if (timeout_ <= Duration::zero()) throw ValueError("timeout: must be more than 0");
    if (p.contains("outputContains")) output_contains_ = p.at("outputContains").get<std::string>();
    if (p.contains("outputMatches")) {
      output_matches_text_ = p.at("outputMatches").get<std::string>();
      try {
        output_matches_ = common::compile_regex(output_matches_text_);
      } catch (const ValueError& e) {
        throw ValueError(std::string("outputMatches: ") + e.what());
      }
    }
    if (p.contains("env")) {
      for (const auto& [name, value] : p.at("env").items()) {
        if (name.empty() || name.find('=') != std::string::npos) {
          throw ValueError("env: \"" + name + "\" is not a variable name");
        }
        env_.emplace_back(name, value.get<std::string>());
      }
    }
  }

  std::string describe() const override {
    std::string text =
        "exec " + in_quotes(command_) + " -> exit code " + std::to_string(exit_code_);
    if (output_contains_) text += ", output contains " + in_quotes(*output_contains_);
    if (output_matches_) {
      text += ", output matches /" + common::excerpt(output_matches_text_, 120) + "/";
    }
    return text;
  }

  Observation observe(const CheckContext&) override {
    common::SubprocessRequest request;
    request.argv = common::shell_argv(command_);
    request.env = env_;
    request.timeout = timeout_;
    common::SubprocessResult result = common::run_subprocess(request);
    std::string output = result.out + result.err;

    Observation o;
    o.evidence["duration_ms"] =
        std::round(std::chrono::duration<double, std::milli>(result.elapsed).count() * 1000) / 1000;
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
    if (output_contains_ && output.find(*output_contains_) == std::string::npos) {
      failed.push_back("output does not contain " + in_quotes(*output_contains_));
    }
    if (output_matches_ && !std::regex_search(output, *output_matches_)) {
      failed.push_back("output does not match /" + common::excerpt(output_matches_text_, 120) +
                       "/");
    }
    if (failed.empty()) {
      o.verdict = Verdict::Pass;
      o.message = result.status_text(timeout_);
    } else {
      o.verdict = Verdict::Fail;
      o.evidence["failed"] = failed;
      for (const auto& f : failed) o.message += (o.message.empty() ? "" : "; ") + f;
    }
    return o;
  }

 private:
  std::string command_;
  int exit_code_ = 0;
  Duration timeout_{0};
  std::optional<std::string> output_contains_;
  std::string output_matches_text_;
  std::optional<std::regex> output_matches_;
  std::vector<std::pair<std::string, std::string>> env_;
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
