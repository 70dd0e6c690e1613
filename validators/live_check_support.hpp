#pragma once
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "common/param_schema.hpp"
#include "validators/check.hpp"

// What the live checks (http, exec) share: expectations on a text they got back, and a verdict
// from the expectations that failed.
namespace firedrill::validators::live {

// `<subject>Contains` and `<subject>Matches`: text that must appear, and an ECMAScript regular
// expression that must match somewhere, in a response body or a command's output.
class TextExpectation {
 public:
  TextExpectation() = default;
  // Reads both params of `subject` ("body", "output"); throws common::ValueError naming the
  // param when the regular expression is not valid.
  TextExpectation(const common::Params& p, const std::string& subject);

  // ", body contains \"ok\", body matches /up|ok/", or "" when neither was given.
  std::string describe() const;
  // Adds what `text` does not meet to `failed`, e.g. "body does not contain \"ok\"".
  void check(const std::string& text, std::vector<std::string>& failed) const;

 private:
  std::string subject_;
  std::optional<std::string> contains_;
  std::string matches_text_;
  std::optional<std::regex> matches_;
};

// Sets the verdict: Pass with `pass_message` when nothing failed; otherwise Fail, the failures
// joined by "; " as the message and listed in evidence "failed".
void conclude(Observation& o, const std::vector<std::string>& failed,
              const std::string& pass_message);

// Milliseconds rounded to the microsecond, for evidence.
double milliseconds(common::Duration d);

}  // namespace firedrill::validators::live
