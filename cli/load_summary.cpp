#include "cli/load_summary.hpp"

#include <fmt/format.h>

#include "loadgen/load_result_json.hpp"
#include "loadgen/load_result_merge.hpp"

namespace firedrill::cli {

using loadgen::LatencyHistogram;
using loadgen::LoadResult;

std::string format_latency(uint64_t ns) {
  if (ns < 1'000) return fmt::format("{}ns", ns);
  if (ns < 1'000'000) return fmt::format("{:.3g}us", ns / 1e3);
  if (ns < 1'000'000'000) return fmt::format("{:.3g}ms", ns / 1e6);
  return fmt::format("{:.3g}s", ns / 1e9);
}

namespace {

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  return fmt::format("{:.3g}{}", bytes, units[u]);
}

void latency_row(std::ostream& out, const char* name, const LatencyHistogram& h) {
  if (h.count() == 0) {
    out << fmt::format("  {:<13} (none)\n", name);
    return;
  }
  out << fmt::format("  {:<13}", name);
  uint64_t values[] = {h.min(),
                       static_cast<uint64_t>(h.mean()),
                       static_cast<uint64_t>(h.stddev()),
                       h.max(),
                       h.value_at_quantile(0.5),
                       h.value_at_quantile(0.75),
                       h.value_at_quantile(0.9),
                       h.value_at_quantile(0.95),
                       h.value_at_quantile(0.99),
                       h.value_at_quantile(0.999),
                       h.value_at_quantile(0.9999)};
  for (uint64_t v : values) out << fmt::format(" {:>8}", format_latency(v));
  out << "\n";
}

}  // namespace

std::string progress_line(const loadgen::TimeSeriesPoint& p) {
  return fmt::format("{:>6.0f}s  {:>9} req/s  p50 {:>8}  p99 {:>8}  errors {:>6}  in-flight {:>6}",
                     p.elapsed_s, p.responses, format_latency(p.p50_ns), format_latency(p.p99_ns),
                     p.errors, p.in_flight);
}

void print_load_summary(std::ostream& out, const LoadResult& r) {
  const auto& c = r.config;
  const auto& s = r.stats;
  std::string model = c.open_loop() ? "open loop" : "closed loop";
  out << fmt::format("finished in {:.2f}s, {} ({}), {} connections x {} streams, {} threads\n",
                     r.duration_s, r.negotiated.empty() ? "no connection" : r.negotiated, model,
                     c.connections, c.streams, c.threads);
  if (c.shard.count > 1) {
    out << fmt::format("shard: {}/{} of the load", c.shard.index, c.shard.count);
    if (c.start_at) out << fmt::format(", started {:.3f}s after --start-at", r.start_late_s);
    out << "\n";
  } else if (c.start_at) {
    out << fmt::format("started {:.3f}s after --start-at\n", r.start_late_s);
  }
  if (!r.parts.empty()) {
    out << fmt::format("merged: {} results, start skew {:.3f}s\n", r.parts.size(),
                       loadgen::start_skew_s(r.parts));
  }
  out << fmt::format(
      "requests: {} started, {} completed, {} succeeded, {} failed, {} errored, {} timed out, "
      "{} dropped, {} abandoned\n",
      s.started, s.completed(), s.succeeded, s.failed, s.errored, s.timed_out, s.dropped,
      s.abandoned);
  // A refused stream was not processed (RFC 9113 §8.7) and went out again: counted once above.
  if (s.retried > 0) {
    out << fmt::format("retried: {} refused by the server unprocessed and sent again\n", s.retried);
  }
  out << fmt::format("throughput: {:.2f} req/s, {} received ({}/s), {} sent\n", r.rps(),
                     format_bytes(static_cast<double>(s.bytes_received)),
                     format_bytes(r.duration_s > 0 ? s.bytes_received / r.duration_s : 0),
                     format_bytes(static_cast<double>(s.bytes_sent)));
  if (c.open_loop() && r.intended_requests > 0) {
    double asked = r.intended_requests;
    out << fmt::format(
        "open loop: {:.0f} requests intended, {} sent, {} dropped ({:.2f}% of the "
        "intended rate achieved)\n",
        asked, s.started, s.dropped, 100.0 * s.started / asked);
  }
  if (c.open_loop()) {
    out << fmt::format("pacing: {} arrivals, {} pacer", loadgen::arrival_name(c.arrival),
                       loadgen::pacer_name(c.pacer));
    if (r.pacer_quantum_ns > 0) {
      out << fmt::format(", quantum up to {}",
                         format_latency(static_cast<uint64_t>(r.pacer_quantum_ns)));
    }
    out << "\n";
  }
  std::string codes;
  for (int cls = 1; cls < loadgen::kMaxStatus / 100; ++cls) {
    uint64_t total = 0;
    std::string detail;
    for (int code = cls * 100; code < cls * 100 + 100; ++code) {
      if (s.status_counts[code] == 0) continue;
      total += s.status_counts[code];
      detail += fmt::format("{}{}: {}", detail.empty() ? "" : ", ", code, s.status_counts[code]);
    }
    if (total > 0) codes += fmt::format("  {}xx: {} ({})\n", cls, total, detail);
  }
  out << "status codes:\n" << (codes.empty() ? "  (no response)\n" : codes);
  std::string errors;
  for (size_t i = 0; i < loadgen::kErrorKindCount; ++i) {
    if (s.errors[i] == 0) continue;
    auto kind = static_cast<loadgen::ErrorKind>(i);
    errors +=
        fmt::format("  {}: {}{}{}\n", loadgen::error_kind_name(kind), s.errors[i],
                    s.first_error_message[i].empty() ? "" : "  first: ", s.first_error_message[i]);
  }
  if (!errors.empty()) out << "errors (connect kinds count attempts, others requests):\n" << errors;
  out << fmt::format("  {:<13} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
                     "", "min", "mean", "stdev", "max", "p50", "p75", "p90", "p95", "p99", "p99.9",
                     "p99.99");
  latency_row(out, c.open_loop() ? "latency*" : "latency", s.latency);
  latency_row(out, "service time", s.service_time);
  latency_row(out, "connect", s.connect_time);
  latency_row(out, "first byte", s.ttfb);
  if (c.open_loop()) {
    latency_row(out, "send lag", s.send_lag);
    out << "  * from the intended send time (corrected for coordinated omission, so it includes "
           "the send lag: pacing and queueing); service time is from the actual send\n";
  }
}

}  // namespace firedrill::cli
