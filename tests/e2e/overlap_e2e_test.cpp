// Two faults on one target: the drill ends with the target as it was before the drill, the later
// fault's revert leaves the earlier fault's effect in place, and a drill whose earlier `for:` could
// undo a later fault is refused before anything runs. Against firedrill's own target service.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;

class OverlappingFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = free_port();
    target_ =
        std::make_unique<Process>(std::vector<std::string>{FIREDRILL_BINARY, "target", "--listen",
                                                           "127.0.0.1:" + std::to_string(port_)},
                                  dir_.path() / "target.log");
    ASSERT_TRUE(wait_for_port(port_)) << read_text(dir_.path() / "target.log");
  }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  fs::path drill(const std::string& steps) const {
    fs::path file = dir_.path() / "drill.yaml";
    std::ofstream(file) << "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: overlap}\n"
                        << "steps:\n"
                        << steps;
    return file;
  }
  std::string degrade(const std::string& change) const {
    return "  - chaos: {http.degrade: {url: ['" + url() + "'], " + change + "}}\n";
  }

  TempDir dir_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> target_;
};

TEST_F(OverlappingFaults, TheDrillEndsAsItBeganAndALaterRevertKeepsTheEarlierEffect) {
  const std::string before = http_get(url("/admin/fault"));
  ASSERT_FALSE(before.empty());
  const fs::path file =
      drill(degrade("errorRate: 0.3") + degrade("extraLatency: 100ms") + "    for: 1s\n" +
            "  - wait: 2s\n"
            "  - validate:\n      eventually: 5s\n      interval: 200ms\n      checks:\n"
            "        - exec: {command: \"curl -sf " +
            url("/admin/fault") + " | grep -q '\\\"error_rate\\\":0.3'\"}\n");
  CommandResult r = run_firedrill(
      {"run", "-q", "--out-dir", (dir_.path() / "out").string(), file.string()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(http_get(url("/admin/fault"))), json::parse(before));
}

// The earlier `for:` was allowed because the load between the faults outlasts it: a load whose
// target refuses every connection must still take its step's time.
TEST_F(OverlappingFaults, ALoadAgainstADownTargetStillTakesItsTime) {
  const std::string before = http_get(url("/admin/fault"));
  ASSERT_FALSE(before.empty());
  const std::string down = "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  const fs::path file =
      drill(degrade("errorRate: 0.3") + "    for: 1s\n" + "  - load: down\n    duration: 3s\n" +
            degrade("extraLatency: 100ms") + "  - wait: 2s\n" +
            "load:\n  down: {requests: [{url: '" + down + "'}], connections: 1, threads: 1}\n");
  CommandResult r = run_firedrill(
      {"run", "-q", "--out-dir", (dir_.path() / "out").string(), file.string()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(http_get(url("/admin/fault"))), json::parse(before));
}

TEST_F(OverlappingFaults, AnEarlierForThatCouldUndoALaterFaultIsRefusedBeforeAnythingRuns) {
  const std::string before = http_get(url("/admin/fault"));
  const fs::path file =
      drill(degrade("errorRate: 0.3") + "    for: 10s\n" + degrade("extraLatency: 100ms"));
  CommandResult validate = run_firedrill({"validate", file.string()}, false);
  EXPECT_EQ(validate.exit_code, 2) << validate.out;
  EXPECT_NE(validate.err.find("drill.yaml:7:13: http.degrade changes url " + url()),
            std::string::npos)
      << validate.err;
  CommandResult r = run_firedrill(
      {"run", "-q", "--out-dir", (dir_.path() / "out").string(), file.string()}, false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(json::parse(http_get(url("/admin/fault"))), json::parse(before));
}

}  // namespace
}  // namespace firedrill::testing
