#pragma once
#include <stdexcept>
#include <string>

namespace firedrill::common {

// A value the user wrote is not valid. The message says what would be valid; the caller adds
// where the value came from (a flag name, or file:line:col).
class ValueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad command line or drill file: exit code 2, nothing was run or changed.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace firedrill::common
