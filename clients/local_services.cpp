#include "clients/local_services.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "clients/http_client.hpp"
#include "clients/memory_limit.hpp"
#include "clients/replica_log.hpp"
#include "clients/rfc3339.hpp"
#include "common/child_keeper.hpp"
#include "common/errors.hpp"
#include "common/units.hpp"

extern char** environ;

namespace firedrill::clients {

namespace fs = std::filesystem;

namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How often the supervisor looks for ended processes and due restarts when no output arrives.
constexpr milliseconds kTick{50};
// The kubelet forgets a container's backoff once it has run for twice its maximum backoff. A
// drill's services restart within seconds, so the reset is tied to the base instead: a replica
// that stayed up ten times its first delay has shown it can run, and its next failure is a new
// incident rather than the same crash loop.
constexpr int kBackoffResetFactor = 10;
// The kubelet calls it a crash loop once the container failed again while backing off.
constexpr int kCrashLoopAfter = 2;
constexpr std::size_t kLogTailLines = 10;

std::string name_of(const ServiceSpec& spec, int index) {
  return spec.name + "-" + std::to_string(index);
}

std::string replica_text(const std::string& service, int index) {
  return "service `" + service + "` replica " + std::to_string(index);
}

void validate(const std::vector<ServiceSpec>& services) {
  for (size_t i = 0; i < services.size(); ++i) {
    const ServiceSpec& s = services[i];
    const std::string what = "service `" + s.name + "`";
    if (!valid_service_name(s.name)) {
      throw common::ValueError(what + ": a service name is lowercase letters, digits and -");
    }
    if (s.command.empty() || s.command.front().empty()) {
      throw common::ValueError(what + ": command must name a program");
    }
    if (s.replicas < 1) throw common::ValueError(what + ": replicas must be at least 1");
    if (s.port < 0 || s.port + s.replicas - 1 > 65535) {
      throw common::ValueError(what + ": port + replicas - 1 must be a port, at most 65535");
    }
    if (s.readiness && s.port == 0) {
      throw common::ValueError(what + ": readiness probes the service's port; give it a port");
    }
    if (s.readiness && s.readiness->period <= Duration::zero()) {
      throw common::ValueError(what + ": the readiness period must be longer than 0");
    }
    if (s.backoff <= Duration::zero() || s.max_backoff < s.backoff) {
      throw common::ValueError(what + ": backoff must be longer than 0 and at most maxBackoff");
    }
    if (s.memory_limit && *s.memory_limit == 0) {
      throw common::ValueError(what + ": memoryLimit must be more than 0 bytes");
    }
    for (size_t j = 0; j < i; ++j) {
      const ServiceSpec& o = services[j];
      if (o.name == s.name) throw common::ValueError(what + " is declared twice");
      if (s.port != 0 && o.port != 0 && s.port < o.port + o.replicas &&
          o.port < s.port + s.replicas) {
        throw common::ValueError(what + ": its ports overlap those of service `" + o.name + "`");
      }
    }
  }
}

// Kubernetes' expansion of container arguments: $(NAME) is the variable's value, $$ is $, and a
// reference to an unknown variable stays as written.
std::string expand_references(const std::string& text,
                              const std::map<std::string, std::string>& env) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    auto close = text[i + 1] == '(' ? text.find(')', i + 2) : std::string::npos;
    if (close == std::string::npos) {
      out += '$';
      continue;
    }
    auto it = env.find(text.substr(i + 2, close - i - 2));
    out += it != env.end() ? it->second : text.substr(i, close - i + 1);
    i = close;
  }
  return out;
}

// argv[0] as execve needs it: a path. Empty when PATH has no such program.
std::string resolve_program(const std::string& name,
                            const std::map<std::string, std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  auto path = env.find("PATH");
  std::string dirs = path != env.end() ? path->second : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = std::min(dirs.find(':', start), dirs.size());
    fs::path candidate = fs::path(end > start ? dirs.substr(start, end - start) : ".") / name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
    start = end + 1;
  }
  return "";
}

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

std::string signal_text(int signal) {
  return "signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string log_tail(const fs::path& file) {
  std::vector<LogLine> lines = read_log_lines(file, WallClock::time_point{});
  if (lines.empty()) return "; its log " + file.string() + " is empty";
  std::string out = "; the last lines of its log " + file.string() + ":";
  size_t first = lines.size() > kLogTailLines ? lines.size() - kLogTailLines : 0;
  for (size_t i = first; i < lines.size(); ++i) out += "\n    " + lines[i].text;
  return out;
}

}  // namespace

bool valid_service_name(const std::string& name) {
  return !name.empty() &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

nlohmann::json Termination::to_json() const {
  return {{"at", format_rfc3339(at)},
          {"reason", reason},
          {"exitCode", exit_code},
          {"signal", signal},
          {"detail", detail}};
}

nlohmann::json ReplicaStatus::to_json() const {
  nlohmann::json out = {
      {"service", service}, {"index", index},       {"port", port},
      {"pid", pid},         {"state", state},       {"waitingReason", waiting_reason},
      {"ready", ready},     {"restarts", restarts}, {"logFile", log_file.string()}};
  if (started_at != WallClock::time_point{}) out["startedAt"] = format_rfc3339(started_at);
  out["terminations"] = nlohmann::json::array();
  for (const auto& t : terminations) out["terminations"].push_back(t.to_json());
  if (memory_limit) out["memoryLimit"] = *memory_limit;
  return out;
}

struct LocalServices::Impl {
  struct Replica {
    const ServiceSpec* spec = nullptr;
    int index = 0;
    int port = 0;
    fs::path dir;
    fs::path log_path;
    std::unique_ptr<ReplicaLog> log;

    pid_t pid = 0;
    int out_fd = -1;
    int err_fd = -1;
    std::string state = "stopped";
    std::string waiting_reason;
    bool ready = false;
    int starts = 0;
    uint64_t generation = 0;  // of the current process, so a late probe result is dropped
    WallClock::time_point started_at{};
    SteadyClock::time_point started_steady{};
    std::vector<Termination> terminations;

    SteadyClock::time_point start_at{};  // while waiting
    Duration next_backoff{0};
    int quick_exits = 0;
    bool held_down = false;
    bool force_restart = false;  // its process was replaced: restart whatever the policy says
    int sent_signal = 0;         // firedrill signalled the current process
    std::vector<std::string> command_override;

    std::unique_ptr<MemoryLimit> memory;
    uint64_t oom_kills_at_start = 0;
    SteadyClock::time_point next_probe{};
  };

  std::vector<ServiceSpec> services;
  fs::path run_dir;
  std::string self_exe;
  fs::path cgroup_root;
  std::string unique;  // names this supervisor's cgroups

  mutable std::mutex mu;
  std::condition_variable changed;
  std::vector<std::unique_ptr<Replica>> replicas;
  bool started = false;
  bool stopping = false;
  bool stopped = false;
  bool exit_threads = false;
  std::mutex stop_mu;  // one stop_all() at a time
  std::thread supervisor;
  std::thread prober;
  int wake_read = -1;
  int wake_write = -1;

  ~Impl() {
    close_fd(wake_read);
    close_fd(wake_write);
  }

  const ServiceSpec& service(const std::string& name) const {
    for (const auto& s : services) {
      if (s.name == name) return s;
    }
    std::string known;
    for (const auto& s : services) known += (known.empty() ? "`" : ", `") + s.name + "`";
    throw common::ValueError("unknown service `" + name + "`" +
                             (known.empty() ? "; the drill has none" : "; services: " + known));
  }

  Replica& replica(const std::string& name, int index) const {
    const ServiceSpec& spec = service(name);
    if (index < 0 || index >= spec.replicas) {
      throw common::ValueError("service `" + name + "` has replicas 0 to " +
                               std::to_string(spec.replicas - 1) + ", not " +
                               std::to_string(index));
    }
    for (const auto& r : replicas) {
      if (r->spec == &spec && r->index == index) return *r;
    }
    throw std::logic_error("replica missing");
  }

  void wake() const {
    char byte = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_write, &byte, 1);
  }

  std::map<std::string, std::string> environment_of(const Replica& r) const {
    std::map<std::string, std::string> env;
    for (char** e = environ; e && *e; ++e) {
      std::string entry(*e);
      auto eq = entry.find('=');
      if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    for (const auto& [name, value] : r.spec->env) env[name] = value;
    if (r.port != 0) env["PORT"] = std::to_string(r.port);
    env["REPLICA"] = std::to_string(r.index);
    env["SERVICE"] = r.spec->name;
    env["SERVICE_DIR"] = r.dir.string();
    return env;
  }

  // Under `mu`, on the supervisor thread only: PR_SET_PDEATHSIG fires when the thread that
  // forked ends, and this thread lives until every replica has stopped.
  std::vector<std::string> argv_of(const Replica& r,
                                   const std::map<std::string, std::string>& env) const {
    const std::vector<std::string>& command =
        r.command_override.empty() ? r.spec->command : r.command_override;
    std::vector<std::string> args;
    for (const auto& a : command) args.push_back(expand_references(a, env));
    if (command.front() == "firedrill") args.front() = self_exe;
    return args;
  }

  std::string program_of(const Replica& r) const { return argv_of(r, environment_of(r)).front(); }

  void spawn(Replica& r) {
    std::map<std::string, std::string> env = environment_of(r);
    std::vector<std::string> args = argv_of(r, env);
    const std::string program = resolve_program(args.front(), env);
    std::vector<std::string> env_strings;
    for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
    std::vector<char*> argv = c_strings(args);
    std::vector<char*> envp = c_strings(env_strings);
    const std::string failure =
        "firedrill: cannot run `" + args.front() + "`" +
        (program.empty()
             ? ": not found in PATH\n"
             : " in " +
                   (r.spec->working_dir.empty() ? std::string(".") : r.spec->working_dir.string()) +
                   ": execve or chdir failed\n");
    const std::string cgroup_failure = "firedrill: cannot join the memory cgroup\n";

    ++r.starts;
    r.started_at = WallClock::now();
    r.started_steady = SteadyClock::now();
    r.sent_signal = 0;
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return start_failed(r, "pipe", errno);
    if (::pipe2(err, O_CLOEXEC) != 0) {
      int error = errno;
      ::close(out[0]);
      ::close(out[1]);
      return start_failed(r, "pipe", error);
    }
    ChildPlan plan{::getpid(),
                   out[1],
                   err[1],
                   program.empty() ? nullptr : program.c_str(),
                   r.spec->working_dir.empty() ? nullptr : r.spec->working_dir.c_str(),
                   argv.data(),
                   envp.data(),
                   r.memory ? r.memory->child_setup() : ChildMemorySetup{},
                   &failure,
                   &cgroup_failure,
                   {}};
    sigemptyset(&plan.no_signals);
    if (r.memory) r.oom_kills_at_start = r.memory->oom_kills();
    pid_t pid = ::fork();
    if (pid == 0) exec_child(plan);
    int fork_error = errno;
    ::close(out[1]);
    ::close(err[1]);
    if (pid < 0) {
      ::close(out[0]);
      ::close(err[0]);
      return start_failed(r, "fork", fork_error);
    }
    // Also here, so that the group exists before anyone can signal it.
    ::setpgid(pid, pid);
    // The replica has the parent-death signal, but what a shell-string command starts has not.
    common::child_keeper().watch(pid);
    ::fcntl(out[0], F_SETFL, O_NONBLOCK);
    ::fcntl(err[0], F_SETFL, O_NONBLOCK);
    r.pid = pid;
    r.out_fd = out[0];
    r.err_fd = err[0];
    r.state = "running";
    r.waiting_reason.clear();
    r.ready = !r.spec->readiness;
    ++r.generation;
    r.next_probe = r.started_steady;
  }

  void start_failed(Replica& r, const std::string& call, int error) {
    const std::string detail = "cannot start: " + call + ": " + std::strerror(error);
    r.log->append(LogStream::Stderr, "firedrill: " + detail + "\n");
    Termination t;
    t.at = WallClock::now();
    t.reason = "Error";
    t.exit_code = 128;
    t.detail = detail;
    ended(r, std::move(t));
  }

  Termination classify(const Replica& r, int status) const {
    Termination t;
    t.at = WallClock::now();
    const bool signalled = WIFSIGNALED(status);
    if (signalled) {
      t.signal = WTERMSIG(status);
      t.exit_code = 128 + t.signal;
    } else {
      t.exit_code = WEXITSTATUS(status);
    }
    // A shell that runs the program as its child reports the child's SIGKILL as 137.
    const bool sigkill = t.exit_code == 128 + SIGKILL;
    if (r.memory && r.memory->is_cgroup() && sigkill) {
      uint64_t kills = r.memory->oom_kills();
      if (kills > r.oom_kills_at_start) {
        t.reason = "OOMKilled";
        t.detail = "memory cgroup oom_kill count " + std::to_string(r.oom_kills_at_start) + " -> " +
                   std::to_string(kills);
        return t;
      }
    }
    if (signalled && r.sent_signal != 0) {
      t.reason = "Killed";
      t.detail = "killed by " + signal_text(t.signal) + " sent by firedrill";
      return t;
    }
    // Without a cgroup nothing counts OOM kills; under RLIMIT_AS a failed allocation ends a
    // program the way these signals do (abort() on bad_alloc, a NULL dereference, a runtime's
    // own kill).
    if (signalled && r.memory && !r.memory->is_cgroup() && r.memory->bytes() &&
        (t.signal == SIGABRT || t.signal == SIGSEGV || t.signal == SIGKILL)) {
      t.reason = "OOMKilled";
      t.detail = "killed by " + signal_text(t.signal) + " under a " +
                 common::format_bytes(*r.memory->bytes()) + " address-space limit";
      return t;
    }
    if (signalled) {
      t.reason = "Error";
      t.detail = "killed by " + signal_text(t.signal);
      return t;
    }
    t.reason = t.exit_code == 0 ? "Completed" : "Error";
    t.detail = "exit code " + std::to_string(t.exit_code);
    if (r.sent_signal != 0) t.detail += " after " + signal_text(r.sent_signal) + " from firedrill";
    return t;
  }

  // What happens after a process ended (or could not start): the restart policy and backoff.
  void ended(Replica& r, Termination t) {
    const bool success = t.exit_code == 0 && t.signal == 0;
    r.terminations.push_back(std::move(t));
    r.ready = false;
    r.waiting_reason.clear();
    if (stopping) {
      r.state = "stopped";
      return;
    }
    if (r.held_down) {
      r.state = "stopped";
      r.waiting_reason = "HeldDown";
      return;
    }
    const RestartPolicy policy = r.spec->restart;
    const bool restart = r.force_restart || policy == RestartPolicy::Always ||
                         (policy == RestartPolicy::OnFailure && !success);
    r.force_restart = false;
    if (!restart) {
      r.state = "exited";
      return;
    }
    const auto now = SteadyClock::now();
    if (now - r.started_steady >= kBackoffResetFactor * r.spec->backoff) {
      r.next_backoff = r.spec->backoff;
      r.quick_exits = 0;
    } else {
      ++r.quick_exits;
    }
    r.state = "waiting";
    if (r.quick_exits >= kCrashLoopAfter) r.waiting_reason = "CrashLoopBackOff";
    r.start_at = now + r.next_backoff;
    r.next_backoff = std::min(r.next_backoff * 2, r.spec->max_backoff);
  }

  void drain(Replica& r) {
    char buffer[64 * 1024];
    for (auto [fd, stream] :
         {std::pair{&r.out_fd, LogStream::Stdout}, std::pair{&r.err_fd, LogStream::Stderr}}) {
      while (*fd >= 0) {
        ssize_t n = ::read(*fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) {
          close_fd(*fd);
          break;
        }
        r.log->append(stream, std::string_view(buffer, static_cast<size_t>(n)));
      }
    }
  }

  // Only this replica's own child, never waitpid(-1): other parts of firedrill run commands too.
  // `block`: wait for it to end.
  void reap(Replica& r, bool block = false) {
    siginfo_t info{};
    const int options = WEXITED | WNOWAIT | (block ? 0 : WNOHANG);
    int waited;
    while ((waited = ::waitid(P_PID, static_cast<id_t>(r.pid), &info, options)) != 0 &&
           errno == EINTR) {
    }
    if (waited != 0 || info.si_pid == 0) return;
    // While the ended process is not reaped its group id cannot be reused: what it started goes
    // with it, as with a container.
    ::kill(-r.pid, SIGKILL);
    int status = 0;
    while (::waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
    }
    drain(r);
    close_fd(r.out_fd);
    close_fd(r.err_fd);
    r.log->flush();
    Termination t = classify(r, status);
    r.pid = 0;
    ended(r, std::move(t));
  }

  void supervise() {
    std::unique_lock lock(mu);
    while (!exit_threads) {
      std::vector<pollfd> fds = {{wake_read, POLLIN, 0}};
      for (const auto& r : replicas) {
        for (int fd : {r->out_fd, r->err_fd}) {
          if (fd >= 0) fds.push_back({fd, POLLIN, 0});
        }
      }
      lock.unlock();
      ::poll(fds.data(), fds.size(), static_cast<int>(kTick.count()));
      lock.lock();
      char sink[64];
      while (::read(wake_read, sink, sizeof sink) > 0) {
      }
      const auto now = SteadyClock::now();
      for (const auto& r : replicas) {
        drain(*r);
        if (r->pid != 0) reap(*r);
        if (!stopping && r->state == "waiting" && now >= r->start_at) spawn(*r);
      }
      changed.notify_all();
    }
  }

  struct Probe {
    Replica* replica;
    uint64_t generation;
    std::string url;
    Duration timeout;
  };

  void probe() {
    HttpClient client;
    std::unique_lock lock(mu);
    while (!exit_threads) {
      std::vector<Probe> due;
      const auto now = SteadyClock::now();
      for (const auto& r : replicas) {
        if (!r->spec->readiness || r->pid == 0 || now < r->next_probe) continue;
        const ReadinessProbe& p = *r->spec->readiness;
        r->next_probe = now + p.period;
        // Short, so that one hung replica does not hold up the probes of the others.
        Duration timeout = std::clamp<Duration>(p.period, milliseconds(100), milliseconds(1000));
        due.push_back({r.get(), r->generation,
                       "http://127.0.0.1:" + std::to_string(r->port) + p.path, timeout});
      }
      lock.unlock();
      std::vector<bool> results;
      for (const auto& p : due) {
        HttpRequest request;
        request.url = p.url;
        request.timeout = p.timeout;
        HttpResponse response = client.perform(request);
        results.push_back(response.ok() && response.status >= 200 && response.status < 300);
      }
      lock.lock();
      for (size_t i = 0; i < due.size(); ++i) {
        Replica& r = *due[i].replica;
        if (r.pid != 0 && r.generation == due[i].generation) r.ready = results[i];
      }
      if (!due.empty()) changed.notify_all();
      changed.wait_for(lock, kTick);
    }
  }

  ReplicaStatus status_of(const Replica& r) const {
    ReplicaStatus s;
    s.service = r.spec->name;
    s.index = r.index;
    s.port = r.port;
    s.pid = r.pid;
    s.state = r.state;
    s.waiting_reason = r.waiting_reason;
    s.ready = r.ready;
    s.restarts = std::max(0, r.starts - 1);
    s.started_at = r.started_at;
    s.terminations = r.terminations;
    if (r.memory && r.memory->bytes()) {
      s.memory_limit = common::format_bytes(*r.memory->bytes()) + " via " + r.memory->method_name();
    }
    s.log_file = r.log_path;
    return s;
  }

  std::string not_ready(const Replica& r, const std::string& why) const {
    ReplicaStatus s = status_of(r);
    std::string text = replica_text(s.service, s.index);
    if (s.port != 0) text += " (port " + std::to_string(s.port) + ")";
    text += " " + why + ": state " + s.state;
    if (!s.waiting_reason.empty()) text += " (" + s.waiting_reason + ")";
    if (s.state == "running" && !s.ready) text += ", not ready";
    text += ", " + std::to_string(s.restarts) + " restarts";
    if (!s.terminations.empty()) {
      text += ", last ended " + s.terminations.back().reason + " (" + s.terminations.back().detail +
              ")";
    }
    return text + log_tail(r.log_path);
  }

  void prepare(Replica& r) {
    std::error_code ec;
    // What an earlier run with the same output directory left there (a TSDB, Alertmanager's
    // notification log) must not carry over: old alerts would look active, and pages already
    // sent would not be sent again.
    fs::remove_all(r.dir, ec);
    if (ec) {
      throw std::runtime_error("cannot empty " + r.dir.string() + " for " +
                               replica_text(r.spec->name, r.index) + ": " + ec.message());
    }
    fs::create_directories(r.dir, ec);
    if (ec) {
      throw std::runtime_error("cannot create " + r.dir.string() + " for " +
                               replica_text(r.spec->name, r.index) + ": " + ec.message());
    }
    r.log = std::make_unique<ReplicaLog>(r.log_path);
    r.next_backoff = r.spec->backoff;
    if (r.spec->memory_limit) limit(r, *r.spec->memory_limit);
  }

  std::string limit(Replica& r, std::optional<uint64_t> bytes) {
    if (!r.memory) {
      if (!bytes) return "";
      r.memory =
          std::make_unique<MemoryLimit>(cgroup_root, unique + "-" + name_of(*r.spec, r.index));
    }
    r.memory->set(bytes, r.pid);
    // The process just joined the cgroup: kills counted before are not its own.
    if (r.pid != 0) r.oom_kills_at_start = r.memory->oom_kills();
    return r.memory->method_name();
  }

  bool running_and_ready(const Replica& r) const { return r.state == "running" && r.ready; }

  bool any_process() const {
    return std::any_of(replicas.begin(), replicas.end(), [](const auto& r) { return r->pid != 0; });
  }

  void signal_all(int sig) {
    for (const auto& r : replicas) {
      if (r->pid == 0) continue;
      ::kill(-r->pid, sig);
      r->sent_signal = sig;
    }
  }
};

LocalServices::LocalServices(std::vector<ServiceSpec> services, fs::path run_dir,
                             std::string self_exe, fs::path cgroup_root)
    : impl_(std::make_unique<Impl>()) {
  validate(services);
  impl_->services = std::move(services);
  // Absolute: each service runs in the drill file's directory, where a relative SERVICE_DIR
  // would point elsewhere.
  impl_->run_dir = fs::absolute(run_dir);
  std::error_code ec;
  impl_->self_exe = self_exe.empty() ? fs::read_symlink("/proc/self/exe", ec).string() : self_exe;
  impl_->cgroup_root = std::move(cgroup_root);
  static std::atomic<int> instances{0};
  impl_->unique = "firedrill-" + std::to_string(::getpid()) + "-" + std::to_string(++instances);
  for (const auto& spec : impl_->services) {
    for (int i = 0; i < spec.replicas; ++i) {
      auto r = std::make_unique<Impl::Replica>();
      r->spec = &spec;
      r->index = i;
      r->port = spec.port == 0 ? 0 : spec.port + i;
      r->dir = impl_->run_dir / name_of(spec, i);
      r->log_path = impl_->run_dir / (name_of(spec, i) + ".log");
      impl_->replicas.push_back(std::move(r));
    }
  }
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  impl_->wake_read = wake[0];
  impl_->wake_write = wake[1];
}

LocalServices::~LocalServices() {
  stop_all();
}

void LocalServices::start_all(const std::atomic<bool>* cancelled) {
  std::unique_lock lock(impl_->mu);
  if (impl_->started || impl_->stopping) {
    throw std::logic_error("LocalServices::start_all() runs once, before stop_all()");
  }
  impl_->started = true;
  const auto now = SteadyClock::now();
  std::vector<SteadyClock::time_point> deadlines;
  for (const auto& r : impl_->replicas) {
    impl_->prepare(*r);
    // A typo in the program name would otherwise show only after the readiness timeout.
    const std::string program = impl_->program_of(*r);
    if (resolve_program(program, impl_->environment_of(*r)).empty()) {
      throw std::runtime_error(replica_text(r->spec->name, r->index) + " cannot start: `" +
                               program + "` is not in PATH");
    }
    r->state = "waiting";
    r->start_at = now;
    deadlines.push_back(now + (r->spec->readiness ? r->spec->readiness->initial_timeout
                                                  : ReadinessProbe{}.initial_timeout));
  }
  impl_->supervisor = std::thread([this] { impl_->supervise(); });
  impl_->prober = std::thread([this] { impl_->probe(); });
  // How often a wait for readiness looks at `cancelled`: an interrupted drill must not wait out
  // a readiness timeout of a minute.
  constexpr auto kCancelCheck = std::chrono::milliseconds(100);
  while (true) {
    if (impl_->stopping) throw std::runtime_error("the local services were stopped while starting");
    if (cancelled && cancelled->load()) {
      throw std::runtime_error("interrupted while the local services were starting");
    }
    size_t i = 0;
    while (i < impl_->replicas.size() && impl_->running_and_ready(*impl_->replicas[i])) ++i;
    if (i == impl_->replicas.size()) return;
    const Impl::Replica& r = *impl_->replicas[i];
    const Duration timeout = deadlines[i] - now;
    if (r.state == "exited") {
      throw std::runtime_error(impl_->not_ready(r, "ended and its restart policy keeps it down"));
    }
    if (SteadyClock::now() >= deadlines[i]) {
      throw std::runtime_error(
          impl_->not_ready(r, "is not ready after " + common::format_duration(timeout)));
    }
    impl_->changed.wait_until(lock, std::min(deadlines[i], SteadyClock::now() + kCancelCheck));
  }
}

void LocalServices::stop_all(Duration grace) {
  std::lock_guard serial(impl_->stop_mu);
  std::unique_lock lock(impl_->mu);
  if (impl_->stopped) return;
  impl_->stopping = true;
  for (const auto& r : impl_->replicas) {
    if (r->pid == 0 && r->state == "waiting") r->state = "stopped";
  }
  if (impl_->supervisor.joinable()) {
    impl_->signal_all(SIGTERM);
    impl_->wake();
    auto gone = [this] { return !impl_->any_process(); };
    if (!impl_->changed.wait_for(lock, grace, gone)) {
      impl_->signal_all(SIGKILL);
      impl_->changed.wait_for(lock, std::chrono::seconds(10), gone);
    }
    impl_->exit_threads = true;
    impl_->wake();
    impl_->changed.notify_all();
    lock.unlock();
    impl_->supervisor.join();
    impl_->prober.join();
    lock.lock();
  }
  // Whatever the supervisor could not reap in time is reaped here, without it.
  for (const auto& r : impl_->replicas) {
    if (r->pid != 0) {
      ::kill(-r->pid, SIGKILL);
      impl_->reap(*r, true);
    }
    close_fd(r->out_fd);
    close_fd(r->err_fd);
    r->log.reset();
    r->memory.reset();
    r->state = "stopped";
    r->ready = false;
  }
  impl_->stopped = true;
}

bool LocalServices::has_service(const std::string& service) const {
  const auto& services = impl_->services;
  return std::any_of(services.begin(), services.end(),
                     [&](const ServiceSpec& s) { return s.name == service; });
}

std::vector<std::string> LocalServices::service_names() const {
  std::vector<std::string> out;
  for (const auto& s : impl_->services) out.push_back(s.name);
  return out;
}

std::vector<ReplicaStatus> LocalServices::status(const std::string& service) const {
  std::lock_guard lock(impl_->mu);
  const ServiceSpec& spec = impl_->service(service);
  std::vector<ReplicaStatus> out;
  for (int i = 0; i < spec.replicas; ++i)
    out.push_back(impl_->status_of(impl_->replica(service, i)));
  return out;
}

std::vector<int> LocalServices::signal(const std::string& service, const std::vector<int>& replicas,
                                       int signal, bool hold_down) {
  std::lock_guard lock(impl_->mu);
  for (int i : replicas) impl_->replica(service, i);
  std::vector<int> pids;
  for (int i : replicas) {
    Impl::Replica& r = impl_->replica(service, i);
    if (hold_down) {
      r.held_down = true;
      if (r.pid == 0 && r.state == "waiting") {
        r.state = "stopped";
        r.waiting_reason = "HeldDown";
      }
    }
    if (r.pid == 0) continue;
    // Under the lock the supervisor cannot reap the process, so its group id is still its own.
    if (::kill(-r.pid, signal) == 0) {
      r.sent_signal = signal;
      pids.push_back(r.pid);
    }
  }
  impl_->wake();
  return pids;
}

void LocalServices::release(const std::string& service, const std::vector<int>& replicas) {
  std::lock_guard lock(impl_->mu);
  for (int i : replicas) impl_->replica(service, i);
  for (int i : replicas) {
    Impl::Replica& r = impl_->replica(service, i);
    r.held_down = false;
    if (r.pid == 0 && r.state == "stopped" && r.waiting_reason == "HeldDown" && !impl_->stopping) {
      r.state = "waiting";
      r.waiting_reason.clear();
      r.start_at = SteadyClock::now();
    }
  }
  impl_->wake();
}

std::string LocalServices::limit_memory(const std::string& service, int replica, uint64_t bytes) {
  if (bytes == 0) throw common::ValueError("a memory limit must be more than 0 bytes");
  std::lock_guard lock(impl_->mu);
  return impl_->limit(impl_->replica(service, replica), bytes);
}

void LocalServices::clear_memory_limit(const std::string& service, int replica) {
  std::lock_guard lock(impl_->mu);
  impl_->limit(impl_->replica(service, replica), std::nullopt);
}

void LocalServices::override_command(const std::string& service, const std::vector<int>& replicas,
                                     const std::vector<std::string>& command) {
  if (!command.empty() && command.front().empty()) {
    throw common::ValueError("the command of service `" + service + "` must name a program");
  }
  std::lock_guard lock(impl_->mu);
  for (int i : replicas) impl_->replica(service, i);
  for (int i : replicas) {
    Impl::Replica& r = impl_->replica(service, i);
    r.command_override = command;
    if (r.pid != 0) {
      ::kill(-r.pid, SIGKILL);
      r.sent_signal = SIGKILL;
      r.force_restart = true;
    } else if (r.state == "exited" && !impl_->stopping) {
      r.state = "waiting";
      r.start_at = SteadyClock::now();
    }
  }
  impl_->wake();
}

bool LocalServices::wait_ready(const std::string& service, const std::vector<int>& replicas,
                               Duration timeout) {
  std::unique_lock lock(impl_->mu);
  std::vector<Impl::Replica*> wanted;
  for (int i : replicas) wanted.push_back(&impl_->replica(service, i));
  return impl_->changed.wait_for(lock, timeout, [&] {
    return std::all_of(wanted.begin(), wanted.end(),
                       [&](const Impl::Replica* r) { return impl_->running_and_ready(*r); });
  });
}

std::vector<LogLine> LocalServices::log_lines(const std::string& service,
                                              std::optional<int> replica,
                                              WallClock::time_point since) const {
  std::vector<fs::path> files;
  {
    std::lock_guard lock(impl_->mu);
    const ServiceSpec& spec = impl_->service(service);
    for (int i = 0; i < spec.replicas; ++i) {
      if (!replica || *replica == i) files.push_back(impl_->replica(service, i).log_path);
    }
    if (replica) impl_->replica(service, *replica);
  }
  std::vector<LogLine> out;
  for (const auto& file : files) {
    std::vector<LogLine> lines = read_log_lines(file, since);
    out.insert(out.end(), std::make_move_iterator(lines.begin()),
               std::make_move_iterator(lines.end()));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const LogLine& a, const LogLine& b) { return a.at < b.at; });
  return out;
}

}  // namespace firedrill::clients
