// A revert journal that stops taking records in the middle of a run: the run injects nothing
// more, reverts what it injected from memory, says why in its reports and exits 3, or 4 when a
// revert cannot be confirmed. The journal is made to fail for real: the first fault's inject
// lowers firedrill's file size limit (prlimit) to the journal's size, so the next record fails
// with EFBIG; its revert lifts the limit again, so that the reports can be written.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;

class JournalFailure : public ::testing::Test {
 protected:
  fs::path out() const { return dir.path() / "out"; }
  fs::path first() const { return dir.path() / "first"; }
  fs::path second() const { return dir.path() / "second"; }

  // `revert_tail` runs after the first fault's revert has lifted the limit.
  CommandResult run(const std::string& revert_tail) {
    const fs::path journal = out() / "journal.jsonl";
    const fs::path drill = dir.path() / "drill.yaml";
    std::ofstream(drill)
        << "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: journal-failure}\n"
        << "steps:\n"
        << "  - chaos:\n      exec:\n"
        << "        inject: \"touch '" << first().string() << "' && prlimit --pid $PPID --fsize="
        << "$(stat -c %s '" << journal.string() << "'):unlimited\"\n"
        << "        revert: \"prlimit --pid $PPID --fsize=unlimited:unlimited && rm -f '"
        << first().string() << "'" << revert_tail << "\"\n"
        << "  - chaos:\n      exec: {inject: \"touch '" << second().string()
        << "'\", revert: \"rm -f '" << second().string() << "'\"}\n"
        << "  - wait: 30s\n";
    return run_firedrill({"run", "-q", "--out-dir", out().string(), drill.string()}, false);
  }

  json result() const { return json::parse(read_text(out() / "result.json")); }

  TempDir dir;
};

TEST_F(JournalFailure, TheRunStopsAndRevertsFromMemory) {
  CommandResult r = run("");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_FALSE(fs::exists(first())) << "the injected fault was not reverted";
  EXPECT_FALSE(fs::exists(second())) << "a fault was injected with no journal to record it";
  const json doc = result();
  EXPECT_EQ(doc.at("verdict"), "aborted");
  const std::string reason = doc.at("abort_reason");
  EXPECT_NE(reason.find("the revert journal cannot be written"), std::string::npos) << reason;
  EXPECT_NE(reason.find("reverting from memory"), std::string::npos) << reason;
  ASSERT_EQ(doc.at("faults").size(), 1u) << doc.at("faults").dump(2);
  EXPECT_TRUE(doc.at("faults")[0].at("reverted_s").is_number()) << doc.at("faults")[0].dump(2);
  EXPECT_FALSE(doc.at("faults")[0].at("revert_failed")) << doc.at("faults")[0].dump(2);
}

TEST_F(JournalFailure, ARevertThatFailsThenExitsFour) {
  CommandResult r = run(" && exit 1");
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_FALSE(fs::exists(second()));
  const json doc = result();
  ASSERT_EQ(doc.at("faults").size(), 1u);
  EXPECT_TRUE(doc.at("faults")[0].at("revert_failed")) << doc.at("faults")[0].dump(2);
  EXPECT_NE(doc.at("abort_reason").get<std::string>().find("the revert journal cannot be written"),
            std::string::npos);
}

}  // namespace
}  // namespace firedrill::testing
