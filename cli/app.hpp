#pragma once

namespace firedrill::cli {

// Exit codes shared by every subcommand (DESIGN.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,   // a check or threshold failed
  kExitUsage = 2,    // invalid command line or drill file: nothing was run or changed
  kExitAborted = 3,  // aborted, or the target / infrastructure could not be reached
  kExitRevertFailed = 4,
};

int run_app(int argc, char** argv);

}  // namespace firedrill::cli
