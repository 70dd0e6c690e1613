// `firedrill target`, the built-in system under test, driven over real loopback connections by
// curl and `firedrill load`.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct CurlResult {
  int status = 0;
  std::string http_version;  // "1.1" or "2"
  double seconds = 0;
  std::string body;
};

// curl with `args` before the URL; -k so that the target's self-signed certificate is accepted.
CurlResult curl(const std::string& url, const std::vector<std::string>& args = {}) {
  TempDir tmp;
  fs::path body = tmp.path() / "body";
  fs::path written = tmp.path() / "written";
  std::vector<std::string> argv = {
      "curl",        "-s", "-k",
      "-m",          "10", "-o",
      body.string(), "-w", "%{http_code} %{http_version} %{time_total}"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(url);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(written.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    std::vector<char*> pointers;
    for (const auto& a : argv) pointers.push_back(const_cast<char*>(a.c_str()));
    pointers.push_back(nullptr);
    execvp(pointers[0], pointers.data());
    _exit(127);
  }
  waitpid(pid, nullptr, 0);
  CurlResult result;
  std::istringstream(read_text(written)) >> result.status >> result.http_version >> result.seconds;
  result.body = read_text(body);
  return result;
}

CurlResult post_faults(const Target& target, const std::string& body) {
  return curl(target.url("/admin/fault"),
              {"-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body});
}

std::string requests_series(const std::string& method, const std::string& path, int code) {
  return "http_requests_total{code=\"" + std::to_string(code) + "\",method=\"" + method +
         "\",path=\"" + path + "\"}";
}

double resident_bytes(const Target& target) {
  return metric(curl(target.url("/metrics")).body, "process_resident_memory_bytes");
}

uint64_t status_count(const CommandResult& r, const char* code) {
  return r.json.at("status").value(code, uint64_t{0});
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

std::vector<json> request_lines(const std::vector<json>& lines) {
  std::vector<json> requests;
  for (const json& line : lines) {
    if (line.contains("method")) requests.push_back(line);
  }
  return requests;
}

struct ProtocolCase {
  const char* name;
  bool tls;
  std::vector<std::string> curl_args;
  const char* http_version;
};

class EachProtocol : public ::testing::TestWithParam<ProtocolCase> {
 protected:
  CurlResult get(const Target& target, const std::string& path) {
    CurlResult r = curl(target.url(path), GetParam().curl_args);
    EXPECT_EQ(r.http_version, GetParam().http_version) << path;
    return r;
  }
};

TEST_P(EachProtocol, EveryEndpointAnswers) {
  Target target({}, GetParam().tls);
  CurlResult root = get(target, "/");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(root.body, "Hello, drill!\n");

  EXPECT_EQ(get(target, "/status/418").status, 418);
  EXPECT_EQ(get(target, "/status/503").body, "503 Service Unavailable\n");
  EXPECT_EQ(get(target, "/status/204").body, "");
  EXPECT_EQ(get(target, "/status/99").status, 400);

  CurlResult delayed = get(target, "/delay/300");
  EXPECT_EQ(delayed.status, 200);
  EXPECT_GE(delayed.seconds, 0.3);

  CurlResult bytes = get(target, "/bytes/100000");
  EXPECT_EQ(bytes.status, 200);
  EXPECT_EQ(bytes.body, std::string(100000, 'x'));

  CurlResult health = get(target, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");

  EXPECT_EQ(get(target, "/nowhere").status, 404);

  CurlResult faults = get(target, "/admin/fault");
  EXPECT_EQ(faults.status, 200);
  EXPECT_EQ(json::parse(faults.body).at("error_rate"), 0.0);

  CurlResult metrics = get(target, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metric(metrics.body, requests_series("GET", "/", 200)), 1);
  EXPECT_EQ(metric(metrics.body, requests_series("GET", "/status/{code}", 418)), 1);
  EXPECT_EQ(metric(metrics.body, requests_series("GET", "/delay/{ms}", 200)), 1);
  EXPECT_EQ(metric(metrics.body, requests_series("GET", "/unmatched", 404)), -1);
  EXPECT_EQ(metric(metrics.body, requests_series("GET", "unmatched", 404)), 1);
}

TEST_P(EachProtocol, FaultAdminSetsShowsAndClears) {
  Target target({}, GetParam().tls);
  std::vector<std::string> post = GetParam().curl_args;
  post.insert(post.end(), {"-X", "POST", "--data-binary", R"({"error_rate": 1})"});
  CurlResult set = curl(target.url("/admin/fault"), post);
  EXPECT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(get(target, "/").status, 500);
  EXPECT_EQ(json::parse(get(target, "/admin/fault").body).at("error_rate"), 1.0);

  std::vector<std::string> remove = GetParam().curl_args;
  remove.insert(remove.end(), {"-X", "DELETE"});
  EXPECT_EQ(curl(target.url("/admin/fault"), remove).status, 200);
  EXPECT_EQ(get(target, "/").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Protocols, EachProtocol,
                         ::testing::Values(ProtocolCase{"h1", false, {"--http1.1"}, "1.1"},
                                           ProtocolCase{
                                               "h2c", false, {"--http2-prior-knowledge"}, "2"},
                                           ProtocolCase{"h2_tls", true, {"--http2"}, "2"},
                                           ProtocolCase{"h1_tls", true, {"--http1.1"}, "1.1"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(TargetMetrics, CountExactlyWhatALoadRunSent) {
  Target target;
  CommandResult root =
      run_firedrill({"load", "-q", "-n", "1500", "-c", "8", "-m", "4", target.url("/")});
  ASSERT_EQ(root.exit_code, 0) << root.err;
  CommandResult status = run_firedrill({"load", "-q", "--protocol", "h2c", "-n", "700", "-c", "4",
                                        "-m", "8", target.url("/status/404")});
  ASSERT_EQ(status.exit_code, 0) << status.err;

  std::string text = curl(target.url("/metrics")).body;
  EXPECT_EQ(metric(text, requests_series("GET", "/", 200)), 1500) << text;
  EXPECT_EQ(metric(text, requests_series("GET", "/status/{code}", 404)), 700);
  EXPECT_EQ(metric(text, "http_request_duration_seconds_count{path=\"/\"}"), 1500);
  EXPECT_EQ(metric(text, "http_request_duration_seconds_count{path=\"/status/{code}\"}"), 700);
  EXPECT_EQ(metric(text, "target_info{name=\"firedrill-target\"}"), 1);
  EXPECT_GT(metric(text, "process_resident_memory_bytes"), 1e6);
  // Exported (metric() gives -1 when absent); a short run on an idle machine may use < 1 tick.
  EXPECT_GE(metric(text, "process_cpu_seconds_total"), 0);
}

TEST(TargetMetrics, EveryThreadCountsIntoTheSameSeries) {
  Target target({"--threads", "4", "--name", "checkout"});
  CommandResult r =
      run_firedrill({"load", "-q", "-n", "4000", "-c", "64", target.url("/bytes/10")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status_count(r, "200"), 4000u);
  std::string text = curl(target.url("/metrics")).body;
  EXPECT_EQ(metric(text, requests_series("GET", "/bytes/{n}", 200)), 4000) << text;
  EXPECT_EQ(metric(text, "target_info{name=\"checkout\"}"), 1);
}

TEST(TargetFaults, ErrorRateFailsThatShareAndSparesHealthAndMetrics) {
  Target target;
  ASSERT_EQ(post_faults(target, R"({"error_rate": 0.2})").status, 200);
  CommandResult r = run_firedrill({"load", "-q", "-n", "2000", "-c", "8", target.url("/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(static_cast<double>(status_count(r, "500")), 400.0, 100.0);
  EXPECT_EQ(status_count(r, "500") + status_count(r, "200"), 2000u);

  CommandResult health =
      run_firedrill({"load", "-q", "-n", "300", "-c", "4", target.url("/healthz")});
  EXPECT_EQ(status_count(health, "200"), 300u);
  CommandResult metrics =
      run_firedrill({"load", "-q", "-n", "50", "-c", "2", target.url("/metrics")});
  EXPECT_EQ(status_count(metrics, "200"), 50u);
}

TEST(TargetFaults, ExtraLatencyShowsInTheMedian) {
  Target target;
  auto p50 = [&] {
    CommandResult r = run_firedrill({"load", "-q", "-n", "40", "-c", "4", target.url("/")});
    EXPECT_EQ(status_count(r, "200"), 40u) << r.err;
    return r.json.at("latency").at("percentiles_ms").at("p50").get<double>();
  };
  ASSERT_EQ(post_faults(target, R"({"extra_latency": "250ms"})").status, 200);
  double slowed = p50();
  EXPECT_GE(slowed, 249.0);  // the histogram's 0.1% relative error
  EXPECT_LT(slowed, 1000.0);
  ASSERT_EQ(post_faults(target, R"({"extra_latency": 400})").status, 200);
  EXPECT_GE(p50(), 399.0);
  ASSERT_EQ(curl(target.url("/admin/fault"), {"-X", "DELETE"}).status, 200);
  EXPECT_LT(p50(), 150.0);
}

TEST(TargetFaults, LeakGrowsResidentMemoryAndDeleteFreesIt) {
  Target target;
  double before = resident_bytes(target);
  ASSERT_GT(before, 0);
  ASSERT_EQ(post_faults(target, R"({"leak_mb_per_s": 200})").status, 200);
  double grown = before;
  for (int i = 0; i < 50 && grown < before + 150e6; ++i) {
    std::this_thread::sleep_for(100ms);
    grown = resident_bytes(target);
  }
  EXPECT_GE(grown, before + 150e6);
  EXPECT_GT(json::parse(curl(target.url("/admin/fault")).body).at("leaked_bytes").get<double>(),
            150e6);

  ASSERT_EQ(curl(target.url("/admin/fault"), {"-X", "DELETE"}).status, 200);
  EXPECT_LT(resident_bytes(target), before + 50e6);
  EXPECT_EQ(json::parse(curl(target.url("/admin/fault")).body).at("leaked_bytes"), 0);
}

TEST(TargetFaults, CrashAfterKillsTheProcessWithASignal) {
  Target target({"--log-file", "/dev/null"});
  ASSERT_EQ(post_faults(target, R"({"crash_after": "300ms"})").status, 200);
  EXPECT_EQ(curl(target.url("/healthz")).status, 200);  // not yet
  EXPECT_EQ(target.process().wait(5000ms), 128 + SIGABRT);
}

TEST(TargetFaults, NullEndsOneFaultAndDeleteEndsAll) {
  Target target;
  ASSERT_EQ(
      post_faults(target, R"({"error_rate": 0.5, "crash_after": "1h", "extra_latency": 5})").status,
      200);
  json shown = json::parse(curl(target.url("/admin/fault")).body);
  EXPECT_EQ(shown.at("crash_after"), "1h");
  EXPECT_TRUE(shown.at("crash_at").is_string());
  EXPECT_EQ(shown.at("extra_latency"), "5ms");

  ASSERT_EQ(post_faults(target, R"({"crash_after": null})").status, 200);
  shown = json::parse(curl(target.url("/admin/fault")).body);
  EXPECT_TRUE(shown.at("crash_after").is_null());
  EXPECT_EQ(shown.at("error_rate"), 0.5);

  CurlResult cleared = curl(target.url("/admin/fault"), {"-X", "DELETE"});
  EXPECT_EQ(cleared.status, 200);
  EXPECT_EQ(json::parse(cleared.body),
            json::parse(R"({"error_rate": 0.0, "extra_latency": "0", "leak_mb_per_s": 0.0,
                            "leaked_bytes": 0, "crash_after": null, "crash_at": null})"));
}

TEST(TargetFaults, BadBodiesAre400SayingWhatIsValid) {
  Target target;
  const std::pair<const char*, const char*> cases[] = {
      {"{not json", "not valid JSON"},
      {"[0.2]", "must be a JSON object"},
      {"{}", "sets no fault"},
      {R"({"error_rate": 1.5})", "error_rate must be a number from 0 to 1"},
      {R"({"error_rate": "high"})", "error_rate must be a number from 0 to 1"},
      {R"({"extra_latency": "soon"})", "extra_latency"},
      {R"({"extra_latency": -5})", "extra_latency"},
      {R"({"leak_mb_per_s": -1})", "leak_mb_per_s"},
      {R"({"crash_after": "0s"})", "crash_after"},
      {R"({"error_rate": 0.1, "eror_rate": 0.1})", "unknown field \"eror_rate\""},
  };
  for (const auto& [body, error] : cases) {
    CurlResult r = post_faults(target, body);
    EXPECT_EQ(r.status, 400) << body;
    json answer = json::parse(r.body);
    EXPECT_NE(answer.at("error").get<std::string>().find(error), std::string::npos)
        << body << " -> " << r.body;
    EXPECT_NE(answer.at("valid").get<std::string>().find("error_rate"), std::string::npos);
  }
  EXPECT_EQ(json::parse(curl(target.url("/admin/fault")).body).at("error_rate"), 0.0);
  EXPECT_EQ(curl(target.url("/admin/fault"), {"-X", "PUT"}).status, 405);
}

TEST(TargetLogs, RequestAndFaultLinesAreJsonWithTheRequiredFields) {
  TempDir dir;
  fs::path log = dir.path() / "target.log";
  Target target({"--log-file", log.string(), "--name", "shop"});
  curl(target.url("/status/201"));
  curl(target.url("/status/503?x=1"));
  curl(target.url("/status/404"));
  post_faults(target, R"({"error_rate": 0.2})");
  curl(target.url("/admin/fault"), {"-X", "DELETE"});
  target.process().stop();

  std::vector<json> lines = json_lines(read_text(log));
  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  for (const json& line : lines) {
    EXPECT_TRUE(std::regex_match(line.at("timestamp").get<std::string>(), rfc3339)) << line;
    EXPECT_EQ(line.at("name"), "shop") << line;
    EXPECT_TRUE(line.at("level").is_string()) << line;
  }
  std::vector<json> requests = request_lines(lines);
  ASSERT_EQ(requests.size(), 5u) << read_text(log);
  EXPECT_EQ(requests[0].at("method"), "GET");
  EXPECT_EQ(requests[0].at("path"), "/status/201");
  EXPECT_EQ(requests[0].at("status"), 201);
  EXPECT_EQ(requests[0].at("level"), "info");
  EXPECT_TRUE(requests[0].at("latency_ms").is_number());
  EXPECT_EQ(requests[0].at("protocol"), "http/1.1");
  EXPECT_EQ(requests[1].at("path"), "/status/503");
  EXPECT_EQ(requests[1].at("level"), "error");
  EXPECT_EQ(requests[2].at("level"), "warn");

  auto fault_set = std::find_if(lines.begin(), lines.end(),
                                [](const json& l) { return l.value("msg", "") == "fault set"; });
  ASSERT_NE(fault_set, lines.end());
  EXPECT_EQ(fault_set->at("level"), "warn");
  EXPECT_EQ(fault_set->at("error_rate"), 0.2);
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(),
                          [](const json& l) { return l.value("msg", "") == "faults cleared"; }));
}

TEST(TargetLogs, SampleRatioLogsThatShareOfRequests) {
  TempDir dir;
  fs::path sampled = dir.path() / "sampled.log";
  fs::path silent = dir.path() / "silent.log";
  {
    Target target({"--log-file", sampled.string(), "--log-sample", "0.1"});
    CommandResult r = run_firedrill({"load", "-q", "-n", "2000", "-c", "4", target.url("/")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    target.process().stop();
  }
  std::size_t logged = request_lines(json_lines(read_text(sampled))).size();
  EXPECT_GE(logged, 130u);
  EXPECT_LE(logged, 270u);
  {
    Target target({"--log-file", silent.string(), "--log-sample", "0"});
    run_firedrill({"load", "-q", "-n", "500", "-c", "4", target.url("/")});
    post_faults(target, R"({"error_rate": 0.2})");
    target.process().stop();
  }
  std::vector<json> lines = json_lines(read_text(silent));
  EXPECT_TRUE(request_lines(lines).empty());
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(),
                          [](const json& l) { return l.value("msg", "") == "fault set"; }));
}

TEST(TargetCommand, LogsToStdoutPrintsTheAddressAndExitsZeroOnSigterm) {
  Target target;
  curl(target.url("/"));
  target.process().signal(SIGTERM);
  EXPECT_EQ(target.process().wait(5000ms), 0);
  std::string output = target.output();
  EXPECT_NE(output.find("listening on http://127.0.0.1:" + std::to_string(target.port())),
            std::string::npos)
      << output;
  std::size_t request_lines_seen = 0;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("{")) continue;
    json parsed = json::parse(line);
    if (parsed.contains("method")) ++request_lines_seen;
  }
  EXPECT_EQ(request_lines_seen, 1u) << output;
}

TEST(TargetCommand, SigintExitsZeroWithThreads) {
  Target target({"--threads", "3"});
  EXPECT_EQ(curl(target.url("/healthz")).status, 200);
  target.process().signal(SIGINT);
  EXPECT_EQ(target.process().wait(5000ms), 0);
}

TEST(TargetCommand, CertAndKeyServeAVerifiableCertificate) {
  TempDir dir;
  TestCertificates certs(dir.path());
  Target target({"--cert", certs.server_cert.string(), "--key", certs.server_key.string()}, true);
  CommandResult r = run_firedrill({"load", "-q", "-n", "300", "-c", "2", "-m", "4", "--cacert",
                                   certs.ca_cert.string(), target.url("/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json.at("negotiated"), "h2");
  EXPECT_EQ(status_count(r, "200"), 300u);
}

// The certificate as a client sees it: `openssl x509 -text` of what the handshake presented.
std::string presented_certificate(uint16_t port) {
  std::string command = "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                        " 2>/dev/null | openssl x509 -noout -text";
  std::string text;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (pipe && std::fgets(buffer, sizeof buffer, pipe)) text += buffer;
  if (pipe) pclose(pipe);
  return text;
}

TEST(TargetCommand, TlsWithAGeneratedLoopbackCertificate) {
  Target target({}, true);
  std::string certificate = presented_certificate(target.port());
  EXPECT_NE(certificate.find("IP Address:127.0.0.1, DNS:localhost"), std::string::npos)
      << certificate;
  EXPECT_NE(certificate.find("NIST CURVE: P-256"), std::string::npos) << certificate;
  std::smatch validity;
  ASSERT_TRUE(std::regex_search(certificate, validity,
                                std::regex(R"(Not Before: (.+) GMT\s+Not After : (.+) GMT)")))
      << certificate;
  auto seconds_of = [](const std::string& text) {
    std::tm time{};
    std::istringstream(text) >> std::get_time(&time, "%b %d %H:%M:%S %Y");
    return timegm(&time);
  };
  auto lifetime = std::chrono::seconds(seconds_of(validity[2]) - seconds_of(validity[1]));
  EXPECT_GT(lifetime, 1h);
  EXPECT_LE(lifetime, 48h);

  CommandResult verified = run_firedrill({"load", "-q", "-n", "5", target.url("/")});
  EXPECT_EQ(verified.exit_code, 3);  // self-signed: nothing trusts it
  CommandResult insecure = run_firedrill({"load", "-q", "-k", "-n", "50", target.url("/")});
  ASSERT_EQ(insecure.exit_code, 0) << insecure.err;
  EXPECT_EQ(insecure.json.at("negotiated"), "h2");
}

TEST(TargetCommand, BadFlagsExitTwoNamingTheFlag) {
  const std::pair<std::vector<std::string>, const char*> cases[] = {
      {{"--threads", "0"}, "--threads"},
      {{"--threads", "many"}, "--threads"},
      {{"--log-sample", "1.5"}, "--log-sample"},
      {{"--log-sample", "often"}, "--log-sample"},
      {{"--listen", "8080"}, "--listen"},
      {{"--listen", "127.0.0.1:99999"}, "--listen"},
      {{"--cert", "/nonexistent.pem"}, "--key"},
      {{"--cert", "/nonexistent.pem", "--key", "/nonexistent.key"}, "--cert"},
      {{"--log-file", "/nonexistent/dir/log"}, "--log-file"},
      {{"--no-such-flag"}, "--no-such-flag"},
  };
  for (const auto& [flags, named] : cases) {
    // Any free port, should a bad flag be let through: the command would serve rather than hang
    // on a busy 8080.
    std::vector<std::string> args = {"target"};
    if (flags.front() != "--listen") args.insert(args.end(), {"--listen", "127.0.0.1:0"});
    args.insert(args.end(), flags.begin(), flags.end());
    CommandResult r = run_firedrill(args, false);
    EXPECT_EQ(r.exit_code, 2) << flags.back() << ": " << r.err;
    EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
  }
}

TEST(TargetCommand, AddressInUseExitsThree) {
  Target first;
  CommandResult r =
      run_firedrill({"target", "--listen", "127.0.0.1:" + std::to_string(first.port())}, false);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace firedrill::testing
