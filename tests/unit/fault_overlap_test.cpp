// Two faults on one target are right only when reverted last first: a drill in which an earlier
// fault's `for:` may end while a later fault on the same target is active is refused at the later
// fault's place, for every kind that restores a snapshot.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scenarios/drill_parser.hpp"
#include "tests/unit/drill_test_support.hpp"

namespace firedrill::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

scenarios::ParseOutcome parse_steps(const std::string& steps) {
  return scenarios::parse_drill_text(
      "apiVersion: firedrill/v1\n"
      "kind: Drill\n"
      "metadata: {name: overlap}\n"
      "target: {url: 'http://127.0.0.1:18080'}\n"
      "load: {base: {rate: 10/s}}\n"
      "integrations:\n"
      "  kubernetes: {allowNamespaces: [shop]}\n"
      "services:\n"
      "  web: {command: [firedrill, target], port: 18080}\n"
      "steps:\n" +
          steps,
      "overlap.yaml", env_of({}));
}

TEST(FaultOverlap, AnEarlierForThatMayEndDuringTheLaterFaultIsRefusedAtTheLaterFault) {
  auto outcome = parse_steps(
      "  - chaos: {http.degrade: {service: web, errorRate: 0.5}}\n"
      "    for: 30s\n"
      "  - wait: 10s\n"
      "  - chaos: {http.degrade: {service: web, extraLatency: 200ms}}\n");
  ASSERT_FALSE(outcome.drill);
  ASSERT_THAT(outcome.errors, SizeIs(1));
  EXPECT_EQ(outcome.errors[0].at.line, 14);
  EXPECT_EQ(outcome.errors[0].at.column, 13);
  EXPECT_THAT(outcome.errors[0].message,
              HasSubstr("changes service web, like the http.degrade at 11:13"));
  EXPECT_THAT(outcome.errors[0].message, HasSubstr("`for:` of 30s"));
  EXPECT_THAT(outcome.errors[0].message, HasSubstr("of at most 10s"));
}

TEST(FaultOverlap, AForThatSurelyEndedBeforeTheLaterFaultIsAccepted) {
  auto outcome = parse_steps(
      "  - chaos: {http.degrade: {service: web, errorRate: 0.5}}\n"
      "    for: 10s\n"
      "  - validate:\n"
      "      eventually: 1m\n"
      "      checks: [{http: {url: 'http://127.0.0.1:1/'}}]\n"
      "  - wait: 5s\n"
      "  - load: base\n"
      "    duration: 5s\n"
      "  - chaos: {http.degrade: {service: web, extraLatency: 200ms}}\n");
  EXPECT_THAT(outcome.errors, IsEmpty());
}

TEST(FaultOverlap, ValidateWindowsAndBackgroundLoadsDoNotCountAsTimeBetween) {
  auto outcome = parse_steps(
      "  - chaos: {http.degrade: {service: web, errorRate: 0.5}}\n"
      "    for: 10s\n"
      "  - validate:\n"
      "      consistently: 1m\n"
      "      checks: [{http: {url: 'http://127.0.0.1:1/'}}]\n"
      "  - load: base\n"
      "    duration: 5m\n"
      "    background: true\n"
      "  - chaos: {http.degrade: {service: web, extraLatency: 200ms}}\n");
  ASSERT_THAT(outcome.errors, SizeIs(1));
  EXPECT_THAT(outcome.errors[0].message, HasSubstr("Put a wait of at least 10s between them"));
}

TEST(FaultOverlap, FaultsWithoutForAreRevertedLastFirstAndAccepted) {
  auto outcome = parse_steps(
      "  - chaos: {kube.scale: {namespace: shop, kind: Deployment, name: web, replicas: 0}}\n"
      "  - chaos: {kube.scale: {namespace: shop, kind: Deployment, name: web, replicas: 5}}\n"
      "    for: 1m\n");
  EXPECT_THAT(outcome.errors, IsEmpty());
}

TEST(FaultOverlap, DifferentTargetsDoNotOverlap) {
  auto outcome = parse_steps(
      "  - chaos: {kube.scale: {namespace: shop, kind: Deployment, name: web, replicas: 0}}\n"
      "    for: 1m\n"
      "  - chaos: {kube.scale: {namespace: shop, kind: Deployment, name: api, replicas: 0}}\n"
      "  - chaos: {kube.bad-image: {namespace: shop, kind: StatefulSet, name: web}}\n"
      "  - chaos: {http.degrade: {url: ['http://127.0.0.1:8080'], errorRate: 0.1}}\n"
      "    for: 1m\n"
      "  - chaos: {http.degrade: {url: ['http://127.0.0.1:8081'], errorRate: 0.1}}\n");
  EXPECT_THAT(outcome.errors, IsEmpty());
}

TEST(FaultOverlap, EveryKindThatRestoresASnapshotIsRefused) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"{kube.scale: {namespace: shop, kind: Deployment, name: web, replicas: 0}}",
       "Deployment shop/web"},
      {"{kube.bad-image: {namespace: shop, kind: Deployment, name: web}}", "Deployment shop/web"},
      {"{kube.node-drain: {namespace: shop, node: ip-10-0-0-1}}", "node ip-10-0-0-1"},
      {"{http.degrade: {url: ['http://127.0.0.1:8080/'], errorRate: 0.1}}",
       "url http://127.0.0.1:8080"},
  };
  for (const auto& [fault, target] : pairs) {
    auto outcome = parse_steps("  - chaos: " + fault + "\n    for: 1m\n  - chaos: " + fault + "\n");
    ASSERT_THAT(outcome.errors, SizeIs(1)) << fault;
    EXPECT_THAT(outcome.errors[0].message, HasSubstr("changes " + target)) << fault;
  }
}

TEST(FaultOverlap, ASelectorDrainMayPickANamedNodeButNotAnotherSelectorsNode) {
  auto named_after_selector = parse_steps(
      "  - chaos: {kube.node-drain: {namespace: shop, nodeSelector: pool=spot}}\n"
      "    for: 1m\n"
      "  - chaos: {kube.node-drain: {namespace: shop, node: ip-10-0-0-1}}\n");
  ASSERT_THAT(named_after_selector.errors, SizeIs(1));
  EXPECT_THAT(named_after_selector.errors[0].message, HasSubstr("changes node ip-10-0-0-1"));

  auto two_selectors = parse_steps(
      "  - chaos: {kube.node-drain: {namespace: shop, nodeSelector: pool=spot}}\n"
      "    for: 1m\n"
      "  - chaos: {kube.node-drain: {namespace: shop, nodeSelector: pool=spot}}\n");
  EXPECT_THAT(two_selectors.errors, IsEmpty());
}

}  // namespace
}  // namespace firedrill::testing
