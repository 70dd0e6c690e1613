// A service's SERVICE_DIR is under the run's output directory whatever the working directory,
// and starts empty: run twice with the same relative --out-dir from elsewhere than the drill's
// folder, a Prometheus would otherwise keep the first run's samples (old alerts looking active)
// and an Alertmanager its notification log (pages already sent are not sent again).
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

TEST(ServiceDir, IsUnderTheOutputDirectoryAndStartsEmpty) {
  TempDir dir;
  const fs::path drills = dir.path() / "drills";
  const fs::path cwd = dir.path() / "cwd";
  fs::create_directories(drills);
  fs::create_directories(cwd);
  const uint16_t port = free_port();
  // The replica refuses to start where an earlier run left its mark.
  std::ofstream(drills / "drill.yaml")
      << "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: service-dir}\n"
      << "services:\n  web:\n    command: \"test ! -e \\\"$SERVICE_DIR/seen\\\" && touch "
         "\\\"$SERVICE_DIR/seen\\\" && exec '"
      << FIREDRILL_BINARY << "' target --listen 127.0.0.1:$PORT\"\n"
      << "    port: " << port << "\n    readiness: {path: /healthz, timeout: 10s}\n"
      << "steps:\n  - wait: 1s\n";
  for (int run = 1; run <= 2; ++run) {
    const int exit_code =
        run_and_wait({"sh", "-c",
                      "cd '" + cwd.string() + "' && exec '" + FIREDRILL_BINARY +
                          "' run -q --out-dir out '" + (drills / "drill.yaml").string() + "'"},
                     dir.path() / "run.out", dir.path() / "run.err");
    EXPECT_EQ(exit_code, 0) << "run " << run << ": " << read_text(dir.path() / "run.out")
                            << read_text(dir.path() / "run.err");
  }
  EXPECT_TRUE(fs::exists(cwd / "out" / "services" / "web-0" / "seen"));
  EXPECT_FALSE(fs::exists(drills / "out")) << "SERVICE_DIR was resolved in the drill's folder";
}

}  // namespace
}  // namespace firedrill::testing
