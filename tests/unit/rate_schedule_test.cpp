#include "loadgen/rate_schedule.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/errors.hpp"

namespace firedrill::loadgen {
namespace {

using namespace std::chrono_literals;
using common::Duration;

int64_t ns(std::optional<Duration> d) {
  EXPECT_TRUE(d.has_value());
  return d ? d->count() : -1;
}

TEST(RateSchedule, ConstantRate) {
  const RateSchedule schedule(100, {{1s, 100}});
  EXPECT_EQ(schedule.total_duration(), 1s);
  EXPECT_DOUBLE_EQ(schedule.expected_requests(), 100);
  for (uint64_t k = 0; k < 100; ++k) {
    EXPECT_EQ(schedule.intended_time(k), Duration{k * 10ms}) << k;
  }
  EXPECT_EQ(schedule.intended_time(100), std::nullopt);
  EXPECT_EQ(schedule.intended_time(std::numeric_limits<uint64_t>::max()), std::nullopt);
}

TEST(RateSchedule, RampFromZero) {
  const RateSchedule schedule(0, {{10s, 1000}});
  EXPECT_DOUBLE_EQ(schedule.expected_requests(), 5000);
  for (uint64_t k = 0; k < 5000; ++k) {
    const double expected_ns = std::sqrt(static_cast<double>(k) / 50) * 1e9;
    EXPECT_NEAR(static_cast<double>(ns(schedule.intended_time(k))), expected_ns, 1) << k;
  }
  EXPECT_EQ(schedule.intended_time(5000), std::nullopt);
}

TEST(RateSchedule, RampDownToZero) {
  // N(t) = 1000 t - 50 t^2, so request k is due at t = 10 - sqrt(100 - k / 50).
  const RateSchedule schedule(1000, {{10s, 0}});
  EXPECT_DOUBLE_EQ(schedule.expected_requests(), 5000);
  for (uint64_t k = 0; k < 5000; ++k) {
    const double expected_ns = (10 - std::sqrt(100 - static_cast<double>(k) / 50)) * 1e9;
    EXPECT_NEAR(static_cast<double>(ns(schedule.intended_time(k))), expected_ns, 1) << k;
  }
  EXPECT_EQ(schedule.intended_time(5000), std::nullopt);
}

TEST(RateSchedule, ShallowRamp) {
  // A ramp so shallow that the textbook quadratic formula would lose most of its digits.
  const double from = 1000;
  const double to = 1000.000001;
  const RateSchedule schedule(from, {{10s, to}});
  const long double slope = (static_cast<long double>(to) - from) / 10;
  for (uint64_t k = 0; k < 10000; k += 97) {
    // Newton's method on from * t + slope / 2 * t^2 = k, from the flat-rate answer.
    long double t = k / static_cast<long double>(from);
    for (int i = 0; i < 4; ++i) t -= (from * t + slope / 2 * t * t - k) / (from + slope * t);
    EXPECT_NEAR(static_cast<double>(ns(schedule.intended_time(k))), static_cast<double>(t * 1e9L),
                1)
        << k;
  }
}

TEST(RateSchedule, MultiStage) {
  const RateSchedule schedule(0, common::parse_stages("30s:1000/s,2m:5000/s,30s:0/s"));
  EXPECT_EQ(schedule.total_duration(), 3min);
  const double trapezoids = 30 * (0 + 1000) / 2.0 + 120 * (1000 + 5000) / 2.0 + 30 * 5000 / 2.0;
  EXPECT_DOUBLE_EQ(schedule.expected_requests(), trapezoids);

  uint64_t count = 0;
  Duration previous{0};
  for (std::optional<Duration> t; (t = schedule.intended_time(count)); ++count) {
    ASSERT_GE(*t, previous) << count;
    previous = *t;
  }
  EXPECT_EQ(count, static_cast<uint64_t>(std::ceil(trapezoids)));
  EXPECT_LE(previous, schedule.total_duration());
  // The boundaries fall where the earlier stages' areas are used up.
  EXPECT_EQ(schedule.intended_time(15000), Duration{30s});
  EXPECT_EQ(schedule.intended_time(15000 + 360000), Duration{150s});
}

TEST(RateSchedule, SplittingAcrossWorkersKeepsTheTotal) {
  const RateSchedule schedule(0, common::parse_stages("30s:1000/s,2m:5000/s,30s:0/s"));
  const auto total = static_cast<uint64_t>(std::ceil(schedule.expected_requests()));
  for (const uint64_t workers : {1u, 3u, 7u, 16u}) {
    uint64_t sum = 0;
    for (uint64_t w = 0; w < workers; ++w) {
      Duration previous{0};
      for (uint64_t k = w;; k += workers) {
        const std::optional<Duration> t = schedule.intended_time(k);
        if (!t) break;
        ASSERT_GE(*t, previous);
        previous = *t;
        ++sum;
      }
    }
    EXPECT_EQ(sum, total) << workers << " workers";
  }
}

TEST(RateSchedule, ZeroRateStagesAreSkipped) {
  // 100/s for 1s, nothing for 2s, then 100/s again for 1s.
  const RateSchedule schedule(100, {{1s, 100}, {0s, 0}, {2s, 0}, {0s, 100}, {1s, 100}});
  EXPECT_EQ(schedule.total_duration(), 4s);
  EXPECT_DOUBLE_EQ(schedule.expected_requests(), 200);
  EXPECT_EQ(schedule.intended_time(99), Duration{990ms});
  EXPECT_EQ(schedule.intended_time(100), Duration{3s});
  EXPECT_EQ(schedule.intended_time(199), Duration{3990ms});
  EXPECT_EQ(schedule.intended_time(200), std::nullopt);
}

TEST(RateSchedule, ZeroRateThroughout) {
  const RateSchedule schedule(0, {{1min, 0}});
  EXPECT_EQ(schedule.total_duration(), 1min);
  EXPECT_DOUBLE_EQ(schedule.expected_requests(), 0);
  EXPECT_EQ(schedule.intended_time(0), std::nullopt);
}

TEST(RateSchedule, NoStages) {
  const RateSchedule schedule(500, {});
  EXPECT_EQ(schedule.total_duration(), 0s);
  EXPECT_DOUBLE_EQ(schedule.expected_requests(), 0);
  EXPECT_EQ(schedule.intended_time(0), std::nullopt);
  EXPECT_DOUBLE_EQ(schedule.rate_at(0s), 0);
}

TEST(RateSchedule, OneHourAtTwentyThousandPerSecondWithinOneMicrosecond) {
  const RateSchedule flat(20000, {{1h, 20000}});
  // Ramp 0 -> 20000/s over 1 h: N(t) = (20000 / 3600) t^2 / 2, so t = sqrt(0.36 k).
  const RateSchedule ramp(0, {{1h, 20000}});
  const uint64_t flat_total = 20000ULL * 3600;
  const uint64_t ramp_total = flat_total / 2;
  EXPECT_DOUBLE_EQ(flat.expected_requests(), static_cast<double>(flat_total));
  EXPECT_DOUBLE_EQ(ramp.expected_requests(), static_cast<double>(ramp_total));

  auto check = [](const RateSchedule& schedule, uint64_t k, long double analytic_s) {
    const long double analytic_ns = analytic_s * 1e9L;
    const long double error = static_cast<long double>(ns(schedule.intended_time(k))) - analytic_ns;
    EXPECT_LE(std::fabs(error), 1000.0L) << k;
  };
  for (uint64_t k = 0; k < flat_total; k += 9973) check(flat, k, k / 20000.0L);
  for (uint64_t k = flat_total - 100; k < flat_total; ++k) check(flat, k, k / 20000.0L);
  for (uint64_t k = 0; k < ramp_total; k += 9973) check(ramp, k, std::sqrt(0.36L * k));
  for (uint64_t k = ramp_total - 100; k < ramp_total; ++k) check(ramp, k, std::sqrt(0.36L * k));
  EXPECT_EQ(flat.intended_time(flat_total), std::nullopt);
  EXPECT_EQ(ramp.intended_time(ramp_total), std::nullopt);
}

TEST(RateSchedule, RateAt) {
  const RateSchedule schedule(0, common::parse_stages("30s:1000/s,2m:5000/s,30s:0/s"));
  EXPECT_DOUBLE_EQ(schedule.rate_at(-1s), 0);
  EXPECT_DOUBLE_EQ(schedule.rate_at(0s), 0);
  EXPECT_DOUBLE_EQ(schedule.rate_at(15s), 500);
  EXPECT_DOUBLE_EQ(schedule.rate_at(30s), 1000);
  EXPECT_DOUBLE_EQ(schedule.rate_at(90s), 3000);
  EXPECT_DOUBLE_EQ(schedule.rate_at(150s), 5000);
  EXPECT_DOUBLE_EQ(schedule.rate_at(165s), 2500);
  EXPECT_DOUBLE_EQ(schedule.rate_at(180s), 0);
}

TEST(RateSchedule, RateAtAcrossAStep) {
  const RateSchedule schedule(100, {{1s, 100}, {0s, 500}, {1s, 500}});
  EXPECT_DOUBLE_EQ(schedule.rate_at(999ms), 100);
  EXPECT_DOUBLE_EQ(schedule.rate_at(1s), 500);
}

TEST(RateSchedule, RejectsInvalidInput) {
  EXPECT_THROW(RateSchedule(-1, {{1s, 10}}), common::ValueError);
  EXPECT_THROW(RateSchedule(std::nan(""), {{1s, 10}}), common::ValueError);
  EXPECT_THROW(RateSchedule(0, {{1s, std::numeric_limits<double>::infinity()}}),
               common::ValueError);
  EXPECT_THROW(RateSchedule(0, {{-1s, 10}}), common::ValueError);
  EXPECT_THROW(RateSchedule(0, {{Duration::max(), 10}, {1s, 10}}), common::ValueError);
}

}  // namespace
}  // namespace firedrill::loadgen
