#include "cli/run_signals.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>

namespace firedrill::cli {

namespace {

std::atomic<scenarios::Runner*> g_runner{nullptr};
std::atomic<int> g_signals{0};

void say(const char* text) {
  if (!text) return;
  // A closed stderr is no reason to stop reverting; the result is not looked at.
  [[maybe_unused]] auto n = write(STDERR_FILENO, text, std::strlen(text));
}

// Async-signal-safe only: atomics, write(2), strlen and sigabbrev_np (a table lookup).
extern "C" void on_run_signal(int signal) {
  // The interrupted code may be about to read errno (strerror after a failed call).
  const int saved_errno = errno;
  struct RestoreErrno {
    int value;
    ~RestoreErrno() { errno = value; }
  } restore{saved_errno};
  scenarios::Runner* runner = g_runner.load();
  if (!runner) return;
  if (g_signals.fetch_add(1) == 0) {
    runner->interrupt(signal);
    say("\ninterrupted by SIG");
    say(sigabbrev_np(signal));
    say(": stopping the load and reverting faults (a second signal shows what is being "
        "reverted)\n");
    return;
  }
  const char* what = runner->reverting_now();
  say(what ? "still reverting, please wait: " : "still stopping, please wait");
  say(what);
  say("\n");
}

}  // namespace

const std::vector<int>& RunSignals::handled() {
  static const std::vector<int> signals = {SIGINT,  SIGTERM, SIGHUP, SIGQUIT,
                                           SIGUSR1, SIGUSR2, SIGALRM};
  return signals;
}

RunSignals::RunSignals(scenarios::Runner& runner) {
  g_signals.store(0);
  g_runner.store(&runner);
  struct sigaction action {};
  action.sa_handler = on_run_signal;
  sigemptyset(&action.sa_mask);
  // Restarted system calls keep a slow revert (a kubectl call, a write) from failing halfway.
  action.sa_flags = SA_RESTART;
  for (int signal : handled()) {
    struct sigaction old {};
    sigaction(signal, &action, &old);
    previous_.push_back(old);
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  for (int signal : ignored()) {
    struct sigaction old {};
    sigaction(signal, &ignore, &old);
    previous_.push_back(old);
  }
}

const std::vector<int>& RunSignals::ignored() {
  static const std::vector<int> signals = {SIGPIPE, SIGXFSZ};
  return signals;
}

RunSignals::~RunSignals() {
  // What is still buffered would be written at exit, after SIGPIPE is fatal again.
  std::cout.flush();
  std::cerr.flush();
  std::vector<int> signals = handled();
  signals.insert(signals.end(), ignored().begin(), ignored().end());
  for (std::size_t i = 0; i < signals.size(); ++i) sigaction(signals[i], &previous_[i], nullptr);
  g_runner.store(nullptr);
}

}  // namespace firedrill::cli
