#include "loadgen/load_result_merge.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "common/errors.hpp"
#include "loadgen/load_result_json.hpp"

namespace firedrill::loadgen {

namespace {

using nlohmann::json;
using Seconds = std::chrono::duration<double>;

// What the parts of one load share: the intended configuration but what each part picks for
// itself (its threads, its shard index, when it was told to start) and its own share of the
// requests.
json shape_of(const LoadResult& r) {
  json intended = intended_json(r);
  for (const char* own : {"threads", "intended_requests", "start_at"}) intended.erase(own);
  intended.at("shard").erase("index");
  return intended;
}

std::string shard_name(const Shard& s) {
  return std::to_string(s.index) + "/" + std::to_string(s.count);
}

// Every part is the same load as the first, and a split load has each shard once.
void check_one_load(const std::vector<NamedResult>& parts) {
  const json first = shape_of(parts.front().result);
  for (size_t i = 1; i < parts.size(); ++i) {
    const json shape = shape_of(parts[i].result);
    for (const auto& [key, value] : first.items()) {
      if (shape.value(key, json()) == value) continue;
      throw common::ValueError(parts[i].name + " is another load than " + parts.front().name +
                               ": its intended." + key + " is " + shape.value(key, json()).dump() +
                               ", " + parts.front().name + "'s " + value.dump() +
                               "; only the parts of one load merge");
    }
  }
  const uint32_t count = parts.front().result.config.shard.count;
  if (count == 1) return;
  std::map<uint32_t, const std::string*> seen;
  for (const auto& part : parts) {
    const Shard& s = part.result.config.shard;
    if (auto [it, fresh] = seen.emplace(s.index, &part.name); !fresh) {
      throw common::ValueError(*it->second + " and " + part.name + " are both shard " +
                               shard_name(s) + ": each shard of a split load merges once");
    }
  }
  for (uint32_t index = 0; index < count; ++index) {
    if (!seen.contains(index)) {
      throw common::ValueError("shard " + shard_name({index, count}) +
                               " is missing: a split load merges only with all of its " +
                               std::to_string(count) + " shards");
    }
  }
}

MergedPart row_of(const NamedResult& part) {
  const LoadResult& r = part.result;
  return {part.name,
          r.config.shard,
          r.started_at,
          r.start_late_s,
          r.duration_s,
          r.stats.completed(),
          r.stats.failed + r.stats.errored,
          r.rps()};
}

// Second by second: a part's seconds count from its own start, which --start-at makes common.
std::vector<TimeSeriesPoint> merged_series(const std::vector<NamedResult>& parts) {
  std::map<long long, TimeSeriesPoint> seconds;
  for (const auto& part : parts) {
    for (const auto& p : part.result.series) {
      TimeSeriesPoint& m = seconds[std::llround(p.elapsed_s)];
      m.elapsed_s = p.elapsed_s;
      m.responses += p.responses;
      m.errors += p.errors;
      m.in_flight += p.in_flight;
      m.target_rps += p.target_rps;
      m.p50_ns = std::max(m.p50_ns, p.p50_ns);
      m.p99_ns = std::max(m.p99_ns, p.p99_ns);
    }
  }
  std::vector<TimeSeriesPoint> series;
  for (auto& [second, point] : seconds) series.push_back(point);
  return series;
}

}  // namespace

double start_skew_s(const std::vector<MergedPart>& parts) {
  if (parts.size() < 2) return 0;
  auto [earliest, latest] = std::minmax_element(
      parts.begin(), parts.end(),
      [](const MergedPart& a, const MergedPart& b) { return a.started_at < b.started_at; });
  return Seconds(latest->started_at - earliest->started_at).count();
}

LoadResult merge_results(const std::vector<NamedResult>& parts) {
  if (parts.empty()) throw common::ValueError("no result to merge");
  check_one_load(parts);
  LoadResult merged;
  merged.config = parts.front().result.config;
  merged.config.shard = Shard{};
  merged.config.threads = 0;
  merged.started_at = parts.front().result.started_at;
  merged.unreachable = true;
  const Seconds warmup = merged.config.warmup;
  auto measure_start = common::WallClock::time_point::max();
  auto measure_end = common::WallClock::time_point::min();
  for (const auto& part : parts) {
    const LoadResult& r = part.result;
    merged.config.threads += r.config.threads;
    if (r.config.start_at != merged.config.start_at) merged.config.start_at.reset();
    if (merged.negotiated.empty()) merged.negotiated = r.negotiated;
    merged.intended_requests += r.intended_requests;
    merged.pacer_quantum_ns = std::max(merged.pacer_quantum_ns, r.pacer_quantum_ns);
    merged.unreachable = merged.unreachable && r.unreachable;
    if (r.unreachable && merged.unreachable_reason.empty()) {
      merged.unreachable_reason = part.name + ": " + r.unreachable_reason;
    }
    merged.started_at = std::min(merged.started_at, r.started_at);
    merged.start_late_s = std::max(merged.start_late_s, r.start_late_s);
    merged.stats.merge(r.stats);
    const auto start =
        r.started_at + std::chrono::duration_cast<common::WallClock::duration>(warmup);
    measure_start = std::min(measure_start, start);
    measure_end = std::max(
        measure_end,
        start + std::chrono::duration_cast<common::WallClock::duration>(Seconds(r.duration_s)));
    merged.parts.push_back(row_of(part));
  }
  merged.duration_s = Seconds(measure_end - measure_start).count();
  merged.series = merged_series(parts);
  return merged;
}

}  // namespace firedrill::loadgen
