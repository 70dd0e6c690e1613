#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "common/asio.hpp"
#include "target/fast_random.hpp"
#include "target/log_sink.hpp"
#include "target/request_handler.hpp"

namespace firedrill::target {

// One event loop's request log lines: a sampled share of the requests, formatted into a batch
// that is written when it is large, or at the latest 200 ms after its first line.
class RequestLog {
 public:
  // `sample_ratio` 0..1: the share of requests logged.
  RequestLog(LogSink& sink, double sample_ratio, asio::io_context& io);

  void record(const Request& request, int status, std::chrono::steady_clock::duration latency);
  void flush();

 private:
  LogSink& sink_;
  double sample_ratio_;
  FastRandom random_;
  std::string batch_;
  bool flush_scheduled_ = false;
  asio::steady_timer flush_timer_;
};

}  // namespace firedrill::target
