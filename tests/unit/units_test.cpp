#include "common/units.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "common/errors.hpp"

namespace firedrill::common {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string duration_error(std::string_view text) {
  try {
    parse_duration(text);
  } catch (const ValueError& e) {
    return e.what();
  }
  ADD_FAILURE() << "\"" << text << "\" was accepted as a duration";
  return "";
}

std::string rate_error(std::string_view text) {
  try {
    parse_rate(text);
  } catch (const ValueError& e) {
    return e.what();
  }
  ADD_FAILURE() << "\"" << text << "\" was accepted as a rate";
  return "";
}

std::string stages_error(std::string_view text) {
  try {
    parse_stages(text);
  } catch (const ValueError& e) {
    return e.what();
  }
  ADD_FAILURE() << "\"" << text << "\" was accepted as stages";
  return "";
}

TEST(ParseDuration, SingleUnits) {
  EXPECT_EQ(parse_duration("0"), 0ns);
  EXPECT_EQ(parse_duration("0s"), 0ns);
  EXPECT_EQ(parse_duration("7ns"), 7ns);
  EXPECT_EQ(parse_duration("250us"), 250us);
  EXPECT_EQ(parse_duration("250\xC2\xB5s"), 250us);
  EXPECT_EQ(parse_duration("250\xCE\xBCs"), 250us);
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("30s"), 30s);
  EXPECT_EQ(parse_duration("2m"), 2min);
  EXPECT_EQ(parse_duration("1h"), 1h);
}

TEST(ParseDuration, CombinedUnits) {
  EXPECT_EQ(parse_duration("1m30s"), 90s);
  EXPECT_EQ(parse_duration("1h2m3s"), 1h + 2min + 3s);
  EXPECT_EQ(parse_duration("1s500ms"), 1500ms);
  EXPECT_EQ(parse_duration("1h0m0s1ns"), 1h + 1ns);
}

TEST(ParseDuration, DecimalsAreExact) {
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration("0.1s"), 100ms);
  EXPECT_EQ(parse_duration(".5s"), 500ms);
  EXPECT_EQ(parse_duration("1.5h"), 90min);
  EXPECT_EQ(parse_duration("2.000000001s"), 2s + 1ns);
  EXPECT_EQ(parse_duration("0.001ms"), 1us);
}

TEST(ParseDuration, SurroundingWhitespaceIsIgnored) {
  EXPECT_EQ(parse_duration(" 30s "), 30s);
}

TEST(ParseDuration, LargestValue) {
  EXPECT_EQ(parse_duration("2562047h47m16.854775807s").count(),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parse_duration("9223372036854775807ns").count(), std::numeric_limits<int64_t>::max());
}

TEST(ParseDuration, RejectsEmpty) {
  EXPECT_THAT(duration_error(""), HasSubstr("\"\" is not a duration: it is empty"));
  EXPECT_THAT(duration_error("  "), HasSubstr("it is empty"));
}

TEST(ParseDuration, RejectsNegative) {
  EXPECT_THAT(duration_error("-5s"), HasSubstr("\"-5s\" is not a duration: durations cannot be "
                                               "negative"));
}

TEST(ParseDuration, RejectsMissingUnit) {
  EXPECT_THAT(duration_error("5"), HasSubstr("5 has no unit"));
  EXPECT_THAT(duration_error("0.0"), HasSubstr("0.0 has no unit"));
  EXPECT_THAT(duration_error("1m30"), HasSubstr("30 has no unit"));
}

TEST(ParseDuration, RejectsUnknownUnit) {
  const std::string message = duration_error("5x");
  EXPECT_THAT(message, HasSubstr("\"5x\" is not a duration: unknown unit \"x\""));
  EXPECT_THAT(message, HasSubstr("use a number with a unit (ns, us, ms, s, m, h), like 500ms, 30s "
                                 "or 1m30s"));
  EXPECT_THAT(duration_error("5sec"), HasSubstr("unknown unit \"sec\""));
  EXPECT_THAT(duration_error("1d"), HasSubstr("unknown unit \"d\""));
}

TEST(ParseDuration, RejectsMissingNumber) {
  EXPECT_THAT(duration_error("s"), HasSubstr("expected a number at \"s\""));
  EXPECT_THAT(duration_error("+5s"), HasSubstr("expected a number"));
  EXPECT_THAT(duration_error("."), HasSubstr("expected a number"));
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_THAT(duration_error("2562048h"), HasSubstr("too long"));
  EXPECT_THAT(duration_error("9223372036854775808ns"), HasSubstr("too long"));
  EXPECT_THAT(duration_error("99999999999999999999999999999999999999999h"), HasSubstr("too long"));
  EXPECT_THAT(duration_error("2562047h47m16.854775808s"), HasSubstr("too long"));
}

TEST(FormatDuration, ShortestExactRendering) {
  EXPECT_EQ(format_duration(0ns), "0");
  EXPECT_EQ(format_duration(7ns), "7ns");
  EXPECT_EQ(format_duration(1500ns), "1.5us");
  EXPECT_EQ(format_duration(1500us), "1.5ms");
  EXPECT_EQ(format_duration(500ms), "500ms");
  EXPECT_EQ(format_duration(30s), "30s");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(1h), "1h");
  EXPECT_EQ(format_duration(1h + 1s), "1h1s");
  EXPECT_EQ(format_duration(1h + 2min + 3s), "1h2m3s");
  EXPECT_EQ(format_duration(60s + 500ms), "1m0.5s");
  EXPECT_EQ(format_duration(2s + 1ns), "2.000000001s");
  EXPECT_EQ(format_duration(-1500ms), "-1.5s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  const Duration values[] = {
      1ns, 999ns, 1us + 1ns, 123456789ns, 59s + 1ns, 1h + 59min + 59s, 25h, Duration::max()};
  for (const Duration d : values) {
    EXPECT_EQ(parse_duration(format_duration(d)), d) << format_duration(d);
  }
  EXPECT_EQ(format_duration(Duration::min()), "-2562047h47m16.854775808s");
}

TEST(ParseRate, Units) {
  EXPECT_DOUBLE_EQ(parse_rate("20000/s"), 20000);
  EXPECT_DOUBLE_EQ(parse_rate("300/m"), 5);
  EXPECT_DOUBLE_EQ(parse_rate("10/h"), 10.0 / 3600);
  EXPECT_DOUBLE_EQ(parse_rate("250"), 250);
  EXPECT_DOUBLE_EQ(parse_rate("0/s"), 0);
  EXPECT_DOUBLE_EQ(parse_rate("0"), 0);
}

TEST(ParseRate, Decimals) {
  EXPECT_DOUBLE_EQ(parse_rate("0.5/s"), 0.5);
  EXPECT_DOUBLE_EQ(parse_rate("1.5"), 1.5);
  EXPECT_DOUBLE_EQ(parse_rate("1e3/s"), 1000);
  EXPECT_DOUBLE_EQ(parse_rate(" 30 / m "), 0.5);
}

TEST(ParseRate, RejectsBadValues) {
  EXPECT_THAT(rate_error(""), HasSubstr("\"\" is not a rate: it is empty"));
  EXPECT_THAT(rate_error("-5/s"), HasSubstr("rates cannot be negative"));
  EXPECT_THAT(rate_error("nan"), HasSubstr("must be finite"));
  EXPECT_THAT(rate_error("inf/s"), HasSubstr("must be finite"));
  EXPECT_THAT(rate_error("1e999"), HasSubstr("too large"));
  EXPECT_THAT(rate_error("/s"), HasSubstr("the number is missing"));
  EXPECT_THAT(rate_error("fast"), HasSubstr("\"fast\" is not a number"));
  EXPECT_THAT(rate_error("10rps"), HasSubstr("\"10rps\" is not a number"));
  const std::string message = rate_error("10/d");
  EXPECT_THAT(message, HasSubstr("\"10/d\" is not a rate: unknown unit \"/d\""));
  EXPECT_THAT(message, HasSubstr("like 20000/s, 300/m or 10/h"));
}

TEST(ParseStages, Segments) {
  const std::vector<Stage> stages = parse_stages("30s:1000/s,2m:5000/s, 30s:0/s");
  ASSERT_EQ(stages.size(), 3u);
  EXPECT_EQ(stages[0].duration, 30s);
  EXPECT_DOUBLE_EQ(stages[0].target_rps, 1000);
  EXPECT_EQ(stages[1].duration, 2min);
  EXPECT_DOUBLE_EQ(stages[1].target_rps, 5000);
  EXPECT_EQ(stages[2].duration, 30s);
  EXPECT_DOUBLE_EQ(stages[2].target_rps, 0);
}

TEST(ParseStages, SingleStageWithBareRate) {
  const std::vector<Stage> stages = parse_stages("1m:120");
  ASSERT_EQ(stages.size(), 1u);
  EXPECT_EQ(stages[0].duration, 1min);
  EXPECT_DOUBLE_EQ(stages[0].target_rps, 120);
}

TEST(ParseStages, ErrorsNameTheSegment) {
  EXPECT_THAT(stages_error(""), HasSubstr("has no stages"));
  EXPECT_THAT(stages_error("30s:10/s,2m"), HasSubstr("stage 2 \"2m\" of \"30s:10/s,2m\": it has "
                                                     "no \":RATE\""));
  EXPECT_THAT(stages_error("30s:10/s,,1m:5/s"), HasSubstr("stage 2 of \"30s:10/s,,1m:5/s\" is "
                                                          "empty"));
  EXPECT_THAT(stages_error("30s:10/s,"), HasSubstr("stage 2 of"));
  EXPECT_THAT(stages_error("30s:10/s,1m:5/s,2x:5/s"),
              HasSubstr("stage 3 \"2x:5/s\" of \"30s:10/s,1m:5/s,2x:5/s\": \"2x\" is not a "
                        "duration: unknown unit \"x\""));
  EXPECT_THAT(stages_error("30s:-1/s"), HasSubstr("stage 1 \"30s:-1/s\" of \"30s:-1/s\": \"-1/s\" "
                                                  "is not a rate: rates cannot be negative"));
}

TEST(ParseBytes, BinaryAndDecimalUnits) {
  EXPECT_EQ(parse_bytes("64Mi"), 64ull << 20);
  EXPECT_EQ(parse_bytes("512Ki"), 512ull << 10);
  EXPECT_EQ(parse_bytes("2Gi"), 2ull << 30);
  EXPECT_EQ(parse_bytes("100M"), 100'000'000ull);
  EXPECT_EQ(parse_bytes(" 1048576 "), 1048576ull);
}

TEST(ParseBytes, RejectsWhatIsNotAQuantity) {
  for (const char* bad : {"", "Mi", "64MB", "-1Mi", "1.5Gi", "0", "99999999999Ti"}) {
    EXPECT_THROW(parse_bytes(bad), ValueError) << bad;
  }
  try {
    parse_bytes("64MB");
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("like 64Mi"), std::string::npos) << e.what();
  }
}

TEST(FormatBytes, LargestExactBinaryUnit) {
  EXPECT_EQ(format_bytes(64ull << 20), "64Mi");
  EXPECT_EQ(format_bytes(1536ull << 10), "1536Ki");
  EXPECT_EQ(format_bytes(1000), "1000");
}

}  // namespace
}  // namespace firedrill::common
