#include "target/log_line.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace firedrill::target {
namespace {

using namespace std::chrono_literals;

TEST(LogLine, TimestampsAreRfc3339UtcWithMilliseconds) {
  std::chrono::system_clock::time_point time{1714564800s + 7ms};  // 2024-05-01T12:00:00Z
  EXPECT_EQ(rfc3339_utc(time), "2024-05-01T12:00:00.007Z");
  EXPECT_EQ(rfc3339_utc(time + 999ms), "2024-05-01T12:00:01.006Z");
  EXPECT_EQ(rfc3339_utc(time + 24h), "2024-05-02T12:00:00.007Z");
}

TEST(LogLine, AnyPathBecomesAValidJsonString) {
  const std::string path = "/a\"b\\c\n\x01\xff\xc3\xa9";
  std::string out;
  append_json_string(out, path);
  EXPECT_EQ(out, R"("/a\"b\\c\u000a\u0001\u00ff\u00c3\u00a9")");
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>().substr(0, 7), "/a\"b\\c\n");
}

}  // namespace
}  // namespace firedrill::target
