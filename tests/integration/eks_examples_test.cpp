// The EKS example drills (scenarios/examples/eks) as `firedrill validate` reads them. Drills that
// need the Kubernetes kinds (kube.*) are valid once those kinds are built in; until then their
// only errors may be those unknown kube kinds.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

const fs::path kExamples = fs::path(FIREDRILL_SOURCE_DIR) / "scenarios" / "examples" / "eks";

const std::set<std::string> kNeedKubeKinds = {"hpa-scale-under-load.yaml"};

// Every error is an unknown kube.* kind.
bool only_kube_kinds_unknown(const std::string& errors) {
  std::istringstream in(errors);
  int count = 0;
  for (std::string line; std::getline(in, line); ++count) {
    if (line.find("kind `kube.") == std::string::npos) return false;
  }
  return count > 0;
}

// The drills whose receiver SNS reaches need its password, as a user's environment gives it.
class EksExamples : public ::testing::Test {
 protected:
  void SetUp() override { setenv("RECEIVER_PASSWORD", "example-password", 1); }
  void TearDown() override { unsetenv("RECEIVER_PASSWORD"); }
};

TEST_F(EksExamples, EveryDrillIsValid) {
  std::vector<fs::path> drills;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    if (entry.path().extension() == ".yaml") drills.push_back(entry.path());
  }
  std::sort(drills.begin(), drills.end());
  ASSERT_GE(drills.size(), 4u);
  for (const auto& file : drills) {
    CommandResult r = run_firedrill({"validate", file.string()}, false);
    if (kNeedKubeKinds.contains(file.filename().string()) && r.exit_code == 2) {
      EXPECT_TRUE(only_kube_kinds_unknown(r.err)) << file << "\n" << r.err;
      continue;
    }
    EXPECT_EQ(r.exit_code, 0) << file << "\n" << r.err;
    EXPECT_EQ(r.err, "") << file;
    EXPECT_TRUE(r.out.starts_with(file.string() + ": ok (")) << r.out;
  }
}

TEST_F(EksExamples, AwsOnlyDrillsValidateWithTheirCounts) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"oom-pod-restart-alarm.yaml", "3 steps, 2 checks, 1 fault"},
      {"application-logs.yaml", "4 steps, 3 checks, 1 fault"},
      {"error-log-alarm.yaml", "4 steps, 6 checks, 1 fault"},
  };
  for (const auto& [name, counts] : expected) {
    const fs::path file = kExamples / name;
    CommandResult r = run_firedrill({"validate", file.string()}, false);
    EXPECT_EQ(r.exit_code, 0) << file << "\n" << r.err;
    EXPECT_EQ(r.out, file.string() + ": ok (" + counts + ")\n");
  }
}

// The defaults stand in for what the environment does not give, and the environment wins.
// Without the password the receiver, which SNS must reach, is not exposed.
TEST(EksExamplesWithoutPassword, AReachableReceiverNeedsItsCredentials) {
  const fs::path file = kExamples / "error-log-alarm.yaml";
  CommandResult r = run_firedrill({"validate", file.string()}, false);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("environment variable RECEIVER_PASSWORD is not set"), std::string::npos)
      << r.err;
}

TEST_F(EksExamples, NamesComeFromTheEnvironment) {
  const fs::path file = kExamples / "error-log-alarm.yaml";
  CommandResult r = run_firedrill({"validate", file.string()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  setenv("ERROR_LINES", "many", 1);
  CommandResult bad = run_firedrill({"validate", file.string()}, false);
  unsetenv("ERROR_LINES");
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.err.find("${env:ERROR_LINES:-50}"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace firedrill::testing
