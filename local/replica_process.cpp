#include "local/replica_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "common/child_keeper.hpp"

namespace firedrill::local {

namespace {

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Everything the child needs between fork and exec, prepared before the fork.
struct ChildPlan {
  pid_t parent;
  int out_fd, err_fd;
  const char* program;      // nullptr: not found
  const char* working_dir;  // nullptr: firedrill's own
  char* const* argv;
  char* const* envp;
  ChildMemorySetup memory;
  const std::string* failure;  // written to stderr when the program cannot run
  const std::string* cgroup_failure;
  sigset_t no_signals;
};

// Runs in the forked child: async-signal-safe calls only.
[[noreturn]] void exec_child(const ChildPlan& plan) {
  ::setpgid(0, 0);
  // The replica must not outlive firedrill, even when firedrill is killed outright.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != plan.parent) ::_exit(127);
  int null = ::open("/dev/null", O_RDONLY);
  ::dup2(null, STDIN_FILENO);
  ::dup2(plan.out_fd, STDOUT_FILENO);
  ::dup2(plan.err_fd, STDERR_FILENO);
  [[maybe_unused]] ssize_t written = 0;
  if (!apply_in_child(plan.memory)) {
    written = ::write(STDERR_FILENO, plan.cgroup_failure->data(), plan.cgroup_failure->size());
  }
  if (plan.working_dir && ::chdir(plan.working_dir) != 0) {
    written = ::write(STDERR_FILENO, plan.failure->data(), plan.failure->size());
    ::_exit(127);
  }
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) ::sigaction(s, &default_action, nullptr);
  ::sigprocmask(SIG_SETMASK, &plan.no_signals, nullptr);
  if (plan.program) ::execve(plan.program, plan.argv, plan.envp);
  written = ::write(STDERR_FILENO, plan.failure->data(), plan.failure->size());
  ::_exit(127);
}

std::string failure_text(const ProcessLaunch& launch) {
  const std::string where =
      launch.working_dir.empty() ? std::string(".") : launch.working_dir.string();
  return "firedrill: cannot run `" + launch.argv.front() + "`" +
         (launch.program.empty() ? ": not found in PATH\n"
                                 : " in " + where + ": execve or chdir failed\n");
}

}  // namespace

std::variant<StartedProcess, LaunchError> start_process(const ProcessLaunch& launch) {
  std::vector<std::string> args = launch.argv;
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : launch.env) env_strings.push_back(name + "=" + value);
  std::vector<char*> argv = c_strings(args);
  std::vector<char*> envp = c_strings(env_strings);
  const std::string failure = failure_text(launch);
  const std::string cgroup_failure = "firedrill: cannot join the memory cgroup\n";
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return LaunchError{"pipe", errno};
  UniqueFd out_read(out[0]), out_write(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return LaunchError{"pipe", errno};
  UniqueFd err_read(err[0]), err_write(err[1]);
  ChildPlan plan{::getpid(),
                 out[1],
                 err[1],
                 launch.program.empty() ? nullptr : launch.program.c_str(),
                 launch.working_dir.empty() ? nullptr : launch.working_dir.c_str(),
                 argv.data(),
                 envp.data(),
                 launch.memory,
                 &failure,
                 &cgroup_failure,
                 {}};
  sigemptyset(&plan.no_signals);
  pid_t pid = ::fork();
  if (pid == 0) exec_child(plan);
  if (pid < 0) return LaunchError{"fork", errno};
  // Also here, so that the group exists before anyone can signal it.
  ::setpgid(pid, pid);
  // The replica has the parent-death signal, but what a shell-string command starts has not.
  common::child_keeper().watch(pid);
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  ::fcntl(err[0], F_SETFL, O_NONBLOCK);
  return StartedProcess{pid, std::move(out_read), std::move(err_read)};
}

std::optional<int> reap_process(pid_t pid, bool block) {
  siginfo_t info{};
  const int options = WEXITED | WNOWAIT | (block ? 0 : WNOHANG);
  int waited;
  while ((waited = ::waitid(P_PID, static_cast<id_t>(pid), &info, options)) != 0 &&
         errno == EINTR) {
  }
  if (waited != 0 || info.si_pid == 0) return std::nullopt;
  // While the ended process is not reaped its group id cannot be reused: what it started goes
  // with it.
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace firedrill::local
