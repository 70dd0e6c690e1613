// The labels Kubernetes faults put on what they create: `firedrill cleanup --run ID` finds a
// run's objects by them, so two runs must never share one.
#include <gtest/gtest.h>

#include "chaos/kube_fault_support.hpp"

namespace firedrill::chaos::kube {
namespace {

TEST(KubeLabelValue, ShortTextsStayReadable) {
  EXPECT_EQ(label_value("checkout-oom-20261121-100921-8c1e"), "checkout-oom-20261121-100921-8c1e");
  EXPECT_EQ(label_value("my drill/v2"), "my-drill-v2");
  EXPECT_EQ(label_value("-edge-"), "edge");
}

TEST(KubeLabelValue, LongRunIdsOfOneDrillStayDistinctAndValid) {
  const std::string drill(60, 'a');
  const std::string first = label_value(drill + "-20261121-100921-8c1e");
  const std::string second = label_value(drill + "-20261121-100921-8c1f");
  EXPECT_NE(first, second);
  for (const std::string& v : {first, second}) {
    EXPECT_LE(v.size(), 63u) << v;
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(v.front())) &&
                std::isalnum(static_cast<unsigned char>(v.back())))
        << v;
  }
  EXPECT_EQ(first, label_value(drill + "-20261121-100921-8c1e")) << "stable";
}

}  // namespace
}  // namespace firedrill::chaos::kube
