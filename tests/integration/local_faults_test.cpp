// The local faults (process.kill, process.oom, process.crashloop, http.degrade) and the checks
// that see their consequences (service.status, logs.file), against real replicas of
// `firedrill target` run by the supervisor.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "chaos/fault.hpp"
#include "local/local_services.hpp"
#include "tests/integration/support.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;
using validators::Verdict;

// Two replicas of the target service on free loopback ports, supervised for one test.
class LocalFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    local::ServiceSpec target;
    target.name = "target";
    target.command = {"firedrill", "target", "--listen", "127.0.0.1:$(PORT)"};
    target.replicas = 2;
    target.port = free_port_block(2);
    target.readiness = local::ReadinessProbe{};
    target.backoff = 200ms;
    services_ = std::make_unique<local::LocalServices>(std::vector<local::ServiceSpec>{target},
                                                       dir_.path(), FIREDRILL_BINARY);
    services_->start_all();
    fault_context_.run_id = "test-run";
    fault_context_.services = services_.get();
    check_context_.drill_start = validators::WallClock::now();
    check_context_.services = services_.get();
  }

  std::unique_ptr<chaos::Fault> fault(const std::string& kind_name, json params) {
    const chaos::FaultKind* kind = chaos::find_fault_kind(kind_name);
    EXPECT_NE(kind, nullptr) << kind_name;
    return kind->create(kind_params(kind->schema, std::move(params)), nullptr);
  }

  // Injects now and makes the fault the one checks count from.
  void inject(chaos::Fault& f) {
    f.capture(fault_context_);
    check_context_.last_fault = validators::WallClock::now();
    f.inject(fault_context_);
  }

  validators::Observation observe(const std::string& kind_name, json params) {
    const validators::CheckKind* kind = validators::find_check_kind(kind_name);
    EXPECT_NE(kind, nullptr) << kind_name;
    return kind->create(kind_params(kind->schema, std::move(params)))->observe(check_context_);
  }

  // Polls a check until it passes, up to 20 s; the last observation.
  validators::Observation eventually(const std::string& kind, const json& params) {
    validators::Observation o;
    for (int i = 0; i < 100; ++i) {
      o = observe(kind, params);
      if (o.verdict == Verdict::Pass) break;
      std::this_thread::sleep_for(200ms);
    }
    return o;
  }

  json admin_faults(int replica) {
    int port = services_->status("target")[replica].port;
    return json::parse(http_get("http://127.0.0.1:" + std::to_string(port) + "/admin/fault"));
  }

  TempDir dir_;
  std::unique_ptr<local::LocalServices> services_;
  chaos::FaultContext fault_context_;
  validators::CheckContext check_context_;
};

TEST_F(LocalFaults, HttpDegradeSetsAndRestoresTheTargetsFaults) {
  auto degrade = fault("http.degrade",
                       {{"service", "target"}, {"errorRate", 0.25}, {"extraLatency", ns(30ms)}});
  EXPECT_EQ(degrade->describe(), "25% errors and +30ms latency on every replica of target");
  inject(*degrade);
  for (int replica : {0, 1}) {
    EXPECT_DOUBLE_EQ(admin_faults(replica)["error_rate"].get<double>(), 0.25);
    EXPECT_EQ(admin_faults(replica)["extra_latency"], "30ms");
  }
  degrade->revert(fault_context_);
  degrade->revert(fault_context_);  // twice is safe
  for (int replica : {0, 1}) {
    EXPECT_DOUBLE_EQ(admin_faults(replica)["error_rate"].get<double>(), 0);
    EXPECT_EQ(admin_faults(replica)["extra_latency"], "0");
  }
}

TEST_F(LocalFaults, HttpDegradeRevertsFromTheJournalAloneAndDryRunChangesNothing) {
  std::string url = "http://127.0.0.1:" + std::to_string(services_->status("target")[1].port);
  auto degrade = fault("http.degrade", {{"url", json::array({url})}, {"errorRate", 0.5}});
  json captured = degrade->capture(fault_context_);
  degrade->inject(fault_context_);
  EXPECT_DOUBLE_EQ(admin_faults(1)["error_rate"].get<double>(), 0.5);
  // `firedrill revert JOURNAL` re-creates the fault from its params and what capture() recorded.
  const chaos::FaultKind* kind = chaos::find_fault_kind("http.degrade");
  auto again = kind->create(
      kind_params(kind->schema, {{"url", json::array({url})}, {"errorRate", 0.5}}), captured);
  again->revert(chaos::FaultContext{});
  EXPECT_DOUBLE_EQ(admin_faults(1)["error_rate"].get<double>(), 0);

  chaos::FaultContext dry = fault_context_;
  dry.dry_run = true;
  auto dry_fault = fault("http.degrade", {{"service", "target"}, {"errorRate", 0.5}});
  dry_fault->capture(dry);
  dry_fault->inject(dry);
  EXPECT_DOUBLE_EQ(admin_faults(0)["error_rate"].get<double>(), 0);
}

TEST_F(LocalFaults, ProcessKillKeptDownUntilReverted) {
  auto kill = fault("process.kill", {{"service", "target"}, {"replicas", {1}}, {"keepDown", true}});
  EXPECT_EQ(kill->describe(), "SIGKILL to replica 1 of target, kept down until reverted");
  inject(*kill);
  EXPECT_EQ(
      eventually("service.status", {{"service", "target"}, {"replicas", {1}}, {"state", "stopped"}})
          .verdict,
      Verdict::Pass);
  EXPECT_EQ(eventually("service.status", {{"service", "target"}, {"terminated", "Killed"}}).verdict,
            Verdict::Pass);
  auto both_ready = observe("service.status", {{"service", "target"}, {"ready", 2}});
  EXPECT_EQ(both_ready.verdict, Verdict::Fail);
  EXPECT_THAT(both_ready.message, HasSubstr("2 ready (saw 1)"));
  kill->revert(fault_context_);
  EXPECT_EQ(observe("service.status", {{"service", "target"}, {"ready", 2}, {"state", "running"}})
                .verdict,
            Verdict::Pass);
}

TEST_F(LocalFaults, ProcessOomIsRecordedAsOomKilledAndTheReplicaRestarts) {
  auto oom = fault("process.oom", {{"service", "target"}, {"limit", "48Mi"}, {"leakMbPerS", 64}});
  inject(*oom);
  auto killed = eventually(
      "service.status",
      {{"service", "target"}, {"replicas", {0}}, {"terminated", "OOMKilled"}, {"restarts", 1}});
  EXPECT_EQ(killed.verdict, Verdict::Pass) << killed.message << killed.evidence.dump(2);
  EXPECT_EQ(killed.evidence["termination"]["reason"], "OOMKilled");
  // The other replica was not touched.
  EXPECT_EQ(observe("service.status",
                    {{"service", "target"}, {"replicas", {1}}, {"terminated", "OOMKilled"}})
                .verdict,
            Verdict::Fail);
  oom->revert(fault_context_);
  EXPECT_EQ(observe("service.status", {{"service", "target"}, {"ready", 2}}).verdict,
            Verdict::Pass);
}

TEST_F(LocalFaults, ProcessCrashloopBacksOffAndLogsAreCountedAfterTheFault) {
  auto before = observe("logs.file", {{"service", "target"}, {"pattern", "on purpose"}});
  EXPECT_EQ(before.verdict, Verdict::Fail);
  auto crash = fault("process.crashloop", {{"service", "target"}, {"replicas", {0}}});
  inject(*crash);
  auto restarts = eventually(
      "service.status",
      {{"service", "target"}, {"replicas", {0}}, {"restarts", 2}, {"terminated", "Error"}});
  EXPECT_EQ(restarts.verdict, Verdict::Pass) << restarts.message;
  auto logged = eventually(
      "logs.file",
      {{"service", "target"}, {"replica", 0}, {"pattern", "fails on purpose"}, {"minCount", 2}});
  EXPECT_EQ(logged.verdict, Verdict::Pass) << logged.message;
  EXPECT_EQ(logged.evidence["first_matching"][0]["stream"], "stderr");
  EXPECT_EQ(observe("logs.file",
                    {{"service", "target"}, {"pattern", "fails on purpose"}, {"expect", "absent"}})
                .verdict,
            Verdict::Fail);
  crash->revert(fault_context_);
  EXPECT_EQ(observe("service.status", {{"service", "target"}, {"ready", 2}}).verdict,
            Verdict::Pass);
  // Lines older than the latest fault never count.
  check_context_.last_fault = validators::WallClock::now();
  EXPECT_EQ(observe("logs.file", {{"service", "target"}, {"pattern", "fails on purpose"}}).verdict,
            Verdict::Fail);
}

TEST_F(LocalFaults, UnknownServiceOrReplicaIsAClearError) {
  auto kill = fault("process.kill", {{"service", "checkout"}});
  try {
    kill->inject(fault_context_);
    ADD_FAILURE() << "no error";
  } catch (const chaos::FaultError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no service `checkout`; its services are: target"));
  }
  auto far = fault("process.kill", {{"service", "target"}, {"replicas", {5}}});
  try {
    far->inject(fault_context_);
    ADD_FAILURE() << "no error";
  } catch (const chaos::FaultError& e) {
    EXPECT_THAT(e.what(), HasSubstr("has 2 replicas (0 to 1); there is no replica 5"));
  }
  chaos::FaultContext without;
  try {
    fault("http.degrade", {{"service", "target"}, {"errorRate", 0.1}})->capture(without);
    ADD_FAILURE() << "no error";
  } catch (const chaos::FaultError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no `services:` block"));
  }
}

}  // namespace
}  // namespace firedrill::testing
