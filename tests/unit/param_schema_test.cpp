#include "common/param_schema.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "common/errors.hpp"

namespace firedrill::common {
namespace {

using namespace std::chrono_literals;

TEST(PositiveDurationParam, ReadsNanoseconds) {
  EXPECT_EQ(positive_duration_param({{"timeout", 1500000000}}, "timeout"), 1500ms);
}

TEST(PositiveDurationParam, ZeroAndLessAreRejectedByName) {
  for (int64_t ns : {int64_t{0}, int64_t{-1}}) {
    try {
      positive_duration_param({{"evictionTimeout", ns}}, "evictionTimeout");
      FAIL() << ns << " was accepted";
    } catch (const ValueError& e) {
      EXPECT_STREQ(e.what(), "evictionTimeout: must be more than 0");
    }
  }
}

}  // namespace
}  // namespace firedrill::common
