#include <ostream>

#include "reporters/reporter.hpp"

namespace firedrill::reporters {

// Invalid UTF-8 in an observed value (a log line, a response body) becomes U+FFFD rather than
// costing the whole report.
void write_json(const RunResult& result, std::ostream& out) {
  out << to_json(result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace firedrill::reporters
