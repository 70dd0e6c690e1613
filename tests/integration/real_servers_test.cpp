// `firedrill load` against web servers it did not write: h2o and nghttpd from Debian.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

void wait_for(uint16_t port) {
  ASSERT_TRUE(wait_for_port(port)) << "server on port " << port << " did not start";
}

class RealServers : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir.path() / "www");
    std::ofstream(dir.path() / "www" / "index.html") << std::string(100, 'x');
    fs::permissions(dir.path(), fs::perms::all, fs::perm_options::add);
  }
  TempDir dir;
};

TEST_F(RealServers, H2oServesH1AndH2cAndH2OverTls) {
  TestCertificates certs(dir.path());
  uint16_t plain = free_port();
  uint16_t tls = free_port();
  fs::path conf = dir.path() / "h2o.conf";
  std::ofstream(conf) << "listen: {host: 127.0.0.1, port: " << plain << "}\n"
                      << "listen: {host: 127.0.0.1, port: " << tls
                      << ", ssl: {certificate-file: " << certs.server_cert.string()
                      << ", key-file: " << certs.server_key.string() << "}}\n"
                      << (getuid() == 0 ? "user: nobody\n" : "")
                      << "error-log: /dev/stderr\naccess-log: /dev/null\n"
                      << "hosts:\n  default:\n    paths:\n      /:\n        file.dir: "
                      << (dir.path() / "www").string() << "\n";
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    fs::permissions(entry.path(), fs::perms::others_read | fs::perms::group_read,
                    fs::perm_options::add);
    if (entry.is_directory()) {
      fs::permissions(entry.path(), fs::perms::others_exec, fs::perm_options::add);
    }
  }
  Process h2o({"h2o", "-c", conf.string()}, dir.path() / "h2o.log");
  wait_for(plain);
  wait_for(tls);
  std::string base = "127.0.0.1:" + std::to_string(plain) + "/index.html";

  CommandResult h1 = run_firedrill({"load", "-q", "-n", "3000", "-c", "8", "http://" + base});
  ASSERT_EQ(h1.exit_code, 0) << h1.err;
  EXPECT_EQ(h1.json.at("negotiated"), "h1");
  EXPECT_EQ(h1.json.at("status").at("200").get<uint64_t>(), 3000u);
  EXPECT_EQ(h1.json.at("bytes").at("body").get<uint64_t>(), 300000u);

  CommandResult h2c = run_firedrill(
      {"load", "-q", "--protocol", "h2c", "-n", "3000", "-c", "4", "-m", "10", "http://" + base});
  ASSERT_EQ(h2c.exit_code, 0) << h2c.err;
  EXPECT_EQ(h2c.json.at("negotiated"), "h2c");
  EXPECT_EQ(h2c.json.at("status").at("200").get<uint64_t>(), 3000u);

  CommandResult h2 = run_firedrill({"load", "-q", "-n", "3000", "-c", "4", "-m", "10", "--cacert",
                                    certs.ca_cert.string(),
                                    "https://localhost:" + std::to_string(tls) + "/index.html"});
  ASSERT_EQ(h2.exit_code, 0) << h2.err;
  EXPECT_EQ(h2.json.at("negotiated"), "h2");
  EXPECT_EQ(h2.json.at("status").at("200").get<uint64_t>(), 3000u);
}

TEST_F(RealServers, NghttpdH2cAndH2) {
  TestCertificates certs(dir.path());
  uint16_t plain = free_port();
  uint16_t tls = free_port();
  Process cleartext(
      {"nghttpd", "--no-tls", "-d", (dir.path() / "www").string(), std::to_string(plain)},
      dir.path() / "nghttpd-plain.log");
  Process secure({"nghttpd", "-d", (dir.path() / "www").string(), std::to_string(tls),
                  certs.server_key.string(), certs.server_cert.string()},
                 dir.path() / "nghttpd-tls.log");
  wait_for(plain);
  wait_for(tls);
  CommandResult h2c =
      run_firedrill({"load", "-q", "--protocol", "h2c", "-n", "2000", "-c", "2", "-m", "20",
                     "http://127.0.0.1:" + std::to_string(plain) + "/index.html"});
  ASSERT_EQ(h2c.exit_code, 0) << h2c.err;
  EXPECT_EQ(h2c.json.at("status").at("200").get<uint64_t>(), 2000u);

  CommandResult h2 = run_firedrill({"load", "-q", "--protocol", "h2", "-n", "2000", "-c", "2", "-m",
                                    "20", "--cacert", certs.ca_cert.string(),
                                    "https://127.0.0.1:" + std::to_string(tls) + "/index.html"});
  ASSERT_EQ(h2.exit_code, 0) << h2.err;
  EXPECT_EQ(h2.json.at("negotiated"), "h2");
  EXPECT_EQ(h2.json.at("status").at("200").get<uint64_t>(), 2000u);
}

}  // namespace
}  // namespace firedrill::testing
