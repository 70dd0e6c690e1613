// The control-plane HTTP client and the http check against the tests' own server on loopback.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "common/http_client.hpp"
#include "tests/integration/support.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {
namespace {

using namespace std::chrono_literals;
using common::HttpClient;
using common::HttpRequest;
using common::HttpResponse;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using validators::Observation;
using validators::Verdict;

// A loopback port nothing listens on: bound, then released.
uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

HttpResponse get(const std::string& url, common::Duration timeout = 5s) {
  HttpRequest request;
  request.url = url;
  request.timeout = timeout;
  return HttpClient().perform(request);
}

Observation observe(json given) {
  const validators::CheckKind* kind = validators::find_check_kind("http");
  auto check = kind->create(kind_params(kind->schema, std::move(given)));
  return check->observe(validators::CheckContext{});
}

TEST(HttpClient, StatusHeadersAndBody) {
  TestServer server;
  HttpResponse r = get(server.url("/bytes/10"));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string(10, 'x'));
  EXPECT_FALSE(r.body_truncated);
  ASSERT_NE(r.header("content-type"), nullptr);
  EXPECT_EQ(*r.header("Content-Type"), "text/plain");
  EXPECT_EQ(r.header("x-not-there"), nullptr);
  EXPECT_GT(r.elapsed, common::Duration::zero());
}

TEST(HttpClient, ErrorStatusIsAResponse) {
  TestServer server;
  HttpResponse r = get(server.url("/status/503"));
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 503);
}

TEST(HttpClient, MethodHeadersAndBodyAreSent) {
  TestServer server;
  HttpClient client;
  HttpRequest request;
  request.method = "POST";
  request.url = server.url("/status/201");
  request.headers = {{"Authorization", "Bearer t"}, {"X-Empty", ""}};
  request.body = std::string(100'000, 'b');
  HttpResponse r = client.perform(request);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 201);
  // The handle is reused: the connection is kept for the next call.
  request.method = "GET";
  request.body.clear();
  request.url = server.url("/status/204");
  r = client.perform(request);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(server.stats().at("connections"), 1);
}

TEST(HttpClient, TimeoutIsAnError) {
  TestServer server;
  auto start = std::chrono::steady_clock::now();
  HttpResponse r = get(server.url("/delay/3000"), 200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.error, HasSubstr("imeout"));
  EXPECT_GE(r.elapsed, 200ms);
}

TEST(HttpClient, ConnectionRefusedIsAnError) {
  HttpResponse r = get("http://127.0.0.1:" + std::to_string(closed_port()) + "/");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.error, HasSubstr("onnect"));
}

TEST(HttpClient, LongBodyIsCut) {
  TestServer server;
  HttpRequest request;
  request.url = server.url("/bytes/1000000");
  request.max_body = 1000;
  HttpResponse r = HttpClient().perform(request);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.body.size(), 1000u);
  EXPECT_TRUE(r.body_truncated);
}

TEST(HttpClient, OnlyHttpAndHttps) {
  HttpResponse r = get("file:///etc/passwd");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.body, "");
}

TEST(HttpClient, TlsVerification) {
  TempDir dir;
  TestCertificates certs(dir.path());
  TestServer server({}, true, certs.server_cert, certs.server_key);
  HttpRequest request;
  request.url = server.url("/status/200");
  request.timeout = 5s;

  HttpResponse untrusted = HttpClient().perform(request);
  EXPECT_FALSE(untrusted.ok());

  request.ca_file = certs.ca_cert.string();
  HttpResponse by_file = HttpClient().perform(request);
  EXPECT_TRUE(by_file.ok()) << by_file.error;
  EXPECT_EQ(by_file.status, 200);

  request.ca_file.clear();
  request.ca_pem = slurp(certs.ca_cert);
  HttpResponse by_pem = HttpClient().perform(request);
  EXPECT_TRUE(by_pem.ok()) << by_pem.error;

  request.ca_pem.clear();
  request.insecure = true;
  HttpResponse insecure = HttpClient().perform(request);
  EXPECT_TRUE(insecure.ok()) << insecure.error;
}

TEST(HttpClient, ClientCertificate) {
  TempDir dir;
  TestCertificates certs(dir.path());
  TestServer server({}, true, certs.server_cert, certs.server_key);
  HttpRequest request;
  request.url = server.url("/status/200");
  request.ca_file = certs.ca_cert.string();
  request.client_cert_pem = slurp(certs.server_cert);
  request.client_key_pem = slurp(certs.server_key);
  HttpResponse r = HttpClient().perform(request);
  EXPECT_TRUE(r.ok()) << r.error;

  request.client_key_pem = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
  HttpResponse bad = HttpClient().perform(request);
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(bad.error, Not(HasSubstr("not a key")));
}

TEST(HttpCheck, PassesOnTheDefaultStatus) {
  TestServer server;
  Observation o = observe({{"url", server.url("/")}});
  EXPECT_EQ(o.verdict, Verdict::Pass) << o.message;
  EXPECT_EQ(o.evidence["status"], 200);
  EXPECT_EQ(o.evidence["body"], std::string(100, 'x'));
  EXPECT_TRUE(o.evidence["latency_ms"].is_number());
  EXPECT_FALSE(o.evidence.contains("failed"));
}

TEST(HttpCheck, FailsOnAnotherStatus) {
  TestServer server;
  Observation o = observe({{"url", server.url("/status/503")}});
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_EQ(o.evidence["status"], 503);
  EXPECT_EQ(o.message, "status 503 is not 2xx");
  EXPECT_EQ(o.evidence["failed"], json::array({"status 503 is not 2xx"}));
}

TEST(HttpCheck, StatusListsClassesAndRanges) {
  TestServer server;
  json statuses = {"200", "4xx", "500-502"};
  for (int code : {200, 404, 501}) {
    EXPECT_EQ(
        observe({{"url", server.url("/status/" + std::to_string(code))}, {"status", statuses}})
            .verdict,
        Verdict::Pass)
        << code;
  }
  for (int code : {201, 503}) {
    EXPECT_EQ(
        observe({{"url", server.url("/status/" + std::to_string(code))}, {"status", statuses}})
            .verdict,
        Verdict::Fail)
        << code;
  }
}

TEST(HttpCheck, BodyContains) {
  TestServer server;
  EXPECT_EQ(observe({{"url", server.url("/_stats")}, {"bodyContains", "\"goaways\""}}).verdict,
            Verdict::Pass);
  Observation o = observe({{"url", server.url("/_stats")}, {"bodyContains", "healthy"}});
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_EQ(o.message, "body does not contain \"healthy\"");
}

TEST(HttpCheck, BodyMatches) {
  TestServer server;
  EXPECT_EQ(
      observe({{"url", server.url("/_stats")}, {"bodyMatches", R"("resets":\s*\d+)"}}).verdict,
      Verdict::Pass);
  Observation o = observe({{"url", server.url("/_stats")}, {"bodyMatches", "^<html>"}});
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.message, HasSubstr("does not match /^<html>/"));
}

TEST(HttpCheck, JsonPointerAndEquals) {
  TestServer server;
  std::string url = server.url("/_stats");
  Observation pass = observe({{"url", url}, {"jsonPointer", "/resets"}, {"jsonEquals", "0"}});
  EXPECT_EQ(pass.verdict, Verdict::Pass) << pass.message;
  EXPECT_EQ(pass.evidence["json_value"], "0");
  EXPECT_EQ(observe({{"url", url}, {"jsonPointer", "/goaways"}}).verdict, Verdict::Pass);

  Observation wrong = observe({{"url", url}, {"jsonPointer", "/resets"}, {"jsonEquals", "5"}});
  EXPECT_EQ(wrong.verdict, Verdict::Fail);
  EXPECT_EQ(wrong.message, "JSON at \"/resets\" is 0, not \"5\"");

  Observation missing = observe({{"url", url}, {"jsonPointer", "/alerts/0/state"}});
  EXPECT_EQ(missing.verdict, Verdict::Fail);
  EXPECT_EQ(missing.message, "no JSON value at \"/alerts/0/state\"");

  Observation not_json = observe({{"url", server.url("/")}, {"jsonPointer", ""}});
  EXPECT_EQ(not_json.verdict, Verdict::Fail);
  EXPECT_EQ(not_json.message, "body is not JSON");
}

TEST(HttpCheck, EveryFailedExpectationIsListed) {
  TestServer server;
  Observation o = observe(
      {{"url", server.url("/status/500")}, {"bodyContains", "ok"}, {"maxLatency", ns(10s)}});
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_EQ(o.evidence["failed"].size(), 2u);
  EXPECT_EQ(o.message, "status 500 is not 2xx; body does not contain \"ok\"");
}

TEST(HttpCheck, MaxLatency) {
  TestServer server;
  EXPECT_EQ(observe({{"url", server.url("/")}, {"maxLatency", ns(5s)}}).verdict, Verdict::Pass);
  Observation o = observe({{"url", server.url("/delay/300")}, {"maxLatency", ns(50ms)}});
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.message, HasSubstr("is over 50ms"));
  EXPECT_GE(o.evidence["latency_ms"].get<double>(), 300.0);
}

TEST(HttpCheck, TimeoutFailsWithTheError) {
  TestServer server;
  auto start = std::chrono::steady_clock::now();
  Observation o = observe({{"url", server.url("/delay/3000")}, {"timeout", ns(200ms)}});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.message, HasSubstr("no response"));
  EXPECT_TRUE(o.evidence.contains("error"));
}

TEST(HttpCheck, ConnectionRefusedFailsWithTheError) {
  Observation o = observe({{"url", "http://127.0.0.1:" + std::to_string(closed_port()) + "/"}});
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.evidence["error"].get<std::string>(), HasSubstr("onnect"));
  EXPECT_FALSE(o.evidence.contains("status"));
}

TEST(HttpCheck, InsecureSkipsVerification) {
  TempDir dir;
  TestCertificates certs(dir.path());
  TestServer server({}, true, certs.server_cert, certs.server_key);
  EXPECT_EQ(observe({{"url", server.url("/")}}).verdict, Verdict::Fail);
  EXPECT_EQ(observe({{"url", server.url("/")}, {"insecure", true}}).verdict, Verdict::Pass);
}

TEST(HttpCheck, HeaderValuesNeverReachEvidenceOrMessages) {
  TestServer server;
  Observation o = observe({{"url", server.url("/status/401")},
                           {"headers", {{"Authorization", "Bearer s3cr3t-token"}}}});
  EXPECT_EQ(o.verdict, Verdict::Fail);
  EXPECT_THAT(o.evidence.dump(), Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(o.message, Not(HasSubstr("s3cr3t")));
}

}  // namespace
}  // namespace firedrill::testing
