// The alerting checks against real Prometheus, Alertmanager and Pushgateway on loopback, with
// firedrill's own notification receiver as Alertmanager's webhook. The test controls the metric
// the alert rule watches by pushing it to the Pushgateway; pushing 1 is the "fault".
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <functional>
#include <thread>

#include "clients/alertmanager_client.hpp"
#include "clients/prometheus_client.hpp"
#include "common/http_client.hpp"
#include "local/notification_receiver.hpp"
#include "tests/integration/support.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using validators::Observation;
using validators::Verdict;
using Clock = std::chrono::steady_clock;

constexpr auto kPatience = 30s;

const char* kRules = R"(groups:
  - name: firedrill
    interval: 1s
    rules:
      - alert: FiredrillFault
        expr: firedrill_fault > 0
        for: 1s
        labels:
          severity: page
        annotations:
          summary: "fault in {{ $labels.case }}"
)";

// Starts a server on a free port. Tests of other builds may run on this machine at the same
// time: when one of them takes the port first, ours exits and is started again on another, and
// its own log line, not a connection, says that it is ours that listens.
std::unique_ptr<Process> start_server(const std::function<std::vector<std::string>(uint16_t)>& argv,
                                      const fs::path& log, uint16_t& port) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    port = free_port();
    auto process = std::make_unique<Process>(argv(port), log);
    const std::string listening = "address=127.0.0.1:" + std::to_string(port);
    for (auto deadline = Clock::now() + kPatience; Clock::now() < deadline;) {
      std::string text = read_text(log);
      if (text.find("Listening on") != std::string::npos &&
          text.find(listening) != std::string::npos) {
        return process;
      }
      if (process->wait(50ms) != -1) break;
    }
  }
  return nullptr;
}

// Everything the tests talk to, started once for the suite. The metrics it pushes carry a job
// label of their own, so that nothing another run pushes can match.
class Monitoring {
 public:
  Monitoring() {
    local::ReceiverOptions options;
    options.listen = "127.0.0.1:0";
    receiver_ = std::make_unique<local::NotificationReceiver>(options);
    job_ = "firedrill-" + std::to_string(getpid()) + "-" + std::to_string(receiver_->port());
  }

  // Empty when everything runs and answers; otherwise what did not, with its log.
  std::string start() {
    pushgateway_ = start_server([](uint16_t port) { return pushgateway_argv(port); },
                                dir_.path() / "pushgateway.log", pushgateway_port_);
    if (!pushgateway_) return "pushgateway: " + log("pushgateway.log");

    std::ofstream(dir_.path() / "alertmanager.yml") << "route:\n"
                                                       "  receiver: firedrill\n"
                                                       "  group_by: [alertname, job, case]\n"
                                                       "  group_wait: 1s\n"
                                                       "  group_interval: 1s\n"
                                                       "  repeat_interval: 1h\n"
                                                       "  routes:\n"
                                                       "    - matchers: ['route=\"nowhere\"']\n"
                                                       "      receiver: blackhole\n"
                                                       "receivers:\n"
                                                       "  - name: firedrill\n"
                                                       "    webhook_configs:\n"
                                                       "      - url: "
                                                    << receiver_->url("/alertmanager")
                                                    << "\n"
                                                       "        send_resolved: true\n"
                                                       "  - name: blackhole\n";
    alertmanager_ = start_server(
        [this](uint16_t port) {
          return std::vector<std::string>{
              "prometheus-alertmanager",
              "--config.file=" + (dir_.path() / "alertmanager.yml").string(),
              "--storage.path=" + (dir_.path() / "alertmanager-data").string(),
              "--web.listen-address=127.0.0.1:" + std::to_string(port),
              "--cluster.listen-address="};
        },
        dir_.path() / "alertmanager.log", alertmanager_port_);
    if (!alertmanager_) return "alertmanager: " + log("alertmanager.log");

    std::ofstream(dir_.path() / "rules.yml") << kRules;
    std::ofstream(dir_.path() / "prometheus.yml") << "global:\n"
                                                     "  scrape_interval: 1s\n"
                                                     "  evaluation_interval: 1s\n"
                                                     "rule_files: ['"
                                                  << (dir_.path() / "rules.yml").string()
                                                  << "']\n"
                                                     "alerting:\n"
                                                     "  alertmanagers:\n"
                                                     "    - static_configs:\n"
                                                     "        - targets: ['127.0.0.1:"
                                                  << alertmanager_port_
                                                  << "']\n"
                                                     "scrape_configs:\n"
                                                     "  - job_name: pushgateway\n"
                                                     "    honor_labels: true\n"
                                                     "    static_configs:\n"
                                                     "      - targets: ['127.0.0.1:"
                                                  << pushgateway_port_ << "']\n";
    prometheus_ = start_server(
        [this](uint16_t port) {
          return std::vector<std::string>{
              "prometheus", "--config.file=" + (dir_.path() / "prometheus.yml").string(),
              "--storage.tsdb.path=" + (dir_.path() / "prometheus-data").string(),
              "--web.listen-address=127.0.0.1:" + std::to_string(port)};
        },
        dir_.path() / "prometheus.log", prometheus_port_);
    if (!prometheus_) return "prometheus: " + log("prometheus.log");

    integrations_ = {{"prometheus", {{"url", prometheus_url()}}},
                     {"alertmanager", {{"url", alertmanager_url()}}},
                     {"receiver", {{"listen", receiver_->address()}}}};
    clients::Endpoint endpoint;
    endpoint.name = "Prometheus";
    endpoint.base_url = prometheus_url();
    clients::PrometheusClient prometheus(endpoint);
    std::string why;
    for (auto deadline = Clock::now() + kPatience; Clock::now() < deadline;) {
      if (prometheus.ready(&why)) return "";
      std::this_thread::sleep_for(100ms);
    }
    return "prometheus is not ready (" + why + "): " + log("prometheus.log");
  }

  // Replaces the metric group of `case_name` (and `extra` grouping labels) on the Pushgateway.
  void push(const std::string& case_name, const std::string& text, const std::string& extra = "") {
    common::HttpRequest request;
    request.method = "PUT";
    request.url = "http://127.0.0.1:" + std::to_string(pushgateway_port_) + "/metrics/job/" + job_ +
                  "/case/" + case_name + extra;
    request.body = text;
    request.headers = {{"Content-Type", "text/plain; version=0.0.4"}};
    request.timeout = 5s;
    common::HttpResponse response = common::HttpClient().perform(request);
    ASSERT_TRUE(response.ok()) << response.error;
    ASSERT_EQ(response.status / 100, 2) << response.body;
  }

  // The labels of this run's series for `case_name`.
  json labels(const std::string& case_name) const { return {{"case", case_name}, {"job", job_}}; }
  std::string selector(const std::string& metric, const std::string& case_name) const {
    return metric + "{case=\"" + case_name + "\", job=\"" + job_ + "\"}";
  }

  std::string prometheus_url() const {
    return "http://127.0.0.1:" + std::to_string(prometheus_port_);
  }
  std::string alertmanager_url() const {
    return "http://127.0.0.1:" + std::to_string(alertmanager_port_);
  }

  validators::CheckContext context(std::optional<validators::WallClock::time_point> fault) {
    validators::CheckContext c;
    c.drill_start = start_;
    c.last_fault = fault;
    typed_integrations_ = clients::Integrations(integrations_);
    c.integrations = &typed_integrations_;
    c.receiver = receiver_.get();
    return c;
  }

  std::string log(const std::string& name) const { return read_text(dir_.path() / name); }

 private:
  TempDir dir_;
  validators::WallClock::time_point start_ = validators::WallClock::now();
  std::unique_ptr<local::NotificationReceiver> receiver_;
  std::string job_;
  uint16_t pushgateway_port_ = 0;
  uint16_t alertmanager_port_ = 0;
  uint16_t prometheus_port_ = 0;
  std::unique_ptr<Process> pushgateway_;
  std::unique_ptr<Process> alertmanager_;
  std::unique_ptr<Process> prometheus_;
  json integrations_;
  clients::Integrations typed_integrations_;
};

std::unique_ptr<validators::Check> make_check(const std::string& kind_name, json params) {
  const validators::CheckKind* kind = validators::find_check_kind(kind_name);
  EXPECT_NE(kind, nullptr) << kind_name;
  return kind->create(kind_params(kind->schema, std::move(params)));
}

// Polls like an `eventually` window: until the check passes or kPatience runs out.
Observation eventually(validators::Check& check, const validators::CheckContext& context) {
  Observation o = check.observe(context);
  for (auto deadline = Clock::now() + kPatience;
       o.verdict != Verdict::Pass && Clock::now() < deadline;) {
    std::this_thread::sleep_for(250ms);
    o = check.observe(context);
  }
  return o;
}

Observation eventually(const std::string& kind, json params,
                       const validators::CheckContext& context) {
  auto check = make_check(kind, std::move(params));
  return eventually(*check, context);
}

Observation once(const std::string& kind, json params, const validators::CheckContext& context) {
  return make_check(kind, std::move(params))->observe(context);
}

class Alerting : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    monitoring_ = new Monitoring();
    setup_error_ = monitoring_->start();
  }
  static void TearDownTestSuite() {
    delete monitoring_;
    monitoring_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(setup_error_, ""); }

  Monitoring& m() { return *monitoring_; }
  json alert(const std::string& case_name) {
    return {{"name", "FiredrillFault"}, {"labels", m().labels(case_name)}};
  }

  static Monitoring* monitoring_;
  static std::string setup_error_;
};

Monitoring* Alerting::monitoring_ = nullptr;
std::string Alerting::setup_error_;

TEST_F(Alerting, PrometheusAlertFiresAfterTheFault) {
  auto fault = validators::WallClock::now();
  m().push("fires", "firedrill_fault 1\n");
  Observation o = eventually("prometheus.alert", alert("fires"), m().context(fault));
  ASSERT_EQ(o.verdict, Verdict::Pass) << o.message << "\n" << o.evidence.dump(2);
  EXPECT_GE(o.evidence["time_to_active_s"].get<double>(), 0.0);
  ASSERT_EQ(o.evidence["alerts"].size(), 1u);
  EXPECT_EQ(o.evidence["alerts"][0]["state"], "firing");
  EXPECT_EQ(o.evidence["alerts"][0]["pre_existing"], false);
  EXPECT_EQ(o.evidence["alerts"][0]["labels"]["severity"], "page");
  EXPECT_EQ(o.evidence["since"]["event"], "fault");
  EXPECT_NE(o.message.find("after the fault"), std::string::npos) << o.message;
}

TEST_F(Alerting, PrometheusAlertAlreadyFiringBeforeTheFaultDoesNotCount) {
  m().push("before", "firedrill_fault 1\n");
  Observation firing = eventually("prometheus.alert", alert("before"), m().context(std::nullopt));
  ASSERT_EQ(firing.verdict, Verdict::Pass) << firing.message;

  auto fault = validators::WallClock::now();
  Observation o = once("prometheus.alert", alert("before"), m().context(fault));
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_NE(o.message.find("pre-existing"), std::string::npos) << o.message;
  ASSERT_EQ(o.evidence["alerts"].size(), 1u);
  EXPECT_EQ(o.evidence["alerts"][0]["pre_existing"], true);
  EXPECT_LT(o.evidence["alerts"][0]["active_after_s"].get<double>(), 0.0);
  // For `absent`, an old alert is still an alert.
  json absent = alert("before");
  absent["expect"] = "absent";
  EXPECT_EQ(once("prometheus.alert", absent, m().context(fault)).verdict, Verdict::Fail);
}

TEST_F(Alerting, PrometheusAlertExpectAbsent) {
  m().push("quiet", "firedrill_fault 0\n");
  json absent = alert("quiet");
  absent["expect"] = "absent";
  auto context = m().context(std::nullopt);
  Observation o = once("prometheus.alert", absent, context);
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(o.evidence["alerts"], json::array());
  EXPECT_EQ(once("prometheus.alert", alert("quiet"), context).verdict, Verdict::Fail);
}

TEST_F(Alerting, PrometheusQuery) {
  m().push("query",
           "firedrill_error_ratio{path=\"/a\"} 0.1\nfiredrill_error_ratio{path=\"/b\"} 0.01\n");
  auto context = m().context(std::nullopt);
  const std::string q = m().selector("firedrill_error_ratio", "query");
  Observation two = eventually("prometheus.query", {{"query", "count(" + q + ") == 2"}}, context);
  ASSERT_EQ(two.verdict, Verdict::Pass) << two.message;

  Observation every = once("prometheus.query", {{"query", q}, {"value", "> 0.05"}}, context);
  EXPECT_EQ(every.verdict, Verdict::Fail);
  EXPECT_NE(every.message.find("0.01"), std::string::npos) << every.message;
  EXPECT_EQ(every.evidence["query"], q);
  EXPECT_EQ(every.evidence["samples"].size(), 2u);

  Observation any =
      once("prometheus.query", {{"query", q}, {"value", "> 0.05"}, {"any", true}}, context);
  EXPECT_EQ(any.verdict, Verdict::Pass) << any.message;
  EXPECT_EQ(once("prometheus.query", {{"query", q}, {"value", ">= 0.01"}}, context).verdict,
            Verdict::Pass);
  EXPECT_EQ(
      once("prometheus.query", {{"query", "sum(" + q + ")"}, {"value", "< 1"}}, context).verdict,
      Verdict::Pass);
  EXPECT_EQ(
      once("prometheus.query", {{"query", q}, {"value", "> 0.05"}, {"expect", "absent"}}, context)
          .verdict,
      Verdict::Fail);

  const std::string none = m().selector("firedrill_error_ratio", "none");
  Observation empty = once("prometheus.query", {{"query", none}}, context);
  EXPECT_EQ(empty.verdict, Verdict::Fail);
  EXPECT_EQ(empty.message, "the query returned no samples");
  EXPECT_EQ(once("prometheus.query", {{"query", none}, {"expect", "absent"}}, context).verdict,
            Verdict::Pass);

  Observation broken = once("prometheus.query", {{"query", "sum(("}}, context);
  EXPECT_EQ(broken.verdict, Verdict::Inconclusive);
  EXPECT_NE(broken.message.find("status 400: bad_data"), std::string::npos) << broken.message;
}

TEST_F(Alerting, AlertmanagerAlertRoutedToItsReceiver) {
  auto fault = validators::WallClock::now();
  m().push("routed", "firedrill_fault 1\n");
  json routed = alert("routed");
  routed["receiver"] = "firedrill";
  Observation o = eventually("alertmanager.alert", routed, m().context(fault));
  ASSERT_EQ(o.verdict, Verdict::Pass) << o.message << "\n" << o.evidence.dump(2);
  EXPECT_EQ(o.evidence["receivers"], json::array({"firedrill"}));
  EXPECT_GE(o.evidence["time_to_start_s"].get<double>(), 0.0);
  EXPECT_EQ(o.evidence["alerts"][0]["status"]["state"], "active");

  json wrong = alert("routed");
  wrong["receiver"] = "pager";
  Observation miss = once("alertmanager.alert", wrong, m().context(fault));
  EXPECT_EQ(miss.verdict, Verdict::Fail);
  EXPECT_NE(miss.message.find("routed to firedrill, not pager"), std::string::npos) << miss.message;
  // Before the alert started, it would have been pre-existing.
  Observation later = once("alertmanager.alert", routed, m().context(validators::WallClock::now()));
  EXPECT_EQ(later.verdict, Verdict::Fail);
  EXPECT_NE(later.message.find("pre-existing"), std::string::npos) << later.message;
  EXPECT_EQ(once("alertmanager.alert", alert("never-pushed"), m().context(fault)).verdict,
            Verdict::Fail);
}

TEST_F(Alerting, ReceiverGetsTheAlertmanagerWebhook) {
  auto fault = validators::WallClock::now();
  m().push("notify", "firedrill_fault 1\n");
  Observation o = eventually("receiver.notification",
                             {{"alertname", "FiredrillFault"},
                              {"labels", m().labels("notify")},
                              {"format", "alertmanager"}},
                             m().context(fault));
  ASSERT_EQ(o.verdict, Verdict::Pass) << o.message << "\n" << o.evidence.dump(2);
  EXPECT_GT(o.evidence["time_to_notify_s"].get<double>(), 0.0);
  EXPECT_EQ(o.evidence["notification"]["receiver"], "firedrill");
  EXPECT_EQ(o.evidence["notification"]["payload"]["version"], "4");
  EXPECT_EQ(o.evidence["notification"]["path"], "/alertmanager");
  // The same notification does not count for a later fault.
  Observation later = once("receiver.notification",
                           {{"alertname", "FiredrillFault"}, {"labels", m().labels("notify")}},
                           m().context(validators::WallClock::now()));
  EXPECT_EQ(later.verdict, Verdict::Fail);
}

TEST_F(Alerting, AlertRoutedNowhereFiresButNoNotificationArrives) {
  auto fault = validators::WallClock::now();
  // Two alerts at once: one routed to the blackhole receiver, and a control routed to firedrill.
  m().push("nowhere", "firedrill_fault 1\n", "/route/nowhere");
  m().push("control", "firedrill_fault 1\n");
  auto context = m().context(fault);

  EXPECT_EQ(eventually("prometheus.alert", alert("nowhere"), context).verdict, Verdict::Pass);
  json blackhole = alert("nowhere");
  blackhole["receiver"] = "blackhole";
  Observation am = eventually("alertmanager.alert", blackhole, context);
  ASSERT_EQ(am.verdict, Verdict::Pass) << am.message;
  Observation control =
      eventually("receiver.notification",
                 {{"alertname", "FiredrillFault"}, {"labels", m().labels("control")}}, context);
  ASSERT_EQ(control.verdict, Verdict::Pass) << control.message;

  // Alertmanager has had the routed-nowhere alert as long as the control, whose page arrived.
  Observation o =
      once("receiver.notification",
           {{"alertname", "FiredrillFault"}, {"labels", m().labels("nowhere")}}, context);
  EXPECT_EQ(o.verdict, Verdict::Fail) << o.evidence.dump(2);
  EXPECT_NE(o.message.find("no firing FiredrillFault{case=\"nowhere\", job="), std::string::npos)
      << o.message;
}

TEST_F(Alerting, UnreachableMonitoringIsInconclusive) {
  auto context = m().context(std::nullopt);
  json params = alert("fires");
  params["url"] = "http://127.0.0.1:" + std::to_string(free_port());
  Observation o = once("prometheus.alert", params, context);
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  EXPECT_NE(o.message.find("no response"), std::string::npos) << o.message;

  validators::CheckContext bare;
  bare.drill_start = validators::WallClock::now();
  Observation unset = once("alertmanager.alert", alert("fires"), bare);
  EXPECT_EQ(unset.verdict, Verdict::Inconclusive);
  EXPECT_NE(unset.message.find("integrations.alertmanager.url"), std::string::npos)
      << unset.message;
}

TEST_F(Alerting, CredentialsStayOutOfEvidence) {
  json integrations = {{"prometheus",
                        {{"url", "http://user:hunter2@127.0.0.1:" + std::to_string(free_port())},
                         {"bearerToken", "s3cr3t-token"},
                         {"basicAuth", {{"username", "u"}, {"password", "pw-hunter2"}}}}}};
  validators::CheckContext context;
  context.drill_start = validators::WallClock::now();
  const clients::Integrations typed(integrations);
  context.integrations = &typed;
  Observation o = once("prometheus.query", {{"query", "up"}}, context);
  EXPECT_EQ(o.verdict, Verdict::Inconclusive);
  std::string all = o.message + o.evidence.dump();
  EXPECT_EQ(all.find("hunter2"), std::string::npos) << all;
  EXPECT_EQ(all.find("s3cr3t"), std::string::npos) << all;
}

}  // namespace
}  // namespace firedrill::testing
