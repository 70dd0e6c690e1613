#pragma once
#include "local/unique_fd.hpp"

namespace firedrill::local {

// Wakes a thread that waits in poll(): it polls read_fd(), and any thread calls wake().
class WakePipe {
 public:
  WakePipe();  // throws std::runtime_error when no pipe can be had
  int read_fd() const { return read_.get(); }
  void wake() const;
  // Empties the pipe once the waiting thread woke.
  void drain() const;

 private:
  UniqueFd read_;
  UniqueFd write_;
};

}  // namespace firedrill::local
