#include "common/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "common/child_keeper.hpp"
#include "common/process_environment.hpp"

namespace firedrill::common {

namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class Fd {
 public:
  Fd() = default;
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

std::runtime_error system_failure(const std::string& what, int error) {
  return std::runtime_error(what + ": " + std::strerror(error));
}

void make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw system_failure("cannot create a pipe", errno);
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
}

// The child's environment: ours, with the request's variables added or replaced.
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& additions) {
  ProcessEnvironment env = ProcessEnvironment::current();
  for (const auto& [name, value] : additions) env.set(name, value);
  return env.entries();
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// RAII for the posix_spawn attribute objects.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

struct Capture {
  Fd fd;
  std::string* text;
  bool* truncated;
  std::size_t cap;

  bool open() const { return fd.get() >= 0; }
  // Reads what is there now; closes at end of file.
  void drain() {
    char buffer[16 * 1024];
    while (open()) {
      ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) {
        fd.reset();
        return;
      }
      std::size_t room = cap - std::min(cap, text->size());
      std::size_t keep = std::min(room, static_cast<std::size_t>(n));
      text->append(buffer, keep);
      if (keep < static_cast<std::size_t>(n)) *truncated = true;
    }
  }
};

}  // namespace

std::vector<std::string> shell_argv(const std::string& command) {
  return {"/bin/sh", "-c", command};
}

std::string SubprocessResult::status_text(Duration timeout) const {
  if (timed_out) return "timed out after " + format_duration(timeout);
  if (exited) return "exit code " + std::to_string(exit_code);
  return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
}

SubprocessResult run_subprocess(const SubprocessRequest& request) {
  if (request.argv.empty()) throw std::invalid_argument("run_subprocess: empty argv");
  SubprocessResult result;
  Capture captures[2] = {{Fd(), &result.out, &result.out_truncated, request.output_cap},
                         {Fd(), &result.err, &result.err_truncated, request.output_cap}};
  Fd out_write, err_write;
  make_pipe(captures[0].fd, out_write);
  make_pipe(captures[1].fd, err_write);

  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, out_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, err_write.get(), STDERR_FILENO);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&setup.attributes, &all);
  posix_spawnattr_setsigmask(&setup.attributes, &none);
  posix_spawnattr_setpgroup(&setup.attributes, 0);
  posix_spawnattr_setflags(&setup.attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_strings = request.argv;
  std::vector<std::string> env_strings = child_environment(request.env);
  std::vector<char*> argv = c_strings(argv_strings);
  std::vector<char*> envp = c_strings(env_strings);

  auto start = SteadyClock::now();
  pid_t pid = -1;
  int error =
      posix_spawnp(&pid, argv[0], &setup.actions, &setup.attributes, argv.data(), envp.data());
  if (error != 0) throw system_failure("cannot run \"" + request.argv[0] + "\"", error);
  out_write.reset();
  err_write.reset();
  // After the resets: a keeper forked here must not hold the command's output open.
  child_keeper().watch(pid);
  for (auto& c : captures) ::fcntl(c.fd.get(), F_SETFL, O_NONBLOCK);

  bool has_deadline = request.timeout > Duration::zero();
  auto deadline = start + request.timeout;
  // Closed pipes wake the poll below, but a command can end while a background child keeps
  // them open, so the wait for its exit is also checked on a short tick.
  milliseconds idle_tick{1};
  int status = 0;
  while (true) {
    pid_t reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == pid) break;
    if (reaped < 0 && errno != EINTR) throw system_failure("waitpid", errno);
    auto now = SteadyClock::now();
    if (has_deadline && now >= deadline) {
      // The leader is not yet reaped, so its process group id cannot have been reused.
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      result.timed_out = true;
      break;
    }
    pollfd fds[2];
    nfds_t count = 0;
    for (auto& c : captures) {
      if (c.open()) fds[count++] = {c.fd.get(), POLLIN, 0};
    }
    milliseconds wait = count ? milliseconds(20) : idle_tick;
    idle_tick = std::min(idle_tick * 2, milliseconds(20));
    if (has_deadline) {
      auto left = std::chrono::ceil<milliseconds>(deadline - now);
      wait = std::min(wait, left);
    }
    if (::poll(fds, count, static_cast<int>(wait.count())) > 0) {
      for (auto& c : captures) c.drain();
    }
  }
  result.elapsed = SteadyClock::now() - start;
  for (auto& c : captures) c.drain();
  if (WIFEXITED(status)) {
    result.exited = true;
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace firedrill::common
