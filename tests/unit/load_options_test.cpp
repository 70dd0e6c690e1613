#include <gtest/gtest.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "cli/load_options.hpp"
#include "common/errors.hpp"

namespace firedrill::cli {
namespace {

struct Outcome {
  int code;
  std::string err;
};

// Runs the real command line parser and captures what it prints on stderr.
Outcome run(std::vector<std::string> args) {
  args.insert(args.begin(), "firedrill");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream captured;
  std::streambuf* old = std::cerr.rdbuf(captured.rdbuf());
  int code = run_app(static_cast<int>(argv.size()), argv.data());
  std::cerr.rdbuf(old);
  return {code, captured.str()};
}

struct BadFlag {
  std::vector<std::string> args;
  std::string names;  // the flag the message must name
};

void PrintTo(const BadFlag& bad, std::ostream* os) {
  for (const auto& a : bad.args) *os << a << ' ';
}

class LoadFlagErrors : public ::testing::TestWithParam<BadFlag> {};

TEST_P(LoadFlagErrors, ExitTwoAndNameTheFlag) {
  const BadFlag& bad = GetParam();
  std::vector<std::string> args = {"load"};
  args.insert(args.end(), bad.args.begin(), bad.args.end());
  // Port 9 on loopback: nothing may be sent, but if the parser let the run start it would fail
  // with exit 3, not 2.
  if (std::find(args.begin(), args.end(), "--requests-file") == args.end()) {
    args.push_back("http://127.0.0.1:9/");
  }
  Outcome o = run(args);
  EXPECT_EQ(o.code, kExitUsage) << o.err;
  EXPECT_NE(o.err.find(bad.names), std::string::npos) << o.err;
}

INSTANTIATE_TEST_SUITE_P(
    EveryFlag, LoadFlagErrors,
    ::testing::Values(
        BadFlag{{"-c", "0"}, "--connections"}, BadFlag{{"--connections", "x"}, "--connections"},
        BadFlag{{"-m", "-1"}, "--streams"}, BadFlag{{"-t", "0"}, "--threads"},
        BadFlag{{"-n", "ten"}, "--requests"}, BadFlag{{"-d", "5"}, "--duration"},
        BadFlag{{"-d", "5x"}, "--duration"}, BadFlag{{"--warmup", "soon"}, "--warmup"},
        BadFlag{{"--rate", "fast"}, "--rate"}, BadFlag{{"--rate", "-5/s"}, "--rate"},
        BadFlag{{"--stages", "30s"}, "--stages"},
        BadFlag{{"--stages", "10s:5/s", "-d", "1m"}, "--duration"},
        BadFlag{{"--rate", "10/s", "-n", "5"}, "--requests"},
        BadFlag{{"--max-queue", "10"}, "--max-queue"},
        BadFlag{{"--rate", "10/s", "--max-queue", "0"}, "--max-queue"},
        BadFlag{{"--protocol", "h3"}, "--protocol"},
        BadFlag{{"--rate", "10/s", "--arrival", "bursty"}, "--arrival"},
        BadFlag{{"--arrival", "poisson"}, "--arrival"},
        BadFlag{{"--rate", "10/s", "--pacer", "lazy"}, "--pacer"},
        BadFlag{{"--pacer", "exact"}, "--pacer"},
        BadFlag{{"--cacert", "/nonexistent/ca.pem"}, "--cacert"},
        BadFlag{{"--cert", "/nonexistent/c.pem"}, "--cert"},
        BadFlag{{"--key", "/nonexistent/k.pem"}, "--key"}, BadFlag{{"-H", "NoColon"}, "--header"},
        BadFlag{{"--body", "a", "--body-file", "/etc/hostname"}, "--body-file"},
        BadFlag{{"--body-file", "/nonexistent/body"}, "--body-file"},
        BadFlag{{"--requests-file", "/nonexistent/requests.txt"}, "--requests-file"},
        BadFlag{{"--seed", "abc"}, "--seed"}, BadFlag{{"--timeout", "0"}, "--timeout"},
        BadFlag{{"--connect-timeout", "1x"}, "--connect-timeout"},
        BadFlag{{"-X", "GE T"}, "--method"}, BadFlag{{"--no-such-flag"}, "--no-such-flag"},
        BadFlag{{"--shard", "4/4"}, "--shard: \"4/4\" is not valid"},
        BadFlag{{"--shard", "1/0"}, "--shard: \"1/0\" is not valid"},
        BadFlag{{"--shard", "two"}, "--shard: \"two\" is not valid"},
        BadFlag{{"--shard", "0/4", "-c", "3"}, "--shard: splits the load in 4 parts"},
        BadFlag{{"--shard", "0/4", "-n", "3"}, "--shard: splits the load in 4 parts"},
        BadFlag{{"--start-at", "tomorrow"}, "--start-at: \"tomorrow\" is not valid"},
        BadFlag{{"--start-at", "2100-01-01T00:00:00Z"},
                "--start-at: 2100-01-01T00:00:00Z is more"}));

TEST(LoadFlags, BadUrlIsUsageError) {
  Outcome o = run({"load", "ftp://127.0.0.1/"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_NE(o.err.find("URL"), std::string::npos) << o.err;
}

TEST(LoadFlags, UrlsMustShareOneOrigin) {
  Outcome o = run({"load", "http://127.0.0.1:9/a", "http://127.0.0.2:9/b"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_NE(o.err.find("origin"), std::string::npos) << o.err;
}

TEST(LoadFlags, H2cNeedsCleartext) {
  Outcome o = run({"load", "--protocol", "h2c", "https://127.0.0.1:9/"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_NE(o.err.find("--protocol"), std::string::npos) << o.err;
}

TEST(LoadFlags, MissingUrl) {
  Outcome o = run({"load", "-n", "1"});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_NE(o.err.find("URL"), std::string::npos) << o.err;
}

TEST(LoadFlags, ConvertsAValidCommandLine) {
  LoadFlags f;
  f.urls = {"http://127.0.0.1:8080/a?x=1"};
  f.connections = "16";
  f.streams = "10";
  f.threads = "2";
  f.rate = "2000/s";
  f.duration = "30s";
  f.warmup = "5s";
  f.headers = {"X-Test:  yes"};
  f.protocol = "h2";
  f.shard = "3/4";
  const auto start =
      std::chrono::floor<std::chrono::seconds>(common::WallClock::now()) + std::chrono::minutes(2);
  f.start_at = common::format_rfc3339(start);
  loadgen::LoadConfig c = to_load_config(f);
  EXPECT_EQ(c.shard, (loadgen::Shard{3, 4}));
  EXPECT_EQ(c.start_at, start);
  EXPECT_EQ(c.connections, 16u);
  EXPECT_EQ(c.streams, 10u);
  EXPECT_EQ(c.threads, 2u);
  ASSERT_TRUE(c.start_rate.has_value());
  EXPECT_DOUBLE_EQ(*c.start_rate, 2000.0);
  EXPECT_EQ(c.duration, std::chrono::seconds(30));
  EXPECT_EQ(c.warmup, std::chrono::seconds(5));
  // h2 on an http:// URL means HTTP/2 cleartext with prior knowledge.
  EXPECT_EQ(c.protocol, loadgen::Protocol::H2c);
  ASSERT_EQ(c.requests.size(), 1u);
  ASSERT_EQ(c.requests[0].headers.size(), 1u);
  EXPECT_EQ(c.requests[0].headers[0].first, "X-Test");
  EXPECT_EQ(c.requests[0].headers[0].second, "yes");
}

TEST(LoadFlags, OpenLoopPacesOnAQuantumWithUniformArrivalsUnlessAsked) {
  LoadFlags f;
  f.urls = {"http://127.0.0.1:8080/"};
  f.rate = "100/s";
  loadgen::LoadConfig c = to_load_config(f);
  EXPECT_EQ(c.arrival, loadgen::Arrival::Uniform);
  EXPECT_EQ(c.pacer, loadgen::PacerKind::Quantized);
  f.arrival = "poisson";
  f.pacer = "exact";
  c = to_load_config(f);
  EXPECT_EQ(c.arrival, loadgen::Arrival::Poisson);
  EXPECT_EQ(c.pacer, loadgen::PacerKind::Exact);
}

TEST(LoadFlags, DefaultsToTenSecondsWithoutCountOrDuration) {
  LoadFlags f;
  f.urls = {"http://127.0.0.1:8080/"};
  EXPECT_EQ(to_load_config(f).duration, std::chrono::seconds(10));
}

}  // namespace
}  // namespace firedrill::cli
