#include "local/replica.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "local/termination_classification.hpp"

namespace firedrill::local {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kLogTailLines = 10;

std::string log_tail(const fs::path& file) {
  std::vector<LogLine> lines = read_log_lines(file, WallClock::time_point{});
  if (lines.empty()) return "; its log " + file.string() + " is empty";
  std::string out = "; the last lines of its log " + file.string() + ":";
  size_t first = lines.size() > kLogTailLines ? lines.size() - kLogTailLines : 0;
  for (size_t i = first; i < lines.size(); ++i) out += "\n    " + lines[i].text;
  return out;
}

void recreate_directory(const fs::path& dir, const std::string& owner) {
  std::error_code ec;
  // What an earlier run with the same output directory left there (a TSDB, Alertmanager's
  // notification log) must not carry over: old alerts would look active, and pages already
  // sent would not be sent again.
  fs::remove_all(dir, ec);
  if (ec) {
    throw std::runtime_error("cannot empty " + dir.string() + " for " + owner + ": " +
                             ec.message());
  }
  fs::create_directories(dir, ec);
  if (ec) {
    throw std::runtime_error("cannot create " + dir.string() + " for " + owner + ": " +
                             ec.message());
  }
}

}  // namespace

Replica::Replica(const ServiceSpec& s, int i, const fs::path& run_dir, fs::path root,
                 const std::string& cgroup_prefix)
    : spec(&s),
      index(i),
      port(s.port == 0 ? 0 : s.port + i),
      dir(run_dir / (s.name + "-" + std::to_string(i))),
      log_path(run_dir / (s.name + "-" + std::to_string(i) + ".log")),
      cgroup_root(std::move(root)),
      cgroup_name(cgroup_prefix + "-" + s.name + "-" + std::to_string(i)) {}

std::string Replica::description() const {
  return "service `" + spec->name + "` replica " + std::to_string(index);
}

void Replica::prepare() {
  recreate_directory(dir, description());
  log = std::make_unique<ReplicaLog>(log_path);
  backoff = initial_backoff(spec->restart_rule());
  if (spec->memory_limit) limit_memory(*spec->memory_limit);
}

ProcessLaunch Replica::launch(const std::string& self_exe) const {
  ProcessLaunch launch;
  launch.env = replica_environment(*spec, index, port, dir);
  launch.argv = replica_argv(command_override.empty() ? spec->command : command_override,
                             launch.env, self_exe);
  launch.program = resolve_program(launch.argv.front(), launch.env);
  launch.working_dir = spec->working_dir;
  if (memory) launch.memory = memory->child_setup();
  return launch;
}

std::string Replica::program(const std::string& self_exe) const {
  return launch(self_exe).argv.front();
}

void Replica::spawn(const std::string& self_exe, bool stopping) {
  const ProcessLaunch plan = launch(self_exe);
  ++starts;
  started_at = WallClock::now();
  started_steady = SteadyClock::now();
  sent_signal = 0;
  if (memory) oom_kills_at_start = memory->oom_kills();
  auto result = start_process(plan);
  if (auto* failure = std::get_if<LaunchError>(&result)) {
    return start_failed(failure->call, failure->error, stopping);
  }
  auto& started = std::get<StartedProcess>(result);
  pid = started.pid;
  out = std::move(started.out);
  err = std::move(started.err);
  state = ReplicaState::Running;
  waiting_reason = WaitingReason::None;
  ready = !spec->readiness;
  ++generation;
  next_probe = started_steady;
}

void Replica::start_failed(const std::string& call, int error, bool stopping) {
  const std::string detail = "cannot start: " + call + ": " + std::strerror(error);
  log->append(LogStream::Stderr, "firedrill: " + detail + "\n");
  Termination t;
  t.at = WallClock::now();
  t.reason = TerminationReason::Error;
  t.exit_code = 128;
  t.detail = detail;
  ended(std::move(t), stopping);
}

// What happens after a process ended (or could not start): the restart policy and backoff.
void Replica::ended(Termination t, bool stopping) {
  const bool success = t.exit_code == 0 && t.signal == 0;
  terminations.push_back(std::move(t));
  ready = false;
  waiting_reason = WaitingReason::None;
  if (stopping) {
    state = ReplicaState::Stopped;
    return;
  }
  if (held_down) {
    state = ReplicaState::Stopped;
    waiting_reason = WaitingReason::HeldDown;
    return;
  }
  const auto now = SteadyClock::now();
  const RestartDecision decision =
      decide_restart(spec->restart_rule(), backoff, success, force_restart, now - started_steady);
  force_restart = false;
  if (!decision.restart) {
    state = ReplicaState::Exited;
    return;
  }
  backoff = decision.backoff;
  state = ReplicaState::Waiting;
  if (decision.crash_loop) waiting_reason = WaitingReason::CrashLoopBackOff;
  start_at = now + decision.delay;
}

void Replica::drain() {
  char buffer[64 * 1024];
  for (auto [fd, stream] :
       {std::pair{&out, LogStream::Stdout}, std::pair{&err, LogStream::Stderr}}) {
    while (fd->is_open()) {
      ssize_t n = ::read(fd->get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) {
        fd->reset();
        break;
      }
      log->append(stream, std::string_view(buffer, static_cast<size_t>(n)));
    }
  }
}

void Replica::reap(bool block, bool stopping) {
  const std::optional<int> status = reap_process(pid, block);
  if (!status) return;
  drain();
  out.reset();
  err.reset();
  log->flush();
  std::optional<MemoryEvidence> evidence;
  if (memory) {
    evidence = MemoryEvidence{memory->is_cgroup(), memory->bytes(), oom_kills_at_start,
                              memory->is_cgroup() ? memory->oom_kills() : 0};
  }
  Termination t = classify_termination(ProcessExit::from_wait_status(*status), sent_signal,
                                       evidence, WallClock::now());
  pid = 0;
  ended(std::move(t), stopping);
}

std::string Replica::limit_memory(std::optional<uint64_t> bytes) {
  if (!memory) {
    if (!bytes) return "";
    memory = std::make_unique<MemoryLimit>(cgroup_root, cgroup_name);
  }
  memory->set(bytes, pid);
  // The process just joined the cgroup: kills counted before are not its own.
  if (pid != 0) oom_kills_at_start = memory->oom_kills();
  return memory->method_name();
}

ReplicaStatus Replica::status() const {
  ReplicaStatus s;
  s.service = spec->name;
  s.index = index;
  s.port = port;
  s.pid = pid;
  s.state = state;
  s.waiting_reason = waiting_reason;
  s.ready = ready;
  s.restarts = std::max(0, starts - 1);
  s.started_at = started_at;
  s.terminations = terminations;
  if (memory && memory->bytes()) {
    s.memory_limit = common::format_bytes(*memory->bytes()) + " via " + memory->method_name();
  }
  s.log_file = log_path;
  return s;
}

std::string Replica::not_ready(const std::string& why) const {
  std::string text = description();
  if (port != 0) text += " (port " + std::to_string(port) + ")";
  text += " " + why + ": state " + std::string(to_string(state));
  if (waiting_reason != WaitingReason::None) {
    text += " (" + std::string(to_string(waiting_reason)) + ")";
  }
  if (state == ReplicaState::Running && !ready) text += ", not ready";
  text += ", " + std::to_string(std::max(0, starts - 1)) + " restarts";
  if (!terminations.empty()) {
    const Termination& last = terminations.back();
    text += ", last ended " + std::string(to_string(last.reason)) + " (" + last.detail + ")";
  }
  return text + log_tail(log_path);
}

}  // namespace firedrill::local
