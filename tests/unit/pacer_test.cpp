// The open loop's pacing and arrivals on a clock the test drives: wakes happen where the pacer
// says, at once, so nothing here sleeps or depends on how fast the machine is.
#include "loadgen/pacer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "loadgen/rate_schedule.hpp"

namespace firedrill::loadgen {
namespace {

using namespace std::chrono_literals;
using common::Duration;

constexpr int64_t kStart = 1'000'000'000'000;  // an arbitrary steady-clock origin

// What one simulated wake did: the time it ran at and the intended times it sent.
struct Wake {
  int64_t now;
  std::vector<int64_t> sent;
};

// Runs a worker's open loop to its end on a fake clock: each wake runs `late_ns` after the time
// the pacer asked for, as a timer that fires late would.
std::vector<Wake> run_to_end(PacedArrivals paced, int64_t late_ns = 0) {
  std::vector<Wake> wakes;
  std::optional<int64_t> at = kStart;
  while (at) {
    Wake wake{*at + late_ns, {}};
    at = paced.send_due(wake.now, [&](int64_t intended) { wake.sent.push_back(intended); });
    wakes.push_back(std::move(wake));
  }
  return wakes;
}

PacedArrivals paced(const RateSchedule& schedule, PacerKind kind, Arrival arrival,
                    uint32_t index = 0, uint32_t workers = 1, uint64_t seed = 1) {
  return PacedArrivals(ArrivalSequence(schedule, arrival, seed, index, workers),
                       make_pacer(kind, schedule, workers, kStart), kStart,
                       kStart + schedule.total_duration().count());
}

std::vector<int64_t> all_sent(const std::vector<Wake>& wakes) {
  std::vector<int64_t> sent;
  for (const Wake& w : wakes) sent.insert(sent.end(), w.sent.begin(), w.sent.end());
  return sent;
}

// Offsets (ns from the start) of the first `n` arrivals of one worker.
std::vector<int64_t> arrivals(const RateSchedule& schedule, Arrival arrival, uint64_t seed,
                              uint32_t index = 0, uint32_t workers = 1, size_t n = SIZE_MAX) {
  ArrivalSequence sequence(schedule, arrival, seed, index, workers);
  std::vector<int64_t> out;
  for (; sequence.next() && out.size() < n; sequence.advance()) {
    out.push_back(sequence.next()->count());
  }
  return out;
}

struct GapStats {
  double mean_s;
  double cv;
};

GapStats gap_stats(const std::vector<int64_t>& times) {
  double sum = 0;
  double sum_sq = 0;
  for (size_t i = 1; i < times.size(); ++i) {
    const double gap = static_cast<double>(times[i] - times[i - 1]) / 1e9;
    sum += gap;
    sum_sq += gap * gap;
  }
  const auto n = static_cast<double>(times.size() - 1);
  const double mean = sum / n;
  return {mean, std::sqrt(sum_sq / n - mean * mean) / mean};
}

size_t count_in(const std::vector<int64_t>& times, Duration from, Duration to) {
  return static_cast<size_t>(std::count_if(
      times.begin(), times.end(), [&](int64_t t) { return t >= from.count() && t < to.count(); }));
}

TEST(PacerQuantized, QuantumAdaptsWithRateAndIsCappedAtOneMillisecond) {
  // 32 requests' worth of time at the worker's rate...
  EXPECT_EQ(QuantizedPacer::quantum_for(100'000), 320'000);
  EXPECT_EQ(QuantizedPacer::quantum_for(64'000), 500'000);
  EXPECT_EQ(QuantizedPacer::quantum_for(1'000'000), 32'000);
  // ...but never more than 1 ms, however low the rate.
  EXPECT_EQ(QuantizedPacer::quantum_for(32'000), 1'000'000);
  EXPECT_EQ(QuantizedPacer::quantum_for(20'000), 1'000'000);
  EXPECT_EQ(QuantizedPacer::quantum_for(100), 1'000'000);
  EXPECT_EQ(QuantizedPacer::quantum_for(0), 1'000'000);
  EXPECT_GE(QuantizedPacer::quantum_for(1e15), 1);
  // A worker's share of the rate is what sets it: two workers at 100k/s each see 50k/s.
  const RateSchedule schedule(100'000, {{1s, 100'000}});
  EXPECT_EQ(QuantizedPacer(schedule, 1, kStart).longest_quantum_ns(), 320'000);
  EXPECT_EQ(QuantizedPacer(schedule, 2, kStart).longest_quantum_ns(), 640'000);
  const RateSchedule ramp(0, {{10s, 100'000}});
  EXPECT_EQ(QuantizedPacer(ramp, 1, kStart).longest_quantum_ns(), 1'000'000);
  EXPECT_EQ(ExactPacer().longest_quantum_ns(), 0);
}

TEST(PacerQuantized, NeverWakesBeforeTheRequestNorAQuantumAfterIt) {
  const RateSchedule ramp(100, {{10s, 200'000}});
  for (const uint32_t workers : {1u, 4u}) {
    const QuantizedPacer pacer(ramp, workers, kStart);
    for (int64_t offset = 0; offset < 10'000'000'000; offset += 7'919'017) {
      const int64_t due = kStart + offset;
      const int64_t quantum = QuantizedPacer::quantum_for(ramp.rate_at(Duration{offset}) / workers);
      const int64_t wake = pacer.wake_at(due, due - 1);
      EXPECT_GE(wake, due) << offset;
      EXPECT_LT(wake - due, quantum) << offset;
      // A request already due goes now.
      EXPECT_EQ(pacer.wake_at(due, due + 5), due + 5);
    }
  }
}

// Every wake sends exactly what came due since the previous one: nothing early, nothing left
// behind, and less than a quantum after the request it was armed for, the earliest it sends.
void expect_paced(const RateSchedule& schedule, Arrival arrival, int64_t late_ns) {
  const std::vector<Wake> wakes =
      run_to_end(paced(schedule, PacerKind::Quantized, arrival), late_ns);
  const std::vector<int64_t> expected = arrivals(schedule, arrival, 1);
  std::vector<int64_t> sent = all_sent(wakes);
  ASSERT_EQ(sent.size(), expected.size());
  for (size_t i = 0; i < sent.size(); ++i) ASSERT_EQ(sent[i], kStart + expected[i]) << i;
  int64_t previous = kStart - 1;
  for (const Wake& w : wakes) {
    for (const int64_t intended : w.sent) {
      EXPECT_LE(intended, w.now);
      EXPECT_GT(intended, previous) << "was due at the previous wake but left behind";
    }
    if (!w.sent.empty()) {
      const double rate = schedule.rate_at(Duration{w.sent.front() - kStart});
      EXPECT_LT(w.now - w.sent.front(), QuantizedPacer::quantum_for(rate) + late_ns);
    }
    previous = w.now;
  }
}

TEST(PacerQuantized, EachWakeSendsEverythingDueAndNothingEarly) {
  expect_paced(RateSchedule(20'000, {{1s, 20'000}}), Arrival::Uniform, 0);
  expect_paced(RateSchedule(20'000, {{1s, 20'000}}), Arrival::Poisson, 0);
  expect_paced(RateSchedule(0, {{2s, 50'000}, {1s, 0}}), Arrival::Uniform, 0);
  expect_paced(RateSchedule(0, {{2s, 50'000}, {1s, 0}}), Arrival::Poisson, 0);
  // A timer that fires late delays what is due; the wake still sends all of it.
  expect_paced(RateSchedule(20'000, {{1s, 20'000}}), Arrival::Uniform, 3'000'000);
}

TEST(PacerQuantized, SeveralRequestsGoPerWake) {
  const RateSchedule schedule(100'000, {{1s, 100'000}});
  const std::vector<Wake> wakes =
      run_to_end(paced(schedule, PacerKind::Quantized, Arrival::Uniform));
  // The first wake, at the start, sends request 0 alone.
  const double per_wake = 99'999.0 / static_cast<double>(wakes.size() - 1);
  EXPECT_NEAR(per_wake, QuantizedPacer::kRequestsPerWake, 0.1);
  // At 1000/s the 1 ms cap holds: one request per wake, each at most 1 ms late.
  const RateSchedule slow(1'000, {{1s, 1'000}});
  for (const Wake& w : run_to_end(paced(slow, PacerKind::Quantized, Arrival::Uniform))) {
    EXPECT_LE(w.sent.size(), 1u);
    for (const int64_t intended : w.sent) EXPECT_LT(w.now - intended, 1'000'000);
  }
}

TEST(PacerExact, WakesAtEachIntendedTimeAsBefore) {
  const RateSchedule schedule(0, common::parse_stages("1s:3000/s,2s:1000/s"));
  const ExactPacer pacer;
  EXPECT_EQ(pacer.wake_at(kStart + 123, kStart), kStart + 123);
  // Worker 1 of 3 takes requests 1, 4, 7... of the schedule, one per wake, each at its time.
  const std::vector<Wake> wakes =
      run_to_end(paced(schedule, PacerKind::Exact, Arrival::Uniform, 1, 3));
  uint64_t k = 1;
  for (size_t i = 1; i < wakes.size(); ++i, k += 3) {
    const std::optional<Duration> t = schedule.intended_time(k);
    ASSERT_TRUE(t) << k;
    ASSERT_EQ(wakes[i].sent.size(), 1u) << i;
    EXPECT_EQ(wakes[i].sent[0], kStart + t->count());
    EXPECT_EQ(wakes[i].now, kStart + t->count());
  }
  EXPECT_FALSE(schedule.intended_time(k)) << "every request of the share was sent";
}

TEST(PacerUniformArrivals, TakesEveryNthRequestOfTheSchedule) {
  const RateSchedule schedule(0, common::parse_stages("30s:1000/s,2m:5000/s,30s:0/s"));
  const std::vector<int64_t> times = arrivals(schedule, Arrival::Uniform, 1, 2, 7);
  for (size_t j = 0; j < times.size(); ++j) {
    ASSERT_EQ(Duration{times[j]}, schedule.intended_time(2 + 7 * j)) << j;
  }
  EXPECT_FALSE(schedule.intended_time(2 + 7 * times.size()));
}

TEST(PacerPoissonArrivals, SameSeedSameTimes) {
  const RateSchedule schedule(5'000, {{10s, 5'000}});
  const std::vector<int64_t> first = arrivals(schedule, Arrival::Poisson, 42);
  EXPECT_EQ(first, arrivals(schedule, Arrival::Poisson, 42));
  EXPECT_NE(first, arrivals(schedule, Arrival::Poisson, 43));
  EXPECT_NE(first, arrivals(schedule, Arrival::Poisson, 42, 1, 2));
}

TEST(PacerPoissonArrivals, ExponentialGapsAtTheMeanRate) {
  const double rate = 1'000;
  const RateSchedule schedule(rate, {{200s, rate}});
  for (const uint64_t seed : {1u, 2u, 3u}) {
    const std::vector<int64_t> times = arrivals(schedule, Arrival::Poisson, seed, 0, 1, 100'000);
    ASSERT_EQ(times.size(), 100'000u);
    const GapStats stats = gap_stats(times);
    EXPECT_NEAR(stats.mean_s * rate, 1.0, 0.02) << seed;
    EXPECT_NEAR(stats.cv, 1.0, 0.03) << seed;
  }
}

TEST(PacerPoissonArrivals, WorkersTogetherArriveAtTheFullRate) {
  const double rate = 4'000;
  const RateSchedule schedule(rate, {{25s, rate}});
  std::vector<int64_t> merged;
  for (uint32_t w = 0; w < 4; ++w) {
    const std::vector<int64_t> share = arrivals(schedule, Arrival::Poisson, 7, w, 4);
    EXPECT_NEAR(static_cast<double>(share.size()), 25'000, 25'000 * 0.04) << w;
    merged.insert(merged.end(), share.begin(), share.end());
  }
  std::sort(merged.begin(), merged.end());
  EXPECT_NEAR(static_cast<double>(merged.size()), 100'000, 100'000 * 0.02);
  const GapStats stats = gap_stats(merged);
  EXPECT_NEAR(stats.mean_s * rate, 1.0, 0.02);
  EXPECT_NEAR(stats.cv, 1.0, 0.03);
}

TEST(PacerPoissonArrivals, FollowsARateStep) {
  // 100/s for 100 s, then 1000/s for 100 s.
  const RateSchedule schedule(100, {{100s, 100}, {0s, 1'000}, {100s, 1'000}});
  const std::vector<int64_t> times = arrivals(schedule, Arrival::Poisson, 5);
  EXPECT_NEAR(static_cast<double>(count_in(times, 0s, 100s)), 10'000, 10'000 * 0.04);
  EXPECT_NEAR(static_cast<double>(count_in(times, 100s, 200s)), 100'000, 100'000 * 0.02);
  // Within each rate, the gaps are exponential at that rate.
  std::vector<int64_t> slow(times.begin(), times.begin() + 9'000);
  EXPECT_NEAR(gap_stats(slow).mean_s * 100, 1.0, 0.05);
  EXPECT_NEAR(gap_stats(slow).cv, 1.0, 0.05);
  std::vector<int64_t> fast(times.end() - 90'000, times.end());
  EXPECT_NEAR(gap_stats(fast).mean_s * 1'000, 1.0, 0.02);
  EXPECT_NEAR(gap_stats(fast).cv, 1.0, 0.03);
}

TEST(PacerPoissonArrivals, FollowsARamp) {
  // 0 -> 1000/s over 100 s asks for 12500 requests in the first half and 37500 in the second.
  const RateSchedule schedule(0, {{100s, 1'000}});
  const std::vector<int64_t> times = arrivals(schedule, Arrival::Poisson, 9);
  EXPECT_NEAR(static_cast<double>(count_in(times, 0s, 50s)), 12'500, 12'500 * 0.04);
  EXPECT_NEAR(static_cast<double>(count_in(times, 50s, 100s)), 37'500, 37'500 * 0.03);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
  EXPECT_LT(times.back(), Duration{100s}.count());
}

}  // namespace
}  // namespace firedrill::loadgen
