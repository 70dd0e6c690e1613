#pragma once
// Outside tools a test drives (xmllint, chromium), run through the shell.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace firedrill::testing {

struct ToolResult {
  int exit_code = -1;
  std::string output;  // standard output and standard error, interleaved
};

inline ToolResult run_tool(const std::string& shell_command) {
  ToolResult r;
  FILE* pipe = popen((shell_command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) r.output.append(buf, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Single-quoted for the shell.
inline std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

inline bool have_tool(const std::string& name) {
  return std::system(("command -v " + shell_quote(name) + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace firedrill::testing
