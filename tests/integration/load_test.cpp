// `firedrill load` against real servers on loopback: the tests' own controllable server
// (tests/fixtures), and h2o / nghttpd from Debian.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

uint64_t req(const CommandResult& r, const char* field) {
  return r.json.at("requests").at(field).get<uint64_t>();
}
uint64_t err(const CommandResult& r, const char* kind) {
  return r.json.at("errors").at(kind).get<uint64_t>();
}
uint64_t status(const CommandResult& r, const char* code) {
  return r.json.at("status").value(code, uint64_t{0});
}

struct ProtocolCase {
  const char* protocol;
  std::vector<std::string> extra;
};

class EachCleartextProtocol : public ::testing::TestWithParam<ProtocolCase> {};

TEST_P(EachCleartextProtocol, ExactRequestCount) {
  TestServer server;
  std::vector<std::string> args = {
      "load", "-q", "--protocol", GetParam().protocol, "-n", "5000", "-c", "8", "-t", "2"};
  args.insert(args.end(), GetParam().extra.begin(), GetParam().extra.end());
  args.push_back(server.url("/"));
  CommandResult r = run_firedrill(args);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(req(r, "started"), 5000u);
  EXPECT_EQ(req(r, "succeeded"), 5000u);
  EXPECT_EQ(status(r, "200"), 5000u);
  EXPECT_EQ(server.stats().at("requests").get<uint64_t>(), 5000u);
  EXPECT_EQ(r.json.at("negotiated"), GetParam().protocol);
  EXPECT_EQ(r.json.at("bytes").at("body").get<uint64_t>(), 5000u * 100);
}

TEST_P(EachCleartextProtocol, StatusCodesCountedExactly) {
  TestServer server({"--status-cycle", "200,404,503,200,201"});
  std::vector<std::string> args = {"load", "-q",   "--protocol", GetParam().protocol,
                                   "-n",   "1000", "-c",         "4"};
  args.insert(args.end(), GetParam().extra.begin(), GetParam().extra.end());
  args.push_back(server.url("/cycle"));
  CommandResult r = run_firedrill(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status(r, "200"), 400u);
  EXPECT_EQ(status(r, "201"), 200u);
  EXPECT_EQ(status(r, "404"), 200u);
  EXPECT_EQ(status(r, "503"), 200u);
  EXPECT_EQ(req(r, "succeeded"), 600u);
  EXPECT_EQ(req(r, "failed"), 400u);
  EXPECT_EQ(r.json.at("status_classes").at("5xx").get<uint64_t>(), 200u);
  EXPECT_NE(r.out.find("503: 200"), std::string::npos) << r.out;
}

TEST_P(EachCleartextProtocol, TimeoutsCountedAndTheRunGoesOn) {
  TestServer server;
  TempDir dir;
  fs::path file = dir.path() / "requests.txt";
  std::ofstream(file) << "1 GET " << server.url("/hang") << "\n9 GET " << server.url("/") << "\n";
  std::vector<std::string> args = {
      "load", "-q",        "--protocol", GetParam().protocol, "-n",         "200", "-c",
      "4",    "--timeout", "300ms",      "--requests-file",   file.string()};
  args.insert(args.end(), GetParam().extra.begin(), GetParam().extra.end());
  CommandResult r = run_firedrill(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(err(r, "timeout"), 0u);
  EXPECT_EQ(req(r, "timed_out"), err(r, "timeout"));
  EXPECT_GT(req(r, "succeeded"), 100u);
  EXPECT_EQ(req(r, "succeeded") + req(r, "errored"), 200u);
}

INSTANTIATE_TEST_SUITE_P(Protocols, EachCleartextProtocol,
                         ::testing::Values(ProtocolCase{"h1", {}}, ProtocolCase{"h1", {"-m", "4"}},
                                           ProtocolCase{"h2c", {"-m", "10"}}),
                         [](const auto& info) {
                           return std::string(info.param.protocol) +
                                  (info.param.extra.empty() ? "" : "_pipelined");
                         });

TEST(LoadH2, StreamResetsCountedAndTheConnectionGoesOn) {
  TestServer server;
  TempDir dir;
  fs::path file = dir.path() / "requests.txt";
  std::ofstream(file) << "1 GET " << server.url("/rst") << "\n3 GET " << server.url("/") << "\n";
  CommandResult r = run_firedrill({"load", "-q", "--protocol", "h2c", "-n", "400", "-c", "2", "-m",
                                   "8", "--requests-file", file.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(err(r, "stream_reset"), 50u);
  EXPECT_EQ(err(r, "stream_reset") + req(r, "succeeded"), 400u);
  // RST_STREAM ends one stream, not the connection.
  EXPECT_EQ(r.json.at("connections").at("established").get<uint64_t>(), 2u);
}

TEST(LoadH2, GoawayEndsTheConnectionAndTheRunReconnects) {
  TestServer server({"--goaway-every", "25"});
  CommandResult r =
      run_firedrill({"load", "-q", "--protocol", "h2c", "-n", "500", "-c", "2", server.url("/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // A request sent before the GOAWAY arrived, above its last stream id, was never processed and
  // is sent again on the next connection: every request succeeds.
  EXPECT_EQ(req(r, "succeeded"), 500u);
  EXPECT_EQ(err(r, "goaway"), 0u);
  EXPECT_GE(r.json.at("connections").at("established").get<uint64_t>(), 20u);
}

TEST(LoadH2, GoawayCutsOffStreamsAboveTheLastId) {
  TestServer server({"--goaway-every", "50"});
  // One connection: each serves 50 requests, so the streams a GOAWAY cut off, sent first on the
  // next connection, are never cut off again. (With two, the server's count runs across both, and
  // the same few requests may be cut off more times than a request is retried.)
  CommandResult r = run_firedrill(
      {"load", "-q", "--protocol", "h2c", "-n", "2000", "-c", "1", "-m", "20", server.url("/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Streams above a GOAWAY's last id were never processed: they go out again on the next
  // connection, and each request is counted once.
  EXPECT_GT(req(r, "retried"), 0u);
  EXPECT_EQ(err(r, "goaway"), 0u);
  EXPECT_EQ(req(r, "started"), 2000u);
  EXPECT_EQ(req(r, "succeeded"), 2000u);
  EXPECT_EQ(server.stats().at("requests").get<uint64_t>(), 2000u);
}

TEST(LoadH1, TcpResetsCountedAndNewConnectionsMade) {
  TestServer server({"--reset-every", "10"});
  CommandResult r = run_firedrill({"load", "-q", "-n", "500", "-c", "1", server.url("/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(err(r, "connection_reset"), 50u);
  EXPECT_EQ(req(r, "succeeded"), 450u);
  EXPECT_GE(r.json.at("connections").at("established").get<uint64_t>(), 50u);
}

// Any three-digit status is a status (RFC 9110 section 15): 799 is failed, and it is in the
// status table like any other, so the table adds up to the responses.
TEST(LoadH1, AStatusAbove599IsCountedInTheTable) {
  TestServer server({"--status-cycle", "200,799"});
  CommandResult r = run_firedrill(
      {"load", "-q", "--protocol", "h1", "-n", "100", "-c", "1", server.url("/cycle")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status(r, "200"), 50u);
  EXPECT_EQ(status(r, "799"), 50u) << r.json.dump(2);
  EXPECT_EQ(req(r, "failed"), 50u);
  EXPECT_EQ(r.json.at("status_classes").at("7xx").get<uint64_t>(), 50u);
  EXPECT_NE(r.out.find("799: 50"), std::string::npos) << r.out;
}

TEST(LoadErrors, ConnectionRefusedMeansUnreachable) {
  uint16_t port;
  {
    TestServer server;  // a port that was free a moment ago and now has no listener
    port = server.port();
  }
  CommandResult r =
      run_firedrill({"load", "-q", "-n", "10", "http://127.0.0.1:" + std::to_string(port) + "/"});
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.err.find("could not be reached"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("refused"), std::string::npos) << r.err;
  EXPECT_GT(err(r, "connect_refused"), 0u);
}

TEST(LoadErrors, ServerDeathMidRunCountsRefusedAndKeepsGoing) {
  auto server = std::make_unique<TestServer>();
  std::string url = server->url("/delay/1");
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    server.reset();
  });
  CommandResult r = run_firedrill({"load", "-q", "-d", "2s", "-c", "4", "-t", "1", url});
  killer.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(req(r, "succeeded"), 0u);
  EXPECT_GT(err(r, "connect_refused"), 0u);
}

// The open-loop acceptance case: one 300 ms stall shows in the corrected latency of the requests
// queued behind it, but not in the service time of what was sent.
TEST(LoadOpenLoop, StallShowsInCorrectedLatencyNotServiceTime) {
  TestServer server;
  CommandResult r = run_firedrill({"load", "-q", "-c", "1", "-t", "1", "--rate", "200/s", "-d",
                                   "3s", server.url("/stall-once/300")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  double corrected_p99 = r.json.at("latency").at("percentiles_ms").at("p99").get<double>();
  double service_p99 = r.json.at("service_time").at("percentiles_ms").at("p99").get<double>();
  EXPECT_GT(corrected_p99, 200.0);
  EXPECT_LT(service_p99, 100.0);
  EXPECT_GE(r.json.at("service_time").at("max_ms").get<double>(), 299.0);
  EXPECT_EQ(req(r, "dropped"), 0u);
  EXPECT_NEAR(r.json.at("rate_accuracy").get<double>(), 1.0, 0.01);
}

// Each response counts in the second it completed in: a steady rate gives an even series, not a
// second with none followed by one with two seconds' worth, whatever the phase of the worker's
// tick against the engine's once-a-second collection.
TEST(LoadOpenLoop, ASteadyRateGivesAnEvenSeries) {
  TestServer server;
  CommandResult r = run_firedrill(
      {"load", "-q", "-c", "2", "-t", "1", "--rate", "100/s", "-d", "12s", server.url("/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto& series = r.json.at("series");
  ASSERT_GE(series.size(), 11u) << series.dump();
  uint64_t in_series = 0;
  for (const auto& second : series) {
    EXPECT_NEAR(second.at("responses").get<double>(), 100.0, 5.0) << series.dump();
    in_series += second.at("responses").get<uint64_t>();
  }
  // The last second too, though the run ends within it.
  EXPECT_EQ(in_series, req(r, "succeeded") + req(r, "failed")) << series.dump();
}

TEST(LoadOpenLoop, QueueOverflowIsDroppedNotSlowedDown) {
  TestServer server;
  CommandResult r =
      run_firedrill({"load", "-q", "-c", "1", "-t", "1", "--rate", "500/s", "-d", "2s",
                     "--max-queue", "5", "--timeout", "3s", server.url("/delay/50")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(req(r, "dropped"), 500u);
  EXPECT_NEAR(r.json.at("rate_accuracy").get<double>(), 1.0, 0.01);
  EXPECT_NE(r.out.find("dropped"), std::string::npos);
}

TEST(LoadOpenLoop, StagesFollowTheSchedule) {
  TestServer server;
  CommandResult r =
      run_firedrill({"load", "-q", "-c", "4", "--stages", "1s:400/s,1s:400/s", server.url("/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 0 -> 400/s over 1 s asks for 200 requests, then 400 more.
  EXPECT_NEAR(r.json.at("intended").at("intended_requests").get<double>(), 600.0, 1.0);
  EXPECT_NEAR(static_cast<double>(req(r, "started")), 600.0, 2.0);
}

class Tls : public ::testing::Test {
 protected:
  TempDir dir;
  TestCertificates certs{dir.path()};
};

TEST_F(Tls, H2WithAlpnAndVerifiedCertificate) {
  TestServer server({}, true, certs.server_cert, certs.server_key);
  CommandResult r = run_firedrill({"load", "-q", "-n", "2000", "-c", "4", "-m", "10", "--cacert",
                                   certs.ca_cert.string(), server.url("/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json.at("negotiated"), "h2");
  EXPECT_EQ(req(r, "succeeded"), 2000u);
}

TEST_F(Tls, H1OverTlsWhenAsked) {
  TestServer server({}, true, certs.server_cert, certs.server_key);
  CommandResult r = run_firedrill({"load", "-q", "--protocol", "h1", "-n", "500", "-c", "2",
                                   "--cacert", certs.ca_cert.string(), server.url("/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json.at("negotiated"), "h1");
  EXPECT_EQ(req(r, "succeeded"), 500u);
}

TEST_F(Tls, UntrustedCertificateIsAClearTlsError) {
  TestServer server({}, true, certs.server_cert, certs.server_key);
  CommandResult r = run_firedrill({"load", "-q", "-n", "10", server.url("/")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("certificate verification failed"), std::string::npos) << r.err;
}

TEST_F(Tls, WrongHostNameFailsUnlessInsecure) {
  TestServer server({}, true, certs.server_cert, certs.server_key);
  CommandResult wrong = run_firedrill({"load", "-q", "-n", "10", "--cacert", certs.ca_cert.string(),
                                       "--sni", "wrong.example", server.url("/")});
  EXPECT_EQ(wrong.exit_code, 3);
  EXPECT_NE(wrong.err.find("hostname mismatch"), std::string::npos) << wrong.err;
  EXPECT_GT(err(wrong, "tls"), 0u);

  CommandResult insecure = run_firedrill(
      {"load", "-q", "-n", "10", "--insecure", "--sni", "wrong.example", server.url("/")});
  EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
  EXPECT_EQ(req(insecure, "succeeded"), 10u);
}

TEST_F(Tls, SessionsResumedOnReconnect) {
  TestServer server({"--reset-every", "20"}, true, certs.server_cert, certs.server_key);
  CommandResult r = run_firedrill({"load", "-q", "--protocol", "h1", "-n", "200", "-c", "1",
                                   "--cacert", certs.ca_cert.string(), server.url("/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(r.json.at("connections").at("established").get<uint64_t>(), 10u);
  EXPECT_GT(r.json.at("connections").at("tls_resumed").get<uint64_t>(), 0u);
}

TEST_F(Tls, EveryNewConnectionMakesAFullHandshake) {
  // More connections than one thread opens at a time: the later ones start once the first have
  // sessions to offer, and must not resume them; they are new clients. A duration, not -n: with
  // -n the first connections can take every request before the last ones have connected.
  TestServer server({}, true, certs.server_cert, certs.server_key);
  CommandResult r = run_firedrill({"load", "-q", "-t", "1", "-c", "1100", "-d", "3s", "--cacert",
                                   certs.ca_cert.string(), server.url("/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json.at("connections").at("established").get<uint64_t>(), 1100u);
  EXPECT_EQ(r.json.at("connections").at("tls_resumed").get<uint64_t>(), 0u);
  EXPECT_GE(req(r, "succeeded"), 1100u);
  EXPECT_EQ(req(r, "errored"), 0u);
}

}  // namespace
}  // namespace firedrill::testing
