#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/errors.hpp"
#include "common/http_client.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::validators {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::kind_params;
using ::testing::Not;

std::unique_ptr<Check> make(json given) {
  const CheckKind* kind = find_check_kind("http");
  EXPECT_NE(kind, nullptr);
  return kind->create(kind_params(kind->schema, std::move(given)));
}

std::string rejection(json given) {
  try {
    make(std::move(given));
  } catch (const common::ValueError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted";
  return "";
}

TEST(HttpCheck, KindDeclaresItsParameters) {
  const CheckKind* kind = find_check_kind("http");
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->freshness, "live: every poll observes the present");
  EXPECT_TRUE(kind->schema.find("url")->required);
  EXPECT_EQ(kind->schema.find("method")->default_value, "GET");
  EXPECT_EQ(kind->schema.find("status")->default_value, json::array({"2xx"}));
  EXPECT_EQ(kind->schema.find("timeout")->default_value, "5s");
  EXPECT_EQ(kind->schema.find("insecure")->default_value, false);
  for (const char* name : {"headers", "body", "bodyContains", "bodyMatches", "jsonPointer",
                           "jsonEquals", "maxLatency"}) {
    EXPECT_NE(kind->schema.find(name), nullptr) << name;
  }
}

TEST(HttpCheck, DescribeNamesHeadersButNeverTheirValues) {
  auto check = make({{"url", "https://user:pa55@api.example/health"},
                     {"headers", {{"Authorization", "Bearer s3cr3t-token"}, {"X-Tenant", "t1"}}},
                     {"status", {"200", "3xx"}},
                     {"bodyContains", "ok"},
                     {"maxLatency", 500'000'000}});
  std::string text = check->describe();
  EXPECT_EQ(text,
            "GET https://***@api.example/health -> status 200 or 3xx, body contains \"ok\", "
            "latency <= 500ms (headers: Authorization X-Tenant)");
  EXPECT_THAT(text, Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(text, Not(HasSubstr("pa55")));
}

TEST(HttpCheck, DescribeJsonExpectations) {
  EXPECT_THAT(
      make({{"url", "http://h/"}, {"jsonPointer", "/status"}, {"jsonEquals", "ok"}})->describe(),
      HasSubstr("JSON at \"/status\" equals \"ok\""));
  EXPECT_THAT(make({{"url", "http://h/"}, {"jsonPointer", "/items/0"}})->describe(),
              HasSubstr("JSON at \"/items/0\" exists"));
}

TEST(HttpCheck, StatusEntries) {
  for (const char* ok : {"200", "2xx", "5XX", "200-299", "404"}) {
    EXPECT_NO_THROW(make({{"url", "http://h/"}, {"status", {ok}}})) << ok;
  }
  for (const char* bad : {"20", "2000", "6xx", "0xx", "299-200", "abc", "200-", "-200", "99"}) {
    EXPECT_THAT(rejection({{"url", "http://h/"}, {"status", {bad}}}),
                HasSubstr("is not a status code (200), a class (2xx) or a range (200-299)"))
        << bad;
  }
}

TEST(HttpCheck, BadParametersAreRejected) {
  EXPECT_THAT(rejection({{"url", "ftp://h/"}}), HasSubstr("http:// or https://"));
  EXPECT_THAT(rejection({{"url", "http://h/"}, {"method", "GE T"}}), HasSubstr("method"));
  EXPECT_THAT(rejection({{"url", "http://h/"}, {"bodyMatches", "(open"}}),
              HasSubstr("bodyMatches"));
  EXPECT_THAT(rejection({{"url", "http://h/"}, {"jsonPointer", "status"}}),
              HasSubstr("jsonPointer"));
  EXPECT_THAT(rejection({{"url", "http://h/"}, {"jsonEquals", "1"}}),
              HasSubstr("jsonEquals needs jsonPointer"));
  EXPECT_THAT(rejection({{"url", "http://h/"}, {"timeout", 0}}), HasSubstr("timeout"));
  EXPECT_THAT(rejection({{"url", "http://h/"}, {"headers", {{"Bad Name", "v"}}}}),
              HasSubstr("header name"));
  std::string error =
      rejection({{"url", "http://h/"}, {"headers", {{"X-Token", "s3cr3t\r\nInjected: 1"}}}});
  EXPECT_THAT(error, HasSubstr("X-Token"));
  EXPECT_THAT(error, Not(HasSubstr("s3cr3t")));
}

TEST(RedactUrl, HidesUserInformation) {
  EXPECT_EQ(common::redact_url("https://u:p@h:8443/x?y=1"), "https://***@h:8443/x?y=1");
  EXPECT_EQ(common::redact_url("https://token@h/"), "https://***@h/");
  EXPECT_EQ(common::redact_url("http://h/a@b"), "http://h/a@b");
  EXPECT_EQ(common::redact_url("http://h"), "http://h");
  EXPECT_EQ(common::redact_url("not a url"), "not a url");
}

}  // namespace
}  // namespace firedrill::validators
