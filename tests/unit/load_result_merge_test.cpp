// A load split over shards, and merged back: the shards send each request of the schedule once,
// and the merge sums exactly, refusing what is not one load.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/errors.hpp"
#include "loadgen/engine.hpp"
#include "loadgen/load_result_json.hpp"
#include "loadgen/load_result_merge.hpp"
#include "loadgen/rate_schedule.hpp"
#include "tests/fixtures/sample_run_result.hpp"

namespace firedrill::loadgen {
namespace {

using nlohmann::json;

// The offsets every worker of the load sends at, shard by shard with `threads[i]` threads each.
std::vector<int64_t> offsets_of_shards(const RateSchedule& schedule,
                                       const std::vector<uint32_t>& threads) {
  std::vector<int64_t> offsets;
  const auto shards = static_cast<uint32_t>(threads.size());
  for (uint32_t s = 0; s < shards; ++s) {
    for (uint32_t t = 0; t < threads[s]; ++t) {
      const WorkerPlace place = worker_place({s, shards}, t, threads[s]);
      ArrivalSequence arrivals(schedule, Arrival::Uniform, 1, place.index, place.count);
      for (; arrivals.next(); arrivals.advance()) offsets.push_back(arrivals.next()->count());
    }
  }
  std::sort(offsets.begin(), offsets.end());
  return offsets;
}

TEST(LoadShards, TogetherSendEveryRequestOfTheScheduleOnce) {
  const RateSchedule schedule(0, {{std::chrono::seconds(2), 300}, {std::chrono::seconds(3), 300}});
  const std::vector<int64_t> whole = offsets_of_shards(schedule, {1});
  ASSERT_NEAR(static_cast<double>(whole.size()), schedule.expected_requests(), 1.0);
  for (const auto& threads : std::vector<std::vector<uint32_t>>{{2}, {1, 1, 1}, {3, 1, 2, 2}}) {
    EXPECT_EQ(offsets_of_shards(schedule, threads), whole) << threads.size() << " shards";
  }
}

// Shard `index` of `count` of one load, with its own requests.
LoadResult shard_result(uint32_t index, uint32_t count, uint64_t seed) {
  LoadResult r = testing::sample_load(seed, 4, 100, 5.0, 2, 3, true);
  r.config.shard = {index, count};
  r.started_at = common::WallClock::time_point(std::chrono::seconds(1'796'000'000)) +
                 std::chrono::milliseconds(3 * index);
  return r;
}

std::vector<NamedResult> shards(uint32_t count) {
  std::vector<NamedResult> parts;
  for (uint32_t i = 0; i < count; ++i) {
    parts.push_back({"w-" + std::to_string(i) + ".json", shard_result(i, count, 10 + i)});
  }
  return parts;
}

TEST(LoadMerge, SumsCountsAndHistogramsExactly) {
  const std::vector<NamedResult> parts = shards(3);
  const LoadResult merged = merge_results(parts);
  LatencyHistogram latency;
  uint64_t succeeded = 0;
  uint64_t status_200 = 0;
  double intended = 0;
  for (const auto& p : parts) {
    latency.merge(p.result.stats.latency);
    succeeded += p.result.stats.succeeded;
    status_200 += p.result.stats.status_counts[200];
    intended += p.result.intended_requests;
  }
  EXPECT_EQ(merged.stats.succeeded, succeeded);
  EXPECT_EQ(merged.stats.status_counts[200], status_200);
  EXPECT_EQ(merged.stats.latency.to_json(), latency.to_json());
  EXPECT_DOUBLE_EQ(merged.intended_requests, intended);
  EXPECT_EQ(merged.config.shard, Shard{});
  EXPECT_EQ(merged.config.threads, 6u);
  ASSERT_EQ(merged.parts.size(), 3u);
  EXPECT_EQ(merged.parts[2].name, "w-2.json");
  EXPECT_DOUBLE_EQ(start_skew_s(merged.parts), 0.006);
  // The third shard started 6 ms after the first and measured as long.
  EXPECT_NEAR(merged.duration_s, parts[0].result.duration_s + 0.006, 1e-9);
}

TEST(LoadMerge, EachSecondSumsThePartsSameSecond) {
  const std::vector<NamedResult> parts = shards(2);
  const LoadResult merged = merge_results(parts);
  ASSERT_EQ(merged.series.size(), parts[0].result.series.size());
  for (size_t k = 0; k < merged.series.size(); ++k) {
    const TimeSeriesPoint& a = parts[0].result.series[k];
    const TimeSeriesPoint& b = parts[1].result.series[k];
    EXPECT_EQ(merged.series[k].responses, a.responses + b.responses);
    EXPECT_DOUBLE_EQ(merged.series[k].target_rps, a.target_rps + b.target_rps);
    EXPECT_EQ(merged.series[k].p99_ns, std::max(a.p99_ns, b.p99_ns));
  }
}

TEST(LoadMerge, AMergedResultReadsBackToTheSameDocument) {
  const json doc = to_json(merge_results(shards(2)));
  EXPECT_EQ(to_json(load_result_from_json(json::parse(doc.dump()))), doc);
  EXPECT_EQ(doc.at("parts").size(), 2u);
}

// The error's text, or "" when the merge went through.
std::string refusal(const std::vector<NamedResult>& parts) {
  try {
    merge_results(parts);
  } catch (const common::ValueError& e) {
    return e.what();
  }
  return "";
}

TEST(LoadMerge, RefusesAnotherLoad) {
  std::vector<NamedResult> parts = shards(2);
  parts[1].result.config.start_rate = 250.0;
  const std::string error = refusal(parts);
  EXPECT_NE(error.find("w-1.json is another load than w-0.json"), std::string::npos) << error;
  EXPECT_NE(error.find("intended.start_rate is 250"), std::string::npos) << error;
}

TEST(LoadMerge, RefusesAShardTwiceOrMissing) {
  std::vector<NamedResult> parts = shards(3);
  parts[2].result.config.shard.index = 1;
  EXPECT_NE(refusal(parts).find("w-1.json and w-2.json are both shard 1/3"), std::string::npos)
      << refusal(parts);
  parts.pop_back();
  EXPECT_NE(refusal(parts).find("shard 2/3 is missing"), std::string::npos) << refusal(parts);
}

// The same load run by hand from several hosts: no shards, any number of parts.
TEST(LoadMerge, MergesTheSameLoadRunFromSeveralHosts) {
  std::vector<NamedResult> parts = {{"a.json", shard_result(0, 1, 1)},
                                    {"b.json", shard_result(0, 1, 2)}};
  parts[1].result.config.threads = 4;
  const LoadResult merged = merge_results(parts);
  EXPECT_EQ(merged.stats.completed(),
            parts[0].result.stats.completed() + parts[1].result.stats.completed());
  EXPECT_EQ(merged.config.threads, 6u);
}

}  // namespace
}  // namespace firedrill::loadgen
