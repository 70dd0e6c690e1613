#pragma once
#include <string>
#include <vector>

#include "loadgen/load_config.hpp"

namespace firedrill::cli {

// The `firedrill load` command line as typed; every value is converted and checked by
// to_load_config so that each error names its flag.
struct LoadFlags {
  std::vector<std::string> urls;
  std::string connections = "10";
  std::string streams = "1";
  std::string threads;  // default: the number of cores
  std::string requests;
  std::string duration;
  std::string warmup = "0";
  std::string rate;
  std::string stages;
  std::string max_queue;
  std::string arrival;  // default uniform
  std::string pacer;    // default quantized
  std::string protocol = "auto";
  bool insecure = false;
  std::string cacert, cert, key, sni;
  std::string method = "GET";
  std::vector<std::string> headers;
  std::string body;
  std::string body_file;
  std::string requests_file;
  std::string seed = "1";
  std::string timeout = "5s";
  std::string connect_timeout = "3s";
  std::string shard;     // INDEX/COUNT
  std::string start_at;  // RFC 3339
};

// Throws common::UsageError "--flag: what is wrong; what is valid".
loadgen::LoadConfig to_load_config(const LoadFlags& flags);

}  // namespace firedrill::cli
