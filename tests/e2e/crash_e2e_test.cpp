// Nothing firedrill started outlives a firedrill killed with SIGKILL: not the children of a
// `services:` command written as a shell string (only the shell has the parent-death signal),
// and not the rest of an exec fault's inject that was still running, which would otherwise put
// the fault back after `firedrill revert` said everything was reverted.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
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

}  // namespace
}  // namespace firedrill::testing
