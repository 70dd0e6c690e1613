// Telling an alert seen after a fault from one that was already active just before it, across
// Prometheus, Alertmanager and the receiver (validators/alert_baseline).
#include "validators/alert_baseline.hpp"

#include <gtest/gtest.h>

namespace firedrill::validators::alerting {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const WallClock::time_point kFault = WallClock::time_point(1'800'000'000s);

CheckContext at_fault() {
  CheckContext context;
  context.drill_start = kFault - 10min;
  context.last_fault = kFault;
  return context;
}

AlertBaseline baseline(std::vector<ActiveAlert> active) {
  AlertBaseline b;
  b.taken = true;
  b.taken_at = kFault - 10ms;
  b.active = std::move(active);
  return b;
}

const json kLabels = {{"alertname", "Down"}, {"job", "api"}};
// Alertmanager and the page carry Prometheus's external labels too.
const json kWithExternal = {{"alertname", "Down"}, {"job", "api"}, {"cluster", "prod"}};

std::optional<std::vector<clients::PrometheusAlert>> nobody() {
  return std::nullopt;
}

clients::PrometheusAlert prometheus_alert(WallClock::time_point active_at) {
  clients::PrometheusAlert a;
  a.labels = kLabels;
  a.state = "firing";
  a.active_at = "activeAt";
  a.active_at_time = active_at;
  return a;
}

TEST(AlertBaseline, AStartBeforeTheFaultIsPreExistingWhateverTheBaseline) {
  auto j = judge_novelty(baseline({}), kWithExternal, kFault - 1s, at_fault(), nobody);
  EXPECT_EQ(j.novelty, Novelty::PreExisting);
  EXPECT_NE(j.why.find("before the fault"), std::string::npos) << j.why;
}

TEST(AlertBaseline, NothingActiveAtTheBaselineMakesALaterStartNew) {
  EXPECT_EQ(judge_novelty(baseline({}), kWithExternal, kFault + 1s, at_fault(), nobody).novelty,
            Novelty::New);
}

TEST(AlertBaseline, ActiveInAlertmanagerWithTheSameStartIsPreExisting) {
  auto b = baseline({{Layer::Alertmanager, kWithExternal, "active", kFault + 1s}});
  EXPECT_EQ(judge_novelty(b, kWithExternal, kFault + 1s, at_fault(), nobody).novelty,
            Novelty::PreExisting);
  // A new startsAt: it ended and fired again.
  EXPECT_EQ(judge_novelty(b, kWithExternal, kFault + 5s, at_fault(), nobody).novelty, Novelty::New);
}

TEST(AlertBaseline, PendingInPrometheusIsPreExistingWhileStillThatActivation) {
  auto b = baseline({{Layer::Prometheus, kLabels, "pending", kFault - 3s}});
  auto same = [] {
    return std::optional<std::vector<clients::PrometheusAlert>>{{prometheus_alert(kFault - 3s)}};
  };
  auto j = judge_novelty(b, kWithExternal, kFault + 3s, at_fault(), same);
  EXPECT_EQ(j.novelty, Novelty::PreExisting);
  EXPECT_NE(j.why.find("already pending in Prometheus"), std::string::npos) << j.why;

  auto renewed = [] {
    return std::optional<std::vector<clients::PrometheusAlert>>{{prometheus_alert(kFault + 2s)}};
  };
  EXPECT_EQ(judge_novelty(b, kWithExternal, kFault + 8s, at_fault(), renewed).novelty,
            Novelty::New);

  auto gone = [] {
    return std::optional<std::vector<clients::PrometheusAlert>>(
        std::vector<clients::PrometheusAlert>{});
  };
  EXPECT_EQ(judge_novelty(b, kWithExternal, kFault + 3s, at_fault(), gone).novelty,
            Novelty::Unknown);
  EXPECT_EQ(judge_novelty(b, kWithExternal, kFault + 3s, at_fault(), nobody).novelty,
            Novelty::Unknown);
}

TEST(AlertBaseline, FiringInPrometheusAtTheBaselineIsPreExistingUnlessItFiredAgain) {
  auto b = baseline({{Layer::Prometheus, kLabels, "firing", kFault - 60s}});
  EXPECT_EQ(judge_novelty(b, kWithExternal, kFault + 4s, at_fault(), nobody).novelty, Novelty::New);
  // A page without startsAt (Slack, SNS) of an alert firing at the baseline proves nothing.
  EXPECT_EQ(judge_novelty(b, {{"alertname", "Down"}}, std::nullopt, at_fault(), nobody).novelty,
            Novelty::PreExisting);
}

TEST(AlertBaseline, OtherLabelsAreAnotherAlert) {
  auto b = baseline({{Layer::Alertmanager, kWithExternal, "active", kFault + 1s}});
  json other = kWithExternal;
  other["job"] = "web";
  EXPECT_EQ(judge_novelty(b, other, kFault + 1s, at_fault(), nobody).novelty, Novelty::New);
}

TEST(AlertBaseline, ALayerThatCouldNotBeReadLeavesANewLookingAlertUndecided) {
  auto b = baseline({});
  b.errors.push_back("Prometheus at http://127.0.0.1:9: connection refused");
  auto j = judge_novelty(b, kWithExternal, kFault + 1s, at_fault(), nobody);
  EXPECT_EQ(j.novelty, Novelty::Unknown);
  EXPECT_NE(j.why.find("connection refused"), std::string::npos) << j.why;
}

TEST(AlertBaseline, WithoutABaselineOnlyTheStartTimeCounts) {
  AlertBaseline none;
  EXPECT_EQ(judge_novelty(none, kWithExternal, kFault + 1s, at_fault(), nobody).novelty,
            Novelty::New);
}

}  // namespace
}  // namespace firedrill::validators::alerting
