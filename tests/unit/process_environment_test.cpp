#include "common/process_environment.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>
#include <string>
#include <vector>

namespace firedrill::common {
namespace {

using Entries = std::vector<std::string>;

const char* const kBase[] = {"HOME=/home/drill", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", nullptr};

TEST(ProcessEnvironment, UntouchedVariablesPassThroughInOrder) {
  ProcessEnvironment env(kBase);
  EXPECT_EQ(env.entries(), (Entries{"HOME=/home/drill", "PATH=/usr/bin:/bin", "LANG=C.UTF-8"}));
  EXPECT_EQ(env.variables(),
            (std::map<std::string, std::string>{
                {"HOME", "/home/drill"}, {"LANG", "C.UTF-8"}, {"PATH", "/usr/bin:/bin"}}));
}

TEST(ProcessEnvironment, AnOverrideReplacesTheValueWhereItStands) {
  ProcessEnvironment env(kBase);
  env.set("PATH", "/opt/bin");
  EXPECT_EQ(env.entries(), (Entries{"HOME=/home/drill", "PATH=/opt/bin", "LANG=C.UTF-8"}));
  EXPECT_EQ(env.variables().at("PATH"), "/opt/bin");
}

TEST(ProcessEnvironment, AnAdditionIsAppendedInTheOrderSet) {
  ProcessEnvironment env(kBase);
  env.set("REPLICA", "0");
  env.set("EXTRA", "a=b c");
  env.set("REPLICA", "1");
  EXPECT_EQ(env.entries(), (Entries{"HOME=/home/drill", "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
                                    "REPLICA=1", "EXTRA=a=b c"}));
}

TEST(ProcessEnvironment, ARemovalRemovesAndAnUnknownNameIsNoError) {
  ProcessEnvironment env(kBase);
  env.unset("PATH");
  env.unset("NOT_THERE");
  EXPECT_EQ(env.entries(), (Entries{"HOME=/home/drill", "LANG=C.UTF-8"}));
  EXPECT_EQ(env.variables().count("PATH"), 0u);
}

TEST(ProcessEnvironment, TheFirstEntryOfANameWinsAndEntriesWithoutAValueAreNoVariables) {
  const char* const entries[] = {"A=1", "MALFORMED", "A=2", "EMPTY=", nullptr};
  ProcessEnvironment env(entries);
  EXPECT_EQ(env.entries(), (Entries{"A=1", "EMPTY="}));
  ProcessEnvironment none(nullptr);
  EXPECT_TRUE(none.entries().empty());
}

TEST(ProcessEnvironment, CurrentReadsThisProcesssEnvironment) {
  ::setenv("FIREDRILL_PROCESS_ENVIRONMENT_TEST", "x=y", 1);
  std::map<std::string, std::string> variables = ProcessEnvironment::current().variables();
  ::unsetenv("FIREDRILL_PROCESS_ENVIRONMENT_TEST");
  EXPECT_EQ(variables.at("FIREDRILL_PROCESS_ENVIRONMENT_TEST"), "x=y");
  EXPECT_EQ(variables.at("PATH"), ::getenv("PATH"));
}

}  // namespace
}  // namespace firedrill::common
