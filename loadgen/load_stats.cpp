#include "loadgen/load_stats.hpp"

namespace firedrill::loadgen {

std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::ConnectRefused:
      return "connect_refused";
    case ErrorKind::ConnectTimeout:
      return "connect_timeout";
    case ErrorKind::ConnectError:
      return "connect_error";
    case ErrorKind::Tls:
      return "tls";
    case ErrorKind::Protocol:
      return "protocol";
    case ErrorKind::ConnectionReset:
      return "connection_reset";
    case ErrorKind::Goaway:
      return "goaway";
    case ErrorKind::StreamReset:
      return "stream_reset";
    case ErrorKind::Timeout:
      return "timeout";
    case ErrorKind::kCount:
      break;
  }
  return "unknown";
}

bool is_connect_error(ErrorKind kind) {
  return kind == ErrorKind::ConnectRefused || kind == ErrorKind::ConnectTimeout ||
         kind == ErrorKind::ConnectError || kind == ErrorKind::Tls;
}

void LoadStats::count_error(ErrorKind kind, std::string_view message, uint64_t n) {
  auto i = static_cast<size_t>(kind);
  errors[i] += n;
  if (first_error_message[i].empty() && !message.empty()) first_error_message[i] = message;
}

void LoadStats::merge(const LoadStats& o) {
  started += o.started;
  succeeded += o.succeeded;
  failed += o.failed;
  errored += o.errored;
  timed_out += o.timed_out;
  dropped += o.dropped;
  abandoned += o.abandoned;
  retried += o.retried;
  for (int i = 0; i < kMaxStatus; ++i) status_counts[i] += o.status_counts[i];
  for (size_t i = 0; i < kErrorKindCount; ++i) {
    errors[i] += o.errors[i];
    if (first_error_message[i].empty()) first_error_message[i] = o.first_error_message[i];
  }
  bytes_received += o.bytes_received;
  body_bytes += o.body_bytes;
  bytes_sent += o.bytes_sent;
  connects += o.connects;
  tls_resumed += o.tls_resumed;
  latency.merge(o.latency);
  service_time.merge(o.service_time);
  connect_time.merge(o.connect_time);
  ttfb.merge(o.ttfb);
  send_lag.merge(o.send_lag);
}

}  // namespace firedrill::loadgen
