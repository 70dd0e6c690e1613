// `firedrill receive` as a sender, a flood or a hostile client meets it: credentials decide what
// counts, memory stays bounded by what is kept, idle connections cannot lock senders out, and a
// body it cannot parse gets a 400 instead of a dropped connection.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <thread>

#include "common/http_client.hpp"
#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;

common::HttpResponse post(const std::string& url, const std::string& body,
                          common::Headers headers = {}) {
  common::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.body = body;
  request.headers = std::move(headers);
  request.headers.emplace_back("Content-Type", "application/json");
  request.timeout = std::chrono::seconds(10);
  return common::HttpClient().perform(request);
}

common::HttpResponse get(const std::string& url, common::Headers headers = {}) {
  common::HttpRequest request;
  request.url = url;
  request.headers = std::move(headers);
  request.timeout = std::chrono::seconds(30);
  return common::HttpClient().perform(request);
}

json alertmanager_payload(int alerts, int labels_each) {
  json list = json::array();
  for (int a = 0; a < alerts; ++a) {
    json labels = {{"alertname", "Flood"}};
    for (int l = 0; l < labels_each; ++l) labels["l" + std::to_string(l)] = std::to_string(a);
    list.push_back({{"status", "firing"},
                    {"labels", labels},
                    {"annotations", json::object()},
                    {"startsAt", "2026-12-02T10:00:00Z"}});
  }
  return {{"version", "4"},
          {"status", "firing"},
          {"receiver", "pager"},
          {"groupLabels", {{"alertname", "Flood"}}},
          {"commonLabels", {{"alertname", "Flood"}}},
          {"alerts", list}};
}

class Receiver : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    port_ = free_port();
    std::vector<std::string> argv = {FIREDRILL_BINARY, "receive", "--listen",
                                     "127.0.0.1:" + std::to_string(port_)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<Process>(argv, dir_.path() / "receive.log");
    ASSERT_TRUE(wait_for_port(port_)) << read_text(dir_.path() / "receive.log");
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // The most memory the receiver has used (VmHWM), in bytes.
  uint64_t peak_memory() const {
    std::ifstream status("/proc/" + std::to_string(process_->pid()) + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) * 1024;
    }
    return 0;
  }
  fs::path file(const std::string& name, const std::string& content) const {
    fs::path path = dir_.path() / name;
    std::ofstream(path) << content << "\n";
    return path;
  }

  TempDir dir_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> process_;
};

TEST_F(Receiver, OnlyRequestsWithTheCredentialsCount) {
  start({"--bearer-token-file", file("token", "pager-token").string()});
  const std::string body = alertmanager_payload(1, 1).dump();
  EXPECT_EQ(post(url("/alertmanager"), body).status, 401);
  EXPECT_EQ(post(url("/alertmanager"), body, {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(get(url("/notifications")).status, 401);
  EXPECT_EQ(post(url("/alertmanager"), body, {{"Authorization", "Bearer pager-token"}}).status,
            200);
  auto listed = get(url("/notifications"), {{"Authorization", "Bearer pager-token"}});
  ASSERT_EQ(listed.status, 200) << listed.body;
  json doc = json::parse(listed.body);
  EXPECT_EQ(doc["notifications"].size(), 1u);
  ASSERT_EQ(doc["rejected"].size(), 3u) << doc.dump(2);
  EXPECT_EQ(doc["rejected"][0]["reason"], "no credentials");
  EXPECT_EQ(doc["rejected"][1]["reason"], "wrong credentials");
  EXPECT_EQ(listed.body.find("pager-token"), std::string::npos);
}

TEST_F(Receiver, ASecretPathLetsInAndIsNeverShown) {
  start({"--path-secret-file", file("path", "T0AB-s3cret").string()});
  const std::string body = alertmanager_payload(1, 1).dump();
  EXPECT_EQ(post(url("/hooks/wrong/alertmanager"), body).status, 401);
  EXPECT_EQ(post(url("/hooks/T0AB-s3cret/alertmanager"), body).status, 200);
  auto listed = get(url("/hooks/T0AB-s3cret/notifications"));
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find("T0AB-s3cret"), std::string::npos) << listed.body;
  EXPECT_EQ(json::parse(listed.body)["notifications"][0]["path"], "/alertmanager");
}

TEST_F(Receiver, BeyondLoopbackWithoutCredentialsIsRefused) {
  CommandResult r = run_firedrill({"receive", "--listen", "0.0.0.0:0"}, false);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--insecure"), std::string::npos) << r.err;
}

TEST_F(Receiver, ANumberOutOfRangeIsABadRequestNotADroppedConnection) {
  start();
  auto r = post(url("/alertmanager"), "{\"version\": 1e999999}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("malformed JSON"), std::string::npos) << r.body;
}

// Opens 300 connections, more than the receiver's limit of 256, and writes `first(i)` on the
// i-th; then a real sender must still get its notification in.
void expect_a_sender_gets_in(uint16_t port, const std::function<std::string(int)>& first) {
  std::vector<int> held;
  for (int i = 0; i < 300; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const std::string part = first(i);
    ASSERT_EQ(::send(fd, part.data(), part.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(part.size()));
    held.push_back(fd);
  }
  // Let the receiver accept them all before the real sender comes.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto r = post("http://127.0.0.1:" + std::to_string(port) + "/alertmanager",
                alertmanager_payload(1, 1).dump());
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 200) << r.body;
  for (int fd : held) ::close(fd);
}

TEST_F(Receiver, IdleConnectionsDoNotLockSendersOut) {
  start();
  expect_a_sender_gets_in(port_, [](int) { return std::string(); });
}

// A sender that trickles its request, a byte now and then, waits on itself and not on the
// receiver: like an idle one, it gives way to a sender with a whole request.
TEST_F(Receiver, TricklingConnectionsDoNotLockSendersOut) {
  start();
  expect_a_sender_gets_in(port_, [](int i) -> std::string {
    return i % 2 ? "POST /alertmanager HTTP/1.1\r\nHost: x\r\n"
                 : "POST /alertmanager HTTP/1.1\r\nContent-Length: 900\r\n\r\n{";
  });
}

// 100 bodies of 0.9 MiB, each thousands of small alerts: far more in memory once parsed than on
// the wire. What is kept is bounded by its parsed size (64 MiB), so the whole process peaks below
// 320 MiB (about 160 here), listing included; bounded by body size it took over 1 GiB.
TEST_F(Receiver, AFloodStaysWithinTheMemoryBound) {
  start();
  const std::string body = alertmanager_payload(3500, 12).dump();
  ASSERT_GT(body.size(), 800u * 1024);
  for (int i = 0; i < 100; ++i) {
    auto r = post(url("/alertmanager"), body);
    ASSERT_EQ(r.status, 200) << i << ": " << r.error << r.body;
  }
  auto listed = get(url("/notifications"));
  ASSERT_EQ(listed.status, 200);
  json doc = json::parse(listed.body);
  EXPECT_GT(doc["dropped"].get<int>(), 0);
  EXPECT_LT(peak_memory(), 320ull * 1024 * 1024)
      << "peak " << peak_memory() / (1024 * 1024) << " MiB";
}

}  // namespace
}  // namespace firedrill::testing
