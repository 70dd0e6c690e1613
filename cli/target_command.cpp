#include <charconv>
#include <iostream>
#include <memory>
#include <string>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "common/errors.hpp"
#include "target/target_service.hpp"

namespace firedrill::cli {

namespace {

constexpr unsigned kMaxThreads = 1024;

// The command line as typed; run() converts and checks each value so that errors name the flag.
struct TargetCommand {
  std::string listen = "127.0.0.1:8080";
  bool tls = false;
  std::string cert;
  std::string key;
  std::string threads = "1";
  std::string name = "firedrill-target";
  std::string log_sample = "1.0";
  std::string log_file;
  std::string port_file;

  target::TargetOptions options() const {
    target::TargetOptions options;
    auto address = target::parse_listen_address(listen);
    if (!address) {
      throw common::UsageError("--listen: \"" + listen +
                               "\" is not HOST:PORT; use e.g. 127.0.0.1:8080, 0.0.0.0:0 (any "
                               "free port) or [::1]:8080");
    }
    options.listen = *address;
    if (cert.empty() != key.empty()) {
      throw common::UsageError(std::string(cert.empty() ? "--key" : "--cert") +
                               ": --cert and --key go together");
    }
    options.tls = tls || !cert.empty();
    options.cert_file = cert;
    options.key_file = key;
    auto [threads_end, threads_error] =
        std::from_chars(threads.data(), threads.data() + threads.size(), options.threads);
    if (threads.empty() || threads_error != std::errc() ||
        threads_end != threads.data() + threads.size() || options.threads < 1 ||
        options.threads > kMaxThreads) {
      throw common::UsageError("--threads: \"" + threads + "\" is not a number from 1 to " +
                               std::to_string(kMaxThreads));
    }
    if (name.empty()) throw common::UsageError("--name: must not be empty");
    options.name = name;
    try {
      std::size_t used = 0;
      options.log_sample = std::stod(log_sample, &used);
      if (used != log_sample.size()) throw std::invalid_argument(log_sample);
    } catch (const std::logic_error&) {
      options.log_sample = -1;
    }
    if (!(options.log_sample >= 0 && options.log_sample <= 1)) {
      throw common::UsageError("--log-sample: \"" + log_sample +
                               "\" is not a ratio from 0 to 1, like 0.01 (one request in 100)");
    }
    options.log_file = log_file;
    options.port_file = port_file;
    return options;
  }

  int run() const {
    target::TargetOptions checked = options();
    try {
      target::run_target(checked);
    } catch (const common::UsageError&) {
      throw;
    } catch (const std::exception& e) {
      std::cerr << "firedrill target: " << e.what() << "\n";
      return kExitAborted;
    }
    return kExitOk;
  }
};

}  // namespace

CommandRunner add_target_command(CLI::App& app) {
  auto cmd = std::make_shared<TargetCommand>();
  CLI::App* sub = app.add_subcommand(
      "target",
      "Serve the built-in system under test for local drills: HTTP/1.1 and HTTP/2 on one port\n"
      "(h2c with prior knowledge, or h2 by ALPN with --tls), with faults to inject at run time.\n"
      "Endpoints: /  /status/{code}  /delay/{ms}  /bytes/{n}  /healthz  /metrics (Prometheus)\n"
      "  /admin/fault: POST {\"error_rate\":0.2, \"extra_latency\":\"200ms\", "
      "\"leak_mb_per_s\":50,\n"
      "  \"crash_after\":\"30s\"} sets faults (null ends one), GET shows them, DELETE clears "
      "them.\n"
      "Error rate and extra latency spare /healthz, /metrics and /admin/fault.\n"
      "Logs one JSON line per request (level error for 5xx, warn for 4xx) and per fault change.\n"
      "SIGINT or SIGTERM: exit 0. Exit codes: 2 bad usage, 3 cannot listen.");
  sub->add_option("--listen", cmd->listen,
                  "HOST:PORT to listen on; port 0: any free port (default 127.0.0.1:8080)");
  sub->add_flag("--tls", cmd->tls,
                "serve TLS with a self-signed certificate for 127.0.0.1 and localhost, made at "
                "start and valid for a day (clients: curl -k, firedrill load -k)");
  sub->add_option("--cert", cmd->cert, "serve TLS with this certificate chain (PEM); needs --key");
  sub->add_option("--key", cmd->key, "private key (PEM) for --cert");
  sub->add_option("--threads", cmd->threads,
                  "event loops, one thread each, sharing the port with SO_REUSEPORT (default 1)");
  sub->add_option("--name", cmd->name,
                  "instance name in every log line and in target_info{name} (default "
                  "firedrill-target)");
  sub->add_option("--log-sample", cmd->log_sample,
                  "share of requests logged, e.g. 0.01 (default 1.0; fault changes always are)");
  sub->add_option("--log-file", cmd->log_file, "append log lines to FILE instead of stdout");
  sub->add_option("--port-file", cmd->port_file,
                  "write the bound port and a newline to FILE once listening");
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli
