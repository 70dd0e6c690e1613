#pragma once
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace firedrill::testing {

namespace fs = std::filesystem;

// A fresh directory under /tmp, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A child process started by a test; stopped (SIGTERM, then SIGKILL) when it goes out of scope.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const fs::path& log);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for the process to end by itself; its exit code, or -1 if it outlived `timeout`.
  int wait(std::chrono::milliseconds timeout);
  void stop();

 private:
  pid_t pid_ = -1;
};

// The tests' own server (tests/fixtures) on a free loopback port.
class TestServer {
 public:
  explicit TestServer(std::vector<std::string> extra_args = {}, bool tls = false,
                      const fs::path& cert = {}, const fs::path& key = {});
  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;
  // What the server saw: {"requests":N,"connections":N,"h1":N,"h2":N}.
  nlohmann::json stats() const;

 private:
  TempDir dir_;
  bool tls_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> process_;
};

// A `firedrill target` (the built-in system under test) on a free loopback port; its stdout and
// stderr go to output().
class Target {
 public:
  explicit Target(std::vector<std::string> extra_args = {}, bool tls = false);
  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;
  std::string output() const;
  const fs::path& dir() const { return dir_.path(); }
  Process& process() { return *process_; }

 private:
  TempDir dir_;
  bool tls_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> process_;
};

// The value of one exact series ("name{labels}") in a /metrics text, or -1 when it is absent.
double metric(const std::string& text, const std::string& series);

// A throw-away CA and a server certificate for 127.0.0.1 and localhost, made with openssl.
struct TestCertificates {
  explicit TestCertificates(const fs::path& dir);
  fs::path ca_cert, server_cert, server_key;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  nlohmann::json json;  // the -o document, when the command wrote one
};

// Runs the firedrill binary with `args`; "-o RESULT" is appended when `with_output`.
CommandResult run_firedrill(const std::vector<std::string>& args, bool with_output = true);
// Runs kubectl (on PATH) with `args` against `kubeconfig`, to its end.
CommandResult run_kubectl(const fs::path& kubeconfig, const std::vector<std::string>& args);

// `count` consecutive TCP ports on 127.0.0.1, all bindable now and below the kernel's ephemeral
// range, so that no outgoing connection of any process takes one of them before the server that
// the caller starts binds it, or while a test restarts a server on the same port. Throws
// std::runtime_error when none is found.
uint16_t free_port_block(int count);
// A free TCP port on 127.0.0.1, chosen as free_port_block(1) is.
uint16_t free_port();
// Polls until something accepts connections on 127.0.0.1:port, up to 5 s.
bool wait_for_port(uint16_t port);

// The command line of a Prometheus Pushgateway on 127.0.0.1:`port` that keeps what it is pushed
// in memory only: Debian's build persists it to /var/lib/prometheus/pushgateway.data by default,
// so a test would read the pushes of earlier runs as its own.
std::vector<std::string> pushgateway_argv(uint16_t port);
std::string read_text(const fs::path& path);
// Runs argv (looked up in PATH) to its end, stdout and stderr to the files; its exit code.
int run_and_wait(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err);
// GET url with curl; the body, or empty on failure.
std::string http_get(const std::string& url);
// Every YAML document of `file` as PyYAML reads it (an oracle independent of firedrill's own
// parser); throws std::runtime_error, which fails the test, when PyYAML cannot read it.
std::vector<nlohmann::json> yaml_documents(const fs::path& file);

}  // namespace firedrill::testing
