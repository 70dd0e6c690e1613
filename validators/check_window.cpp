#include "validators/check_window.hpp"

#include "common/units.hpp"

namespace firedrill::validators {

namespace {

CheckState state_of(Verdict v) {
  switch (v) {
    case Verdict::Pass:
      return CheckState::Passed;
    case Verdict::Fail:
      return CheckState::Failed;
    case Verdict::Inconclusive:
      return CheckState::Inconclusive;
  }
  return CheckState::Failed;
}

}  // namespace

CheckWindow::CheckWindow(WindowKind kind, std::size_t checks,
                         std::optional<Clock::time_point> last_fault)
    : kind_(kind), last_fault_(last_fault), checks_(checks) {}

void CheckWindow::record(Clock::time_point at, std::vector<Observation> poll) {
  if (settled_) return;
  bool all_passed = true;
  bool final_seen = false;
  for (std::size_t i = 0; i < checks_.size() && i < poll.size(); ++i) {
    WindowCheck& c = checks_[i];
    Observation& o = poll[i];
    ++c.polls;
    const bool passed = o.verdict == Verdict::Pass;
    all_passed = all_passed && passed;
    if (passed && kind_ == WindowKind::Eventually && !c.time_to_detect && last_fault_) {
      c.time_to_detect = at - *last_fault_;
    }
    final_seen = final_seen || o.final;
    // consistently: the first poll that does not pass decides the check and ends the window.
    if (kind_ == WindowKind::Consistently && !passed) {
      c.state = state_of(o.verdict);
      settled_ = true;
    } else if (o.final) {
      c.state = state_of(o.verdict);
    }
    c.observation = std::move(o);
  }
  if (kind_ == WindowKind::Eventually && all_passed) {
    for (auto& c : checks_) c.state = CheckState::Passed;
    settled_ = true;
  } else if (final_seen && !settled_) {
    // A final observation ends the window: the others stand as their latest poll left them.
    for (auto& c : checks_) {
      if (c.state == CheckState::Pending) c.state = state_of(c.observation.verdict);
    }
    settled_ = true;
  }
  if (!settled_) return;
  for (auto& c : checks_) {
    if (c.state != CheckState::Passed) c.time_to_detect.reset();
  }
}

void CheckWindow::close(bool stopped, Clock::duration length) {
  for (auto& c : checks_) {
    if (c.state != CheckState::Pending) continue;
    Observation& o = c.observation;
    if (stopped) {
      c.state = CheckState::Inconclusive;
      o.message = "the drill stopped before the window ended" +
                  (o.message.empty() ? std::string() : "; last poll: " + o.message);
    } else if (kind_ == WindowKind::Consistently) {
      c.state = CheckState::Passed;
    } else if (c.polls == 0) {
      c.state = CheckState::Inconclusive;
      o.message = "the window ended before the check was polled";
    } else if (o.verdict == Verdict::Pass) {
      c.state = CheckState::Passed;
    } else {
      c.state = state_of(o.verdict);
      o.message = "did not hold within " + common::format_duration(length) + ": " + o.message;
    }
    if (c.state != CheckState::Passed) c.time_to_detect.reset();
  }
  settled_ = true;
}

}  // namespace firedrill::validators
