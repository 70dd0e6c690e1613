#pragma once
#include <string>
#include <vector>

#include "loadgen/load_stats.hpp"

namespace firedrill::loadgen {

// One result of a load run in parts, and where it came from (a file, a worker pod).
struct NamedResult {
  std::string name;
  LoadResult result;
};

// The one result of a load run in several parts: the shards of a split load (firedrill load
// --shard, a drill's workers), or the same load run by hand on several hosts. Counts, status
// codes, errors and histograms are summed exactly, so a merged percentile is that of every part's
// requests together. Each second of the series sums the parts' same second; its p50 and p99 are
// the highest of the parts' (a second keeps no histogram). The measured duration runs from the
// earliest part's end of warmup to the latest part's end. Throws common::ValueError naming the
// parts when they are not one load: configurations that differ (in more than the shard index,
// the threads and --start-at), a shard twice, or a shard missing.
LoadResult merge_results(const std::vector<NamedResult>& parts);

// The latest part's start minus the earliest's, in seconds (0 for fewer than two).
double start_skew_s(const std::vector<MergedPart>& parts);

}  // namespace firedrill::loadgen
