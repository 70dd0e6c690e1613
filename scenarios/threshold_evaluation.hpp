#pragma once
#include <vector>

#include "reporters/run_result.hpp"
#include "scenarios/drill.hpp"

namespace firedrill::scenarios {

// Evaluates one threshold over the load runs of its profile (or over all of them): latency
// percentiles from the merged histograms, error rate over completed requests, rps averaged over
// the load steps' durations.
reporters::ThresholdResult evaluate_threshold(const Threshold& threshold,
                                              const std::vector<reporters::LoadRun>& loads);

}  // namespace firedrill::scenarios
