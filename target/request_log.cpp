#include "target/request_log.hpp"

#include <charconv>

#include "target/log_line.hpp"

namespace firedrill::target {

namespace {

constexpr std::size_t kBatchSize = 32 * 1024;
constexpr auto kFlushDelay = std::chrono::milliseconds(200);

std::string_view level_of(int status) {
  if (status >= 500) return "error";
  if (status >= 400) return "warn";
  return "info";
}

}  // namespace

RequestLog::RequestLog(LogSink& sink, double sample_ratio, asio::io_context& io)
    : sink_(sink), sample_ratio_(sample_ratio), flush_timer_(io) {
  batch_.reserve(kBatchSize + 1024);
}

void RequestLog::record(const Request& request, int status,
                        std::chrono::steady_clock::duration latency) {
  if (!random_.chance(sample_ratio_)) return;
  char number[32];
  batch_ += "{\"timestamp\":\"";
  append_rfc3339_utc(batch_, std::chrono::system_clock::now());
  batch_ += "\",\"level\":\"";
  batch_ += level_of(status);
  batch_ += "\",\"name\":";
  append_json_string(batch_, sink_.name());
  batch_ += ",\"method\":";
  append_json_string(batch_, request.method);
  batch_ += ",\"path\":";
  append_json_string(batch_, request.path());
  batch_ += ",\"status\":";
  batch_.append(number, std::to_chars(number, std::end(number), status).ptr);
  batch_ += ",\"latency_ms\":";
  double latency_ms = std::chrono::duration<double, std::milli>(latency).count();
  batch_.append(
      number, std::to_chars(number, std::end(number), latency_ms, std::chars_format::fixed, 3).ptr);
  batch_ += ",\"protocol\":\"";
  batch_ += protocol_name(*request.connection);
  batch_ += "\"}\n";

  if (batch_.size() >= kBatchSize) {
    flush();
  } else if (!flush_scheduled_) {
    flush_scheduled_ = true;
    flush_timer_.expires_after(kFlushDelay);
    flush_timer_.async_wait([this](const boost::system::error_code& error) {
      flush_scheduled_ = false;
      if (!error) flush();
    });
  }
}

void RequestLog::flush() {
  if (batch_.empty()) return;
  sink_.write(batch_);
  batch_.clear();
}

}  // namespace firedrill::target
