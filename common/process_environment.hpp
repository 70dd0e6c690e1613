#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace firedrill::common {

// A copy of a process environment to hand to a child, or to read: its variables in their order,
// with some replaced, added or removed. The one place that reads `environ`.
class ProcessEnvironment {
 public:
  // The variables of `entries`, a null-terminated array of NAME=VALUE strings such as `environ`,
  // in their order. A name given twice keeps its first entry (the one getenv finds); an entry
  // without '=' is no variable and is left out.
  explicit ProcessEnvironment(const char* const* entries);
  // This process's own environment, now.
  static ProcessEnvironment current();

  // Replaces NAME's value where it stands, or appends NAME=VALUE after the others.
  void set(const std::string& name, const std::string& value);
  // Leaves NAME out, if it is there.
  void unset(const std::string& name);

  // NAME -> VALUE.
  std::map<std::string, std::string> variables() const;
  // "NAME=VALUE" in order, what execve and posix_spawn take (through an array of their data()).
  std::vector<std::string> entries() const;

 private:
  std::vector<std::pair<std::string, std::string>> variables_;
};

}  // namespace firedrill::common
