#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/rfc3339.hpp"
#include "common/units.hpp"

namespace firedrill::loadgen {

using common::Duration;

enum class Protocol { Auto, H1, H2, H2c };

// How the intended send times of an open loop are spaced at a given rate: evenly, or as a
// Poisson process (exponential gaps with the same mean), as independent users arrive.
enum class Arrival : uint8_t { Uniform, Poisson };

// How an open-loop worker wakes to send what has come due (loadgen/pacer.hpp).
enum class PacerKind : uint8_t { Exact, Quantized };

struct TlsOptions {
  bool insecure = false;  // skip certificate and host name verification
  std::string ca_file;    // extra trust anchors; the system store is always used too
  std::string cert_file;  // client certificate (PEM)
  std::string key_file;   // client key (PEM)
  std::string sni;        // server name to send and verify instead of the URL's host
};

using Header = std::pair<std::string, std::string>;

// One of `count` equal parts of a load run by as many processes (firedrill load --shard i/N).
// Shard `index` sends every count-th request of the schedule from the index-th, so the shards'
// rates sum to the whole at every instant, and takes its share of the connections, the request
// count and the queue; its request mix draws from a sequence of its own.
struct Shard {
  uint32_t index = 0;
  uint32_t count = 1;
  bool operator==(const Shard&) const = default;
};
inline constexpr uint32_t kMaxShards = 10'000;

// One request of the mix. All requests of one run share scheme, host and port.
struct RequestSpec {
  std::string method = "GET";
  std::string url;
  std::vector<Header> headers;
  std::string body;
  uint32_t weight = 1;
};

// Everything a load run is asked to do: what was intended, reported beside what happened.
struct LoadConfig {
  std::vector<RequestSpec> requests;
  Protocol protocol = Protocol::Auto;
  TlsOptions tls;
  uint32_t connections = 1;
  uint32_t streams = 1;  // concurrent streams per h2 connection; pipelining depth for h1
  uint32_t threads = 1;
  uint64_t max_requests = 0;  // closed loop: stop after this many (0: run for `duration`)
  Duration duration{0};
  Duration warmup{0};
  Duration timeout{std::chrono::seconds(5)};
  Duration connect_timeout{std::chrono::seconds(3)};
  // Open loop when set: requests are scheduled at the start rate, then follow the stages.
  std::optional<double> start_rate;
  std::vector<common::Stage> stages;
  uint64_t max_queue = 0;  // open loop: requests waiting for a free stream; 0 picks a default
  Arrival arrival = Arrival::Uniform;
  PacerKind pacer = PacerKind::Quantized;
  uint64_t seed = 1;  // of the request mix and of Poisson arrivals
  Shard shard;
  // When the schedule starts (its zero), so that the shards of one load start together; a run
  // started later than this starts at once and reports how late it was.
  std::optional<common::WallClock::time_point> start_at;

  bool open_loop() const { return start_rate.has_value(); }
};

}  // namespace firedrill::loadgen
