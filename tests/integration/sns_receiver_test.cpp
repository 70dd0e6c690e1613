// SNS messages at the receiver, signed as SNS signs them: by openssl here, with a key and
// certificate the test makes, and by SNS itself in a recorded message. What would be fetched from
// sns.REGION.amazonaws.com is served over TLS by nghttpd, through the receiver's test-only trust
// setting (ReceiverOptions::sns_test_trust). Only a valid signature of an allowed topic counts;
// only a SubscribeURL on an SNS host is ever fetched.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <fstream>
#include <future>
#include <thread>

#include "common/http_client.hpp"
#include "common/rfc3339.hpp"
#include "local/notification_receiver.hpp"
#include "local/sns_signature.hpp"
#include "tests/integration/support.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kTopic = "arn:aws:sns:us-east-1:123456789012:alarms";
const std::string kRecordedTopic = "arn:aws:sns:us-east-1:810605503585:just_testing";
const std::string kCertPath = "/SimpleNotificationService-0123456789abcdef.pem";
const fs::path kFixtures = fs::path(FIREDRILL_SOURCE_DIR) / "tests" / "fixtures" / "sns";

// The string to sign, from the SNS documentation's field lists ("Verifying the signatures of
// Amazon SNS messages"): Key\nValue\n for each field present, in this order.
std::string string_to_sign(const json& m) {
  const std::vector<std::string> fields =
      m["Type"] == "Notification"
          ? std::vector<std::string>{"Message",   "MessageId", "Subject",
                                     "Timestamp", "TopicArn",  "Type"}
          : std::vector<std::string>{"Message", "MessageId", "SubscribeURL", "Timestamp",
                                     "Token",   "TopicArn",  "Type"};
  std::string text;
  for (const auto& f : fields) {
    if (m.contains(f)) text += f + "\n" + m[f].get<std::string>() + "\n";
  }
  return text;
}

class SnsReceiver : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(www());
    run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
         (dir_.path() / "signing.key").string(), "-out", (www() / kCertPath.substr(1)).string(),
         "-days", "2", "-subj", "/CN=sns.amazonaws.com"});
    fs::copy_file(kFixtures / "SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem",
                  www() / "SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem");
    std::ofstream(www() / "confirm") << "<ConfirmSubscriptionResponse/>";
    start_sns();
  }

  fs::path www() const { return dir_.path() / "www"; }

  void start_sns() {
    sns_port_ = free_port();
    sns_ = std::make_unique<Process>(
        std::vector<std::string>{"nghttpd", "-d", www().string(), std::to_string(sns_port_),
                                 certs_.server_key.string(), certs_.server_cert.string()},
        dir_.path() / "nghttpd.log");
    ASSERT_TRUE(wait_for_port(sns_port_)) << read_text(dir_.path() / "nghttpd.log");
  }

  local::ReceiverOptions options() const {
    local::ReceiverOptions o;
    o.listen = "127.0.0.1:0";
    o.allowed_sns_topics = {kTopic, kRecordedTopic};
    o.sns_test_trust = {"https://127.0.0.1:" + std::to_string(sns_port_), certs_.ca_cert.string()};
    return o;
  }

  void run(const std::vector<std::string>& argv) const {
    ASSERT_EQ(run_and_wait(argv, dir_.path() / "tool.out", dir_.path() / "tool.err"), 0)
        << read_text(dir_.path() / "tool.err");
  }

  // Signs as SNS does, with openssl: SHA1withRSA for version 1, SHA256withRSA for version 2.
  json signed_message(json m, const std::string& version = "2") const {
    m["SignatureVersion"] = version;
    if (!m.contains("SigningCertURL")) {
      m["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com" + kCertPath;
    }
    std::ofstream(dir_.path() / "to-sign", std::ios::binary) << string_to_sign(m);
    run({"openssl", "dgst", version == "1" ? "-sha1" : "-sha256", "-sign",
         (dir_.path() / "signing.key").string(), "-out", (dir_.path() / "signature").string(),
         (dir_.path() / "to-sign").string()});
    run({"openssl", "base64", "-A", "-in", (dir_.path() / "signature").string(), "-out",
         (dir_.path() / "signature.b64").string()});
    m["Signature"] = read_text(dir_.path() / "signature.b64");
    return m;
  }

  static json notification(const std::string& topic, const std::string& message) {
    return {{"Type", "Notification"},
            {"MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"},
            {"TopicArn", topic},
            {"Subject", "ALARM: \"checkout-pod-restarts\" in US East (N. Virginia)"},
            {"Message", message},
            {"Timestamp", "2026-12-02T07:06:08.123Z"},
            {"UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&x=y"}};
  }

  static json confirmation(const std::string& topic, const std::string& subscribe_url) {
    return {{"Type", "SubscriptionConfirmation"},
            {"MessageId", "165545c9-2a5c-472c-8df2-7ff2be2b3b1b"},
            {"Token", "2336412f37"},
            {"TopicArn", topic},
            {"Message", "You have chosen to subscribe to the topic"},
            {"SubscribeURL", subscribe_url},
            {"Timestamp", "2026-12-02T07:06:08.123Z"}};
  }

  static common::HttpResponse post(const local::NotificationReceiver& receiver,
                                   const json& message) {
    common::HttpRequest request;
    request.method = "POST";
    request.url = receiver.url("/sns");
    request.body = message.dump();
    request.headers = {{"Content-Type", "text/plain; charset=UTF-8"},
                       {"x-amz-sns-message-type", message.value("Type", "")}};
    request.timeout = 10s;
    return common::HttpClient().perform(request);
  }

  static const json kAlarm;

  TempDir dir_;
  TestCertificates certs_{dir_.path()};
  uint16_t sns_port_ = 0;
  std::unique_ptr<Process> sns_;
};

const json SnsReceiver::kAlarm = {{"AlarmName", "checkout-pod-restarts"},
                                  {"AWSAccountId", "123456789012"},
                                  {"NewStateValue", "ALARM"},
                                  {"OldStateValue", "OK"},
                                  {"NewStateReason", "Threshold Crossed"},
                                  {"StateChangeTime", "2026-12-02T07:06:01.236+0000"}};

TEST_F(SnsReceiver, SignedNotificationsOfBothVersionsAreDelivered) {
  local::NotificationReceiver receiver(options());
  EXPECT_EQ(post(receiver, signed_message(notification(kTopic, kAlarm.dump()), "1")).status, 200);
  json ok = kAlarm;
  ok["NewStateValue"] = "OK";
  EXPECT_EQ(post(receiver, signed_message(notification(kTopic, ok.dump()), "2")).status, 200);
  auto got = receiver.notifications();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].format, "sns");
  EXPECT_EQ(got[0].status, "firing");
  EXPECT_EQ(got[0].alertnames(), std::vector<std::string>{"checkout-pod-restarts"});
  EXPECT_EQ(got[0].alerts[0].labels["topic"], kTopic);
  EXPECT_FALSE(got[0].payload.contains("UnsubscribeURL"));
  EXPECT_EQ(got[1].status, "resolved");
  // An alarm is of the time it changed state, not of when its message arrived.
  ASSERT_TRUE(got[0].alerts[0].starts_at);
  EXPECT_EQ(common::format_rfc3339(*got[0].alerts[0].starts_at), "2026-12-02T07:06:01.236Z");
}

// Signed by SNS itself, recorded: the string to sign and the digest are SNS's, not ours.
TEST_F(SnsReceiver, AMessageSnsSignedVerifiesAndOneCharacterChangedDoesNot) {
  local::NotificationReceiver receiver(options());
  json recorded = json::parse(read_text(kFixtures / "recorded-notification.json"));
  json tampered = recorded;
  tampered["Message"] = "boo!";
  EXPECT_EQ(post(receiver, tampered).status, 403);
  EXPECT_EQ(post(receiver, recorded).status, 200);
  ASSERT_EQ(receiver.notifications().size(), 1u);
  EXPECT_EQ(receiver.notifications()[0].payload["Message"], "boo");
  // Replayed today, it is still of 2015: no check counts it as a page about a fault of now.
  ASSERT_TRUE(receiver.notifications()[0].sent_at);
  EXPECT_EQ(common::format_rfc3339(*receiver.notifications()[0].sent_at),
            "2015-09-20T01:22:14.001Z");
}

TEST_F(SnsReceiver, ForgedUnsignedAndWrongTopicMessagesAreRejectedAndNeverDelivered) {
  local::NotificationReceiver receiver(options());
  json forged = signed_message(notification(kTopic, kAlarm.dump()));
  forged["Message"] = json({{"AlarmName", "other"}, {"NewStateValue", "ALARM"}}).dump();
  json unsigned_message = notification(kTopic, kAlarm.dump());
  json elsewhere = signed_message(notification(kTopic, kAlarm.dump()));
  elsewhere["SigningCertURL"] = "https://127.0.0.1:" + std::to_string(sns_port_) + kCertPath;
  json plain_http = signed_message(notification(kTopic, kAlarm.dump()));
  plain_http["SigningCertURL"] = "http://sns.us-east-1.amazonaws.com" + kCertPath;
  json other_topic =
      signed_message(notification("arn:aws:sns:us-east-1:999999999999:not-ours", kAlarm.dump()));
  for (const json& m : {forged, unsigned_message, elsewhere, plain_http, other_topic}) {
    EXPECT_EQ(post(receiver, m).status, 403) << m.dump();
  }
  EXPECT_TRUE(receiver.notifications().empty());
  auto rejected = receiver.rejections();
  ASSERT_EQ(rejected.size(), 5u);
  EXPECT_NE(rejected[0].reason.find("does not match"), std::string::npos) << rejected[0].reason;
  EXPECT_NE(rejected[1].reason.find("not signed"), std::string::npos) << rejected[1].reason;
  EXPECT_NE(rejected[2].reason.find("SigningCertURL is not"), std::string::npos);
  EXPECT_NE(rejected[3].reason.find("SigningCertURL is not"), std::string::npos);
  EXPECT_NE(rejected[4].reason.find("not in allowSnsTopics"), std::string::npos);
}

TEST_F(SnsReceiver, TheSigningCertificateIsFetchedOnceAndKept) {
  local::NotificationReceiver receiver(options());
  EXPECT_EQ(post(receiver, signed_message(notification(kTopic, kAlarm.dump()))).status, 200);
  sns_.reset();  // SNS unreachable from now on
  EXPECT_EQ(post(receiver, signed_message(notification(kTopic, "second"))).status, 200);
  EXPECT_EQ(receiver.notifications().size(), 2u);
}

// A signed message stays valid: one SNS took before the fault and posted again after it is not a
// page about the fault. The same alarm, changed and sent after the fault, is.
TEST_F(SnsReceiver, AMessageSentBeforeTheFaultDoesNotPassForAPageAboutIt) {
  local::NotificationReceiver receiver(options());
  validators::CheckContext context;
  context.drill_start = std::chrono::system_clock::now() - 1h;
  context.last_fault = std::chrono::system_clock::now() - 1min;
  context.receiver = &receiver;
  const validators::CheckKind* kind = validators::find_check_kind("receiver.notification");
  auto observe = [&] {
    return kind->create(kind_params(kind->schema, {{"alertname", "checkout-pod-restarts"}}))
        ->observe(context);
  };
  auto at = [](std::chrono::system_clock::time_point t, const char* zone) {
    std::string text = common::format_rfc3339(t);
    return text.substr(0, text.size() - 1) + zone;
  };
  const auto before = *context.last_fault - 10min;
  json replayed = notification(kTopic, "");
  replayed["Timestamp"] = at(before, "Z");
  json alarm = kAlarm;
  alarm["StateChangeTime"] = at(before, "+0000");
  replayed["Message"] = alarm.dump();
  EXPECT_EQ(post(receiver, signed_message(replayed)).status, 200);
  EXPECT_EQ(observe().verdict, validators::Verdict::Fail);
  // Not even when only SNS's time tells: a message of another publisher, without the alarm's.
  json other = notification(kTopic, "checkout-pod-restarts is down");
  other["Timestamp"] = at(before, "Z");
  EXPECT_EQ(post(receiver, signed_message(other)).status, 200);
  EXPECT_EQ(observe().verdict, validators::Verdict::Fail);

  const auto after = std::chrono::system_clock::now();
  json fresh = notification(kTopic, "");
  fresh["Timestamp"] = at(after, "Z");
  alarm["StateChangeTime"] = at(after, "+0000");
  fresh["Message"] = alarm.dump();
  EXPECT_EQ(post(receiver, signed_message(fresh)).status, 200);
  validators::Observation o = observe();
  EXPECT_EQ(o.verdict, validators::Verdict::Pass) << o.message;
}

// Accepts TCP connections and never answers: a certificate fetch from it waits out its timeout.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), size), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &size);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  uint16_t port() const { return port_; }
  bool connected_within(std::chrono::milliseconds limit) const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(limit.count())) == 1;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

TEST_F(SnsReceiver, AWebhookIsAnsweredWhileASigningCertificateIsFetched) {
  SilentServer silent;
  local::ReceiverOptions o = options();
  o.sns_test_trust.origin = "https://127.0.0.1:" + std::to_string(silent.port());
  local::NotificationReceiver receiver(o);
  const json message = signed_message(notification(kTopic, kAlarm.dump()));
  auto sns = std::async(std::launch::async, [&] { return post(receiver, message).status; });
  ASSERT_TRUE(silent.connected_within(10s)) << "the certificate was never fetched";

  common::HttpRequest webhook;
  webhook.method = "POST";
  webhook.url = receiver.url("/alertmanager");
  webhook.body = R"({"status":"firing","alerts":[{"status":"firing","labels":{"alertname":"X"}}]})";
  webhook.headers = {{"Content-Type", "application/json"}};
  webhook.timeout = 10s;
  EXPECT_EQ(common::HttpClient().perform(webhook).status, 200);
  EXPECT_EQ(sns.wait_for(0s), std::future_status::timeout)
      << "the webhook was answered only after the certificate fetch ended";
  EXPECT_EQ(receiver.notifications().size(), 1u);
  // The certificate could not be had: a server error, so that SNS delivers the message again.
  EXPECT_EQ(sns.get(), 503);
}

TEST_F(SnsReceiver, MessagesNamingEverNewCertificatesGetAFewFetchesAMinute) {
  local::NotificationReceiver receiver(options());
  EXPECT_EQ(post(receiver, signed_message(notification(kTopic, kAlarm.dump()))).status, 200);
  auto naming = [&](std::size_t n) {
    json m = signed_message(notification(kTopic, kAlarm.dump()));
    m["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-" +
                          std::string(30, '0') + fmt::format("{:02x}", n) + ".pem";
    return m;
  };
  const std::size_t limit = local::SnsSignatureVerifier::kNewCertificatesPerMinute;
  for (std::size_t n = 1; n < limit; ++n) {
    EXPECT_EQ(post(receiver, naming(n)).status, 403) << n;  // nghttpd: 404
  }
  common::HttpResponse over = post(receiver, naming(limit));
  EXPECT_EQ(over.status, 503);
  EXPECT_NE(over.body.find("new signing certificates in a minute"), std::string::npos) << over.body;
  // A certificate already known needs no fetch.
  EXPECT_EQ(post(receiver, signed_message(notification(kTopic, kAlarm.dump()))).status, 200);
  EXPECT_EQ(receiver.notifications().size(), 2u);
}

TEST_F(SnsReceiver, SubscriptionsAreConfirmedOnlyOnAnSnsHostForAnAllowedTopic) {
  TestServer elsewhere;
  local::NotificationReceiver receiver(options());
  const std::string sns_url =
      "https://sns.us-east-1.amazonaws.com/confirm?Action=ConfirmSubscription&Token=ours";
  EXPECT_EQ(post(receiver, signed_message(confirmation(kTopic, sns_url))).status, 200);
  EXPECT_EQ(post(receiver, signed_message(confirmation(
                               "arn:aws:sns:us-east-1:999999999999:not-ours", sns_url)))
                .status,
            200);
  // Signed, allowed topic, but a SubscribeURL elsewhere: never fetched.
  EXPECT_EQ(post(receiver, signed_message(confirmation(kTopic, elsewhere.url("/confirm")))).status,
            400);
  std::vector<local::SubscriptionEvent> events;
  for (int i = 0; i < 500 && events.size() < 3; ++i) {
    events = receiver.subscriptions();
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(events.size(), 3u);
  int confirmed = 0, refused = 0, failed = 0;
  for (const auto& e : events) {
    confirmed += e.outcome == "confirmed";
    refused += e.outcome == "refused";
    failed += e.outcome == "failed";
    EXPECT_EQ(e.detail.find("Token"), std::string::npos) << e.detail;
  }
  EXPECT_EQ(confirmed, 1);
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(elsewhere.stats().value("requests", 0), 0);
  EXPECT_TRUE(receiver.notifications().empty());
}

}  // namespace
}  // namespace firedrill::testing
