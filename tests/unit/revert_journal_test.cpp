#include "chaos/revert_journal.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace firedrill::chaos {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class RevertJournalTest : public ::testing::Test {
 protected:
  RevertJournalTest() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("firedrill-journal-" + std::to_string(rd()));
    fs::create_directories(dir_);
    path_ = (dir_ / "run.journal").string();
  }
  ~RevertJournalTest() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string content() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void append_raw(const std::string& text) const {
    std::ofstream(path_, std::ios::binary | std::ios::app) << text;
  }
  std::vector<std::string> pending_ids() const {
    std::vector<std::string> ids;
    for (const auto& f : pending_faults(path_)) ids.push_back(f.run_id + "/" + f.fault_id);
    return ids;
  }
  std::string error_of_reading() const {
    try {
      pending_faults(path_);
    } catch (const JournalError& e) {
      return e.what();
    }
    ADD_FAILURE() << "the journal was read without error";
    return "";
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(RevertJournalTest, RoundTripInReverseInjectionOrder) {
  json params1 = {{"inject", "touch /tmp/x"}, {"timeout", 30000000000}};
  json captured2 = {{"image", "shop:1.2"}};
  {
    RevertJournal j(path_);
    j.begin("run-1", "checkout-oom", {{"kubernetes", {{"context", "prod"}}}});
    j.record_intent("fault-1", "exec", params1, json::object());
    j.record_injected("fault-1");
    j.record_intent("fault-2", "kube.image", json::object(), captured2);
    j.record_injected("fault-2");
  }
  auto pending = pending_faults(path_);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].fault_id, "fault-2");
  EXPECT_EQ(pending[0].kind, "kube.image");
  EXPECT_EQ(pending[0].captured, captured2);
  EXPECT_EQ(pending[0].line, 4);
  EXPECT_EQ(pending[1].fault_id, "fault-1");
  EXPECT_EQ(pending[1].params, params1);
  EXPECT_EQ(pending[1].line, 2);
  for (const auto& f : pending) {
    EXPECT_EQ(f.run_id, "run-1");
    EXPECT_EQ(f.drill_name, "checkout-oom");
    EXPECT_EQ(f.integrations["kubernetes"]["context"], "prod");
    EXPECT_TRUE(f.injected);
    EXPECT_EQ(f.last_error, "");
  }
}

TEST_F(RevertJournalTest, EveryRecordIsOneJsonLine) {
  {
    RevertJournal j(path_);
    j.begin("run-1", "drill");
    j.record_intent("fault-1", "exec", {{"a", 1}}, json::object());
    j.record_injected("fault-1");
    j.record_revert_failed("fault-1", "boom");
    j.record_reverted("fault-1");
  }
  std::istringstream lines(content());
  std::vector<std::string> types;
  std::string line;
  while (std::getline(lines, line)) {
    json record = json::parse(line);
    EXPECT_EQ(record["run_id"], "run-1");
    EXPECT_TRUE(record["at"].get<std::string>().ends_with("Z"));
    types.push_back(record["record"]);
  }
  EXPECT_THAT(types, ElementsAre("begin", "intent", "injected", "revert_failed", "reverted"));
  EXPECT_EQ(content().back(), '\n');
  json begin = json::parse(content().substr(0, content().find('\n')));
  EXPECT_EQ(begin["version"], 1);
  EXPECT_EQ(begin["drill"], "drill");
  EXPECT_EQ(begin["dry_run"], false);
  EXPECT_EQ(begin["pid"], getpid());
}

TEST_F(RevertJournalTest, OnlyTheOwnerCanReadIt) {
  RevertJournal j(path_);
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(RevertJournalTest, CrashAfterIntentBeforeInjectedIsPending) {
  {
    RevertJournal j(path_);
    j.begin("run-1", "drill");
    j.record_intent("fault-1", "exec", json::object(), json::object());
  }
  auto pending = pending_faults(path_);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_FALSE(pending[0].injected);
}

TEST_F(RevertJournalTest, CrashAfterInjectedBeforeRevertedIsPending) {
  {
    RevertJournal j(path_);
    j.begin("run-1", "drill");
    j.record_intent("fault-1", "exec", json::object(), json::object());
    j.record_injected("fault-1");
  }
  auto pending = pending_faults(path_);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_TRUE(pending[0].injected);
}

TEST_F(RevertJournalTest, RevertedFaultIsNotPending) {
  {
    RevertJournal j(path_);
    j.begin("run-1", "drill");
    j.record_intent("fault-1", "exec", json::object(), json::object());
    j.record_injected("fault-1");
    j.record_intent("fault-2", "exec", json::object(), json::object());
    j.record_injected("fault-2");
    j.record_reverted("fault-2");
  }
  EXPECT_THAT(pending_ids(), ElementsAre("run-1/fault-1"));
}

TEST_F(RevertJournalTest, FailedRevertStaysPendingWithItsError) {
  {
    RevertJournal j(path_);
    j.begin("run-1", "drill");
    j.record_intent("fault-1", "exec", json::object(), json::object());
    j.record_injected("fault-1");
    j.record_revert_failed("fault-1", "revert command failed (exit code 1)");
  }
  auto pending = pending_faults(path_);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].last_error, "revert command failed (exit code 1)");
}

TEST_F(RevertJournalTest, EmptyOrFreshJournalHasNothingPending) {
  { RevertJournal j(path_); }
  EXPECT_TRUE(pending_faults(path_).empty());
  {
    RevertJournal j(path_);
    j.begin("run-1", "drill");
  }
  EXPECT_TRUE(pending_faults(path_).empty());
}

TEST_F(RevertJournalTest, DryRunFaultsAreNeverPending) {
  {
    RevertJournal j(path_);
    j.begin("run-1", "drill", json::object(), /*dry_run=*/true);
    j.record_intent("fault-1", "exec", json::object(), json::object());
    j.record_injected("fault-1");
  }
  EXPECT_TRUE(pending_faults(path_).empty());
}

TEST_F(RevertJournalTest, RunsSharingAFileKeepTheirFaultsApart) {
  RevertJournal a(path_);
  RevertJournal b(path_);
  a.begin("run-a", "drill");
  b.begin("run-b", "drill");
  a.record_intent("fault-1", "exec", {{"n", "a"}}, json::object());
  b.record_intent("fault-1", "exec", {{"n", "b"}}, json::object());
  a.record_injected("fault-1");
  b.record_injected("fault-1");
  a.record_reverted("fault-1");
  EXPECT_THAT(pending_ids(), ElementsAre("run-b/fault-1"));
  EXPECT_EQ(pending_faults(path_)[0].params["n"], "b");
}

TEST_F(RevertJournalTest, ContinueRunRecordsAgainstAnEarlierRun) {
  {
    RevertJournal j(path_);
    j.begin("run-1", "drill");
    j.record_intent("fault-1", "exec", json::object(), json::object());
    j.begin("run-2", "drill");
    j.record_intent("fault-1", "exec", json::object(), json::object());
  }
  RevertJournal later(path_);
  later.continue_run("run-1");
  later.record_reverted("fault-1");
  EXPECT_THAT(pending_ids(), ElementsAre("run-2/fault-1"));
}

TEST_F(RevertJournalTest, RecordBeforeBeginIsRefused) {
  RevertJournal j(path_);
  EXPECT_THROW(j.record_intent("fault-1", "exec", json::object(), json::object()), JournalError);
}

TEST_F(RevertJournalTest, TornLastLineIsIgnoredAndCutOffBeforeAppending) {
  {
    RevertJournal j(path_);
    j.begin("run-1", "drill");
    j.record_intent("fault-1", "exec", json::object(), json::object());
    j.record_injected("fault-1");
  }
  append_raw(R"({"record":"reverted","fault":"fau)");
  EXPECT_THAT(pending_ids(), ElementsAre("run-1/fault-1"));
  {
    RevertJournal j(path_);
    j.continue_run("run-1");
    j.record_reverted("fault-1");
  }
  EXPECT_TRUE(pending_faults(path_).empty());
  std::istringstream lines(content());
  std::string line;
  while (std::getline(lines, line)) {
    EXPECT_FALSE(json::parse(line, nullptr, false).is_discarded()) << line;
  }
}

TEST_F(RevertJournalTest, LastRecordMissingOnlyItsNewlineIsKept) {
  std::string begin =
      R"({"record":"begin","version":1,"drill":"d","run_id":"run-1","at":"2024-01-01T00:00:00.000Z"})";
  std::string intent =
      R"({"record":"intent","fault":"fault-1","kind":"exec","params":{},"captured":{},"run_id":"run-1","at":"2024-01-01T00:00:00.000Z"})";
  append_raw(begin + "\n" + intent);
  EXPECT_THAT(pending_ids(), ElementsAre("run-1/fault-1"));
  {
    RevertJournal j(path_);
    j.continue_run("run-1");
    j.record_injected("fault-1");
  }
  auto pending = pending_faults(path_);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_TRUE(pending[0].injected);
}

TEST_F(RevertJournalTest, MalformedRecordNamesFileAndLine) {
  {
    RevertJournal j(path_);
    j.begin("run-1", "drill");
  }
  append_raw("this is not json\n");
  append_raw(R"({"record":"injected","fault":"f","run_id":"run-1"})"
             "\n");
  EXPECT_THAT(error_of_reading(), HasSubstr(path_ + ":2: not a JSON record"));
}

TEST_F(RevertJournalTest, RecordsThatMakeNoSenseAreErrors) {
  struct Case {
    std::string line;
    std::string error;
  };
  std::vector<Case> cases = {
      {R"({"record":"intent","fault":"f","kind":"exec","run_id":"nobody"})", "no begin record"},
      {R"({"record":"injected","fault":"f9","run_id":"run-1"})", "without an intent"},
      {R"({"record":"exploded","fault":"f","run_id":"run-1"})", "unknown record type"},
      {R"({"record":"intent","fault":"f","run_id":"run-1"})", "no \"kind\""},
      {R"({"record":"begin","version":2,"run_id":"run-9"})", "version 2 is not supported"},
      {R"([1,2])", "not a JSON object"},
  };
  for (const auto& c : cases) {
    fs::remove(path_);
    {
      RevertJournal j(path_);
      j.begin("run-1", "drill");
    }
    append_raw(c.line + "\n");
    std::string error = error_of_reading();
    EXPECT_THAT(error, HasSubstr(":2: ")) << c.line;
    EXPECT_THAT(error, HasSubstr(c.error)) << c.line;
  }
}

TEST_F(RevertJournalTest, MissingFileIsAnError) {
  EXPECT_THAT(error_of_reading(), HasSubstr(path_ + ": cannot read"));
}

TEST_F(RevertJournalTest, UnwritableLocationIsAnError) {
  EXPECT_THROW(RevertJournal((dir_ / "no-such-dir" / "j").string()), JournalError);
}

// A writer killed with SIGKILL right after inject: everything it recorded is on disk.
TEST_F(RevertJournalTest, WriterKilledMidRunLeavesItsFaultsPending) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    RevertJournal j(path_);
    j.begin("run-1", "drill");
    j.record_intent("fault-1", "exec", {{"revert", "true"}}, json::object());
    j.record_injected("fault-1");
    j.record_intent("fault-2", "exec", {{"revert", "true"}}, json::object());
    raise(SIGKILL);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto pending = pending_faults(path_);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].fault_id, "fault-2");
  EXPECT_FALSE(pending[0].injected);
  EXPECT_EQ(pending[1].fault_id, "fault-1");
  EXPECT_TRUE(pending[1].injected);
}

}  // namespace
}  // namespace firedrill::chaos
