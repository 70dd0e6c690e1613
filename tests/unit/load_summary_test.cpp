// What `firedrill load` prints at the end (cli/load_summary).
#include "cli/load_summary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "tests/fixtures/sample_run_result.hpp"

namespace firedrill::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string summary_of(const loadgen::LoadResult& result) {
  std::ostringstream out;
  cli::print_load_summary(out, result);
  return out.str();
}

// Streams an HTTP/2 server refused unprocessed were sent again: the summary says how many, so
// that a server shedding load shows even when every request ended well.
TEST(LoadSummary, SaysHowManyRefusedStreamsWereSentAgain) {
  loadgen::LoadResult result = sample_load(11, 5, 200, 4.0, 2, 3, true);
  EXPECT_THAT(summary_of(result), Not(HasSubstr("retried")));
  result.stats.retried = 7;
  EXPECT_THAT(summary_of(result),
              HasSubstr("retried: 7 refused by the server unprocessed and sent again\n"));
}

}  // namespace
}  // namespace firedrill::testing
