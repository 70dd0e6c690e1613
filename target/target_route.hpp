#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace firedrill::target {

// The fixed set of `firedrill target` endpoints. Metrics are labelled with the route's template,
// never the raw path, so that /status/{code} and /bytes/{n} do not create a series per value.
enum class Route : uint8_t { root, status, delay, bytes, healthz, metrics, admin_fault, unmatched };
inline constexpr std::size_t kRouteCount = 8;

struct RouteMatch {
  Route route = Route::unmatched;
  std::string_view argument;  // what stands for {code}, {ms} or {n}
};

RouteMatch match_route(std::string_view path);
std::string_view route_template(Route route);
inline constexpr std::array<Route, kRouteCount> kRoutes = {
    Route::root,    Route::status,  Route::delay,       Route::bytes,
    Route::healthz, Route::metrics, Route::admin_fault, Route::unmatched};

// Injected errors and latency leave health checks, scrapes and the fault admin alone, so that a
// drill can still watch the target and undo what it did.
inline bool takes_faults(Route route) {
  return route != Route::healthz && route != Route::metrics && route != Route::admin_fault;
}

}  // namespace firedrill::target
