// `firedrill revert JOURNAL` on journals left by crashed runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "chaos/fault.hpp"
#include "chaos/revert_journal.hpp"
#include "tests/integration/support.hpp"
#include "tests/unit/kind_params.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json exec_params(const std::string& inject, const std::string& revert, json env = nullptr) {
  json given = {{"inject", inject}, {"revert", revert}};
  if (!env.is_null()) given["env"] = std::move(env);
  return kind_params(chaos::find_fault_kind("exec")->schema, given);
}

class RevertCommand : public ::testing::Test {
 protected:
  std::string journal() const { return (dir_.path() / "run.journal").string(); }
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }

  TempDir dir_;
};

TEST_F(RevertCommand, RevertsWhatACrashedRunLeftAndRecordsIt) {
  std::string marker = file("degraded");
  {
    chaos::RevertJournal j(journal());
    j.begin("run-1", "exec-drill");
    j.record_intent("fault-1", "exec", exec_params("touch '" + marker + "'", "rm '" + marker + "'"),
                    json::object());
    j.record_injected("fault-1");
  }
  std::ofstream(marker) << "x";

  CommandResult r = run_firedrill({"revert", journal()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_THAT(r.out, HasSubstr("1 fault to revert"));
  EXPECT_THAT(r.out, HasSubstr("reverted fault-1 (exec, run run-1)"));
  EXPECT_TRUE(chaos::pending_faults(journal()).empty());

  CommandResult again = run_firedrill({"revert", journal()}, false);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("nothing to revert"));
}

// A local service's replicas die with the drill that ran them, and their faults with them: there
// is nothing to revert, and nothing must be sent to their old ports.
TEST_F(RevertCommand, AFaultOnAServiceThatEndedWithItsDrillHasNothingToRevert) {
  {
    chaos::RevertJournal j(journal());
    j.begin("run-1", "local-drill");
    json params = kind_params(chaos::find_fault_kind("http.degrade")->schema,
                              {{"service", "target"}, {"errorRate", 0.5}});
    json captured = {{"targets",
                      {{{"url", "http://127.0.0.1:" + std::to_string(free_port())},
                        {"before", {{"error_rate", 0.0}, {"extra_latency", 0}}}}}}};
    j.record_intent("fault-1", "http.degrade", params, captured);
    j.record_injected("fault-1");
  }
  CommandResult r = run_firedrill({"revert", journal()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("reverted fault-1 (http.degrade, run run-1)"));
  EXPECT_TRUE(chaos::pending_faults(journal()).empty());
}

TEST_F(RevertCommand, MostRecentlyInjectedFirst) {
  std::string order = file("order");
  {
    chaos::RevertJournal j(journal());
    j.begin("run-1", "exec-drill");
    for (const char* id : {"fault-1", "fault-2", "fault-3"}) {
      j.record_intent(id, "exec",
                      exec_params("true", std::string("echo ") + id + " >> '" + order + "'"),
                      json::object());
      j.record_injected(id);
    }
    j.record_reverted("fault-2");
  }
  CommandResult r = run_firedrill({"revert", journal()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(order), "fault-3\nfault-1\n");
}

TEST_F(RevertCommand, DryRunListsAndChangesNothing) {
  std::string marker = file("reverted");
  {
    chaos::RevertJournal j(journal());
    j.begin("run-1", "exec-drill");
    j.record_intent("fault-1", "exec", exec_params("true", "touch '" + marker + "'"),
                    json::object());
  }
  std::string before = slurp(journal());
  CommandResult r = run_firedrill({"revert", "--dry-run", journal()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("would revert fault-1 (exec, run run-1)"));
  EXPECT_THAT(r.out, HasSubstr("before inject finished"));
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_EQ(slurp(journal()), before);
}

TEST_F(RevertCommand, FailedRevertExitsFourAndStaysPending) {
  {
    chaos::RevertJournal j(journal());
    j.begin("run-1", "exec-drill");
    j.record_intent("fault-1", "exec", exec_params("true", "echo cannot reach the cluster; exit 7"),
                    json::object());
    j.record_injected("fault-1");
    j.record_intent("fault-2", "exec", exec_params("true", "true"), json::object());
    j.record_injected("fault-2");
  }
  CommandResult r = run_firedrill({"revert", journal()}, false);
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("reverted fault-2"));
  EXPECT_THAT(r.out, HasSubstr("revert FAILED fault-1"));
  EXPECT_THAT(r.out, HasSubstr("cannot reach the cluster"));
  auto pending = chaos::pending_faults(journal());
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].fault_id, "fault-1");
  EXPECT_THAT(pending[0].last_error, HasSubstr("exit code 7"));
}

TEST_F(RevertCommand, UnknownKindIsAFailedRevert) {
  {
    chaos::RevertJournal j(journal());
    j.begin("run-1", "exec-drill");
    j.record_intent("fault-1", "warp.drive", json::object(), json::object());
  }
  CommandResult r = run_firedrill({"revert", journal()}, false);
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("unknown fault kind \"warp.drive\""));
}

TEST_F(RevertCommand, MalformedJournalExitsTwoNamingTheLine) {
  {
    chaos::RevertJournal j(journal());
    j.begin("run-1", "exec-drill");
  }
  std::ofstream(journal(), std::ios::app) << "{\"record\": \"intent\"\n";
  std::ofstream(journal(), std::ios::app) << "{}\n";
  CommandResult r = run_firedrill({"revert", journal()}, false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(journal() + ":2: "));
}

TEST_F(RevertCommand, MissingJournalExitsTwo) {
  CommandResult r = run_firedrill({"revert", file("none.journal")}, false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("none.journal"));
}

TEST_F(RevertCommand, SecretsAreNeverPrinted) {
  {
    chaos::RevertJournal j(journal());
    j.begin("run-1", "exec-drill", {{"prometheus", {{"token", "pr0m-s3cr3t"}}}});
    j.record_intent("fault-1", "exec",
                    exec_params("true", "test -n \"$TOKEN\"", {{"TOKEN", "s3cr3t-token"}}),
                    json::object());
    j.record_intent("fault-2", "exec", exec_params("true", "exit 1", {{"TOKEN", "s3cr3t-token"}}),
                    json::object());
  }
  CommandResult dry = run_firedrill({"revert", "--dry-run", journal()}, false);
  CommandResult r = run_firedrill({"revert", journal()}, false);
  EXPECT_EQ(r.exit_code, 4);
  for (const auto* result : {&dry, &r}) {
    std::string printed = result->out + result->err;
    EXPECT_THAT(printed, Not(HasSubstr("s3cr3t")));
    EXPECT_THAT(printed, Not(HasSubstr("pr0m")));
  }
}

// The whole story: a process journals and injects, is killed with SIGKILL, and
// `firedrill revert` undoes what it did.
TEST_F(RevertCommand, AfterKillNineTheFaultIsUndone) {
  std::string marker = file("hog-running");
  std::string params_marker = marker;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const chaos::FaultKind* kind = chaos::find_fault_kind("exec");
    json params = exec_params("touch '" + params_marker + "'", "rm -f '" + params_marker + "'");
    auto fault = kind->create(params, nullptr);
    chaos::FaultContext context{"run-9", "kill-drill", false, nullptr};
    chaos::RevertJournal j(journal());
    j.begin(context.run_id, context.drill_name);
    j.record_intent("fault-1", "exec", params, fault->capture(context));
    fault->inject(context);
    j.record_injected("fault-1");
    raise(SIGKILL);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_TRUE(fs::exists(marker));

  CommandResult r = run_firedrill({"revert", journal()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(fs::exists(marker));
}

}  // namespace
}  // namespace firedrill::testing
