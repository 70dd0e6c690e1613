#include "chaos/fault.hpp"
#include "common/errors.hpp"
#include "common/shell_command.hpp"
#include "common/text.hpp"

namespace firedrill::chaos {

namespace {

using common::Duration;
using common::FieldType;
using common::ValueError;

constexpr std::size_t kOutputExcerpt = 512;

// Runs the user's own commands: `inject` now, `revert` when the fault ends. Both get
// FIREDRILL_RUN_ID and FIREDRILL_DRILL so they can tag what they create.
class ExecFault final : public Fault {
 public:
  explicit ExecFault(const common::Params& p)
      : inject_(p.at("inject").get<std::string>()), revert_(p.at("revert").get<std::string>()) {
    if (inject_.empty()) throw ValueError("inject: must not be empty");
    if (revert_.empty()) throw ValueError("revert: must not be empty");
    timeout_ = common::positive_duration_param(p, "timeout");
    env_ = common::environment_param(p, "env");
  }

  std::string describe() const override {
    return "exec " + common::quoted_excerpt(inject_) + ", reverted by " +
           common::quoted_excerpt(revert_);
  }

  void inject(const FaultContext& context) override { run("inject", inject_, context); }
  void revert(const FaultContext& context) override { run("revert", revert_, context); }

 private:
  void run(const std::string& what, const std::string& command, const FaultContext& context) {
    if (context.dry_run) return;
    common::Environment env = env_;
    env.emplace_back("FIREDRILL_RUN_ID", context.run_id);
    env.emplace_back("FIREDRILL_DRILL", context.drill_name);
    common::SubprocessResult result;
    try {
      result = common::run_shell_command(command, env, timeout_);
    } catch (const std::runtime_error& e) {
      throw FaultError(what + " command " + common::quoted_excerpt(command) +
                       " could not start: " + e.what());
    }
    if (result.succeeded()) return;
    std::string message = what + " command " + common::quoted_excerpt(command) + " failed (" +
                          result.status_text(timeout_) + ")";
    std::string output = result.out + result.err;
    output.erase(output.find_last_not_of(" \t\r\n") + 1);
    if (!output.empty()) message += ": " + common::excerpt(output, kOutputExcerpt);
    throw FaultError(message);
  }

  std::string inject_;
  std::string revert_;
  Duration timeout_{0};
  common::Environment env_;
};

}  // namespace

FaultKind exec_fault_kind() {
  using common::FieldSpec;
  return {"exec",
          "Runs a shell command to inject a fault and another to revert it",
          {{
              FieldSpec{"inject",
                        FieldType::String,
                        true,
                        "run with /bin/sh -c to inject the fault; a non-zero "
                        "exit fails the step",
                        {},
                        {}},
              FieldSpec{"revert",
                        FieldType::String,
                        true,
                        "run with /bin/sh -c to undo it; must be safe to run "
                        "twice, and after a failed or partial inject",
                        {},
                        {}},
              FieldSpec{"timeout",
                        FieldType::Duration,
                        false,
                        "kill either command and everything it started after "
                        "this",
                        {},
                        "30s"},
              FieldSpec{"env",
                        FieldType::StringMap,
                        false,
                        "environment variables added for both commands, besides "
                        "FIREDRILL_RUN_ID and FIREDRILL_DRILL; their values "
                        "never appear in reports",
                        {},
                        {}},
          }},
          [](const common::Params& p, const nlohmann::json&) {
            return std::make_unique<ExecFault>(p);
          }};
}

}  // namespace firedrill::chaos
