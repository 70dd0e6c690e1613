// A secret a drill file interpolates reaches what needs it (the shell, the server) and no output:
// one token goes through every interpolation site of a drill (target headers, a load request's
// query string, check URLs and headers, exec fault and exec check commands, a command's own
// output) and is looked for in everything the run wrote and printed, including the metrics it
// pushed to a real Pushgateway. Only the revert journal, mode 0600, holds it.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

constexpr const char* kToken = "tok-3f9a1c7e52b04d18";
constexpr const char* kFileToken = "filetok-8d2e6b1a9c";

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

TEST(Secrets, AnInterpolatedTokenAppearsInNoOutputButTheJournal) {
  TempDir dir;
  const fs::path failing = dir.path() / "failing";
  TestServer server{{"--fail-file", failing.string()}};
  ScopedEnv token("FIREDRILL_TEST_TOKEN", kToken);
  std::ofstream(dir.path() / "token.txt") << kFileToken << "\n";
  const uint16_t gateway_port = free_port();
  Process gateway(pushgateway_argv(gateway_port), dir.path() / "pushgateway.log");
  ASSERT_TRUE(wait_for_port(gateway_port)) << read_text(dir.path() / "pushgateway.log");

  const std::string url = server.url("/");
  const fs::path drill = dir.path() / "drill.yaml";
  std::ofstream(drill)
      << "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: secrets}\n"
      << "target:\n  url: \"" << url << "\"\n"
      << "  headers: {Authorization: \"Bearer ${file:token.txt}\"}\n"
      << "load:\n  steady:\n    requests: [{path: \"/?token=${env:FIREDRILL_TEST_TOKEN}\"}]\n"
      << "    rate: 50/s\n    connections: 1\n    threads: 1\n"
      << "steps:\n"
      << "  - load: steady\n    duration: 20s\n    background: true\n"
      << "  - chaos:\n      exec:\n"
      << "        inject: \"touch " << failing.string() << " # ${env:FIREDRILL_TEST_TOKEN}\"\n"
      << "        revert: \"rm -f " << failing.string() << " # ${env:FIREDRILL_TEST_TOKEN}\"\n"
      << "  - validate:\n      eventually: 5s\n      interval: 200ms\n      checks:\n"
      << "        - http:\n            url: \"" << url << "?key=${env:FIREDRILL_TEST_TOKEN}\"\n"
      << "            headers: {X-Key: \"${file:token.txt}\"}\n            status: \"500\"\n"
      // Passes only when the command ran with the real value, which the shell also has.
      << "        - exec:\n            command: 'test \"$FIREDRILL_TEST_TOKEN\" = "
         "\"${env:FIREDRILL_TEST_TOKEN}\"'\n"
      << "  - validate:\n      eventually: 1s\n      interval: 200ms\n      checks:\n"
      << "        - exec:\n            command: \"echo ${env:FIREDRILL_TEST_TOKEN} "
         "${file:token.txt}; exit 3\"\n";

  const fs::path out = dir.path() / "out";
  CommandResult r =
      run_firedrill({"run", "--out-dir", out.string(), "--pushgateway",
                     "http://127.0.0.1:" + std::to_string(gateway_port), drill.string()},
                    false);
  // The last exec check fails on purpose: a failing check's evidence shows the command and its
  // output. The one before it passes only if its command ran with the real value.
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const nlohmann::json result = nlohmann::json::parse(read_text(out / "result.json"));
  std::vector<std::string> verdicts;
  for (const auto& c : result.at("checks")) verdicts.push_back(c.at("verdict"));
  EXPECT_EQ(verdicts, (std::vector<std::string>{"passed", "passed", "failed"})) << result.dump(2);
  ASSERT_FALSE(fs::exists(failing)) << "the exec fault's revert ran with the real value";

  std::map<std::string, std::string> outputs = {
      {"stdout", r.out},
      {"stderr", r.err},
      {"pushgateway metrics",
       http_get("http://127.0.0.1:" + std::to_string(gateway_port) + "/metrics")}};
  for (const auto& entry : fs::directory_iterator(out)) {
    if (entry.path().filename() != "journal.jsonl") {
      outputs[entry.path().filename().string()] = read_text(entry.path());
    }
  }
  for (const char* file : {"result.json", "junit.xml", "report.html"}) {
    ASSERT_TRUE(outputs.contains(file)) << file;
  }
  for (const auto& [name, text] : outputs) {
    EXPECT_EQ(text.find(kToken), std::string::npos) << name << " shows the token:\n" << text;
    EXPECT_EQ(text.find(kFileToken), std::string::npos) << name << " shows the file's token";
  }
  // Shown as written instead, so a reader can still tell what ran.
  EXPECT_NE(outputs["result.json"].find("# ${env:FIREDRILL_TEST_TOKEN}"), std::string::npos);
  EXPECT_NE(outputs["result.json"].find("${file:token.txt}"), std::string::npos);
  EXPECT_NE(outputs["pushgateway metrics"].find("${env:FIREDRILL_TEST_TOKEN}"), std::string::npos);

  const fs::path journal = out / "journal.jsonl";
  EXPECT_NE(read_text(journal).find(kToken), std::string::npos);
  struct stat st {};
  ASSERT_EQ(stat(journal.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

}  // namespace
}  // namespace firedrill::testing
