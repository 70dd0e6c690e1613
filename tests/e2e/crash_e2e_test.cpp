// Nothing firedrill started outlives a firedrill killed with SIGKILL: not the children of a
// `services:` command written as a shell string (only the shell has the parent-death signal),
// and not the rest of an exec fault's inject that was still running, which would otherwise put
// the fault back after `firedrill revert` said everything was reverted.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

bool accepts_connections(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return connected;
}

template <typename Condition>
bool within(std::chrono::milliseconds limit, Condition condition) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

class KilledRun : public ::testing::Test {
 protected:
  fs::path out() const { return dir.path() / "out"; }

  std::unique_ptr<Process> start(const std::string& drill_text) {
    const fs::path drill = dir.path() / "drill.yaml";
    std::ofstream(drill) << "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: crash}\n"
                         << drill_text;
    return std::make_unique<Process>(
        std::vector<std::string>{FIREDRILL_BINARY, "run", "-q", "--out-dir", out().string(),
                                 drill.string()},
        dir.path() / "run.log");
  }

  static void kill_nine(Process& firedrill) {
    firedrill.signal(SIGKILL);
    firedrill.wait(std::chrono::seconds(10));
  }

  TempDir dir;
};

TEST_F(KilledRun, AShellStringServiceStopsServingWithIt) {
  const uint16_t port = free_port();
  auto firedrill =
      start("services:\n  web:\n    command: \"'" + std::string(FIREDRILL_BINARY) +
            "' target --listen 127.0.0.1:$PORT; true\"\n    port: " + std::to_string(port) +
            "\n    readiness: {path: /healthz, timeout: 30s}\n"
            "steps:\n  - wait: 60s\n");
  ASSERT_TRUE(within(std::chrono::seconds(30), [&] { return accepts_connections(port); }))
      << read_text(dir.path() / "run.log");
  kill_nine(*firedrill);
  EXPECT_TRUE(within(std::chrono::seconds(10), [&] { return !accepts_connections(port); }))
      << "the service's child still serves port " << port << " after firedrill was killed";
}

TEST_F(KilledRun, ASlowInjectDoesNotFinishAfterTheRevert) {
  const fs::path started = dir.path() / "started";
  const fs::path fault = dir.path() / "fault";
  auto firedrill =
      start("steps:\n  - chaos:\n      exec:\n        inject: \"touch '" + started.string() +
            "'; sleep 2; touch '" + fault.string() + "'\"\n        revert: \"rm -f '" +
            fault.string() + "'\"\n  - wait: 60s\n");
  ASSERT_TRUE(within(std::chrono::seconds(30), [&] { return fs::exists(started); }))
      << read_text(dir.path() / "run.log");
  kill_nine(*firedrill);

  CommandResult revert = run_firedrill({"revert", (out() / "journal.jsonl").string()}, false);
  EXPECT_EQ(revert.exit_code, 0) << revert.out << revert.err;
  // Past the end of the inject's sleep: had its shell survived, the fault would be back.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_FALSE(fs::exists(fault)) << "the inject finished after firedrill revert";
}

// The journal holds the values it needs to revert; what `firedrill revert` prints of them, in a
// description or in a failing command's output, shows each as the reference the drill wrote.
TEST_F(KilledRun, ItsRevertShowsNoInterpolatedValue) {
  constexpr const char* kToken = "tok-5be07d3c91a24f68";
  setenv("FIREDRILL_TEST_TOKEN", kToken, 1);
  const fs::path fault = dir.path() / "fault";
  auto firedrill =
      start("steps:\n  - chaos:\n      exec:\n        inject: \"touch '" + fault.string() +
            "' # ${env:FIREDRILL_TEST_TOKEN}\"\n" +
            "        revert: \"echo ${env:FIREDRILL_TEST_TOKEN}; exit 1\"\n" + "  - wait: 60s\n");
  ASSERT_TRUE(within(std::chrono::seconds(30), [&] { return fs::exists(fault); }))
      << read_text(dir.path() / "run.log");
  kill_nine(*firedrill);
  unsetenv("FIREDRILL_TEST_TOKEN");

  const std::string journal = (out() / "journal.jsonl").string();
  ASSERT_NE(read_text(journal).find(kToken), std::string::npos);
  CommandResult dry = run_firedrill({"revert", "--dry-run", journal}, false);
  EXPECT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("# ${env:FIREDRILL_TEST_TOKEN}"), std::string::npos) << dry.out;
  CommandResult revert = run_firedrill({"revert", journal}, false);
  EXPECT_EQ(revert.exit_code, 4) << revert.out << revert.err;
  EXPECT_NE(revert.out.find("revert FAILED"), std::string::npos) << revert.out;
  for (const std::string& text : {dry.out, dry.err, revert.out, revert.err}) {
    EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace firedrill::testing
