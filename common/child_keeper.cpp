#include "common/child_keeper.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace firedrill::common {

namespace {

constexpr int kMaxGroups = 4096;

// The keeper, after fork: async-signal-safe calls only, since firedrill has threads.
[[noreturn]] void keep(int pipe_read) {
  ::setsid();
  ::prctl(PR_SET_NAME, "firedrill-keep", 0, 0, 0);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE}) {
    ::sigaction(sig, &ignore, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Hold nothing of firedrill's open: not its sockets, not the pipes a caller waits on.
  if (pipe_read != 3) {
    ::dup2(pipe_read, 3);
    pipe_read = 3;
  }
  int null = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
  ::close_range(4, ~0U, 0);

  pid_t groups[kMaxGroups];
  int count = 0;
  while (true) {
    pollfd p{pipe_read, POLLIN, 0};
    int ready = ::poll(&p, 1, 1000);
    if (ready > 0) {
      pid_t incoming[128];
      ssize_t n = ::read(pipe_read, incoming, sizeof incoming);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;
      for (ssize_t i = 0; n > 0 && i < n / static_cast<ssize_t>(sizeof(pid_t)); ++i) {
        if (count < kMaxGroups) groups[count++] = incoming[i];
      }
    }
    for (int i = 0; i < count;) {
      if (::kill(-groups[i], 0) < 0 && errno == ESRCH) {
        groups[i] = groups[--count];
      } else {
        ++i;
      }
    }
  }
  for (int i = 0; i < count; ++i) ::kill(-groups[i], SIGKILL);
  ::_exit(0);
}

}  // namespace

void ChildKeeper::start() {
  tried_ = true;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[1]);
    keep(fds[0]);
  }
  ::close(fds[0]);
  if (pid < 0) {
    ::close(fds[1]);
    return;
  }
  pipe_write_ = fds[1];
}

void ChildKeeper::watch(pid_t pgid) {
  std::lock_guard lock(mutex_);
  if (!tried_) start();
  if (pipe_write_ < 0) return;
  // One pid_t is far below PIPE_BUF, so the write is whole or not at all.
  while (::write(pipe_write_, &pgid, sizeof pgid) < 0 && errno == EINTR) {
  }
}

ChildKeeper& child_keeper() {
  static ChildKeeper keeper;
  return keeper;
}

}  // namespace firedrill::common
