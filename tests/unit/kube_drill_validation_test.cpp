// Kubernetes faults and checks in drill files: what their constructors refuse, and a fault's
// namespace outside integrations.kubernetes.allowNamespaces, are validation errors at the item's
// place in the file, before anything runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scenarios/drill_parser.hpp"
#include "tests/unit/drill_test_support.hpp"

namespace firedrill::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string drill(const std::string& allow, const std::string& step) {
  return "apiVersion: firedrill/v1\n"
         "kind: Drill\n"
         "metadata: {name: k8s}\n"
         "integrations:\n"
         "  kubernetes: {allowNamespaces: " +
         allow +
         "}\n"
         "steps:\n" +
         step;
}

scenarios::ParseOutcome parse_registered(const std::string& text) {
  return scenarios::parse_drill_text(text, "k8s.yaml", env_of({}));
}

TEST(KubeDrillValidation, AFaultInKubeSystemIsRefusedAtItsPlace) {
  auto outcome = parse_registered(
      drill("[shop, kube-system]",
            "  - chaos:\n"
            "      kube.pod-kill: {namespace: kube-system, selector: k8s-app=dns}\n"));
  ASSERT_FALSE(outcome.drill);
  ASSERT_THAT(outcome.errors, SizeIs(1));
  EXPECT_EQ(outcome.errors[0].at.line, 8);
  EXPECT_EQ(outcome.errors[0].at.column, 7);
  EXPECT_THAT(outcome.errors[0].message, HasSubstr("kube.pod-kill fault: namespace: kube-system"));
  EXPECT_THAT(outcome.errors[0].message, HasSubstr("never touch the cluster's own namespaces"));
}

TEST(KubeDrillValidation, AFaultOutsideAllowNamespacesIsRefusedAndSaysWhatIsListed) {
  auto outcome =
      parse_registered(drill("[shop]",
                             "  - chaos:\n"
                             "      kube.scale: {namespace: billing, name: api, replicas: 0}\n"));
  ASSERT_FALSE(outcome.drill);
  ASSERT_THAT(outcome.errors, SizeIs(1));
  EXPECT_EQ(outcome.errors[0].at.line, 8);
  EXPECT_THAT(outcome.errors[0].message, HasSubstr("namespace: billing is refused"));
  EXPECT_THAT(outcome.errors[0].message, HasSubstr("it lists shop"));
}

TEST(KubeDrillValidation, AnAllowedNamespaceValidates) {
  auto outcome =
      parse_registered(drill("[shop]",
                             "  - chaos:\n"
                             "      kube.scale: {namespace: shop, name: api, replicas: 0}\n"
                             "  - validate:\n"
                             "      eventually: 1m\n"
                             "      checks:\n"
                             "        - kube.rollout: {namespace: shop, name: api}\n"));
  EXPECT_TRUE(outcome.drill) << scenarios::format_errors(outcome.errors);
}

TEST(KubeDrillValidation, AMalformedAllowNamespacesIsAnError) {
  auto outcome =
      parse_registered(drill("shop",
                             "  - chaos:\n"
                             "      kube.scale: {namespace: shop, name: api, replicas: 0}\n"));
  ASSERT_FALSE(outcome.drill);
  EXPECT_THAT(scenarios::format_errors(outcome.errors),
              HasSubstr("allowNamespaces must be a list of namespaces"));
}

TEST(KubeDrillValidation, WhatACheckRefusesIsAnErrorAtTheCheck) {
  auto outcome = parse_registered(drill("[shop]",
                                        "  - validate:\n"
                                        "      eventually: 1m\n"
                                        "      checks:\n"
                                        "        - kube.hpa: {namespace: shop, name: web}\n"
                                        "        - logs.kube: {namespace: shop, selector: app=web, "
                                        "pattern: \"(\"}\n"));
  ASSERT_FALSE(outcome.drill);
  ASSERT_THAT(outcome.errors, SizeIs(2));
  EXPECT_EQ(outcome.errors[0].at.line, 10);
  EXPECT_EQ(outcome.errors[0].at.column, 11);
  EXPECT_THAT(outcome.errors[0].message, HasSubstr("kube.hpa check: replicas: give either"));
  EXPECT_EQ(outcome.errors[1].at.line, 11);
  EXPECT_THAT(outcome.errors[1].message, HasSubstr("logs.kube check: pattern:"));
}

}  // namespace
}  // namespace firedrill::testing
