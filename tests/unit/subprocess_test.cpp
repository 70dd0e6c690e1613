#include "common/subprocess.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace firedrill::common {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("firedrill-subprocess-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

SubprocessResult run_shell(const std::string& command, Duration timeout = 10s) {
  SubprocessRequest request;
  request.argv = shell_argv(command);
  request.timeout = timeout;
  return run_subprocess(request);
}

pid_t read_pid(const fs::path& file) {
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(file);
    pid_t pid = 0;
    if (in >> pid && pid > 0) return pid;
    std::this_thread::sleep_for(10ms);
  }
  return 0;
}

// Gone, or a zombie nobody has reaped yet: either way no longer running.
bool process_ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  std::size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() &&
         (line[paren + 2] == 'Z' || line[paren + 2] == 'X');
}

bool eventually_ended(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    if (process_ended(pid)) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(Subprocess, ExitCodeAndBothStreams) {
  SubprocessResult r = run_shell("echo out; echo err >&2; exit 3");
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.succeeded());
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.status_text(10s), "exit code 3");
}

TEST(Subprocess, SuccessfulCommand) {
  SubprocessResult r = run_shell("true");
  EXPECT_TRUE(r.succeeded());
  EXPECT_GT(r.elapsed, Duration::zero());
}

TEST(Subprocess, ArgvRunsWithoutAShell) {
  SubprocessRequest request;
  request.argv = {"printf", "%s|", "a b", "$HOME"};
  SubprocessResult r = run_subprocess(request);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out, "a b|$HOME|");
}

TEST(Subprocess, MissingProgramThrows) {
  SubprocessRequest request;
  request.argv = {"/nonexistent/firedrill-no-such-program"};
  try {
    run_subprocess(request);
    FAIL() << "started";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("firedrill-no-such-program"));
  }
}

TEST(Subprocess, KilledBySignal) {
  SubprocessResult r = run_shell("kill -TERM $$");
  EXPECT_FALSE(r.exited);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_THAT(r.status_text(10s), HasSubstr("killed by signal 15"));
}

TEST(Subprocess, SignalsIgnoredByFiredrillAreDefaultInTheCommand) {
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &previous);
  SubprocessResult r = run_shell("kill -INT $$; exit 0");
  sigaction(SIGINT, &previous, nullptr);
  EXPECT_FALSE(r.exited);
  EXPECT_EQ(r.signal, SIGINT);
}

TEST(Subprocess, StdinIsEmpty) {
  SubprocessResult r = run_shell("cat; echo done", 5s);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out, "done\n");
}

TEST(Subprocess, TimeoutKillsTheWholeProcessGroup) {
  TempDir dir;
  fs::path pid_file = dir.path() / "pid";
  auto start = std::chrono::steady_clock::now();
  SubprocessResult r =
      run_shell("sleep 30 & echo $! > '" + pid_file.string() + "'; echo started; sleep 30", 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.exited);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.out, "started\n");
  EXPECT_EQ(r.status_text(300ms), "timed out after 300ms");
  pid_t background = read_pid(pid_file);
  ASSERT_GT(background, 0);
  EXPECT_TRUE(eventually_ended(background)) << "the background sleep survived the timeout";
}

TEST(Subprocess, ReturnsWhenTheCommandEndsThoughABackgroundChildKeepsItsOutput) {
  auto start = std::chrono::steady_clock::now();
  SubprocessResult r = run_shell("sleep 20 & echo $!", 10s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(r.succeeded());
  pid_t background = std::stoi(r.out);
  // Only a timeout kills the group: what a command leaves running on purpose survives it.
  EXPECT_FALSE(process_ended(background));
  kill(background, SIGKILL);
}

TEST(Subprocess, OutputIsCappedWithoutBlockingTheCommand) {
  SubprocessRequest request;
  request.argv = shell_argv("head -c 300000 /dev/zero; head -c 10 /dev/zero >&2");
  request.output_cap = 1000;
  request.timeout = 10s;
  SubprocessResult r = run_subprocess(request);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out.size(), 1000u);
  EXPECT_TRUE(r.out_truncated);
  EXPECT_EQ(r.err.size(), 10u);
  EXPECT_FALSE(r.err_truncated);
}

TEST(Subprocess, EnvironmentAdditionsReplaceAndAdd) {
  ::setenv("FIREDRILL_SUBPROCESS_TEST", "old", 1);
  SubprocessRequest request;
  request.argv =
      shell_argv("printf '%s %s %s' \"$FIREDRILL_SUBPROCESS_TEST\" \"$EXTRA\" \"$PATH\"");
  request.env = {{"FIREDRILL_SUBPROCESS_TEST", "new"}, {"EXTRA", "a=b c"}};
  SubprocessResult r = run_subprocess(request);
  ::unsetenv("FIREDRILL_SUBPROCESS_TEST");
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.out, std::string("new a=b c ") + ::getenv("PATH"));
}

TEST(Subprocess, ShellArgv) {
  EXPECT_EQ(shell_argv("echo hi"), (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
}

}  // namespace
}  // namespace firedrill::common
