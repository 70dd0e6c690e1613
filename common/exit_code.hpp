#pragma once

namespace firedrill::common {

// The exit codes of every subcommand and of a drill's result (DESIGN.md). Unscoped: they are
// what main() returns.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,   // a check or threshold failed
  kExitUsage = 2,    // invalid command line or drill file: nothing was run or changed
  kExitAborted = 3,  // aborted, or the target / infrastructure could not be reached
  kExitRevertFailed = 4,
};

}  // namespace firedrill::common
