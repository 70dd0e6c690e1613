// One load split over several `firedrill load --shard i/N` processes against firedrill's own
// target, put together again by `firedrill merge`: what the target counted is what the merge
// counts, exactly.
#include <gtest/gtest.h>

#include <thread>

#include "common/rfc3339.hpp"
#include "loadgen/latency_histogram.hpp"
#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;

// Requests the target answered 200 on "/".
double answered(const Target& target) {
  return metric(http_get(target.url("/metrics")),
                "http_requests_total{code=\"200\",method=\"GET\",path=\"/\"}");
}

// Runs `shards` shard processes of `args` at once, each writing its result to shard-I.json in
// `dir`; returns the files.
std::vector<std::string> run_shards(const fs::path& dir, int shards,
                                    const std::vector<std::string>& args) {
  std::vector<std::string> files;
  std::vector<std::thread> runs;
  std::vector<CommandResult> results(shards);
  for (int i = 0; i < shards; ++i) {
    files.push_back((dir / ("shard-" + std::to_string(i) + ".json")).string());
    std::vector<std::string> argv = {"load", "-q", "--shard",
                                     std::to_string(i) + "/" + std::to_string(shards)};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"-o", files.back()});
    runs.emplace_back([&results, i, argv] { results[i] = run_firedrill(argv, false); });
  }
  for (auto& t : runs) t.join();
  for (int i = 0; i < shards; ++i) {
    EXPECT_EQ(results[i].exit_code, 0) << "shard " << i << ": " << results[i].err;
  }
  return files;
}

json merge(const std::vector<std::string>& files, const fs::path& out) {
  std::vector<std::string> args = {"merge"};
  args.insert(args.end(), files.begin(), files.end());
  args.insert(args.end(), {"-o", out.string()});
  CommandResult r = run_firedrill(args, false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(read_text(out));
}

TEST(LoadShards, AnOpenLoopSplitInFourCountsWhatTheTargetAnswered) {
  Target target({"--log-sample", "0"});
  TempDir dir;
  const std::string start_at =
      common::format_rfc3339(common::WallClock::now() + std::chrono::seconds(2));
  const std::vector<std::string> files = run_shards(dir.path(), 4,
                                                    {"--rate", "400/s", "-d", "3s", "-c", "8", "-t",
                                                     "1", "--start-at", start_at, target.url("/")});
  const json merged = merge(files, dir.path() / "all.json");

  const json& requests = merged.at("requests");
  EXPECT_EQ(requests.at("succeeded").get<double>(), answered(target));
  EXPECT_EQ(requests.at("started").get<uint64_t>(), requests.at("completed").get<uint64_t>());
  EXPECT_NEAR(requests.at("succeeded").get<double>(), 1200, 12);
  EXPECT_EQ(merged.at("intended").at("shard").at("count"), 1);
  ASSERT_EQ(merged.at("parts").size(), 4u);

  // Bucket for bucket, the merged histogram is the union of the shards'.
  loadgen::LatencyHistogram shards_latency;
  uint64_t in_series = 0;
  for (const auto& file : files) {
    const json part = json::parse(read_text(file));
    shards_latency.merge(loadgen::LatencyHistogram::from_json(part.at("histograms").at("latency")));
    EXPECT_EQ(part.at("intended").at("start_at"), merged.at("intended").at("start_at"));
    // A shard intends a quarter of the rate, second by second.
    for (const auto& second : part.at("series")) {
      EXPECT_DOUBLE_EQ(second.at("target_rps").get<double>(), 100.0);
    }
  }
  EXPECT_EQ(merged.at("histograms").at("latency"), shards_latency.to_json());
  for (const auto& second : merged.at("series"))
    in_series += second.at("responses").get<uint64_t>();
  EXPECT_EQ(in_series, requests.at("succeeded").get<uint64_t>());
  // Started together: at --start-at, within what starting four processes on two cores costs.
  EXPECT_LT(merged.at("start_skew_s").get<double>(), 1.0);
}

TEST(LoadShards, ARequestCountAndConnectionsSplitWithNothingLost) {
  Target target({"--log-sample", "0"});
  TempDir dir;
  const std::vector<std::string> files =
      run_shards(dir.path(), 4, {"-n", "1003", "-c", "7", "-t", "2", target.url("/")});
  const json merged = merge(files, dir.path() / "all.json");
  EXPECT_EQ(merged.at("requests").at("succeeded").get<uint64_t>(), 1003u);
  EXPECT_EQ(answered(target), 1003);
  EXPECT_EQ(merged.at("connections").at("established").get<uint64_t>(), 7u);
}

TEST(LoadShards, MergeRefusesAnotherLoadAndAMissingShard) {
  Target target({"--log-sample", "0"});
  TempDir dir;
  const std::vector<std::string> files =
      run_shards(dir.path(), 2, {"-n", "20", "-c", "2", target.url("/")});
  const fs::path other = dir.path() / "other.json";
  ASSERT_EQ(run_firedrill(
                {"load", "-q", "-n", "30", "-c", "2", target.url("/"), "-o", other.string()}, false)
                .exit_code,
            0);

  CommandResult mixed = run_firedrill({"merge", files[0], other.string()}, false);
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_NE(mixed.err.find(other.string() + " is another load than " + files[0]), std::string::npos)
      << mixed.err;
  CommandResult missing = run_firedrill({"merge", files[1]}, false);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("shard 0/2 is missing"), std::string::npos) << missing.err;
  CommandResult unreadable = run_firedrill({"merge", (dir.path() / "none.json").string()}, false);
  EXPECT_EQ(unreadable.exit_code, 2);
  EXPECT_NE(unreadable.err.find("none.json: cannot read the file"), std::string::npos)
      << unreadable.err;
}

}  // namespace
}  // namespace firedrill::testing
