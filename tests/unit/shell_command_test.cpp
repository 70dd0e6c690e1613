#include "common/shell_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "common/errors.hpp"

namespace firedrill::common {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(EnvironmentParam, AbsentIsEmpty) {
  EXPECT_TRUE(environment_param(json::object(), "env").empty());
}

TEST(EnvironmentParam, EveryVariableIsKept) {
  Environment env = environment_param({{"env", {{"A", "1"}, {"B_2", ""}}}}, "env");
  EXPECT_EQ(env, (Environment{{"A", "1"}, {"B_2", ""}}));
}

TEST(EnvironmentParam, NamesThatAreNotVariableNamesAreRejected) {
  try {
    environment_param({{"env", {{"A=B", "1"}}}}, "env");
    FAIL() << "a name with '=' was accepted";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "env: \"A=B\" is not a variable name");
  }
  EXPECT_THROW(environment_param({{"env", {{"", "1"}}}}, "env"), ValueError);
}

TEST(RunShellCommand, RunsWithTheShellAndTheAddedVariables) {
  SubprocessResult result =
      run_shell_command("printf '%s' \"$FIREDRILL_SHELL_COMMAND_TEST\"; exit 4",
                        {{"FIREDRILL_SHELL_COMMAND_TEST", "added"}}, 10s);
  EXPECT_TRUE(result.exited);
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_EQ(result.out, "added");
}

}  // namespace
}  // namespace firedrill::common
