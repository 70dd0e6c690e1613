#include "tests/integration/support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace firedrill::testing {

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The port a server writes to `port_file` once it listens (a number and a newline), waiting up
// to 5 s; throws with `server`'s `log` when it does not.
uint16_t port_from_file(const fs::path& port_file, const std::string& server, const fs::path& log) {
  for (int i = 0; i < 250; ++i) {
    std::string text = slurp(port_file);
    if (!text.empty() && text.back() == '\n') return static_cast<uint16_t>(std::stoi(text));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error(server + " did not start: " + slurp(log));
}

}  // namespace

int run_and_wait(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err) {
  pid_t pid = fork();
  if (pid == 0) {
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = fs::temp_directory_path() /
          ("firedrill-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Process::Process(const std::vector<std::string>& argv, const fs::path& log) {
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
}

Process::~Process() {
  stop();
}

void Process::signal(int sig) const {
  if (pid_ > 0) kill(pid_, sig);
}

int Process::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

void Process::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

TestServer::TestServer(std::vector<std::string> extra_args, bool tls, const fs::path& cert,
                       const fs::path& key)
    : tls_(tls) {
  fs::path port_file = dir_.path() / "port";
  std::vector<std::string> argv = {FIREDRILL_TEST_SERVER, "--listen", "127.0.0.1:0", "--port-file",
                                   port_file.string()};
  if (tls) {
    argv.insert(argv.end(), {"--tls-cert", cert.string(), "--tls-key", key.string()});
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, dir_.path() / "server.log");
  port_ = port_from_file(port_file, "the test server", dir_.path() / "server.log");
}

std::string TestServer::url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

nlohmann::json TestServer::stats() const {
  TempDir tmp;
  fs::path out = tmp.path() / "stats.json";
  std::vector<std::string> argv = {"curl", "-s", "-k", "-o", out.string(), url("/_stats")};
  if (run_and_wait(argv, tmp.path() / "curl.out", tmp.path() / "curl.err") != 0) {
    throw std::runtime_error("cannot read the test server's /_stats");
  }
  return nlohmann::json::parse(slurp(out));
}

TestCertificates::TestCertificates(const fs::path& dir)
    : ca_cert(dir / "ca.pem"), server_cert(dir / "server.pem"), server_key(dir / "server.key") {
  fs::path ca_key = dir / "ca.key";
  fs::path csr = dir / "server.csr";
  fs::path ext = dir / "server.ext";
  std::ofstream(ext) << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                        "extendedKeyUsage=serverAuth\n";
  std::vector<std::vector<std::string>> steps = {
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", ca_key.string(), "-out", ca_cert.string(), "-days", "2", "-subj",
       "/CN=firedrill test CA"},
      {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", server_key.string(), "-out", csr.string(), "-subj", "/CN=localhost"},
      {"openssl", "x509", "-req", "-in", csr.string(), "-CA", ca_cert.string(), "-CAkey",
       ca_key.string(), "-CAcreateserial", "-out", server_cert.string(), "-days", "2", "-extfile",
       ext.string()}};
  for (const auto& step : steps) {
    if (run_and_wait(step, dir / "openssl.out", dir / "openssl.err") != 0) {
      throw std::runtime_error("openssl failed: " + slurp(dir / "openssl.err"));
    }
  }
}

CommandResult run_firedrill(const std::vector<std::string>& args, bool with_output) {
  TempDir tmp;
  std::vector<std::string> argv = {FIREDRILL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  fs::path json_path = tmp.path() / "result.json";
  if (with_output) argv.insert(argv.end(), {"-o", json_path.string()});
  CommandResult r;
  r.exit_code = run_and_wait(argv, tmp.path() / "out", tmp.path() / "err");
  r.out = slurp(tmp.path() / "out");
  r.err = slurp(tmp.path() / "err");
  if (with_output && fs::exists(json_path)) r.json = nlohmann::json::parse(slurp(json_path));
  return r;
}

namespace {

bool bindable(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

uint16_t free_port_block(int count) {
  int ephemeral_low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_low;
  // Above the fixed ports of the example drills (18080-19100).
  const int low = 20000;
  const int high = ephemeral_low - count;
  if (high <= low) throw std::runtime_error("no port range below the ephemeral ports");
  // One generator per process: seeded per call, two calls in the same second would offer the
  // same block twice before the first caller has bound it.
  static std::mt19937 rng(static_cast<uint32_t>(getpid()) ^ static_cast<uint32_t>(time(nullptr)));
  // A port handed out but not yet bound is still bindable; never hand it out twice.
  static std::set<uint16_t> handed_out;
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto first = static_cast<uint16_t>(low + static_cast<int>(rng() % (high - low)));
    bool all = true;
    for (int i = 0; i < count && all; ++i) {
      const auto port = static_cast<uint16_t>(first + i);
      all = !handed_out.count(port) && bindable(port);
    }
    if (all) {
      for (int i = 0; i < count; ++i) handed_out.insert(static_cast<uint16_t>(first + i));
      return first;
    }
  }
  throw std::runtime_error("no block of " + std::to_string(count) + " free ports");
}

uint16_t free_port() {
  return free_port_block(1);
}

std::vector<std::string> pushgateway_argv(uint16_t port) {
  return {"prometheus-pushgateway", "--web.listen-address=127.0.0.1:" + std::to_string(port),
          "--persistence.file="};
}

CommandResult run_kubectl(const fs::path& kubeconfig, const std::vector<std::string>& args) {
  TempDir dir;
  std::vector<std::string> argv = {"kubectl", "--kubeconfig", kubeconfig.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r;
  r.exit_code = run_and_wait(argv, dir.path() / "out", dir.path() / "err");
  r.out = read_text(dir.path() / "out");
  r.err = read_text(dir.path() / "err");
  return r;
}

std::vector<nlohmann::json> yaml_documents(const fs::path& file) {
  TempDir dir;
  const fs::path out = dir.path() / "documents.json";
  const fs::path err = dir.path() / "pyyaml.err";
  const int code = run_and_wait({"python3", "-c",
                                 "import json, sys, yaml\n"
                                 "print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
                                 file.string()},
                                out, err);
  if (code != 0) {
    throw std::runtime_error("PyYAML could not read " + file.string() + ": " + read_text(err));
  }
  return nlohmann::json::parse(read_text(out)).get<std::vector<nlohmann::json>>();
}

bool wait_for_port(uint16_t port) {
  for (int i = 0; i < 200; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

std::string read_text(const fs::path& path) {
  return slurp(path);
}

std::string http_get(const std::string& url) {
  TempDir tmp;
  fs::path out = tmp.path() / "body";
  std::vector<std::string> argv = {"curl", "-s", "-m", "5", "-o", out.string(), url};
  if (run_and_wait(argv, tmp.path() / "curl.out", tmp.path() / "curl.err") != 0) return "";
  return slurp(out);
}

Target::Target(std::vector<std::string> extra_args, bool tls) : tls_(tls) {
  fs::path port_file = dir_.path() / "port";
  std::vector<std::string> argv = {FIREDRILL_BINARY, "target",      "--listen",
                                   "127.0.0.1:0",    "--port-file", port_file.string()};
  if (tls) argv.push_back("--tls");
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, dir_.path() / "output");
  port_ = port_from_file(port_file, "the target", dir_.path() / "output");
}

std::string Target::url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::string Target::output() const {
  return read_text(dir_.path() / "output");
}

double metric(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

}  // namespace firedrill::testing
