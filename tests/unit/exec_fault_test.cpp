#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "chaos/fault.hpp"
#include "common/errors.hpp"
#include "tests/unit/kind_params.hpp"

namespace firedrill::chaos {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;
using testing::kind_params;
using ::testing::Not;
using testing::ns;
namespace fs = std::filesystem;

class ExecFaultTest : public ::testing::Test {
 protected:
  ExecFaultTest() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("firedrill-exec-fault-" + std::to_string(rd()));
    fs::create_directories(dir_);
    context_.run_id = "run-7";
    context_.drill_name = "exec-drill";
  }
  ~ExecFaultTest() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<Fault> make(json given) const {
    const FaultKind* kind = find_fault_kind("exec");
    EXPECT_NE(kind, nullptr);
    return kind->create(kind_params(kind->schema, std::move(given)), nullptr);
  }
  std::string marker() const { return (dir_ / "marker").string(); }
  std::string read(const std::string& path) const {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string fault_error(const std::function<void()>& f) const {
    try {
      f();
    } catch (const FaultError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no FaultError";
    return "";
  }

  fs::path dir_;
  FaultContext context_;
};

TEST_F(ExecFaultTest, KindDeclaresItsParameters) {
  const FaultKind* kind = find_fault_kind("exec");
  ASSERT_NE(kind, nullptr);
  EXPECT_FALSE(kind->summary.empty());
  ASSERT_NE(kind->schema.find("inject"), nullptr);
  EXPECT_TRUE(kind->schema.find("inject")->required);
  EXPECT_TRUE(kind->schema.find("revert")->required);
  EXPECT_EQ(kind->schema.find("timeout")->default_value, "30s");
  EXPECT_EQ(kind->schema.find("env")->type, common::FieldType::StringMap);
}

TEST_F(ExecFaultTest, InjectAndRevertRunTheirCommands) {
  auto fault =
      make({{"inject", "touch '" + marker() + "'"}, {"revert", "rm -f '" + marker() + "'"}});
  EXPECT_EQ(fault->capture(context_), json::object());
  fault->inject(context_);
  EXPECT_TRUE(fs::exists(marker()));
  fault->revert(context_);
  EXPECT_FALSE(fs::exists(marker()));
  fault->revert(context_);  // twice is safe for a command that is
}

TEST_F(ExecFaultTest, CommandsSeeTheRunAndTheirEnvironment) {
  auto fault = make({{"inject",
                      "printf '%s %s %s' \"$FIREDRILL_RUN_ID\" \"$FIREDRILL_DRILL\" "
                      "\"$TARGET\" > '" +
                          marker() + "'"},
                     {"revert", "true"},
                     {"env", {{"TARGET", "checkout"}}}});
  fault->inject(context_);
  EXPECT_EQ(read(marker()), "run-7 exec-drill checkout");
}

TEST_F(ExecFaultTest, FailedInjectIsAFaultErrorWithItsOutput) {
  auto fault =
      make({{"inject", "echo no permission to stop checkout >&2; exit 3"}, {"revert", "true"}});
  std::string error = fault_error([&] { fault->inject(context_); });
  EXPECT_THAT(error, HasSubstr("inject command"));
  EXPECT_THAT(error, HasSubstr("exit code 3"));
  EXPECT_THAT(error, HasSubstr("no permission to stop checkout"));
}

TEST_F(ExecFaultTest, FailedRevertIsAFaultErrorWithItsOutput) {
  auto fault = make({{"inject", "true"}, {"revert", "echo still degraded; exit 1"}});
  fault->inject(context_);
  std::string error = fault_error([&] { fault->revert(context_); });
  EXPECT_THAT(error, HasSubstr("revert command"));
  EXPECT_THAT(error, HasSubstr("exit code 1"));
  EXPECT_THAT(error, HasSubstr("still degraded"));
}

TEST_F(ExecFaultTest, CommandThatRunsTooLongIsKilledAndFails) {
  auto fault = make({{"inject", "sleep 30"}, {"revert", "true"}, {"timeout", ns(200ms)}});
  auto start = std::chrono::steady_clock::now();
  std::string error = fault_error([&] { fault->inject(context_); });
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_THAT(error, HasSubstr("timed out after 200ms"));
}

TEST_F(ExecFaultTest, DryRunRunsNothing) {
  auto fault =
      make({{"inject", "touch '" + marker() + "'"}, {"revert", "touch '" + marker() + "'"}});
  context_.dry_run = true;
  fault->inject(context_);
  fault->revert(context_);
  EXPECT_FALSE(fs::exists(marker()));
  EXPECT_THAT(fault->describe(), HasSubstr("touch"));
}

TEST_F(ExecFaultTest, DescribeNamesTheCommandsButNoEnvironmentValues) {
  auto fault = make({{"inject", "kubectl scale deploy/checkout --replicas=0"},
                     {"revert", "kubectl scale deploy/checkout --replicas=3"},
                     {"env", {{"KUBE_TOKEN", "s3cr3t-token"}}}});
  std::string text = fault->describe();
  EXPECT_THAT(text, HasSubstr("--replicas=0"));
  EXPECT_THAT(text, HasSubstr("--replicas=3"));
  EXPECT_THAT(text, Not(HasSubstr("s3cr3t-token")));
}

TEST_F(ExecFaultTest, ErrorsDoNotCarryEnvironmentValues) {
  auto fault = make({{"inject", "exit 2"}, {"revert", "true"}, {"env", {{"TOKEN", "s3cr3t"}}}});
  EXPECT_THAT(fault_error([&] { fault->inject(context_); }), Not(HasSubstr("s3cr3t")));
}

TEST_F(ExecFaultTest, RecreatedFromTheJournalItRevertsTheSame) {
  json params =
      kind_params(find_fault_kind("exec")->schema,
                  {{"inject", "touch '" + marker() + "'"}, {"revert", "rm -f '" + marker() + "'"}});
  auto original = find_fault_kind("exec")->create(params, nullptr);
  json captured = original->capture(context_);
  original->inject(context_);
  auto recreated = find_fault_kind("exec")->create(params, captured);
  recreated->revert(context_);
  EXPECT_FALSE(fs::exists(marker()));
}

TEST_F(ExecFaultTest, EmptyCommandsAreRejected) {
  EXPECT_THROW(make({{"inject", ""}, {"revert", "true"}}), common::ValueError);
  EXPECT_THROW(make({{"inject", "true"}, {"revert", ""}}), common::ValueError);
  EXPECT_THROW(make({{"inject", "true"}, {"revert", "true"}, {"timeout", 0}}), common::ValueError);
}

}  // namespace
}  // namespace firedrill::chaos
