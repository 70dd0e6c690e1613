// The built-in notification receiver on loopback: each payload format, refusals, and the
// receiver.notification check reading from it. SNS, which must be signed, is in
// tests/integration/sns_receiver_test.cpp.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <optional>
#include <thread>

#include "common/errors.hpp"
#include "common/http_client.hpp"
#include "common/rfc3339.hpp"
#include "local/notification_receiver.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using namespace std::chrono_literals;
using local::NotificationReceiver;
using local::ReceiverOptions;
using nlohmann::json;

ReceiverOptions loopback(std::size_t max_body = 1024 * 1024) {
  ReceiverOptions options;
  options.listen = "127.0.0.1:0";
  options.max_body = max_body;
  return options;
}

common::HttpResponse send(const std::string& url, const std::string& body,
                          common::Headers headers = {}, const std::string& method = "POST") {
  common::HttpRequest request;
  request.method = method;
  request.url = url;
  request.body = body;
  request.headers = std::move(headers);
  request.headers.emplace_back("Content-Type", "application/json");
  request.timeout = 5s;
  return common::HttpClient().perform(request);
}

// What Alertmanager 0.25 posts to a webhook_config.
json alertmanager_payload(const std::string& alertname, const std::string& status,
                          std::optional<std::chrono::system_clock::time_point> starts_at = {}) {
  return {{"version", "4"},
          {"groupKey", "{}:{alertname=\"" + alertname + "\"}"},
          {"truncatedAlerts", 0},
          {"status", status},
          {"receiver", "firedrill"},
          {"groupLabels", {{"alertname", alertname}}},
          {"commonLabels", {{"alertname", alertname}, {"namespace", "shop"}}},
          {"commonAnnotations", json::object()},
          {"externalURL", "http://alertmanager:9093"},
          {"alerts",
           {{{"status", status},
             {"labels", {{"alertname", alertname}, {"namespace", "shop"}, {"pod", "checkout-1"}}},
             {"annotations", {{"summary", "checkout was OOM killed"}}},
             {"startsAt", starts_at ? common::format_rfc3339(*starts_at)
                                    : std::string("2026-11-21T07:06:08.123Z")},
             {"endsAt", "0001-01-01T00:00:00Z"},
             {"generatorURL", "http://prometheus:9090/graph"},
             {"fingerprint", "c6eadffa33fcdf37"}}}}};
}

TEST(NotificationReceiver, AlertmanagerWebhook) {
  NotificationReceiver receiver(loopback());
  json payload = alertmanager_payload("KubePodOOMKilled", "firing");
  auto r = send(receiver.url("/"), payload.dump());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 200) << r.body;
  auto got = receiver.notifications();
  ASSERT_EQ(got.size(), 1u);
  const auto& n = got[0];
  EXPECT_EQ(n.format, "alertmanager");
  EXPECT_EQ(n.status, "firing");
  EXPECT_EQ(n.receiver, "firedrill");
  EXPECT_EQ(n.alertnames(), std::vector<std::string>{"KubePodOOMKilled"});
  ASSERT_EQ(n.alerts.size(), 1u);
  EXPECT_EQ(n.alerts[0].labels["pod"], "checkout-1");
  ASSERT_TRUE(n.alerts[0].starts_at.has_value());
  EXPECT_EQ(common::format_rfc3339(*n.alerts[0].starts_at), "2026-11-21T07:06:08.123Z");
  EXPECT_EQ(n.labels["namespace"], "shop");
  EXPECT_EQ(n.payload, payload);
  EXPECT_EQ(n.path, "/");
  EXPECT_LE(n.received_at, std::chrono::system_clock::now());
}

TEST(NotificationReceiver, ResolvedAlertmanagerWebhookOnItsOwnPath) {
  NotificationReceiver receiver(loopback());
  auto r = send(receiver.url("/alertmanager"), alertmanager_payload("Down", "resolved").dump());
  EXPECT_EQ(r.status, 200) << r.body;
  auto got = receiver.notifications();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, "resolved");
  EXPECT_EQ(got[0].alerts[0].status, "resolved");
}

TEST(NotificationReceiver, GrafanaWebhook) {
  NotificationReceiver receiver(loopback());
  json payload = {
      {"receiver", "My Super Webhook"},
      {"status", "firing"},
      {"orgId", 1},
      {"alerts",
       {{{"status", "firing"},
         {"labels", {{"alertname", "High memory usage"}, {"team", "blue"}}},
         {"annotations", {{"summary", "high memory"}}},
         {"startsAt", "2021-10-12T09:51:03.157076+02:00"},
         {"endsAt", "0001-01-01T00:00:00Z"},
         {"values", {{"B", 44.2}, {"C", 1}}}},
        {{"status", "resolved"}, {"labels", {{"alertname", "High CPU usage"}, {"team", "blue"}}}}}},
      {"groupLabels", json::object()},
      {"commonLabels", {{"team", "blue"}}},
      {"version", "1"},
      {"title", "[FIRING:1] (blue)"},
      {"state", "alerting"},
      {"message", "**Firing**"}};
  EXPECT_EQ(send(receiver.url("/webhook"), payload.dump(), {}, "PUT").status, 200);
  auto got = receiver.notifications();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].format, "grafana");
  EXPECT_EQ(got[0].receiver, "My Super Webhook");
  EXPECT_EQ(got[0].alertnames(), (std::vector<std::string>{"High memory usage", "High CPU usage"}));
  EXPECT_EQ(got[0].alerts[1].status, "resolved");
  EXPECT_EQ(got[0].labels["team"], "blue");
}

TEST(NotificationReceiver, GrafanaLegacyWebhook) {
  NotificationReceiver receiver(loopback());
  json payload = {{"title", "[Alerting] Disk full"}, {"ruleId", 7},
                  {"ruleName", "Disk full"},         {"state", "alerting"},
                  {"tags", {{"host", "db-1"}}},      {"evalMatches", json::array()}};
  EXPECT_EQ(send(receiver.url("/grafana"), payload.dump()).status, 200);
  auto got = receiver.notifications();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].format, "grafana");
  EXPECT_EQ(got[0].status, "firing");
  EXPECT_EQ(got[0].alertnames(), std::vector<std::string>{"Disk full"});
  EXPECT_EQ(got[0].alerts[0].labels["host"], "db-1");
}

TEST(NotificationReceiver, SlackMessages) {
  NotificationReceiver receiver(loopback());
  // Alertmanager's default slack_configs title, and a template that lists labels.
  json title = {{"channel", "#alerts"},
                {"attachments",
                 {{{"title", "[FIRING:2] KubePodOOMKilled (shop)"},
                   {"text", "checkout was OOM killed"},
                   {"color", "danger"}}}}};
  json listed = {
      {"text", "*RESOLVED*"},
      {"blocks",
       {{{"type", "section"},
         {"text", {{"type", "mrkdwn"}, {"text", "*alertname:* `HighLatency`\nseverity: page"}}}}}}};
  EXPECT_EQ(send(receiver.url("/slack"), title.dump()).status, 200);
  EXPECT_EQ(send(receiver.url("/"), listed.dump()).status, 200);
  auto got = receiver.notifications();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].format, "slack");
  EXPECT_EQ(got[0].status, "firing");
  EXPECT_EQ(got[0].alertnames(), std::vector<std::string>{"KubePodOOMKilled"});
  EXPECT_EQ(got[1].format, "slack");
  EXPECT_EQ(got[1].status, "resolved");
  EXPECT_EQ(got[1].alertnames(), std::vector<std::string>{"HighLatency"});
  EXPECT_EQ(got[1].alerts[0].labels, json({{"alertname", "HighLatency"}}));
}

const std::string kTopic = "arn:aws:sns:us-east-1:123456789012:alarms";

TEST(NotificationReceiver, MalformedJsonIs400) {
  NotificationReceiver receiver(loopback());
  auto r = send(receiver.url("/"), "{\"alerts\": [");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("malformed JSON"), std::string::npos) << r.body;
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_EQ(send(receiver.url("/"), deep).status, 400);
  // The wrong format for its path.
  EXPECT_EQ(send(receiver.url("/alertmanager"), R"({"text":"hi"})").status, 400);
  EXPECT_EQ(send(receiver.url("/sns"), R"({"text":"hi"})").status, 400);
  EXPECT_TRUE(receiver.notifications().empty());
  // The connection survives a refusal of its content.
  EXPECT_EQ(send(receiver.url("/"), alertmanager_payload("A", "firing").dump()).status, 200);
}

TEST(NotificationReceiver, OversizedBodyIs413) {
  NotificationReceiver receiver(loopback(1024));
  std::string big = "{\"text\": \"" + std::string(4000, 'x') + "\"}";
  auto r = send(receiver.url("/slack"), big);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 413);
  std::string fits = "{\"text\": \"" + std::string(1024 - 12, 'x') + "\"}";
  ASSERT_EQ(fits.size(), 1024u);
  EXPECT_EQ(send(receiver.url("/slack"), fits).status, 200);
  EXPECT_EQ(receiver.notifications().size(), 1u);
}

TEST(NotificationReceiver, UnknownPathsAndMethods) {
  NotificationReceiver receiver(loopback());
  EXPECT_EQ(send(receiver.url("/nope"), "{}").status, 404);
  EXPECT_EQ(send(receiver.url("/"), "", {}, "GET").status, 405);
  EXPECT_EQ(send(receiver.url("/notifications"), "{}").status, 405);
}

TEST(NotificationReceiver, UnrecognisedJsonIsKeptAsUnknown) {
  NotificationReceiver receiver(loopback());
  EXPECT_EQ(send(receiver.url("/"), R"({"hello": "world"})").status, 200);
  auto got = receiver.notifications();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].format, "unknown");
  EXPECT_TRUE(got[0].alerts.empty());
}

TEST(NotificationReceiver, ServesWhatItGot) {
  NotificationReceiver receiver(loopback());
  send(receiver.url("/"), alertmanager_payload("KubePodOOMKilled", "firing").dump());
  auto r = send(receiver.url("/notifications"), "", {}, "GET");
  ASSERT_EQ(r.status, 200) << r.error;
  json listed = json::parse(r.body);
  ASSERT_EQ(listed["notifications"].size(), 1u);
  EXPECT_EQ(listed["notifications"][0]["alertnames"][0], "KubePodOOMKilled");
  EXPECT_EQ(listed["notifications"][0]["format"], "alertmanager");
  EXPECT_EQ(listed["address"], receiver.address());
}

TEST(NotificationReceiver, KeepsTheMostRecent) {
  ReceiverOptions options = loopback();
  options.max_notifications = 3;
  NotificationReceiver receiver(options);
  for (int i = 0; i < 5; ++i) {
    send(receiver.url("/"), alertmanager_payload("A" + std::to_string(i), "firing").dump());
  }
  auto got = receiver.notifications();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].alertnames()[0], "A2");
  EXPECT_EQ(got[2].alertnames()[0], "A4");
  EXPECT_EQ(receiver.dropped(), 2u);
}

TEST(NotificationReceiver, CallsBackForEachNotification) {
  ReceiverOptions options = loopback();
  std::mutex mutex;
  std::vector<std::string> seen;
  options.on_notification = [&](const local::Notification& n) {
    std::lock_guard lock(mutex);
    seen.push_back(n.alertnames().at(0));
  };
  NotificationReceiver receiver(options);
  send(receiver.url("/"), alertmanager_payload("A", "firing").dump());
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen, std::vector<std::string>{"A"});
}

// A raw client: chunked bodies, pipelining and broken requests that libcurl would not send.
std::string raw_exchange(uint16_t port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::shutdown(fd, SHUT_WR);
  std::string out;
  char buffer[4096];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 5000) > 0) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

TEST(NotificationReceiver, ChunkedAndPipelinedRequests) {
  NotificationReceiver receiver(loopback());
  std::string body = alertmanager_payload("Chunked", "firing").dump();
  std::string half = body.substr(0, body.size() / 2);
  std::string rest = body.substr(body.size() / 2);
  auto hex = [](std::size_t n) {
    char b[32];
    std::snprintf(b, sizeof b, "%zx", n);
    return std::string(b);
  };
  std::string chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                        hex(half.size()) + "\r\n" + half + "\r\n" + hex(rest.size()) +
                        ";ext=1\r\n" + rest + "\r\n0\r\n\r\n";
  std::string second = alertmanager_payload("Second", "firing").dump();
  std::string plain =
      "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(second.size()) +
      "\r\nConnection: close\r\n\r\n" + second;
  std::string answer = raw_exchange(receiver.port(), chunked + plain);
  EXPECT_EQ(answer.find("HTTP/1.1 200"), 0u) << answer;
  EXPECT_NE(answer.find("HTTP/1.1 200", 10), std::string::npos) << answer;
  auto got = receiver.notifications();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].alertnames()[0], "Chunked");
  EXPECT_EQ(got[1].alertnames()[0], "Second");
}

TEST(NotificationReceiver, BrokenRequestsGetAnAnswerAndNothingElse) {
  NotificationReceiver receiver(loopback(1024));
  EXPECT_EQ(raw_exchange(receiver.port(), "NONSENSE\r\n\r\n").find("HTTP/1.1 400"), 0u);
  EXPECT_EQ(raw_exchange(receiver.port(), "POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n")
                .find("HTTP/1.1 400"),
            0u);
  EXPECT_EQ(raw_exchange(receiver.port(),
                         "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffff\r\n")
                .find("HTTP/1.1 413"),
            0u);
  EXPECT_EQ(raw_exchange(receiver.port(), "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")
                .find("HTTP/1.1 501"),
            0u);
  EXPECT_EQ(raw_exchange(receiver.port(), "GET / HTTP/1.1\r\nX: " + std::string(70000, 'a'))
                .find("HTTP/1.1 431"),
            0u);
  // A request cut short is dropped without an answer; the receiver carries on.
  EXPECT_EQ(raw_exchange(receiver.port(), "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"), "");
  EXPECT_EQ(send(receiver.url("/"), alertmanager_payload("A", "firing").dump()).status, 200);
}

// A loopback HTTP server that answers 200 to everything and remembers the request lines.
TEST(NotificationReceiver, OptionsFromTheDrill) {
  auto options = local::receiver_options({{"listen", "0.0.0.0:9095"},
                                          {"auth", {{"bearerToken", "pager-token"}}},
                                          {"allowSnsTopics", kTopic},
                                          {"maxBodyBytes", 2048}});
  EXPECT_EQ(options.listen, "0.0.0.0:9095");
  EXPECT_EQ(options.auth.bearer_token, "pager-token");
  EXPECT_EQ(options.allowed_sns_topics, std::vector<std::string>{kTopic});
  EXPECT_EQ(options.max_body, 2048u);
  EXPECT_EQ(local::receiver_options(json()).listen, "127.0.0.1:9095");
  EXPECT_THROW(local::receiver_options({{"listen", "9095"}}), common::ValueError);
  EXPECT_THROW(local::receiver_options({{"listne", "127.0.0.1:1"}}), common::ValueError);
  EXPECT_THROW(local::receiver_options({{"maxBodyBytes", 0}}), common::ValueError);
}

TEST(NotificationReceiver, ListenErrorsAreClear) {
  NotificationReceiver first(loopback());
  ReceiverOptions taken = loopback();
  taken.listen = first.address();
  EXPECT_THROW(NotificationReceiver{taken}, std::runtime_error);
}

// receiver.notification: what arrived after the fault counts, what arrived before does not.
validators::Observation observe_notification(json params, const validators::CheckContext& context) {
  const validators::CheckKind* kind = validators::find_check_kind("receiver.notification");
  auto check = kind->create(kind_params(kind->schema, std::move(params)));
  return check->observe(context);
}

TEST(ReceiverNotificationCheck, PassesOnANotificationAfterTheFault) {
  NotificationReceiver receiver(loopback());
  validators::CheckContext context;
  context.drill_start = std::chrono::system_clock::now() - 1min;
  context.last_fault = std::chrono::system_clock::now();
  context.receiver = &receiver;
  // Started after the fault (the payload's startsAt has milliseconds only).
  send(receiver.url("/"),
       alertmanager_payload("KubePodOOMKilled", "firing", std::chrono::system_clock::now() + 1s)
           .dump());
  auto o = observe_notification(
      {{"alertname", "KubePodOOMKilled"}, {"labels", {{"namespace", "shop"}}}}, context);
  EXPECT_EQ(o.verdict, validators::Verdict::Pass) << o.message;
  EXPECT_GE(o.evidence["time_to_notify_s"].get<double>(), 0.0);
  EXPECT_EQ(o.evidence["notification"]["format"], "alertmanager");
  EXPECT_EQ(o.evidence["notification"]["payload"]["receiver"], "firedrill");

  auto wrong_status =
      observe_notification({{"alertname", "KubePodOOMKilled"}, {"status", "resolved"}}, context);
  EXPECT_EQ(wrong_status.verdict, validators::Verdict::Fail);
  auto wrong_format =
      observe_notification({{"alertname", "KubePodOOMKilled"}, {"format", "slack"}}, context);
  EXPECT_EQ(wrong_format.verdict, validators::Verdict::Fail);
  auto wrong_labels = observe_notification(
      {{"alertname", "KubePodOOMKilled"}, {"labels", {{"namespace", "other"}}}}, context);
  EXPECT_EQ(wrong_labels.verdict, validators::Verdict::Fail);
}

TEST(ReceiverNotificationCheck, FailsOnANotificationFromBeforeTheFault) {
  NotificationReceiver receiver(loopback());
  validators::CheckContext context;
  context.drill_start = std::chrono::system_clock::now() - 1min;
  context.receiver = &receiver;
  send(receiver.url("/"), alertmanager_payload("KubePodOOMKilled", "firing").dump());
  context.last_fault = std::chrono::system_clock::now();
  auto o = observe_notification({{"alertname", "KubePodOOMKilled"}}, context);
  EXPECT_EQ(o.verdict, validators::Verdict::Fail);
  EXPECT_EQ(o.evidence["matching_before"], 1);
  EXPECT_NE(o.message.find("before"), std::string::npos) << o.message;
}

// Alertmanager re-sends what is still firing (repeat_interval, or the group when an alert joins
// it): a notification after the fault of an alert that started before it is no detection.
TEST(ReceiverNotificationCheck, AResentNotificationOfAnOlderAlertIsNoDetection) {
  NotificationReceiver receiver(loopback());
  validators::CheckContext context;
  context.drill_start = std::chrono::system_clock::now() - 1min;
  context.receiver = &receiver;
  const auto fired = std::chrono::system_clock::now() - 10s;
  context.last_fault = std::chrono::system_clock::now();
  send(receiver.url("/"), alertmanager_payload("KubePodOOMKilled", "firing", fired).dump());
  auto o = observe_notification({{"alertname", "KubePodOOMKilled"}}, context);
  EXPECT_EQ(o.verdict, validators::Verdict::Fail) << o.message;
  EXPECT_NE(o.message.find("already active before"), std::string::npos) << o.message;
  ASSERT_EQ(o.evidence["pre_existing"].size(), 1u) << o.evidence.dump(2);
}

// The receiver's own record, taken before the fault: an alert it was told is firing, and not
// told is resolved, is not new when a notification of it arrives later without a startsAt.
TEST(ReceiverNotificationCheck, AnAlertFiringAtTheBaselineIsNoDetectionUntilItResolves) {
  NotificationReceiver receiver(loopback());
  validators::CheckContext context;
  context.drill_start = std::chrono::system_clock::now() - 1min;
  context.receiver = &receiver;
  const auto fired = std::chrono::system_clock::now() + 1s;  // a clock ahead of ours
  send(receiver.url("/"), alertmanager_payload("KubePodOOMKilled", "firing", fired).dump());
  const validators::CheckKind* kind = validators::find_check_kind("receiver.notification");
  auto check = kind->create(kind_params(kind->schema, {{"alertname", "KubePodOOMKilled"}}));
  check->note_baseline(context);
  context.last_fault = std::chrono::system_clock::now();
  std::this_thread::sleep_for(2ms);
  send(receiver.url("/"), alertmanager_payload("KubePodOOMKilled", "firing", fired).dump());
  auto o = check->observe(context);
  EXPECT_EQ(o.verdict, validators::Verdict::Fail) << o.message;
  EXPECT_NE(o.message.find("the receiver"), std::string::npos) << o.message;

  // Resolved after the baseline, then firing again with a new startsAt: a new activation.
  send(receiver.url("/"), alertmanager_payload("KubePodOOMKilled", "resolved", fired).dump());
  send(receiver.url("/"),
       alertmanager_payload("KubePodOOMKilled", "firing", std::chrono::system_clock::now() + 2s)
           .dump());
  o = check->observe(context);
  EXPECT_EQ(o.verdict, validators::Verdict::Pass) << o.message;
}

TEST(ReceiverNotificationCheck, ExpectAbsentFailsOnAnyMatchingNotificationInTheWindow) {
  NotificationReceiver receiver(loopback());
  validators::CheckContext context;
  context.drill_start = std::chrono::system_clock::now() - 1min;
  context.window_start = std::chrono::system_clock::now();
  context.receiver = &receiver;
  const validators::CheckKind* kind = validators::find_check_kind("receiver.notification");
  auto check = kind->create(
      kind_params(kind->schema, {{"alertname", "KubePodOOMKilled"}, {"expect", "absent"}}));
  EXPECT_EQ(check->observe(context).verdict, validators::Verdict::Pass);
  // Even a re-send of an old alert is a page.
  send(receiver.url("/"), alertmanager_payload("KubePodOOMKilled", "firing").dump());
  auto o = check->observe(context);
  EXPECT_EQ(o.verdict, validators::Verdict::Fail) << o.message;
  EXPECT_EQ(o.evidence["notification"]["format"], "alertmanager");
}

TEST(ReceiverNotificationCheck, InconclusiveWithoutAReceiver) {
  validators::CheckContext context;
  context.drill_start = std::chrono::system_clock::now();
  auto o = observe_notification({{"alertname", "X"}}, context);
  EXPECT_EQ(o.verdict, validators::Verdict::Inconclusive);
  EXPECT_EQ(o.message, "no receiver configured: add integrations.receiver");
}

}  // namespace
}  // namespace firedrill::testing
