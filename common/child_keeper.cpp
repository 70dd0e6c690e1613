#include "common/child_keeper.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace firedrill::common {

namespace {

constexpr int kMaxGroups = 4096;

// The keeper, after fork: async-signal-safe calls only, since firedrill has threads.
[[noreturn]] void keep(int channel, int max_fd) {
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
  if (channel != 3) {
    ::dup2(channel, 3);
    channel = 3;
  }
  int null = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
  // Without close_range (older kernels, some seccomp profiles), one by one.
  if (::close_range(4, ~0U, 0) != 0) {
    for (int fd = 4; fd < max_fd; ++fd) ::close(fd);
  }

  pid_t groups[kMaxGroups];
  int count = 0;
  while (true) {
    pollfd p{channel, POLLIN, 0};
    int ready = ::poll(&p, 1, 1000);
    if (ready > 0) {
      pid_t incoming[128];
      ssize_t n = ::read(channel, incoming, sizeof incoming);
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
  // A socket rather than a pipe: writing to it when the keeper is gone fails with EPIPE instead
  // of raising SIGPIPE in commands that do not ignore it.
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return;
  const long open_max = ::sysconf(_SC_OPEN_MAX);
  const int max_fd = open_max > 0 && open_max < 65536 ? static_cast<int>(open_max) : 65536;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[1]);
    keep(fds[0], max_fd);
  }
  ::close(fds[0]);
  if (pid < 0) {
    ::close(fds[1]);
    return;
  }
  channel_ = fds[1];
}

void ChildKeeper::watch(pid_t pgid) {
  std::lock_guard lock(mutex_);
  if (!tried_) start();
  if (channel_ < 0) return;
  // A few bytes on a stream socket: sent whole, read whole by the keeper's 4-byte-aligned reads.
  while (::send(channel_, &pgid, sizeof pgid, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

ChildKeeper& child_keeper() {
  static ChildKeeper keeper;
  return keeper;
}

}  // namespace firedrill::common
