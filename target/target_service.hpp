#pragma once
#include <string>

#include "target/listen_address.hpp"

namespace firedrill::target {

struct TargetOptions {
  ListenAddress listen{"127.0.0.1", 8080};
  bool tls = false;  // with a generated certificate unless cert_file and key_file are set
  std::string cert_file;
  std::string key_file;
  unsigned threads = 1;
  std::string name = "firedrill-target";
  double log_sample = 1.0;
  std::string log_file;  // empty: stdout
  std::string port_file;
};

// `firedrill target`: serves until SIGINT or SIGTERM, then returns. Throws common::UsageError
// when a certificate, key or log file cannot be used, std::runtime_error when it cannot listen.
void run_target(const TargetOptions& options);

}  // namespace firedrill::target
