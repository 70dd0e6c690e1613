#include "validators/live_check_support.hpp"

#include <chrono>
#include <cmath>

#include "common/errors.hpp"
#include "common/text.hpp"

namespace firedrill::validators::live {

TextExpectation::TextExpectation(const common::Params& p, const std::string& subject)
    : subject_(subject) {
  const std::string contains = subject + "Contains";
  const std::string matches = subject + "Matches";
  if (p.contains(contains)) contains_ = p.at(contains).get<std::string>();
  if (p.contains(matches)) {
    matches_text_ = p.at(matches).get<std::string>();
    try {
      matches_ = common::compile_regex(matches_text_);
    } catch (const common::ValueError& e) {
      throw common::ValueError(matches + ": " + e.what());
    }
  }
}

std::string TextExpectation::describe() const {
  std::string text;
  if (contains_) text += ", " + subject_ + " contains " + common::quoted_excerpt(*contains_);
  if (matches_) {
    text += ", " + subject_ + " matches /" + common::excerpt(matches_text_, 120) + "/";
  }
  return text;
}

void TextExpectation::check(const std::string& text, std::vector<std::string>& failed) const {
  if (contains_ && text.find(*contains_) == std::string::npos) {
    failed.push_back(subject_ + " does not contain " + common::quoted_excerpt(*contains_));
  }
  if (matches_ && !std::regex_search(text, *matches_)) {
    failed.push_back(subject_ + " does not match /" + common::excerpt(matches_text_, 120) + "/");
  }
}

void conclude(Observation& o, const std::vector<std::string>& failed,
              const std::string& pass_message) {
  if (failed.empty()) {
    o.verdict = Verdict::Pass;
    o.message = pass_message;
    return;
  }
  o.verdict = Verdict::Fail;
  o.evidence["failed"] = failed;
  for (const auto& f : failed) o.message += (o.message.empty() ? "" : "; ") + f;
}

double milliseconds(common::Duration d) {
  return std::round(std::chrono::duration<double, std::milli>(d).count() * 1000) / 1000;
}

}  // namespace firedrill::validators::live
