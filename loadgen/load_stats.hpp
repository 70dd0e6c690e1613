#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/latency_histogram.hpp"
#include "loadgen/load_config.hpp"

namespace firedrill::loadgen {

// Why a connection or a request ended without a response. Connect-phase kinds count connection
// attempts; the others count requests (a connection reset with 5 requests in flight counts 5).
enum class ErrorKind : uint8_t {
  ConnectRefused,
  ConnectTimeout,
  ConnectError,     // DNS, unreachable, other socket errors while connecting
  Tls,              // handshake or certificate verification failed, or ALPN mismatch
  Protocol,         // malformed response, HTTP/2 protocol error
  ConnectionReset,  // TCP reset or the peer closed with requests outstanding
  Goaway,           // HTTP/2 GOAWAY cut off requests above its last stream id
  StreamReset,      // HTTP/2 RST_STREAM from the server
  Timeout,          // no complete response within --timeout
  kCount
};
constexpr size_t kErrorKindCount = static_cast<size_t>(ErrorKind::kCount);
std::string_view error_kind_name(ErrorKind kind);
bool is_connect_error(ErrorKind kind);

// A status is three digits (RFC 9110 section 15): one slot each, so 600 to 999 are counted too.
constexpr int kMaxStatus = 1000;

// Counters and histograms of one worker, merged into one at the end. Plain data: the hot path
// increments fields directly.
struct LoadStats {
  uint64_t started = 0;    // requests written to a connection
  uint64_t succeeded = 0;  // responses with status < 400
  uint64_t failed = 0;     // responses with status >= 400
  uint64_t errored = 0;    // requests that got no response (errors[] of request kinds)
  uint64_t timed_out = 0;  // requests without a response within the timeout (also errored)
  uint64_t dropped = 0;    // open loop: never sent because the queue was full
  uint64_t abandoned = 0;  // still in flight when the run was stopped
  uint64_t retried = 0;    // sent again after the server refused them unprocessed (HTTP/2)
  std::array<uint64_t, kMaxStatus> status_counts{};
  std::array<uint64_t, kErrorKindCount> errors{};
  std::array<std::string, kErrorKindCount> first_error_message{};
  uint64_t bytes_received = 0;  // bytes read from sockets (after TLS)
  uint64_t body_bytes = 0;      // response body payload
  uint64_t bytes_sent = 0;
  uint64_t connects = 0;  // connections established
  uint64_t tls_resumed = 0;
  LatencyHistogram latency;       // from the intended send time (coordinated omission corrected)
  LatencyHistogram service_time;  // from the actual send
  LatencyHistogram connect_time;  // TCP connect plus TLS handshake
  LatencyHistogram ttfb;          // actual send to the first byte of the response
  // Open loop: actual send minus intended send, the pacer's lateness plus any wait in the queue
  // for a free stream; the part of `latency` that `service_time` does not hold.
  LatencyHistogram send_lag;

  uint64_t responses() const { return succeeded + failed; }
  uint64_t completed() const { return succeeded + failed + errored; }
  void count_error(ErrorKind kind, std::string_view message, uint64_t n = 1);
  void merge(const LoadStats& other);
};

// Upper bounds of the latency buckets each second reports (Prometheus-style "le", in ns).
constexpr std::array<uint64_t, 12> kSecondBucketBounds = {
    1'000'000,   2'500'000,   5'000'000,   10'000'000,    25'000'000,    50'000'000,
    100'000'000, 250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000};

// One second of the run, as seen by the progress line and the time series.
struct TimeSeriesPoint {
  double elapsed_s = 0;  // end of the second, from the start of the run (warmup included)
  uint64_t responses = 0;
  uint64_t errors = 0;  // failed responses plus errored requests
  uint64_t in_flight = 0;
  double target_rps = 0;  // open loop: the intended rate at that moment
  uint64_t p50_ns = 0;
  uint64_t p99_ns = 0;
  // Live exporters only (not serialised): responses at or below each of kSecondBucketBounds, and
  // the sum of their latencies.
  std::array<uint64_t, kSecondBucketBounds.size()> latency_at_or_below{};
  double latency_sum_s = 0;
};

// One result that went into a merge (loadgen/load_result_merge.hpp): a shard run by a worker pod,
// or a run made by hand on one host.
struct MergedPart {
  std::string name;  // the file or the worker it came from
  Shard shard;
  common::WallClock::time_point started_at{};
  double start_late_s = 0;
  double duration_s = 0;
  uint64_t completed = 0;  // requests with a response or an error
  uint64_t errors = 0;     // failed responses plus errored requests
  double rps = 0;
};

struct LoadResult {
  LoadConfig config;             // what was intended
  std::string negotiated;        // "h1", "h2" or "h2c": what the server agreed to
  double duration_s = 0;         // measured part: from the end of warmup to the last response
  double intended_requests = 0;  // open loop: what the schedule asked for
  // Open loop: the longest send quantum of the pacer over the run, the most pacing may add to a
  // corrected latency (0 with the exact pacer).
  int64_t pacer_quantum_ns = 0;
  bool unreachable = false;  // no connection could ever be established
  std::string unreachable_reason;
  // The wall-clock instant the schedule started (warmup included), and with config.start_at how
  // much later than asked that was.
  common::WallClock::time_point started_at{};
  double start_late_s = 0;
  LoadStats stats;
  std::vector<TimeSeriesPoint> series;
  std::vector<MergedPart> parts;  // a merged result: one row per result merged, else empty

  double rps() const { return duration_s > 0 ? stats.responses() / duration_s : 0; }
};

}  // namespace firedrill::loadgen
