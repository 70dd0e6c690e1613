#pragma once
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace firedrill::common {

// The values a drill file interpolated (${env:...}, ${file:...}), each with the reference it was
// written as. Every output but the revert journal shows a value as its reference: the console,
// the reports, the metrics. Values shorter than kMinLength are not taken for secrets (a port, a
// namespace). A value shorter than kLooseLength is replaced only where it stands apart from
// letters and digits, so that "8080" leaves "18080" alone; a longer one wherever it appears.
// `value` as a JSON string shows it, without the quotes: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced. What a secret looks like inside a JSON document.
std::string json_escaped(std::string_view value);

class SecretValues {
 public:
  static constexpr std::size_t kMinLength = 4;
  static constexpr std::size_t kLooseLength = 8;

  struct Secret {
    std::string value;
    std::string reference;
  };

  void add(std::string_view value, std::string_view reference);
  std::string redact(std::string_view text) const;
  bool empty() const;
  // Each add() as it was called: what the revert journal keeps so that `firedrill revert` shows
  // a crashed run's values as their references too.
  std::vector<Secret> added() const;

 private:
  void add_one(std::string value, std::string_view reference);

  mutable std::mutex mutex_;
  std::vector<Secret> added_;
  std::vector<Secret> secrets_;  // longest first, so that a value inside another loses
};

// The process's one set: the drill parser fills it, every output reads it.
SecretValues& secret_values();

}  // namespace firedrill::common
