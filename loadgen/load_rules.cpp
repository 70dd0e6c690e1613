#include "loadgen/load_rules.hpp"

#include <algorithm>
#include <iterator>

#include "common/errors.hpp"

namespace firedrill::loadgen {

namespace {

struct CountLimits {
  LoadField field;
  uint64_t minimum;
  uint64_t maximum;
};

constexpr CountLimits kCounts[] = {
    {LoadField::Connections, 1, kMaxConnections}, {LoadField::Streams, 1, kMaxStreams},
    {LoadField::Threads, 1, kMaxThreads},         {LoadField::MaxRequests, 1, UINT64_MAX},
    {LoadField::MaxQueue, 1, kMaxQueueLimit},
};

// In LoadField's order.
constexpr std::string_view kFieldNames[] = {
    "connections", "streams",         "threads",    "max_requests", "duration",  "warmup",
    "timeout",     "connect_timeout", "start_rate", "stages",       "max_queue", "arrival",
    "pacer",       "requests",        "protocol",   "shard",
};
static_assert(std::size(kFieldNames) == static_cast<size_t>(LoadField::Shard) + 1);

const CountLimits* limits_of(LoadField field) {
  for (const auto& l : kCounts) {
    if (l.field == field) return &l;
  }
  return nullptr;
}

class Checker {
 public:
  Checker(const LoadValues& values, const LoadTerms& terms) : v_(values), terms_(terms) {}

  std::vector<LoadViolation> run() {
    const bool open_loop =
        given(LoadField::Rate, v_.rate.has_value()) || given(LoadField::Stages, v_.stages);
    count(LoadField::Connections, v_.connections);
    count(LoadField::Streams, v_.streams);
    count(LoadField::Threads, v_.threads);
    if (v_.max_requests && open_loop) {
      combination(LoadField::MaxRequests, "cannot be combined with " + name(LoadField::Rate) +
                                              " or " + name(LoadField::Stages) + ": an open-loop " +
                                              terms_.load + " is bounded by " +
                                              name(LoadField::Duration) + " or by its stages");
    } else {
      count(LoadField::MaxRequests, v_.max_requests);
    }
    if (!open_loop && !v_.duration_to_come &&
        !given(LoadField::MaxRequests, v_.max_requests.has_value()) &&
        !given(LoadField::Duration, v_.duration.has_value())) {
      combination(LoadField::Duration, "must be given (or " + name(LoadField::MaxRequests) +
                                           "): a closed-loop " + terms_.load + " needs an end");
    }
    longer_than_zero(LoadField::Duration, v_.duration);
    if (v_.warmup && v_.warmup->count() < 0) {
      value(LoadField::Warmup, "a duration of 0 or more, like 30s");
    }
    longer_than_zero(LoadField::Timeout, v_.timeout);
    longer_than_zero(LoadField::ConnectTimeout, v_.connect_timeout);
    if (v_.rate) {
      if (!given(LoadField::Stages, v_.stages) && !(*v_.rate > 0)) {
        value(LoadField::Rate, "a rate more than 0, like 500/s (use " + name(LoadField::Stages) +
                                   " to ramp from or to 0)");
      } else if (!(*v_.rate >= 0)) {
        value(LoadField::Rate, "a rate of 0/s or more, like 500/s");
      }
    }
    // A field that does not apply is not judged further.
    const std::string open_loop_only = "only applies to an open-loop " + terms_.load + " (with " +
                                       name(LoadField::Rate) + " or " + name(LoadField::Stages) +
                                       ")";
    if (given(LoadField::MaxQueue, v_.max_queue.has_value()) && !open_loop) {
      combination(LoadField::MaxQueue, open_loop_only);
    } else {
      count(LoadField::MaxQueue, v_.max_queue);
    }
    if (given(LoadField::Arrival, v_.arrival) && !open_loop) {
      combination(LoadField::Arrival, open_loop_only);
    }
    if (given(LoadField::Pacer, v_.pacer) && !open_loop) {
      combination(LoadField::Pacer, open_loop_only);
    }
    requests();
    shard();
    return std::move(out_);
  }

 private:
  bool given(LoadField field, bool has_value) const {
    return has_value || v_.unreadable.contains(field);
  }
  std::string name(LoadField field) const {
    return terms_.name ? terms_.name(field) : std::string(field_name(field));
  }
  void value(LoadField field, std::string message) {
    out_.push_back({field, ViolationKind::Value, std::move(message), std::nullopt});
  }
  void combination(LoadField field, std::string message,
                   std::optional<size_t> request = std::nullopt) {
    out_.push_back({field, ViolationKind::Combination, std::move(message), request});
  }
  void count(LoadField field, const std::optional<uint64_t>& n) {
    const CountLimits* l = limits_of(field);
    if (n && (*n < l->minimum || *n > l->maximum)) value(field, expected_count(field));
  }
  void longer_than_zero(LoadField field, const std::optional<Duration>& d) {
    if (d && d->count() <= 0) value(field, "a duration longer than 0, like 30s");
  }

  // Every shard needs a connection, and with a request count a request, of its own.
  void shard() {
    if (!v_.shard) return;
    const Shard& s = *v_.shard;
    if (s.count < 1 || s.count > kMaxShards || s.index >= s.count) {
      value(LoadField::Shard, expected_shard());
      return;
    }
    const std::string parts = std::to_string(s.count);
    if (v_.connections && *v_.connections < s.count) {
      combination(LoadField::Shard, "splits the load in " + parts + " parts, which need at least " +
                                        parts + " " + name(LoadField::Connections) + " (one each)");
    }
    if (v_.max_requests && *v_.max_requests < s.count) {
      combination(LoadField::Shard, "splits the load in " + parts + " parts, which need at least " +
                                        parts + " " + name(LoadField::MaxRequests) + " (one each)");
    }
  }

  // loadgen keeps the connections of one run to one origin, and h2c is cleartext only.
  void requests() {
    if (v_.urls.empty() && !v_.unreadable.contains(LoadField::Requests)) {
      combination(LoadField::Requests, "must hold at least one request");
    }
    std::optional<Origin> first;
    std::string first_url;
    for (size_t i = 0; i < v_.urls.size(); ++i) {
      Origin origin;
      try {
        origin = parse_url(v_.urls[i]).origin;
      } catch (const common::ValueError&) {
        continue;
      }
      if (!first) {
        first = origin;
        first_url = v_.urls[i];
      } else if (!(origin == *first)) {
        combination(LoadField::Requests,
                    "goes to another scheme, host or port than `" + first_url +
                        "`: all requests of a " + terms_.load + " share one origin",
                    i);
      }
      if (origin.tls && v_.protocol == Protocol::H2c) {
        combination(LoadField::Protocol,
                    "h2c is HTTP/2 without TLS and needs an http:// URL; use " +
                        name(LoadField::Protocol) + " h2 for https",
                    i);
      }
    }
  }

  const LoadValues& v_;
  const LoadTerms& terms_;
  std::vector<LoadViolation> out_;
};

}  // namespace

LoadValues values_of(const LoadConfig& c) {
  LoadValues v;
  for (const auto& r : c.requests) v.urls.push_back(r.url);
  v.protocol = c.protocol;
  v.connections = c.connections;
  v.streams = c.streams;
  if (c.threads > 0) v.threads = c.threads;
  if (c.max_requests > 0) v.max_requests = c.max_requests;
  if (c.duration.count() != 0) v.duration = c.duration;
  if (c.warmup.count() != 0) v.warmup = c.warmup;
  v.timeout = c.timeout;
  v.connect_timeout = c.connect_timeout;
  v.rate = c.start_rate;
  v.stages = !c.stages.empty();
  if (c.max_queue > 0) v.max_queue = c.max_queue;
  v.arrival = c.arrival != LoadConfig().arrival;
  v.pacer = c.pacer != LoadConfig().pacer;
  if (!(c.shard == Shard{})) v.shard = c.shard;
  return v;
}

std::string_view field_name(LoadField field) {
  return kFieldNames[static_cast<size_t>(field)];
}

std::string expected_count(LoadField field) {
  const CountLimits* l = limits_of(field);
  if (!l) return "a whole number";
  if (l->maximum == UINT64_MAX) return "a whole number of at least " + std::to_string(l->minimum);
  return "a whole number from " + std::to_string(l->minimum) + " to " + std::to_string(l->maximum);
}

std::string expected_shard() {
  return "INDEX/COUNT with COUNT from 1 to " + std::to_string(kMaxShards) +
         " and INDEX from 0 to COUNT-1, like 0/4";
}

std::vector<LoadViolation> check_load(const LoadValues& values, const LoadTerms& terms) {
  std::vector<LoadViolation> out = Checker(values, terms).run();
  std::stable_sort(out.begin(), out.end(), [](const LoadViolation& a, const LoadViolation& b) {
    return a.field < b.field;
  });
  return out;
}

Protocol effective_protocol(Protocol requested, const Origin& origin) {
  return requested == Protocol::H2 && !origin.tls ? Protocol::H2c : requested;
}

void apply(const LoadValues& v, LoadConfig& c) {
  // Valid values of these fit (kMaxConnections...).
  auto narrow = [](const std::optional<uint64_t>& n, uint32_t otherwise) {
    return n ? static_cast<uint32_t>(*n) : otherwise;
  };
  c.connections = narrow(v.connections, c.connections);
  c.streams = narrow(v.streams, c.streams);
  c.threads = narrow(v.threads, c.threads);
  c.max_requests = v.max_requests.value_or(c.max_requests);
  c.duration = v.duration.value_or(c.duration);
  c.warmup = v.warmup.value_or(c.warmup);
  c.timeout = v.timeout.value_or(c.timeout);
  c.connect_timeout = v.connect_timeout.value_or(c.connect_timeout);
  if (v.rate) {
    c.start_rate = v.rate;
  } else if (v.stages && !c.start_rate) {
    c.start_rate = 0.0;
  }
  c.max_queue = v.max_queue.value_or(c.max_queue);
  c.shard = v.shard.value_or(c.shard);
  c.protocol = v.protocol;
  if (!v.urls.empty()) {
    try {
      c.protocol = effective_protocol(v.protocol, parse_url(v.urls.front()).origin);
    } catch (const common::ValueError&) {
      // Its reader reports it.
    }
  }
}

}  // namespace firedrill::loadgen
