#include "local/local_services.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "common/errors.hpp"
#include "local/readiness_prober.hpp"
#include "local/replica.hpp"
#include "local/wake_pipe.hpp"

namespace firedrill::local {

namespace fs = std::filesystem;

namespace {

// How often the supervisor looks for ended processes and due restarts when no output arrives.
constexpr std::chrono::milliseconds kTick{50};
// How often a wait for readiness looks at `cancelled`: an interrupted drill must not wait out a
// readiness timeout of a minute.
constexpr std::chrono::milliseconds kCancelCheck{100};

}  // namespace

struct LocalServices::Impl {
  std::vector<ServiceSpec> services;
  fs::path run_dir;
  std::string self_exe;

  mutable std::mutex mu;
  std::condition_variable changed;
  std::vector<std::unique_ptr<Replica>> replicas;
  bool started = false;
  bool stopping = false;
  bool stopped = false;
  bool exit_supervisor = false;
  std::mutex stop_mu;  // one stop_all() at a time
  WakePipe wake;
  std::thread supervisor;
  std::unique_ptr<ReadinessProber> prober;

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

  // Every replica named, checked before any is changed.
  std::vector<Replica*> replicas_of(const std::string& service, const std::vector<int>& indices) {
    for (int i : indices) replica(service, i);
    std::vector<Replica*> out;
    for (int i : indices) out.push_back(&replica(service, i));
    return out;
  }

  // The supervisor's thread: output to logs, ended processes, due restarts.
  void supervise() {
    std::unique_lock lock(mu);
    while (!exit_supervisor) {
      std::vector<pollfd> fds = {{wake.read_fd(), POLLIN, 0}};
      for (const auto& r : replicas) {
        for (const UniqueFd* fd : {&r->out, &r->err}) {
          if (fd->is_open()) fds.push_back({fd->get(), POLLIN, 0});
        }
      }
      lock.unlock();
      ::poll(fds.data(), fds.size(), static_cast<int>(kTick.count()));
      lock.lock();
      wake.drain();
      const auto now = SteadyClock::now();
      for (const auto& r : replicas) {
        r->drain();
        if (r->pid != 0) r->reap(false, stopping);
        if (!stopping && r->state == ReplicaState::Waiting && now >= r->start_at) {
          r->spawn(self_exe, stopping);
        }
      }
      changed.notify_all();
    }
  }

  // Makes every replica ready to start at `now`; throws naming one that cannot start. Returns
  // when each must be ready.
  std::vector<SteadyClock::time_point> schedule_first_starts(SteadyClock::time_point now) {
    std::vector<SteadyClock::time_point> deadlines;
    for (const auto& r : replicas) {
      r->prepare();
      // A typo in the program name would otherwise show only after the readiness timeout.
      const std::string program = r->program(self_exe);
      if (resolve_program(program, replica_environment(*r->spec, r->index, r->port, r->dir))
              .empty()) {
        throw std::runtime_error(r->description() + " cannot start: `" + program +
                                 "` is not in PATH");
      }
      r->state = ReplicaState::Waiting;
      r->start_at = now;
      deadlines.push_back(now + (r->spec->readiness ? r->spec->readiness->initial_timeout
                                                    : ReadinessProbe{}.initial_timeout));
    }
    return deadlines;
  }

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

  // SIGTERM, then SIGKILL after `grace`; then the threads end.
  void end_threads(std::unique_lock<std::mutex>& lock, Duration grace) {
    signal_all(SIGTERM);
    wake.wake();
    auto gone = [this] { return !any_process(); };
    if (!changed.wait_for(lock, grace, gone)) {
      signal_all(SIGKILL);
      changed.wait_for(lock, std::chrono::seconds(10), gone);
    }
    exit_supervisor = true;
    wake.wake();
    changed.notify_all();
    lock.unlock();
    supervisor.join();
    prober->stop();
    lock.lock();
  }
};

LocalServices::LocalServices(std::vector<ServiceSpec> services, fs::path run_dir,
                             std::string self_exe, fs::path cgroup_root)
    : impl_(std::make_unique<Impl>()) {
  validate_service_specs(services);
  impl_->services = std::move(services);
  // Absolute: each service runs in the drill file's directory, where a relative SERVICE_DIR
  // would point elsewhere.
  impl_->run_dir = fs::absolute(run_dir);
  std::error_code ec;
  impl_->self_exe = self_exe.empty() ? fs::read_symlink("/proc/self/exe", ec).string() : self_exe;
  static std::atomic<int> instances{0};
  // Names this supervisor's cgroups.
  const std::string unique =
      "firedrill-" + std::to_string(::getpid()) + "-" + std::to_string(++instances);
  for (const auto& spec : impl_->services) {
    for (int i = 0; i < spec.replicas; ++i) {
      impl_->replicas.push_back(
          std::make_unique<Replica>(spec, i, impl_->run_dir, cgroup_root, unique));
    }
  }
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
  const std::vector<SteadyClock::time_point> deadlines = impl_->schedule_first_starts(now);
  // PR_SET_PDEATHSIG fires when the thread that forked ends: this one lives until every replica
  // has stopped.
  impl_->supervisor = std::thread([this] { impl_->supervise(); });
  impl_->prober = std::make_unique<ReadinessProber>(impl_->mu, impl_->changed, impl_->replicas);
  while (true) {
    if (impl_->stopping) throw std::runtime_error("the local services were stopped while starting");
    if (cancelled && cancelled->load()) {
      throw std::runtime_error("interrupted while the local services were starting");
    }
    size_t i = 0;
    while (i < impl_->replicas.size() && impl_->replicas[i]->running_and_ready()) ++i;
    if (i == impl_->replicas.size()) return;
    const Replica& r = *impl_->replicas[i];
    const Duration timeout = deadlines[i] - now;
    if (r.state == ReplicaState::Exited) {
      throw std::runtime_error(r.not_ready("ended and its restart policy keeps it down"));
    }
    if (SteadyClock::now() >= deadlines[i]) {
      throw std::runtime_error(
          r.not_ready("is not ready after " + common::format_duration(timeout)));
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
    if (r->pid == 0 && r->state == ReplicaState::Waiting) r->state = ReplicaState::Stopped;
  }
  if (impl_->supervisor.joinable()) impl_->end_threads(lock, grace);
  // Whatever the supervisor could not reap in time is reaped here, without it.
  for (const auto& r : impl_->replicas) {
    if (r->pid != 0) {
      ::kill(-r->pid, SIGKILL);
      r->reap(true, impl_->stopping);
    }
    r->out.reset();
    r->err.reset();
    r->log.reset();
    r->memory.reset();
    r->state = ReplicaState::Stopped;
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
  for (int i = 0; i < spec.replicas; ++i) out.push_back(impl_->replica(service, i).status());
  return out;
}

std::vector<int> LocalServices::signal(const std::string& service, const std::vector<int>& replicas,
                                       int signal, bool hold_down) {
  std::lock_guard lock(impl_->mu);
  std::vector<int> pids;
  for (Replica* r : impl_->replicas_of(service, replicas)) {
    if (hold_down) {
      r->held_down = true;
      if (r->pid == 0 && r->state == ReplicaState::Waiting) {
        r->state = ReplicaState::Stopped;
        r->waiting_reason = WaitingReason::HeldDown;
      }
    }
    if (r->pid == 0) continue;
    // Under the lock the supervisor cannot reap the process, so its group id is still its own.
    if (::kill(-r->pid, signal) == 0) {
      r->sent_signal = signal;
      pids.push_back(r->pid);
    }
  }
  impl_->wake.wake();
  return pids;
}

void LocalServices::release(const std::string& service, const std::vector<int>& replicas) {
  std::lock_guard lock(impl_->mu);
  for (Replica* r : impl_->replicas_of(service, replicas)) {
    r->held_down = false;
    if (r->pid == 0 && r->state == ReplicaState::Stopped &&
        r->waiting_reason == WaitingReason::HeldDown && !impl_->stopping) {
      r->state = ReplicaState::Waiting;
      r->waiting_reason = WaitingReason::None;
      r->start_at = SteadyClock::now();
    }
  }
  impl_->wake.wake();
}

std::string LocalServices::limit_memory(const std::string& service, int replica, uint64_t bytes) {
  if (bytes == 0) throw common::ValueError("a memory limit must be more than 0 bytes");
  std::lock_guard lock(impl_->mu);
  return impl_->replica(service, replica).limit_memory(bytes);
}

void LocalServices::clear_memory_limit(const std::string& service, int replica) {
  std::lock_guard lock(impl_->mu);
  impl_->replica(service, replica).limit_memory(std::nullopt);
}

void LocalServices::override_command(const std::string& service, const std::vector<int>& replicas,
                                     const std::vector<std::string>& command) {
  if (!command.empty() && command.front().empty()) {
    throw common::ValueError("the command of service `" + service + "` must name a program");
  }
  std::lock_guard lock(impl_->mu);
  for (Replica* r : impl_->replicas_of(service, replicas)) {
    r->command_override = command;
    if (r->pid != 0) {
      ::kill(-r->pid, SIGKILL);
      r->sent_signal = SIGKILL;
      r->force_restart = true;
    } else if (r->state == ReplicaState::Exited && !impl_->stopping) {
      r->state = ReplicaState::Waiting;
      r->start_at = SteadyClock::now();
    }
  }
  impl_->wake.wake();
}

bool LocalServices::wait_ready(const std::string& service, const std::vector<int>& replicas,
                               Duration timeout) {
  std::unique_lock lock(impl_->mu);
  std::vector<Replica*> wanted;
  for (int i : replicas) wanted.push_back(&impl_->replica(service, i));
  return impl_->changed.wait_for(lock, timeout, [&] {
    return std::all_of(wanted.begin(), wanted.end(),
                       [](const Replica* r) { return r->running_and_ready(); });
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

}  // namespace firedrill::local
