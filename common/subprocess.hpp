#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "common/units.hpp"

namespace firedrill::common {

struct SubprocessRequest {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  // Added to firedrill's own environment, replacing variables of the same name.
  std::vector<std::pair<std::string, std::string>> env;
  // 0: wait as long as it takes. Otherwise, when it runs out, the command's whole process group
  // is killed (SIGKILL), so a shell's children do not outlive it.
  Duration timeout{0};
  // Per stream; whatever comes after is read and dropped so the command never blocks on a full
  // pipe.
  std::size_t output_cap = 1024 * 1024;
};

// {"/bin/sh", "-c", command}
std::vector<std::string> shell_argv(const std::string& command);

struct SubprocessResult {
  bool exited = false;  // ended by exit(); otherwise killed by `signal`
  int exit_code = -1;
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
  bool out_truncated = false;
  bool err_truncated = false;
  Duration elapsed{0};

  bool succeeded() const { return exited && exit_code == 0; }
  // "exit code 3", "killed by signal 9 (Killed)", "timed out after 5s".
  std::string status_text(Duration timeout) const;
};

// Runs a command to completion in its own process group, stdin from /dev/null, with the default
// signal dispositions whatever firedrill ignores. Returns when the command itself has ended,
// even if something it started in the background still holds its output open. Throws
// std::runtime_error when the command cannot be started at all (e.g. no such program).
SubprocessResult run_subprocess(const SubprocessRequest& request);

}  // namespace firedrill::common
