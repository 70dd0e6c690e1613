#include "target/target_route.hpp"

#include <gtest/gtest.h>

namespace firedrill::target {
namespace {

TEST(TargetRoute, PathsMatchTheirTemplate) {
  EXPECT_EQ(match_route("/").route, Route::root);
  RouteMatch status = match_route("/status/503");
  EXPECT_EQ(status.route, Route::status);
  EXPECT_EQ(status.argument, "503");
  EXPECT_EQ(route_template(status.route), "/status/{code}");
  EXPECT_EQ(match_route("/delay/20").argument, "20");
  EXPECT_EQ(route_template(match_route("/bytes/1").route), "/bytes/{n}");
  EXPECT_EQ(match_route("/healthz").route, Route::healthz);
  EXPECT_EQ(match_route("/metrics").route, Route::metrics);
  EXPECT_EQ(match_route("/admin/fault").route, Route::admin_fault);
}

TEST(TargetRoute, EverythingElseIsUnmatched) {
  for (const char* path : {"", "/status/", "/status", "/healthz/", "/metricsx", "/admin", "/x"}) {
    EXPECT_EQ(match_route(path).route, Route::unmatched) << path;
  }
  EXPECT_EQ(route_template(Route::unmatched), "unmatched");
}

TEST(TargetRoute, FaultsSpareHealthMetricsAndAdmin) {
  EXPECT_TRUE(takes_faults(Route::root));
  EXPECT_TRUE(takes_faults(Route::unmatched));
  EXPECT_FALSE(takes_faults(Route::healthz));
  EXPECT_FALSE(takes_faults(Route::metrics));
  EXPECT_FALSE(takes_faults(Route::admin_fault));
}

}  // namespace
}  // namespace firedrill::target
