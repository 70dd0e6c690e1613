#pragma once
#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "validators/check.hpp"

namespace firedrill::validators {

enum class WindowKind { Eventually, Consistently };

// Where one check of a window stands. Pending until the window decides it.
enum class CheckState { Pending, Passed, Failed, Inconclusive };

struct WindowCheck {
  CheckState state = CheckState::Pending;
  // The observation of the poll that decided the check (while pending: of the latest poll).
  Observation observation;
  int polls = 0;
  // From the most recent fault to the first poll at which this check passed; eventually windows
  // only, and only for a check that passed.
  std::optional<std::chrono::steady_clock::duration> time_to_detect;
};

// The rules of a validate step's window, apart from any clock or check: the Runner polls every
// check, hands the poll's observations here, and asks whether the window has settled.
//
// eventually: the window passes at the first poll at which every check passes, and each check
// reports that poll's evidence. A check's time to detect is its own first passing poll. At the
// deadline each check is judged by its latest poll.
// consistently: the window fails at the first poll at which any check does not pass (that check
// fails or is inconclusive); at the deadline every check passes.
// Either way a final observation (Observation::final) decides its check at once.
class CheckWindow {
 public:
  using Clock = std::chrono::steady_clock;

  CheckWindow(WindowKind kind, std::size_t checks,
              std::optional<Clock::time_point> last_fault = std::nullopt);

  // One poll of every check, in order, taken at `at`. No effect once settled.
  void record(Clock::time_point at, std::vector<Observation> poll);
  bool settled() const { return settled_; }
  // Decides every check still pending: at the deadline, or when the drill stops early.
  void close(bool stopped, std::chrono::steady_clock::duration length);

  WindowKind kind() const { return kind_; }
  const std::vector<WindowCheck>& checks() const { return checks_; }

 private:
  WindowKind kind_;
  std::optional<Clock::time_point> last_fault_;
  std::vector<WindowCheck> checks_;
  bool settled_ = false;
};

}  // namespace firedrill::validators
