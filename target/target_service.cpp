#include "target/target_service.hpp"

#include <csignal>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "common/descriptor_limit.hpp"
#include "common/errors.hpp"
#include "target/fault_injector.hpp"
#include "target/http_server.hpp"
#include "target/log_sink.hpp"
#include "target/port_file.hpp"
#include "target/self_signed_certificate.hpp"
#include "target/target_metrics.hpp"
#include "target/target_routes.hpp"
#include "target/tls_server_context.hpp"

namespace firedrill::target {

namespace {

// Only POST /admin/fault reads bodies, and its JSON is small.
constexpr std::size_t kMaxRequestBody = 64 * 1024;
constexpr std::chrono::hours kCertificateValidity{24};

std::shared_ptr<ssl::context> make_tls(const TargetOptions& options) {
  if (!options.cert_file.empty()) {
    try {
      return tls_server_context(options.cert_file, options.key_file);
    } catch (const std::runtime_error& e) {
      throw common::UsageError(std::string("--cert/--key: ") + e.what());
    }
  }
  if (options.tls) return tls_server_context(SelfSignedCertificate(kCertificateValidity));
  return nullptr;
}

std::unique_ptr<LogSink> make_log_sink(const TargetOptions& options) {
  try {
    return std::make_unique<LogSink>(options.log_file, options.name);
  } catch (const std::runtime_error& e) {
    throw common::UsageError(std::string("--log-file: ") + e.what());
  }
}

std::string host_and_port(const tcp::endpoint& endpoint) {
  std::string host = endpoint.address().to_string();
  if (endpoint.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

void run_target(const TargetOptions& options) {
  std::signal(SIGPIPE, SIG_IGN);
  common::raise_descriptor_limit();
  std::shared_ptr<ssl::context> tls = make_tls(options);
  std::unique_ptr<LogSink> log = make_log_sink(options);
  TargetMetrics metrics(options.name);
  FaultInjector faults([&log] { log->event("error", "crashing", {{"fault", "crash_after"}}); });

  // Declared in this order so that servers and routes, which hold timers and sockets of a loop,
  // go before their loop does.
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<std::unique_ptr<TargetRoutes>> routes;
  std::vector<std::unique_ptr<HttpServer>> servers;
  ServerOptions server_options{.host = options.listen.host,
                               .port = options.listen.port,
                               .reuse_port = options.threads > 1,
                               .tls = tls,
                               .max_request_body = kMaxRequestBody};
  for (unsigned i = 0; i < options.threads; ++i) {
    auto& loop = *loops.emplace_back(std::make_unique<asio::io_context>(1));
    auto& handler = *routes.emplace_back(
        std::make_unique<TargetRoutes>(metrics, faults, *log, options.log_sample, loop));
    try {
      servers.push_back(std::make_unique<HttpServer>(loop, server_options, handler));
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error("cannot listen on " + options.listen.host + ":" +
                               std::to_string(server_options.port) + ": " + e.code().message());
    }
    // Port 0 asked for any free port: every other loop listens on the one the first got.
    server_options.port = servers.front()->port();
  }

  asio::signal_set signals(*loops.front(), SIGINT, SIGTERM);
  signals.async_wait([&loops](const error_code& error, int) {
    if (error) return;
    for (auto& loop : loops) loop->stop();
  });
  for (auto& server : servers) server->start();

  std::string address = host_and_port(servers.front()->local_endpoint());
  if (!options.port_file.empty()) write_port_file(options.port_file, servers.front()->port());
  std::cerr << "firedrill target: listening on " << (tls ? "https://" : "http://") << address
            << (tls ? " (HTTP/1.1 and h2 by ALPN)" : " (HTTP/1.1 and h2c with prior knowledge)")
            << std::endl;
  log->event("info", "listening",
             {{"address", address},
              {"tls", tls != nullptr},
              {"threads", options.threads},
              {"log_sample", options.log_sample}});

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops.size(); ++i) {
    threads.emplace_back([&loop = *loops[i]] { loop.run(); });
  }
  loops.front()->run();
  for (auto& thread : threads) thread.join();
  for (auto& handler : routes) handler->flush_log();
  log->event("info", "stopped");
}

}  // namespace firedrill::target
