#include "target/target_route.hpp"

namespace firedrill::target {

namespace {

struct Template {
  Route route;
  std::string_view prefix;  // the whole path for routes without an argument
  bool has_argument;
  std::string_view name;
};

constexpr Template kTemplates[kRouteCount] = {
    {Route::root, "/", false, "/"},
    {Route::status, "/status/", true, "/status/{code}"},
    {Route::delay, "/delay/", true, "/delay/{ms}"},
    {Route::bytes, "/bytes/", true, "/bytes/{n}"},
    {Route::healthz, "/healthz", false, "/healthz"},
    {Route::metrics, "/metrics", false, "/metrics"},
    {Route::admin_fault, "/admin/fault", false, "/admin/fault"},
    {Route::unmatched, "", false, "unmatched"},
};

}  // namespace

RouteMatch match_route(std::string_view path) {
  for (const Template& t : kTemplates) {
    if (t.route == Route::unmatched) break;
    if (t.has_argument) {
      if (path.size() > t.prefix.size() && path.starts_with(t.prefix)) {
        return {t.route, path.substr(t.prefix.size())};
      }
    } else if (path == t.prefix) {
      return {t.route, {}};
    }
  }
  return {};
}

std::string_view route_template(Route route) {
  return kTemplates[static_cast<std::size_t>(route)].name;
}

}  // namespace firedrill::target
