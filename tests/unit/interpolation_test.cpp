#include "scenarios/interpolation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/drill_test_support.hpp"

namespace firedrill::testing {
namespace {

using scenarios::interpolate;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class Interpolation : public ::testing::Test {
 protected:
  Interpolation()
      : dir_(std::filesystem::temp_directory_path() /
             ("firedrill-interpolation-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_ / "secrets");
    std::ofstream(dir_ / "secrets" / "token") << "t0ken\r\n\n";
    sources_ = {env_of({{"USER_NAME", "ada"}, {"EMPTY", ""}, {"SECRET", "hunter2"}}), dir_};
  }
  ~Interpolation() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  scenarios::InterpolationSources sources_;
};

TEST_F(Interpolation, EnvironmentVariables) {
  auto r = interpolate("hello ${env:USER_NAME}!", sources_);
  EXPECT_EQ(r.value, "hello ada!");
  EXPECT_TRUE(r.substituted);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(interpolate("${env:USER_NAME}${env:USER_NAME}", sources_).value, "adaada");
  // Set but empty is a value; only a default replaces it.
  EXPECT_EQ(interpolate("[${env:EMPTY}]", sources_).value, "[]");
}

TEST_F(Interpolation, Defaults) {
  EXPECT_EQ(interpolate("${env:MISSING:-30s}", sources_).value, "30s");
  EXPECT_EQ(interpolate("${env:EMPTY:-fallback}", sources_).value, "fallback");
  EXPECT_EQ(interpolate("${env:USER_NAME:-nobody}", sources_).value, "ada");
  EXPECT_EQ(interpolate("${env:MISSING:-http://h:80/a}", sources_).value, "http://h:80/a");
  EXPECT_EQ(interpolate("${env:MISSING:-}", sources_).value, "");
}

TEST_F(Interpolation, FilesRelativeToTheDrillWithoutTrailingLineBreaks) {
  auto r = interpolate("Bearer ${file:secrets/token}", sources_);
  EXPECT_EQ(r.value, "Bearer t0ken");
  EXPECT_TRUE(r.substituted);
  EXPECT_EQ(interpolate("${file:" + (dir_ / "secrets" / "token").string() + "}", sources_).value,
            "t0ken");
}

TEST_F(Interpolation, EscapesAndPlainDollars) {
  auto r = interpolate("echo $${HOME} $$ $x ${env:USER_NAME}", sources_);
  EXPECT_EQ(r.value, "echo ${HOME} $$ $x ada");
  auto plain = interpolate("cost: $5", sources_);
  EXPECT_EQ(plain.value, "cost: $5");
  EXPECT_FALSE(plain.substituted);
  EXPECT_FALSE(interpolate("$${env:SECRET}", sources_).substituted);
}

TEST_F(Interpolation, ErrorsNameTheReferenceNeverAValue) {
  EXPECT_EQ(interpolate("${env:MISSING}", sources_).error,
            "environment variable MISSING is not set (`${env:MISSING}`); set it, or give a "
            "default: ${env:MISSING:-VALUE}");
  EXPECT_EQ(interpolate("${HOME}", sources_).error,
            "unknown reference `${HOME}`; use ${env:NAME}, ${env:NAME:-default} or "
            "${file:PATH}, and $${ for a literal ${");
  EXPECT_THAT(interpolate("a ${env:SECRET", sources_).error,
              HasSubstr("`${env:SECRET` is not closed with }"));
  EXPECT_THAT(interpolate("${env:BAD-NAME}", sources_).error,
              HasSubstr("does not name an environment variable"));
  EXPECT_THAT(interpolate("${file:secrets/nope}", sources_).error,
              HasSubstr("cannot read `${file:secrets/nope}`: "));
  EXPECT_THAT(interpolate("${file:secrets/nope}", sources_).error,
              HasSubstr("No such file or directory"));
  EXPECT_THAT(interpolate("${file:secrets}", sources_).error, HasSubstr("is a directory"));
}

TEST(InterpolationInDrills, EveryScalarIsInterpolated) {
  const std::string text =
      kHead.substr(0, kHead.find("target:")) +
      R"(target: {url: "${env:URL}", headers: {Authorization: "Bearer ${env:TOKEN}"}}
integrations:
  prometheus:
    url: ${env:PROM:-http://127.0.0.1:9090}
    port: ${env:PORT}
    label: "${env:PORT}"
steps:
  - wait: ${env:PAUSE:-45s}
  - validate:
      eventually: 1m
      checks:
        - probe: {count: "${env:PORT}", tags: ["${env:TAG}", "$${literal}"]}
)";
  auto outcome = parse(
      text, {{"URL", "http://127.0.0.1:8080"}, {"TOKEN", "abc"}, {"PORT", "9091"}, {"TAG", "t1"}});
  ASSERT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
  const auto& d = *outcome.drill;
  EXPECT_EQ(d.target.url, "http://127.0.0.1:8080");
  EXPECT_EQ(d.target.headers.at(0).second, "Bearer abc");
  // Unquoted values are typed after substitution, quoted ones stay strings.
  EXPECT_EQ(d.integrations.block(), nlohmann::json::parse(R"({"prometheus":
      {"url": "http://127.0.0.1:9090", "port": 9091, "label": "9091"}})"));
  EXPECT_EQ(d.steps.at(0).duration, std::chrono::seconds(45));
  EXPECT_EQ(d.steps.at(1).checks.at(0).params.at("count"), 9091);
  EXPECT_EQ(d.steps.at(1).checks.at(0).params.at("tags"), nlohmann::json({"t1", "${literal}"}));
}

TEST(InterpolationInDrills, UndefinedVariableIsAnErrorAtItsScalar) {
  const std::string text = kHead + R"(steps:
  - validate:
      eventually: 1m
      checks:
        - exec: {command: "curl -H 'X: ${env:API_KEY}' x"}
)";
  auto outcome = parse(text);
  EXPECT_FALSE(outcome.drill);
  EXPECT_THAT(error_lines(outcome),
              ElementsAre("10:27: environment variable API_KEY is not set (`${env:API_KEY}`); set "
                          "it, or give a default: ${env:API_KEY:-VALUE}"));
}

TEST(InterpolationInDrills, SubstitutedValuesNeverAppearInMessages) {
  const std::string text = kHead.substr(0, kHead.find("load:")) + R"(load:
  base:
    connections: ${env:SECRET}
    rate: "${env:SECRET}/s"
    stages: "${env:SECRET}"
    requests: [{url: "${env:SECRET}"}]
steps:
  - wait: "${env:SECRET}"
  - validate:
      eventually: 1m
      checks:
        - http: {url: x, method: "${env:SECRET}"}
)";
  auto outcome = parse(text, {{"SECRET", "POSTT"}});
  ASSERT_EQ(outcome.errors.size(), 6u) << scenarios::format_errors(outcome.errors);
  for (const auto& e : outcome.errors) {
    EXPECT_THAT(e.message, Not(HasSubstr("POSTT"))) << e.message;
    // Not even the suggestion a near allowed value would give ("did you mean `POST`?").
    EXPECT_THAT(e.message, Not(HasSubstr("did you mean"))) << e.message;
    EXPECT_THAT(e.message, HasSubstr("the value of `")) << e.message;
  }
  EXPECT_EQ(outcome.errors[0].message,
            "expected a whole number from 1 to 1000000, got the value of `${env:SECRET}`");
  EXPECT_EQ(outcome.errors[0].at.line, 7);
  EXPECT_EQ(outcome.errors[0].at.column, 18);
}

}  // namespace
}  // namespace firedrill::testing
