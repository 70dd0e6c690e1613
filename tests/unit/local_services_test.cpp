// The local services supervisor with real processes (sh, sleep, python3) in a temporary folder:
// log capture, restarts and their backoff, restart policies, signals and hold-down, memory limits
// that really OOM-kill, command overrides, readiness, and a stop that leaves nothing behind.
#include "local/local_services.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "common/errors.hpp"

namespace firedrill::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using local::LocalServices;
using local::LogLine;
using local::ReplicaState;
using local::ReplicaStatus;
using local::RestartPolicy;
using local::ServiceSpec;
using local::TerminationReason;
using local::WaitingReason;
using local::WallClock;
using ::testing::HasSubstr;

// Allocates a megabyte at a time once $SERVICE_DIR/go exists. A failed allocation ends it with
// SIGABRT, as abort() on std::bad_alloc ends a C++ service.
const std::string kMemoryHog =
    "import os, sys, time\n"
    "go = os.path.join(os.environ['SERVICE_DIR'], 'go')\n"
    "print('waiting', flush=True)\n"
    "while not os.path.exists(go): time.sleep(0.02)\n"
    "held = []\n"
    "try:\n"
    "    while True: held.append(b'x' * (1 << 20))\n"
    "except MemoryError:\n"
    "    os.abort()\n";

bool alive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  // An orphan that was killed may stay a zombie until init reaps it: it runs no more.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  return close == std::string::npos || text.substr(close + 2, 1) != "Z";
}

// Two consecutive free loopback ports, for a service of two replicas.
int free_port_pair() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int ports[2] = {0, 0};
    int fds[2] = {-1, -1};
    for (int i = 0; i < 2; ++i) {
      fds[i] = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      address.sin_port = htons(static_cast<uint16_t>(i == 0 ? 0 : ports[0] + 1));
      socklen_t length = sizeof address;
      if (::bind(fds[i], reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
          ::getsockname(fds[i], reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        ports[i] = ntohs(address.sin_port);
      }
    }
    for (int fd : fds) ::close(fd);
    if (ports[0] != 0 && ports[1] != 0 && ports[0] < 65535) return ports[0];
  }
  return 0;
}

class LocalServicesTest : public ::testing::Test {
 protected:
  LocalServicesTest() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("firedrill-services-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  ~LocalServicesTest() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static ServiceSpec spec(const std::string& name, const std::string& script) {
    ServiceSpec s;
    s.name = name;
    s.command = {"sh", "-c", script};
    s.backoff = 50ms;
    s.max_backoff = 400ms;
    return s;
  }

  std::unique_ptr<LocalServices> make(std::vector<ServiceSpec> specs,
                                      const fs::path& cgroup_root = "/sys/fs/cgroup") {
    return std::make_unique<LocalServices>(std::move(specs), dir_ / "run", "/bin/sh", cgroup_root);
  }

  // Polls until `done` holds, at most 15 s; the caller asserts the result.
  static bool eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 750; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return done();
  }

  static std::vector<std::string> texts(const std::vector<LogLine>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines) out.push_back(l.text);
    return out;
  }

  static int count(const std::vector<LogLine>& lines, const std::string& text) {
    return static_cast<int>(std::count_if(lines.begin(), lines.end(),
                                          [&](const LogLine& l) { return l.text == text; }));
  }

  fs::path dir_;
};

TEST(ReplicaLogLine, ParsesTheCriFormat) {
  auto line = local::parse_log_line("2026-11-21T07:06:08.123456789Z stderr F hello  world ");
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->stream, "stderr");
  EXPECT_EQ(line->text, "hello  world ");
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::nanoseconds>(line->at.time_since_epoch()).count() %
          1'000'000'000,
      123456789);
  auto empty = local::parse_log_line("2026-11-21T07:06:08Z stdout F ");
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->text, "");
  EXPECT_FALSE(local::parse_log_line("2026-11-21T07:06:08Z stdin F x"));
  EXPECT_FALSE(local::parse_log_line("2026-11-21T07:06:08Z stdout X x"));
  EXPECT_FALSE(local::parse_log_line("yesterday stdout F x"));
  EXPECT_FALSE(local::parse_log_line("2026-11-21T07:06:08Z stdout"));
}

TEST_F(LocalServicesTest, RejectsInconsistentSpecsNamingServiceAndSetting) {
  auto expect_error = [&](std::vector<ServiceSpec> specs, const std::string& part) {
    try {
      LocalServices services(std::move(specs), dir_, "/bin/sh");
      ADD_FAILURE() << "accepted; expected: " << part;
    } catch (const common::ValueError& e) {
      EXPECT_THAT(e.what(), HasSubstr(part));
    }
  };
  ServiceSpec probe = spec("web", "true");
  probe.readiness = local::ReadinessProbe{};
  expect_error({probe}, "service `web`: readiness");
  ServiceSpec a = spec("a", "true"), b = spec("b", "true");
  a.port = 20000;
  a.replicas = 3;
  b.port = 20002;
  expect_error({a, b}, "service `b`: its ports overlap those of service `a`");
  ServiceSpec high = spec("high", "true");
  high.port = 65535;
  high.replicas = 2;
  expect_error({high}, "service `high`: port + replicas");
  expect_error({spec("Web", "true")}, "service `Web`: a service name");
  expect_error({spec("a", "true"), spec("a", "true")}, "service `a` is declared twice");
}

TEST_F(LocalServicesTest, AProgramNotInPathFailsTheStartAtOnce) {
  ServiceSpec s = spec("ghost", "");
  s.command = {"firedrill-no-such-program", "--flag"};
  auto services = make({s});
  try {
    services->start_all();
    FAIL() << "started";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "service `ghost` replica 0 cannot start: `firedrill-no-such-program` is not in "
                 "PATH");
  }
}

TEST_F(LocalServicesTest, CapturesStdoutAndStderrInCriFormatAndFiltersBySince) {
  auto services = make({spec("echo",
                             "echo first; echo oops >&2; sleep 0.2; echo second; printf 'no "
                             "newline'; exec sleep 30")});
  services->start_all();
  const std::string log_file = services->status("echo").at(0).log_file.string();
  ASSERT_TRUE(eventually([&] { return count(services->log_lines("echo", 0, {}), "second") == 1; }));
  services->stop_all(2s);

  std::vector<LogLine> lines = services->log_lines("echo", std::nullopt, {});
  EXPECT_EQ(texts(lines), (std::vector<std::string>{"first", "oops", "second", "no newline"}));
  EXPECT_EQ(lines.at(1).stream, "stderr");
  EXPECT_EQ(lines.at(2).stream, "stdout");
  std::ifstream in(log_file);
  const std::regex cri(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) F .*)");
  int raw = 0;
  for (std::string line; std::getline(in, line); ++raw) {
    EXPECT_TRUE(std::regex_match(line, cri)) << line;
  }
  EXPECT_EQ(raw, 4);

  // "second" was written 200 ms after "oops": from its time on, only it and what followed.
  std::vector<LogLine> later = services->log_lines("echo", 0, lines.at(2).at);
  EXPECT_EQ(texts(later), (std::vector<std::string>{"second", "no newline"}));
  EXPECT_THROW(services->log_lines("echo", 1, {}), common::ValueError);
  EXPECT_THROW(services->log_lines("nope", std::nullopt, {}), common::ValueError);
}

TEST_F(LocalServicesTest, ExportsTheReplicaEnvironmentAndExpandsReferences) {
  const int port = free_port_pair();
  ASSERT_NE(port, 0);
  ServiceSpec s = spec("env-check", "");
  s.command = {"firedrill", "-c",
               "echo '$(PORT) $(REPLICA) $(SERVICE) $(UNKNOWN) $$(PORT)'; "
               "echo \"$PORT $REPLICA $SERVICE $LOG_LEVEL\"; echo \"$SERVICE_DIR\"; exec sleep 30"};
  s.replicas = 2;
  s.port = port;
  s.env = {{"LOG_LEVEL", "info"}};
  auto services = make({s});
  services->start_all();
  const std::string p1 = std::to_string(port + 1);
  ASSERT_TRUE(eventually([&] { return services->log_lines("env-check", 1, {}).size() == 3; }));
  EXPECT_EQ(
      texts(services->log_lines("env-check", 1, {})),
      (std::vector<std::string>{p1 + " 1 env-check $(UNKNOWN) $(PORT)", p1 + " 1 env-check info",
                                (dir_ / "run" / "env-check-1").string()}));
  EXPECT_TRUE(fs::is_directory(dir_ / "run" / "env-check-1"));
  EXPECT_EQ(services->status("env-check").at(1).port, port + 1);
}

TEST_F(LocalServicesTest, CrashLoopRestartsWithGrowingBackoff) {
  ServiceSpec s = spec("crashy",
                       "if [ -e \"$SERVICE_DIR/broken\" ]; then echo crashing; exit 1; fi; "
                       "echo healthy; exec sleep 30");
  s.backoff = 100ms;
  s.max_backoff = 1600ms;
  auto services = make({s});
  services->start_all();
  std::ofstream(dir_ / "run" / "crashy-0" / "broken").put('x');
  ASSERT_EQ(services->signal("crashy", {0}, SIGKILL, false).size(), 1u);

  ASSERT_TRUE(eventually([&] {
    ReplicaStatus st = services->status("crashy").at(0);
    return st.terminations.size() >= 4 && st.state == ReplicaState::Waiting;
  }));
  ReplicaStatus st = services->status("crashy").at(0);
  EXPECT_EQ(st.waiting_reason, WaitingReason::CrashLoopBackOff);
  EXPECT_GE(st.restarts, 3);
  EXPECT_EQ(st.terminations.front().reason, TerminationReason::Killed);
  EXPECT_EQ(st.terminations.front().signal, SIGKILL);
  EXPECT_EQ(st.terminations.at(1).reason, TerminationReason::Error);
  EXPECT_EQ(st.terminations.at(1).exit_code, 1);

  // A start never comes before its delay: 100 ms after the kill, then 200, 400, 800 ms after
  // each crash. The lines are written between a start and the next end.
  std::vector<LogLine> lines = services->log_lines("crashy", 0, {});
  std::vector<WallClock::time_point> starts;
  for (const auto& l : lines) {
    if (l.text == "crashing") starts.push_back(l.at);
  }
  ASSERT_GE(starts.size(), 3u);
  auto delay = std::chrono::milliseconds(200);
  for (size_t i = 1; i < starts.size(); ++i, delay *= 2) {
    EXPECT_GT(starts[i], starts[i - 1]);
    EXPECT_GE(starts[i] - starts[i - 1], std::min<std::chrono::milliseconds>(delay, 1600ms))
        << "start " << i;
  }
}

TEST_F(LocalServicesTest, RestartPoliciesDecideWhatEndsForGood) {
  // Each exits with the code written to $SERVICE_DIR/exit, once.
  const std::string script =
      "echo up; while [ ! -e \"$SERVICE_DIR/exit\" ]; do sleep 0.02; done; "
      "code=$(cat \"$SERVICE_DIR/exit\"); rm \"$SERVICE_DIR/exit\"; exit $code";
  ServiceSpec never = spec("never", script), ok = spec("on-failure-ok", script),
              failed = spec("on-failure-failed", script), always = spec("always", script);
  never.restart = RestartPolicy::Never;
  ok.restart = RestartPolicy::OnFailure;
  failed.restart = RestartPolicy::OnFailure;
  always.restart = RestartPolicy::Always;
  auto services = make({never, ok, failed, always});
  services->start_all();
  for (const auto& [name, code] : std::vector<std::pair<std::string, std::string>>{
           {"never", "1"}, {"on-failure-ok", "0"}, {"on-failure-failed", "3"}, {"always", "0"}}) {
    std::ofstream(dir_ / "run" / (name + "-0") / "exit") << code;
  }
  auto status = [&](const std::string& name) { return services->status(name).at(0); };
  ASSERT_TRUE(eventually([&] {
    return status("never").state == ReplicaState::Exited &&
           status("on-failure-ok").state == ReplicaState::Exited &&
           status("on-failure-failed").restarts == 1 && status("always").restarts == 1 &&
           status("on-failure-failed").state == ReplicaState::Running &&
           status("always").state == ReplicaState::Running;
  }));
  EXPECT_EQ(status("never").terminations.back().reason, TerminationReason::Error);
  EXPECT_EQ(status("never").terminations.back().detail, "exit code 1");
  EXPECT_EQ(status("on-failure-ok").terminations.back().reason, TerminationReason::Completed);
  EXPECT_EQ(status("on-failure-failed").terminations.back().exit_code, 3);
  EXPECT_EQ(status("always").terminations.back().reason, TerminationReason::Completed);
  EXPECT_EQ(status("never").pid, 0);
}

TEST_F(LocalServicesTest, SignalHoldsDownUntilReleased) {
  ServiceSpec s = spec("held", "echo up; exec sleep 30");
  s.replicas = 2;
  auto services = make({s});
  services->start_all();
  ASSERT_TRUE(eventually([&] { return count(services->log_lines("held", 1, {}), "up") == 1; }));
  const int other = services->status("held").at(0).pid;
  const std::vector<int> pids = services->signal("held", {1}, SIGTERM, true);
  ASSERT_EQ(pids.size(), 1u);
  ASSERT_TRUE(
      eventually([&] { return services->status("held").at(1).state == ReplicaState::Stopped; }));
  ReplicaStatus st = services->status("held").at(1);
  EXPECT_EQ(st.waiting_reason, WaitingReason::HeldDown);
  EXPECT_EQ(st.pid, 0);
  EXPECT_FALSE(st.ready);
  EXPECT_EQ(st.terminations.back().reason, TerminationReason::Killed);
  EXPECT_EQ(st.terminations.back().signal, SIGTERM);
  EXPECT_EQ(st.terminations.back().exit_code, 128 + SIGTERM);
  EXPECT_FALSE(alive(pids.front()));
  EXPECT_EQ(services->status("held").at(0).pid, other);
  EXPECT_EQ(services->status("held").at(0).state, ReplicaState::Running);
  EXPECT_FALSE(services->wait_ready("held", {1}, 200ms));

  services->release("held", {1});
  ASSERT_TRUE(services->wait_ready("held", {0, 1}, 10s));
  st = services->status("held").at(1);
  EXPECT_EQ(st.restarts, 1);
  EXPECT_NE(st.pid, pids.front());
  EXPECT_TRUE(eventually([&] { return count(services->log_lines("held", 1, {}), "up") == 2; }));

  // Without hold-down the restart policy applies as usual.
  services->signal("held", {0}, SIGKILL, false);
  ASSERT_TRUE(eventually([&] { return services->status("held").at(0).restarts == 1; }));
  EXPECT_TRUE(services->wait_ready("held", {0}, 10s));
  EXPECT_THROW(services->signal("held", {2}, SIGTERM, false), common::ValueError);
}

class MemoryLimitTest : public LocalServicesTest {
 protected:
  // Raises the limit on a running hog, lets it allocate, and returns how it ended.
  void expect_oom_killed(const fs::path& cgroup_root, const std::string& method) {
    ServiceSpec s;
    s.name = "hog";
    s.command = {"python3", "-c", kMemoryHog};
    s.restart = RestartPolicy::Never;
    auto services = make({s}, cgroup_root);
    services->start_all();
    EXPECT_EQ(services->limit_memory("hog", 0, 40 << 20), method);
    EXPECT_EQ(services->status("hog").at(0).memory_limit, "40Mi via " + method);
    std::ofstream(dir_ / "run" / "hog-0" / "go").put('x');
    ASSERT_TRUE(
        eventually([&] { return services->status("hog").at(0).state == ReplicaState::Exited; }));
    const local::Termination t = services->status("hog").at(0).terminations.back();
    EXPECT_EQ(t.reason, TerminationReason::OOMKilled) << t.detail;
    nlohmann::json evidence = services->status("hog").at(0).to_json();
    EXPECT_EQ(evidence.at("terminations").at(0).at("reason"), "OOMKilled");
    EXPECT_EQ(evidence.at("memoryLimit"), "40Mi via " + method);
    EXPECT_FALSE(evidence.dump().find("PATH") != std::string::npos);
  }
};

TEST_F(MemoryLimitTest, OomKilledUnderTheMemoryCgroup) {
  const bool v1 = fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes");
  const bool v2 = fs::exists("/sys/fs/cgroup/cgroup.controllers");
  if (!v1 && !v2) GTEST_SKIP() << "no memory cgroup on this machine";
  if (::access("/sys/fs/cgroup/memory", W_OK) != 0 && !v2) GTEST_SKIP() << "cgroups read-only";
  expect_oom_killed("/sys/fs/cgroup", v2 ? "cgroup v2" : "cgroup v1");
}

TEST_F(MemoryLimitTest, OomKilledUnderTheAddressSpaceLimitWithoutCgroups) {
  expect_oom_killed(dir_ / "no-cgroups", "address-space limit");
}

TEST_F(MemoryLimitTest, SpecLimitAppliesFromTheFirstStartAndCanBeLifted) {
  ServiceSpec s = spec("limited", "grep 'Max address space' /proc/self/limits; exec sleep 30");
  s.memory_limit = 64 << 20;
  auto services = make({s}, dir_ / "no-cgroups");
  services->start_all();
  EXPECT_EQ(services->status("limited").at(0).memory_limit, "64Mi via address-space limit");
  ASSERT_TRUE(eventually([&] { return !services->log_lines("limited", 0, {}).empty(); }));
  EXPECT_THAT(services->log_lines("limited", 0, {}).at(0).text, HasSubstr("67108864"));
  services->clear_memory_limit("limited", 0);
  EXPECT_EQ(services->status("limited").at(0).memory_limit, std::nullopt);
}

TEST_F(LocalServicesTest, OverrideCommandReplacesAndRestores) {
  auto services = make({spec("svc", "echo original; exec sleep 30")});
  services->start_all();
  ASSERT_TRUE(
      eventually([&] { return count(services->log_lines("svc", 0, {}), "original") == 1; }));
  services->override_command("svc", {0}, {"sh", "-c", "echo replaced; exec sleep 30"});
  ASSERT_TRUE(
      eventually([&] { return count(services->log_lines("svc", 0, {}), "replaced") == 1; }));
  ReplicaStatus st = services->status("svc").at(0);
  EXPECT_EQ(st.restarts, 1);
  EXPECT_EQ(st.terminations.back().reason, TerminationReason::Killed);

  services->override_command("svc", {0}, {});
  ASSERT_TRUE(
      eventually([&] { return count(services->log_lines("svc", 0, {}), "original") == 2; }));
  EXPECT_EQ(services->status("svc").at(0).restarts, 2);
  EXPECT_TRUE(services->wait_ready("svc", {0}, 10s));
}

TEST_F(LocalServicesTest, ReadinessFailureNamesTheReplicaAndQuotesItsLog) {
  const int port = free_port_pair();
  ASSERT_NE(port, 0);
  ServiceSpec s = spec("web", "echo \"not listening on $PORT\"; echo boom >&2; exec sleep 30");
  s.port = port;
  s.readiness = local::ReadinessProbe{"/healthz", 100ms, 1s};
  auto services = make({s});
  try {
    services->start_all();
    FAIL() << "started";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("service `web` replica 0 (port " + std::to_string(port) +
                                   ") is not ready after 1s: state running, not ready"));
    EXPECT_THAT(message, HasSubstr("web-0.log:\n    not listening on " + std::to_string(port) +
                                   "\n    boom"));
  }
}

TEST_F(LocalServicesTest, ReadyWhenTheProbeAnswers2xx) {
  const int port = free_port_pair();
  ASSERT_NE(port, 0);
  ServiceSpec s;
  s.name = "http";
  s.command = {"python3", "-m", "http.server", "--bind", "127.0.0.1", "$(PORT)"};
  s.replicas = 2;
  s.port = port;
  s.readiness = local::ReadinessProbe{"/", 100ms, 15s};
  auto services = make({s});
  services->start_all();
  for (const auto& st : services->status("http")) {
    EXPECT_TRUE(st.ready) << st.index;
    EXPECT_EQ(st.state, ReplicaState::Running);
  }
}

TEST_F(LocalServicesTest, StopAllLeavesNoProcessBehind) {
  ServiceSpec children = spec("parent", "sleep 30 & echo \"child $!\"; exec sleep 30");
  children.replicas = 2;
  ServiceSpec stubborn = spec("stubborn", "trap '' TERM; echo up; while true; do sleep 0.05; done");
  auto services = make({children, stubborn});
  services->start_all();
  std::vector<pid_t> pids;
  for (const std::string name : {"parent", "stubborn"}) {
    for (const auto& st : services->status(name)) pids.push_back(st.pid);
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(eventually([&] { return !services->log_lines("parent", i, {}).empty(); }));
    pids.push_back(std::stoi(services->log_lines("parent", i, {}).at(0).text.substr(6)));
  }
  // Only once it said "up" has the shell set its trap; before, SIGTERM would still end it.
  ASSERT_TRUE(eventually([&] { return !services->log_lines("stubborn", 0, {}).empty(); }));
  for (pid_t pid : pids) ASSERT_TRUE(alive(pid)) << pid;

  services->stop_all(300ms);
  services->stop_all(300ms);
  for (const std::string name : {"parent", "stubborn"}) {
    for (const auto& st : services->status(name)) {
      EXPECT_EQ(st.state, ReplicaState::Stopped);
      EXPECT_EQ(st.pid, 0);
    }
  }
  EXPECT_EQ(services->status("stubborn").at(0).terminations.back().signal, SIGKILL);
  // The orphaned children were killed with their group; init reaps them in its own time.
  for (pid_t pid : pids) EXPECT_TRUE(eventually([&] { return !alive(pid); })) << pid;
}

}  // namespace
}  // namespace firedrill::testing
