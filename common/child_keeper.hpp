#pragma once
#include <sys/types.h>

#include <mutex>

namespace firedrill::common {

// Makes the process groups firedrill starts (exec commands, local services) die with it, however
// it ends, kill -9 included. A shell's children do not share the shell's parent-death signal, so
// the first watch() forks a keeper: a small process in its own session, ignoring the terminal's
// signals, that holds one end of a socket pair whose other end only firedrill has. When firedrill
// ends, the socket closes and the keeper SIGKILLs every group it was told of that still exists,
// then exits. Groups that have emptied are dropped every second, so an id the kernel reuses later
// is not killed.
class ChildKeeper {
 public:
  // Registers the process group `pgid` (its leader's pid). Never throws: without a keeper the
  // group is still killed on every ending firedrill handles itself.
  void watch(pid_t pgid);

 private:
  void start();  // under mutex_

  std::mutex mutex_;
  int channel_ = -1;
  bool tried_ = false;
};

ChildKeeper& child_keeper();

}  // namespace firedrill::common
