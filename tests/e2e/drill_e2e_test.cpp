// Whole drills run by `firedrill run` to a verdict against the tests' own server: an exec fault
// flips the server to 500s (its --fail-file), an http check must detect it, and the fault must be
// reverted whatever happens.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <fstream>
#include <regex>
#include <thread>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;

struct Drill {
  std::string detect_status = "500";
  std::string thresholds = "  http.rps: \">= 20\"\n";
  std::string after_fault;  // extra steps after the detection
};

class FlipDrill : public ::testing::Test {
 protected:
  fs::path fail_file() const { return dir.path() / "failing"; }
  fs::path out_dir() const { return dir.path() / "out"; }

  fs::path write(const Drill& d) {
    std::string url = server.url("/");
    fs::path file = dir.path() / "drill.yaml";
    std::ofstream(file) << "apiVersion: firedrill/v1\nkind: Drill\n"
                        << "metadata: {name: e2e-flip}\n"
                        << "target: {url: \"" << url << "\"}\n"
                        << "load:\n  baseline:\n    requests: [{path: /}]\n"
                        << "    rate: 100/s\n    connections: 2\n    threads: 1\n"
                        << "steps:\n"
                        << "  - load: baseline\n    duration: 30s\n    background: true\n"
                        << "  - name: healthy\n    validate:\n      consistently: 1s\n"
                        << "      interval: 250ms\n"
                        << "      checks: [{http: {url: \"" << url << "\", status: 2xx}}]\n"
                        << "  - name: break it\n    chaos:\n      exec:\n"
                        << "        inject: touch " << fail_file().string() << "\n"
                        << "        revert: rm -f " << fail_file().string() << "\n"
                        << "  - name: detect\n    validate:\n      eventually: 3s\n"
                        << "      interval: 200ms\n"
                        << "      checks: [{http: {url: \"" << url << "\", status: \""
                        << d.detect_status << "\"}}]\n"
                        << d.after_fault << "thresholds:\n"
                        << d.thresholds;
    return file;
  }

  CommandResult run(const fs::path& drill) {
    CommandResult r = run_firedrill({"run", "-q", "--out-dir", out_dir().string(), drill.string()},
                                    /*with_output=*/false);
    if (fs::exists(out_dir() / "result.json")) {
      r.json = json::parse(read_text(out_dir() / "result.json"));
    }
    return r;
  }

  // Seconds at which the first event of `type` (and name, when given) happened; -1 if none.
  static double at(const json& result, const std::string& type, const std::string& name = "") {
    for (const auto& e : result.at("timeline")) {
      if (e.at("type") == type && (name.empty() || e.at("name") == name)) {
        return e.at("at_s").get<double>();
      }
    }
    return -1;
  }

  TempDir dir;
  TestServer server{{"--fail-file", (dir.path() / "failing").string()}};
};

TEST_F(FlipDrill, DetectsTheFaultAndReverts) {
  CommandResult r = run(write({}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.json.at("verdict"), "passed");
  EXPECT_FALSE(fs::exists(fail_file())) << "the fault was not reverted";

  const json& checks = r.json.at("checks");
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].at("window"), "consistently");
  EXPECT_EQ(checks[1].at("verdict"), "passed");
  double ttd = checks[1].at("time_to_detect_s").get<double>();
  EXPECT_GE(ttd, 0.0);
  EXPECT_LT(ttd, 3.0);

  double start = at(r.json, "drill_start");
  double healthy = at(r.json, "step_start", "healthy");
  double injected = at(r.json, "fault_injected");
  double detected = at(r.json, "check_passed", "http");
  double reverted = at(r.json, "fault_reverted");
  double end = at(r.json, "drill_end");
  EXPECT_LE(start, healthy);
  EXPECT_LT(healthy, injected);
  EXPECT_LE(injected, reverted);
  EXPECT_LT(reverted, end + 1e-9);
  EXPECT_GE(detected, 0);
  ASSERT_EQ(r.json.at("faults").size(), 1u);
  EXPECT_TRUE(r.json.at("faults")[0].contains("reverted_s"));
  EXPECT_TRUE(fs::exists(out_dir() / "junit.xml"));
  EXPECT_TRUE(fs::exists(out_dir() / "report.html"));
  EXPECT_NE(r.out.find("PASSED"), std::string::npos) << r.out;
}

TEST_F(FlipDrill, CheckThatNeverHoldsFailsWithEvidence) {
  CommandResult r = run(
      write({.detect_status = "418", .thresholds = "  http.rps: \">= 20\"\n", .after_fault = ""}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.json.at("verdict"), "failed");
  const json& detect = r.json.at("checks")[1];
  EXPECT_EQ(detect.at("verdict"), "failed");
  EXPECT_FALSE(detect.contains("time_to_detect_s") && !detect.at("time_to_detect_s").is_null());
  // The evidence shows what the check saw instead: the 500 the fault caused.
  EXPECT_NE(detect.at("evidence").dump().find("500"), std::string::npos) << detect.dump();
  EXPECT_FALSE(fs::exists(fail_file()));
}

TEST_F(FlipDrill, BreachedThresholdFailsTheDrill) {
  CommandResult r =
      run(write({.thresholds = "  http.errors.rate: \"< 1%\"\n", .after_fault = "  - wait: 1s\n"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.json.at("verdict"), "failed");
  for (const auto& c : r.json.at("checks")) EXPECT_EQ(c.at("verdict"), "passed") << c.dump();
  ASSERT_EQ(r.json.at("thresholds").size(), 1u);
  EXPECT_FALSE(r.json.at("thresholds")[0].at("passed").get<bool>());
  EXPECT_GT(r.json.at("thresholds")[0].at("observed").get<double>(), 0.01);
  EXPECT_FALSE(fs::exists(fail_file()));
}

TEST_F(FlipDrill, InterruptMidFaultRevertsAndReports) {
  fs::path drill = write({.detect_status = "500",
                          .thresholds = "  http.rps: \">= 20\"\n",
                          .after_fault = "  - wait: 60s\n"});
  Process firedrill(
      {FIREDRILL_BINARY, "run", "-q", "--out-dir", out_dir().string(), drill.string()},
      dir.path() / "run.log");
  for (int i = 0; i < 250 && !fs::exists(fail_file()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(fs::exists(fail_file())) << "the fault was never injected";
  firedrill.signal(SIGINT);
  int code = firedrill.wait(std::chrono::seconds(20));
  EXPECT_EQ(code, 3) << read_text(dir.path() / "run.log");
  EXPECT_FALSE(fs::exists(fail_file())) << "the fault was not reverted";
  json result = json::parse(read_text(out_dir() / "result.json"));
  EXPECT_EQ(result.at("verdict"), "aborted");
  EXPECT_GE(at(result, "aborted"), 0);
  EXPECT_GE(at(result, "fault_reverted"), at(result, "aborted"));
  EXPECT_TRUE(fs::exists(out_dir() / "junit.xml"));
  EXPECT_TRUE(fs::exists(out_dir() / "report.html"));
  std::string journal = read_text(out_dir() / "journal.jsonl");
  EXPECT_NE(journal.find("\"reverted\""), std::string::npos) << journal;
}

// Every signal that would end the process is answered like Ctrl-C: a closed terminal (SIGHUP),
// SIGQUIT, a stray SIGUSR1/2 or SIGALRM must not leave the fault in place.
class FlipDrillSignal : public FlipDrill, public ::testing::WithParamInterface<int> {};

TEST_P(FlipDrillSignal, AnyEndingSignalRevertsReportsAndExits3) {
  fs::path drill = write({.after_fault = "  - wait: 60s\n"});
  Process firedrill({FIREDRILL_BINARY, "run", "--out-dir", out_dir().string(), drill.string()},
                    dir.path() / "run.log");
  for (int i = 0; i < 250 && !fs::exists(fail_file()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(fs::exists(fail_file())) << "the fault was never injected";
  firedrill.signal(GetParam());
  int code = firedrill.wait(std::chrono::seconds(20));
  EXPECT_EQ(code, 3) << read_text(dir.path() / "run.log");
  EXPECT_FALSE(fs::exists(fail_file())) << "the fault was not reverted";
  ASSERT_TRUE(fs::exists(out_dir() / "result.json"));
  json result = json::parse(read_text(out_dir() / "result.json"));
  EXPECT_EQ(result.at("verdict"), "aborted");
  EXPECT_EQ(result.at("abort_reason"),
            std::string("interrupted by SIG") + sigabbrev_np(GetParam()));
  EXPECT_TRUE(fs::exists(out_dir() / "report.html"));
}

INSTANTIATE_TEST_SUITE_P(Signals, FlipDrillSignal,
                         ::testing::Values(SIGHUP, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string("SIG") + sigabbrev_np(info.param);
                         });

// `firedrill run drill.yaml 2>&1 | tee log`, then Ctrl-C: tee dies first, and every later line
// firedrill prints goes to a pipe nobody reads (SIGPIPE, EPIPE). The run must still revert,
// report and exit 3.
TEST_F(FlipDrill, AClosedOutputPipeDoesNotEndTheRun) {
  fs::path drill = write({.after_fault = "  - wait: 60s\n"});
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(FIREDRILL_BINARY, FIREDRILL_BINARY, "run", "--out-dir", out_dir().c_str(), drill.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  for (int i = 0; i < 250 && !fs::exists(fail_file()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  close(fds[0]);  // the reader is gone: every write from here on raises SIGPIPE
  ASSERT_TRUE(fs::exists(fail_file())) << "the fault was never injected";
  kill(pid, SIGINT);
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 400 && done == 0; ++i) {
    done = waitpid(pid, &status, WNOHANG);
    if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (done == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "firedrill did not end";
  }
  EXPECT_TRUE(WIFEXITED(status)) << "ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_FALSE(fs::exists(fail_file())) << "the fault was not reverted";
  ASSERT_TRUE(fs::exists(out_dir() / "result.json"));
  EXPECT_EQ(json::parse(read_text(out_dir() / "result.json")).at("verdict"), "aborted");
}

// Without a journal there is no revert after a crash: a journal that cannot be written stops the
// run before any fault, with exit 3 and the reports.
TEST_F(FlipDrill, AnUnwritableJournalAbortsBeforeAnyFault) {
  fs::create_directories(out_dir() / "journal.jsonl");  // a directory where the file goes
  CommandResult r = run(write({}));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  ASSERT_TRUE(r.json.is_object()) << r.err;
  EXPECT_EQ(r.json.at("verdict"), "aborted");
  EXPECT_NE(r.json.at("abort_reason").get<std::string>().find("cannot write the revert journal"),
            std::string::npos)
      << r.json.at("abort_reason");
  EXPECT_TRUE(r.json.at("faults").empty()) << "no fault may be injected";
  EXPECT_FALSE(fs::exists(fail_file()));
  EXPECT_TRUE(fs::exists(out_dir() / "report.html"));
}

TEST_F(FlipDrill, LiveMetricsWhileRunning) {
  uint16_t port = free_port();
  fs::path drill = write({.detect_status = "500",
                          .thresholds = "  http.rps: \">= 20\"\n",
                          .after_fault = "  - wait: 3s\n"});
  Process firedrill({FIREDRILL_BINARY, "run", "-q", "--out-dir", out_dir().string(),
                     "--metrics-listen", "127.0.0.1:" + std::to_string(port), drill.string()},
                    dir.path() / "run.log");
  std::string metrics;
  std::regex responses(
      R"(firedrill_http_responses_total\{[^}]*profile="baseline"[^}]*\} ([0-9.e+]+))");
  std::smatch m;
  for (int i = 0; i < 100; ++i) {
    metrics = http_get("http://127.0.0.1:" + std::to_string(port) + "/metrics");
    if (std::regex_search(metrics, m, responses) && std::stod(m[1]) > 0 &&
        metrics.find("firedrill_faults_active{drill=\"e2e-flip\"} 1") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(std::regex_search(metrics, m, responses)) << metrics;
  EXPECT_GT(std::stod(m[1]), 0);
  EXPECT_NE(metrics.find("firedrill_faults_active{drill=\"e2e-flip\"} 1"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("firedrill_http_latency_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.find("firedrill_check_passed"), std::string::npos);
  EXPECT_EQ(firedrill.wait(std::chrono::seconds(30)), 0) << read_text(dir.path() / "run.log");
}

TEST_F(FlipDrill, PushesTheFinalResultToAPushgateway) {
  uint16_t port = free_port();
  Process gateway(pushgateway_argv(port), dir.path() / "pushgateway.log");
  ASSERT_TRUE(wait_for_port(port)) << read_text(dir.path() / "pushgateway.log");
  CommandResult r = run_firedrill({"run", "-q", "--out-dir", out_dir().string(), "--pushgateway",
                                   "http://127.0.0.1:" + std::to_string(port), write({}).string()},
                                  false);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string metrics = http_get("http://127.0.0.1:" + std::to_string(port) + "/metrics");
  std::regex exit_code(
      R"re(firedrill_drill_exit_code\{[^}]*drill="e2e-flip"[^}]*job="firedrill"[^}]*\} 0)re");
  EXPECT_TRUE(std::regex_search(metrics, exit_code)) << metrics;
  EXPECT_NE(metrics.find("firedrill_check_time_to_detect_seconds{"), std::string::npos);
  EXPECT_NE(metrics.find("firedrill_http_responses_total{"), std::string::npos);
}

TEST(ExampleDrills, HttpSmokePassesAgainstALocalServer) {
  TestServer server;
  TempDir dir;
  std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  std::string cmd = std::string("TARGET_URL=") + url + " " + FIREDRILL_BINARY +
                    " run -q --out-dir " + (dir.path() / "out").string() + " " +
                    FIREDRILL_SOURCE_DIR + "/scenarios/examples/http-smoke.yaml > " +
                    (dir.path() / "log").string() + " 2>&1";
  int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(dir.path() / "log");
}

}  // namespace
}  // namespace firedrill::testing
