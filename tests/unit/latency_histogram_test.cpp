#include "loadgen/latency_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace firedrill::loadgen {
namespace {

using nlohmann::json;

constexpr double kTolerance = 0.001;
constexpr double kQuantiles[] = {0.0, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0};

// Built from the raw 64-bit output rather than std::uniform_real_distribution, whose algorithm
// differs between standard libraries, so the sample is the same everywhere.
std::vector<uint64_t> log_uniform_sample(size_t n, double lo, double hi, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const double log_lo = std::log(lo);
  const double log_hi = std::log(hi);
  std::vector<uint64_t> values(n);
  for (auto& v : values) {
    const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    v = static_cast<uint64_t>(std::llround(std::exp(log_lo + u * (log_hi - log_lo))));
  }
  return values;
}

// Nearest rank: the smallest recorded value with at least q of the sample at or below it.
uint64_t exact_quantile(const std::vector<uint64_t>& sorted, double q) {
  if (q <= 0.0) return sorted.front();
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

double relative_error(double got, double want) {
  return std::abs(got - want) / want;
}

LatencyHistogram histogram_of(const std::vector<uint64_t>& values) {
  LatencyHistogram h;
  for (uint64_t v : values) h.record(v);
  return h;
}

TEST(LatencyHistogramTest, QuantilesWithinTenthOfAPercentFromOneMicrosecondToOneHour) {
  std::vector<uint64_t> values = log_uniform_sample(200'000, 1e3, 3.6e12, 20240601);
  const LatencyHistogram h = histogram_of(values);
  std::sort(values.begin(), values.end());
  ASSERT_EQ(h.count(), values.size());

  uint64_t previous = 0;
  for (double q : kQuantiles) {
    SCOPED_TRACE("q=" + std::to_string(q));
    const uint64_t want = exact_quantile(values, q);
    const uint64_t got = h.value_at_quantile(q);
    EXPECT_LE(relative_error(static_cast<double>(got), static_cast<double>(want)), kTolerance)
        << "got " << got << ", exact " << want;
    EXPECT_GE(got, previous) << "quantiles must not decrease with q";
    previous = got;
  }
  // Nine quantiles could all land near bucket midpoints by luck; a dense sweep cannot.
  for (int permille = 1; permille < 1000; ++permille) {
    const double q = permille / 1000.0;
    const uint64_t want = exact_quantile(values, q);
    EXPECT_LE(
        relative_error(static_cast<double>(h.value_at_quantile(q)), static_cast<double>(want)),
        kTolerance)
        << "q=" << q;
  }
  EXPECT_EQ(h.value_at_quantile(0.0), values.front());
  EXPECT_EQ(h.value_at_quantile(1.0), values.back());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.max(), values.back());
}

TEST(LatencyHistogramTest, MeanAndStddevWithinTenthOfAPercent) {
  const std::vector<uint64_t> values = log_uniform_sample(200'000, 1e3, 3.6e12, 7);
  const LatencyHistogram h = histogram_of(values);

  double sum = 0.0;
  for (uint64_t v : values) sum += static_cast<double>(v);
  const double mean = sum / static_cast<double>(values.size());
  double squares = 0.0;
  for (uint64_t v : values)
    squares += (static_cast<double>(v) - mean) * (static_cast<double>(v) - mean);
  const double stddev = std::sqrt(squares / static_cast<double>(values.size()));

  EXPECT_LE(relative_error(h.mean(), mean), kTolerance);
  EXPECT_LE(relative_error(h.stddev(), stddev), kTolerance);
}

TEST(LatencyHistogramTest, ValuesBelow2048AreExact) {
  std::vector<uint64_t> values;
  for (uint64_t v = 1; v < 2048; ++v) values.push_back(v);
  const LatencyHistogram h = histogram_of(values);
  for (double q : {0.001, 0.1, 0.25, 0.5, 0.9, 0.999}) {
    EXPECT_EQ(h.value_at_quantile(q), exact_quantile(values, q)) << "q=" << q;
  }
  EXPECT_DOUBLE_EQ(h.mean(), 1024.0);
}

// The mean of a single value is its bucket's representative unclamped by min and max, so this
// probes the worst spots of the layout: both edges of every power of two, and the top bucket.
TEST(LatencyHistogramTest, EveryBucketEdgeRepresentedWithinTolerance) {
  std::vector<uint64_t> probes = {1, 2, 3, LatencyHistogram::kMaxValue - 1,
                                  LatencyHistogram::kMaxValue};
  for (int bit = 2; bit <= 41; ++bit) {
    const uint64_t power = uint64_t{1} << bit;
    probes.insert(probes.end(), {power - 1, power, power + 1});
  }
  for (uint64_t v : probes) {
    LatencyHistogram h;
    h.record(v);
    EXPECT_LE(relative_error(h.mean(), static_cast<double>(v)), kTolerance) << "value " << v;
  }
}

TEST(LatencyHistogramTest, MergeEqualsHistogramOfUnion) {
  const std::vector<uint64_t> values = log_uniform_sample(100'000, 1e3, 3.6e12, 99);
  const std::vector<uint64_t> first(values.begin(), values.begin() + 40'000);
  const std::vector<uint64_t> second(values.begin() + 40'000, values.end());
  LatencyHistogram a = histogram_of(first);
  a.record(0);  // the union's minimum comes from one side ...
  LatencyHistogram b = histogram_of(second);
  b.record(LatencyHistogram::kMaxValue);  // ... and its maximum from the other
  LatencyHistogram all = histogram_of(values);
  all.record(0);
  all.record(LatencyHistogram::kMaxValue);

  LatencyHistogram a_then_b = a;
  a_then_b.merge(b);
  LatencyHistogram b_then_a = b;
  b_then_a.merge(a);

  EXPECT_EQ(a_then_b, all);
  EXPECT_EQ(b_then_a, all);
  EXPECT_EQ(a_then_b.count(), values.size() + 2);
  EXPECT_EQ(a_then_b.min(), 0u);
  EXPECT_EQ(a_then_b.max(), LatencyHistogram::kMaxValue);
  for (double q : kQuantiles) {
    EXPECT_EQ(a_then_b.value_at_quantile(q), all.value_at_quantile(q)) << "q=" << q;
  }
  EXPECT_DOUBLE_EQ(a_then_b.mean(), all.mean());
}

TEST(LatencyHistogramTest, EqualityComparesExactMinAndMax) {
  // 3000 and 3001 share a bucket, so only the exact minimum and maximum tell them apart.
  EXPECT_NE(histogram_of({3000, 9000}), histogram_of({3001, 9000}));
  EXPECT_NE(histogram_of({3000, 9000}), histogram_of({3000, 9001}));
  EXPECT_EQ(histogram_of({3000, 9000}), histogram_of({9000, 3000}));
}

TEST(LatencyHistogramTest, MergeWithEmptyChangesNothing) {
  const LatencyHistogram filled = histogram_of({3000, 40'000, 5'000'000});

  LatencyHistogram into_filled = filled;
  into_filled.merge(LatencyHistogram{});
  EXPECT_EQ(into_filled, filled);
  EXPECT_EQ(into_filled.min(), 3000u);

  LatencyHistogram into_empty;
  into_empty.merge(filled);
  EXPECT_EQ(into_empty, filled);
  EXPECT_EQ(into_empty.min(), 3000u);
  EXPECT_EQ(into_empty.max(), 5'000'000u);
}

TEST(LatencyHistogramTest, MergeOfDeserialisedPartsEqualsUnion) {
  const std::vector<uint64_t> values = log_uniform_sample(20'000, 1e3, 3.6e12, 3);
  const std::vector<uint64_t> first(values.begin(), values.begin() + 10'000);
  const std::vector<uint64_t> second(values.begin() + 10'000, values.end());

  LatencyHistogram merged =
      LatencyHistogram::from_json(json::parse(histogram_of(first).to_json().dump()));
  merged.merge(LatencyHistogram::from_json(json::parse(histogram_of(second).to_json().dump())));
  EXPECT_EQ(merged, histogram_of(values));
}

TEST(LatencyHistogramTest, JsonRoundTripIsExact) {
  std::vector<uint64_t> values = log_uniform_sample(50'000, 1e3, 3.6e12, 11);
  values.push_back(0);
  values.push_back(123'456'789);  // not a bucket midpoint, so min/max cannot come from buckets
  const LatencyHistogram h = histogram_of(values);

  const json doc = h.to_json();
  EXPECT_EQ(doc.at("version"), 1);
  EXPECT_EQ(doc.at("unit"), "ns");
  EXPECT_EQ(doc.at("sub_bucket_bits"), 11);

  const LatencyHistogram direct = LatencyHistogram::from_json(doc);
  EXPECT_EQ(direct, h);
  const LatencyHistogram through_text = LatencyHistogram::from_json(json::parse(doc.dump()));
  EXPECT_EQ(through_text, h);
  EXPECT_EQ(through_text.count(), h.count());
  EXPECT_EQ(through_text.min(), h.min());
  EXPECT_EQ(through_text.max(), h.max());
  EXPECT_EQ(through_text.value_at_quantile(0.99), h.value_at_quantile(0.99));
}

TEST(LatencyHistogramTest, JsonRoundTripOfSingleOddValueKeepsMinAndMax) {
  LatencyHistogram h;
  h.record(987'654'321);
  const LatencyHistogram back = LatencyHistogram::from_json(json::parse(h.to_json().dump()));
  EXPECT_EQ(back, h);
  EXPECT_EQ(back.min(), 987'654'321u);
  EXPECT_EQ(back.max(), 987'654'321u);
}

TEST(LatencyHistogramTest, JsonRoundTripOfEmptyHistogram) {
  const LatencyHistogram empty;
  const json doc = empty.to_json();
  EXPECT_TRUE(doc.at("counts").empty());
  const LatencyHistogram back = LatencyHistogram::from_json(json::parse(doc.dump()));
  EXPECT_EQ(back, empty);
  EXPECT_EQ(back.count(), 0u);

  // Merging must still treat the round-tripped empty histogram as empty.
  LatencyHistogram merged = back;
  merged.record(4000);
  EXPECT_EQ(merged.min(), 4000u);
}

TEST(LatencyHistogramTest, FromJsonReadsTheDocumentedFormat) {
  const LatencyHistogram h = LatencyHistogram::from_json(json::parse(
      R"({"version":1,"unit":"ns","sub_bucket_bits":11,"min":5,"max":7,"counts":[[5,2],[7,1]]})"));
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.min(), 5u);
  EXPECT_EQ(h.max(), 7u);
  EXPECT_EQ(h.value_at_quantile(0.5), 5u);
  EXPECT_EQ(h.value_at_quantile(0.9), 7u);

  LatencyHistogram same;
  same.record_n(5, 2);
  same.record(7);
  EXPECT_EQ(h, same);
}

// The message of the std::invalid_argument from_json throws, or "" when it accepts the document.
std::string rejection_of(const json& doc) {
  try {
    LatencyHistogram::from_json(doc);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

struct Malformation {
  const char* name;
  std::function<void(json&)> mutate;
  const char* message_mentions;
};

TEST(LatencyHistogramTest, MalformedJsonThrowsInvalidArgument) {
  // Buckets 1500 (exact region), then two wider ones; min and max sit inside the outer buckets.
  const json valid = histogram_of({1500, 123'456, 98'765'432}).to_json();
  ASSERT_NO_THROW(LatencyHistogram::from_json(valid));
  ASSERT_EQ(valid.at("counts").size(), 3u);

  const std::vector<Malformation> cases = {
      {"not an object", [](json& d) { d = json::array(); }, "object"},
      {"missing version", [](json& d) { d.erase("version"); }, "version"},
      {"future version", [](json& d) { d["version"] = 2; }, "version"},
      {"version as string", [](json& d) { d["version"] = "1"; }, "version"},
      {"other unit", [](json& d) { d["unit"] = "us"; }, "unit"},
      {"missing unit", [](json& d) { d.erase("unit"); }, "unit"},
      {"other sub-bucket bits", [](json& d) { d["sub_bucket_bits"] = 10; }, "sub_bucket_bits"},
      {"counts not an array", [](json& d) { d["counts"] = json::object(); }, "counts"},
      {"missing counts", [](json& d) { d.erase("counts"); }, "counts"},
      {"entry not a pair", [](json& d) { d["counts"][1] = json::array({2048}); }, "pair"},
      {"entry of three", [](json& d) { d["counts"][1].push_back(1); }, "pair"},
      {"negative index", [](json& d) { d["counts"][0][0] = -1; }, "negative"},
      {"fractional index", [](json& d) { d["counts"][0][0] = 1500.5; }, "integer"},
      {"index far out of range", [](json& d) { d["counts"][2][0] = 1'000'000; }, "out of range"},
      {"repeated index", [](json& d) { d["counts"][1][0] = d["counts"][0][0]; }, "not greater"},
      {"decreasing index", [](json& d) { std::swap(d["counts"][0], d["counts"][1]); },
       "not greater"},
      {"zero count", [](json& d) { d["counts"][1][1] = 0; }, "positive"},
      {"negative count", [](json& d) { d["counts"][1][1] = -3; }, "negative"},
      {"count as string", [](json& d) { d["counts"][1][1] = "3"; }, "integer"},
      {"counts overflow the total",
       [](json& d) {
         d["counts"][1][1] = UINT64_MAX;
         d["counts"][2][1] = UINT64_MAX;
       },
       "overflow"},
      {"missing min", [](json& d) { d.erase("min"); }, "min"},
      {"missing max", [](json& d) { d.erase("max"); }, "max"},
      {"min above max", [](json& d) { d["min"] = 98'765'433; }, "min"},
      {"max above one hour", [](json& d) { d["max"] = LatencyHistogram::kMaxValue + 1; },
       "exceeds"},
      {"min outside the first bucket", [](json& d) { d["min"] = 1499; }, "first bucket"},
      {"max outside the last bucket", [](json& d) { d["max"] = 99'999'999; }, "last bucket"},
      {"no counts but a min", [](json& d) { d["counts"] = json::array(); }, "must be 0"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json doc = valid;
    c.mutate(doc);
    const std::string message = rejection_of(doc);
    ASSERT_FALSE(message.empty()) << "accepted " << doc.dump();
    EXPECT_NE(message.find("latency histogram"), std::string::npos) << message;
    EXPECT_NE(message.find(c.message_mentions), std::string::npos) << message;
  }
}

TEST(LatencyHistogramTest, IndexJustPastTheLastBucketIsRejected) {
  LatencyHistogram top;
  top.record(LatencyHistogram::kMaxValue);
  json doc = top.to_json();
  ASSERT_EQ(doc.at("counts").size(), 1u);
  ASSERT_EQ(rejection_of(doc), "");

  doc["counts"][0][0] = doc["counts"][0][0].get<uint64_t>() + 1;
  EXPECT_NE(rejection_of(doc).find("out of range"), std::string::npos) << rejection_of(doc);
}

TEST(LatencyHistogramTest, EmptyHistogram) {
  const LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.stddev(), 0.0);
  for (double q : kQuantiles) EXPECT_EQ(h.value_at_quantile(q), 0u) << "q=" << q;
}

TEST(LatencyHistogramTest, SingleValueIsEveryQuantile) {
  LatencyHistogram h;
  h.record(123'456'789);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.min(), 123'456'789u);
  EXPECT_EQ(h.max(), 123'456'789u);
  for (double q : kQuantiles) EXPECT_EQ(h.value_at_quantile(q), 123'456'789u) << "q=" << q;
  EXPECT_LE(relative_error(h.mean(), 123'456'789.0), kTolerance);
  EXPECT_EQ(h.stddev(), 0.0);
}

TEST(LatencyHistogramTest, ValuesAboveOneHourClampToMaxValue) {
  LatencyHistogram h;
  h.record(LatencyHistogram::kMaxValue + 1);
  h.record(UINT64_MAX);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.min(), LatencyHistogram::kMaxValue);
  EXPECT_EQ(h.max(), LatencyHistogram::kMaxValue);
  EXPECT_EQ(h.value_at_quantile(0.5), LatencyHistogram::kMaxValue);
  EXPECT_EQ(h.value_at_quantile(1.0), LatencyHistogram::kMaxValue);

  LatencyHistogram at_max;
  at_max.record_n(LatencyHistogram::kMaxValue, 2);
  EXPECT_EQ(h, at_max);
}

TEST(LatencyHistogramTest, ZeroIsRecordedAsTheLowestValue) {
  LatencyHistogram h;
  h.record(0);
  h.record(1000);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.value_at_quantile(0.0), 0u);
  EXPECT_EQ(h.value_at_quantile(0.5), 0u);
  EXPECT_EQ(h.value_at_quantile(1.0), 1000u);
}

TEST(LatencyHistogramTest, RecordNEqualsRepeatedRecord) {
  LatencyHistogram repeated;
  for (int i = 0; i < 5; ++i) repeated.record(77'777);
  repeated.record(2'000'000);
  LatencyHistogram batched;
  batched.record_n(77'777, 5);
  batched.record_n(2'000'000, 1);
  EXPECT_EQ(batched, repeated);
  EXPECT_EQ(batched.count(), 6u);
  EXPECT_LE(relative_error(static_cast<double>(batched.value_at_quantile(0.8)), 77'777.0),
            kTolerance);
}

TEST(LatencyHistogramTest, RecordNOfZeroChangesNothing) {
  LatencyHistogram h;
  h.record_n(5000, 0);
  EXPECT_EQ(h, LatencyHistogram{});
  h.record(9000);
  h.record_n(10, 0);
  h.record_n(LatencyHistogram::kMaxValue, 0);
  EXPECT_EQ(h.min(), 9000u);
  EXPECT_EQ(h.max(), 9000u);
  EXPECT_EQ(h.count(), 1u);
}

TEST(LatencyHistogramTest, ResetEmptiesTheHistogram) {
  LatencyHistogram h = histogram_of({10, 20'000, 3'000'000'000});
  h.reset();
  EXPECT_EQ(h, LatencyHistogram{});
  EXPECT_EQ(h.count(), 0u);
  h.record(50'000);
  EXPECT_EQ(h.min(), 50'000u);
}

}  // namespace
}  // namespace firedrill::loadgen
