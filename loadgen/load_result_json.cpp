#include "loadgen/load_result_json.hpp"

#include <cmath>
#include <stdexcept>

#include "common/rfc3339.hpp"
#include "loadgen/load_result_merge.hpp"

namespace firedrill::loadgen {

using nlohmann::json;

namespace {

double seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}
double ms(uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

// Rounded, not truncated: 0.3 s is 299999999.99999994 ns in binary floating point, and a saved
// result must read back exactly.
Duration duration_from_seconds(const json& seconds) {
  return std::chrono::round<Duration>(std::chrono::duration<double>(seconds.get<double>()));
}
uint64_t ns_from_ms(const json& ms) {
  return static_cast<uint64_t>(std::llround(ms.get<double>() * 1e6));
}

Protocol protocol_from_name(const std::string& name) {
  for (auto p : {Protocol::H1, Protocol::H2, Protocol::H2c}) {
    if (name == protocol_name(p)) return p;
  }
  return Protocol::Auto;
}

// The kind a name stands for, by `from_name`; throws on a name it does not know.
template <typename FromName>
auto named(FromName from_name, const json& value, const char* field) {
  auto kind = from_name(value.get<std::string>());
  if (!kind) {
    throw std::invalid_argument(std::string("malformed load result: unknown ") + field + " \"" +
                                value.get<std::string>() + "\"");
  }
  return *kind;
}

json latency_summary(const LatencyHistogram& h) {
  json q = json::object();
  const std::pair<const char*, double> quantiles[] = {
      {"p50", 0.5},  {"p75", 0.75},    {"p90", 0.9},      {"p95", 0.95},
      {"p99", 0.99}, {"p99.9", 0.999}, {"p99.99", 0.9999}};
  for (const auto& [name, value] : quantiles) q[name] = ms(h.value_at_quantile(value));
  return {{"count", h.count()},           {"min_ms", ms(h.min())}, {"mean_ms", h.mean() / 1e6},
          {"stdev_ms", h.stddev() / 1e6}, {"max_ms", ms(h.max())}, {"percentiles_ms", q}};
}

}  // namespace

json intended_json(const LoadResult& r) {
  const LoadConfig& c = r.config;
  json requests = json::array();
  for (const auto& spec : c.requests) {
    requests.push_back({{"method", spec.method},
                        {"url", spec.url},
                        {"weight", spec.weight},
                        {"body_bytes", spec.body.size()}});
  }
  json stages = json::array();
  for (const auto& st : c.stages) {
    stages.push_back({{"duration_s", seconds(st.duration)}, {"target_rps", st.target_rps}});
  }
  return {{"requests", requests},
          {"protocol", protocol_name(c.protocol)},
          {"connections", c.connections},
          {"streams", c.streams},
          {"threads", c.threads},
          {"max_requests", c.max_requests},
          {"duration_s", seconds(c.duration)},
          {"warmup_s", seconds(c.warmup)},
          {"timeout_s", seconds(c.timeout)},
          {"connect_timeout_s", seconds(c.connect_timeout)},
          {"open_loop", c.open_loop()},
          {"start_rate", c.start_rate ? json(*c.start_rate) : json(nullptr)},
          {"stages", stages},
          {"max_queue", c.max_queue},
          {"arrival", arrival_name(c.arrival)},
          {"pacer", pacer_name(c.pacer)},
          {"seed", c.seed},
          {"shard", {{"index", c.shard.index}, {"count", c.shard.count}}},
          {"start_at", c.start_at ? json(common::format_rfc3339(*c.start_at)) : json(nullptr)},
          {"intended_requests", r.intended_requests}};
}

namespace {

json request_counts_json(const LoadStats& s) {
  return {{"started", s.started}, {"completed", s.completed()}, {"succeeded", s.succeeded},
          {"failed", s.failed},   {"errored", s.errored},       {"timed_out", s.timed_out},
          {"dropped", s.dropped}, {"abandoned", s.abandoned},   {"retried", s.retried}};
}

// Responses by status code, codes never seen left out.
json status_json(const LoadStats& s) {
  json status = json::object();
  for (int code = 0; code < kMaxStatus; ++code) {
    if (s.status_counts[code] != 0) status[std::to_string(code)] = s.status_counts[code];
  }
  return status;
}

// Responses by status class ("2xx", ...), classes never seen left out.
json status_classes_json(const LoadStats& s) {
  json classes = json::object();
  for (int code = 0; code < kMaxStatus; ++code) {
    if (s.status_counts[code] == 0) continue;
    std::string cls = std::to_string(code / 100) + "xx";
    classes[cls] = classes.value(cls, uint64_t{0}) + s.status_counts[code];
  }
  return classes;
}

// Errors by kind, every kind named.
json errors_json(const LoadStats& s) {
  json errors = json::object();
  for (size_t i = 0; i < kErrorKindCount; ++i) {
    errors[std::string(error_kind_name(static_cast<ErrorKind>(i)))] = s.errors[i];
  }
  return errors;
}

// The first message of each kind of error that had one.
json error_messages_json(const LoadStats& s) {
  json messages = json::object();
  for (size_t i = 0; i < kErrorKindCount; ++i) {
    if (s.first_error_message[i].empty()) continue;
    messages[std::string(error_kind_name(static_cast<ErrorKind>(i)))] = s.first_error_message[i];
  }
  return messages;
}

json series_json(const std::vector<TimeSeriesPoint>& points) {
  json series = json::array();
  for (const auto& p : points) {
    series.push_back({{"elapsed_s", p.elapsed_s},
                      {"responses", p.responses},
                      {"errors", p.errors},
                      {"in_flight", p.in_flight},
                      {"target_rps", p.target_rps},
                      {"p50_ms", ms(p.p50_ns)},
                      {"p99_ms", ms(p.p99_ns)}});
  }
  return series;
}

json histograms_json(const LoadStats& s) {
  return {{"latency", s.latency.to_json()},
          {"service_time", s.service_time.to_json()},
          {"connect_time", s.connect_time.to_json()},
          {"ttfb", s.ttfb.to_json()},
          {"send_lag", s.send_lag.to_json()}};
}

common::WallClock::time_point instant(const json& text, const char* field) {
  auto at = common::parse_rfc3339(text.get<std::string>());
  if (!at) throw std::invalid_argument(std::string("malformed load result: ") + field);
  return *at;
}

json parts_json(const std::vector<MergedPart>& parts) {
  json rows = json::array();
  for (const auto& p : parts) {
    rows.push_back({{"name", p.name},
                    {"shard", {{"index", p.shard.index}, {"count", p.shard.count}}},
                    {"started_at", common::format_rfc3339(p.started_at)},
                    {"start_late_s", p.start_late_s},
                    {"duration_s", p.duration_s},
                    {"completed", p.completed},
                    {"errors", p.errors},
                    {"rps", p.rps}});
  }
  return rows;
}

std::vector<MergedPart> parts_from_json(const json& rows) {
  std::vector<MergedPart> parts;
  for (const auto& row : rows) {
    parts.push_back({.name = row.at("name").get<std::string>(),
                     .shard = {row.at("shard").at("index").get<uint32_t>(),
                               row.at("shard").at("count").get<uint32_t>()},
                     .started_at = instant(row.at("started_at"), "parts[].started_at"),
                     .start_late_s = row.at("start_late_s").get<double>(),
                     .duration_s = row.at("duration_s").get<double>(),
                     .completed = row.at("completed").get<uint64_t>(),
                     .errors = row.at("errors").get<uint64_t>(),
                     .rps = row.at("rps").get<double>()});
  }
  return parts;
}

// The configuration of "intended".
LoadConfig config_from_json(const json& in) {
  LoadConfig c;
  for (const auto& req : in.at("requests")) {
    RequestSpec spec;
    spec.method = req.at("method").get<std::string>();
    spec.url = req.at("url").get<std::string>();
    spec.weight = req.at("weight").get<uint32_t>();
    c.requests.push_back(spec);
  }
  c.protocol = protocol_from_name(in.at("protocol").get<std::string>());
  c.connections = in.at("connections").get<uint32_t>();
  c.streams = in.at("streams").get<uint32_t>();
  c.threads = in.at("threads").get<uint32_t>();
  c.max_requests = in.at("max_requests").get<uint64_t>();
  c.duration = duration_from_seconds(in.at("duration_s"));
  c.warmup = duration_from_seconds(in.at("warmup_s"));
  c.timeout = duration_from_seconds(in.at("timeout_s"));
  c.connect_timeout = duration_from_seconds(in.at("connect_timeout_s"));
  if (!in.at("start_rate").is_null()) c.start_rate = in.at("start_rate").get<double>();
  for (const auto& stage : in.at("stages")) {
    c.stages.push_back(
        {duration_from_seconds(stage.at("duration_s")), stage.at("target_rps").get<double>()});
  }
  c.max_queue = in.at("max_queue").get<uint64_t>();
  // Documents written before these fields were sent by an exact timer per request.
  c.arrival = in.contains("arrival") ? named(arrival_from_name, in.at("arrival"), "arrival")
                                     : Arrival::Uniform;
  c.pacer =
      in.contains("pacer") ? named(pacer_from_name, in.at("pacer"), "pacer") : PacerKind::Exact;
  c.seed = in.at("seed").get<uint64_t>();
  // Absent from results of versions before shards.
  if (in.contains("shard")) {
    c.shard = {in.at("shard").at("index").get<uint32_t>(),
               in.at("shard").at("count").get<uint32_t>()};
    if (c.shard.count == 0 || c.shard.index >= c.shard.count) {
      throw std::invalid_argument("malformed load result: shard " + in.at("shard").dump());
    }
  }
  if (in.contains("start_at") && !in.at("start_at").is_null()) {
    c.start_at = instant(in.at("start_at"), "intended.start_at");
  }
  return c;
}

// "requests", "bytes" and "connections".
void read_counters(const json& doc, LoadStats& s) {
  const json& rq = doc.at("requests");
  s.started = rq.at("started").get<uint64_t>();
  s.succeeded = rq.at("succeeded").get<uint64_t>();
  s.failed = rq.at("failed").get<uint64_t>();
  s.errored = rq.at("errored").get<uint64_t>();
  s.timed_out = rq.at("timed_out").get<uint64_t>();
  s.dropped = rq.at("dropped").get<uint64_t>();
  s.abandoned = rq.at("abandoned").get<uint64_t>();
  s.retried = rq.value("retried", uint64_t{0});  // absent from results of older versions
  s.bytes_received = doc.at("bytes").at("received").get<uint64_t>();
  s.bytes_sent = doc.at("bytes").at("sent").get<uint64_t>();
  s.body_bytes = doc.at("bytes").at("body").get<uint64_t>();
  s.connects = doc.at("connections").at("established").get<uint64_t>();
  s.tls_resumed = doc.at("connections").at("tls_resumed").get<uint64_t>();
}

// "status", "errors" and "error_messages".
void read_status_and_errors(const json& doc, LoadStats& s) {
  for (const auto& [code, count] : doc.at("status").items()) {
    int c = std::stoi(code);
    if (c < 0 || c >= kMaxStatus) throw std::invalid_argument("status code out of range: " + code);
    s.status_counts[c] = count.get<uint64_t>();
  }
  for (size_t i = 0; i < kErrorKindCount; ++i) {
    auto name = std::string(error_kind_name(static_cast<ErrorKind>(i)));
    s.errors[i] = doc.at("errors").value(name, uint64_t{0});
    s.first_error_message[i] = doc.at("error_messages").value(name, std::string());
  }
}

void read_histograms(const json& h, LoadStats& s) {
  s.latency = LatencyHistogram::from_json(h.at("latency"));
  s.service_time = LatencyHistogram::from_json(h.at("service_time"));
  s.connect_time = LatencyHistogram::from_json(h.at("connect_time"));
  s.ttfb = LatencyHistogram::from_json(h.at("ttfb"));
  if (h.contains("send_lag")) s.send_lag = LatencyHistogram::from_json(h.at("send_lag"));
}

std::vector<TimeSeriesPoint> series_from_json(const json& series) {
  std::vector<TimeSeriesPoint> points;
  for (const auto& p : series) {
    points.push_back({.elapsed_s = p.at("elapsed_s").get<double>(),
                      .responses = p.at("responses").get<uint64_t>(),
                      .errors = p.at("errors").get<uint64_t>(),
                      .in_flight = p.at("in_flight").get<uint64_t>(),
                      .target_rps = p.at("target_rps").get<double>(),
                      .p50_ns = ns_from_ms(p.at("p50_ms")),
                      .p99_ns = ns_from_ms(p.at("p99_ms"))});
  }
  return points;
}

}  // namespace

const char* protocol_name(Protocol p) {
  switch (p) {
    case Protocol::H1:
      return "h1";
    case Protocol::H2:
      return "h2";
    case Protocol::H2c:
      return "h2c";
    case Protocol::Auto:
      break;
  }
  return "auto";
}

const char* arrival_name(Arrival a) {
  return a == Arrival::Poisson ? "poisson" : "uniform";
}

std::optional<Arrival> arrival_from_name(std::string_view name) {
  for (auto a : {Arrival::Uniform, Arrival::Poisson}) {
    if (name == arrival_name(a)) return a;
  }
  return std::nullopt;
}

const char* pacer_name(PacerKind p) {
  return p == PacerKind::Exact ? "exact" : "quantized";
}

std::optional<PacerKind> pacer_from_name(std::string_view name) {
  for (auto p : {PacerKind::Exact, PacerKind::Quantized}) {
    if (name == pacer_name(p)) return p;
  }
  return std::nullopt;
}

json to_json(const LoadResult& r) {
  const LoadStats& s = r.stats;
  json out = {
      {"schema", kLoadResultSchema},
      {"intended", intended_json(r)},
      {"negotiated", r.negotiated},
      {"unreachable", r.unreachable},
      {"unreachable_reason", r.unreachable_reason},
      {"started_at", common::format_rfc3339(r.started_at)},
      {"start_late_s", r.start_late_s},
      {"duration_s", r.duration_s},
      {"rps", r.rps()},
      {"requests", request_counts_json(s)},
      {"bytes", {{"received", s.bytes_received}, {"sent", s.bytes_sent}, {"body", s.body_bytes}}},
      {"connections", {{"established", s.connects}, {"tls_resumed", s.tls_resumed}}},
      {"status", status_json(s)},
      {"status_classes", status_classes_json(s)},
      {"errors", errors_json(s)},
      {"error_messages", error_messages_json(s)},
      {"latency", latency_summary(s.latency)},
      {"service_time", latency_summary(s.service_time)},
      {"connect_time", latency_summary(s.connect_time)},
      {"ttfb", latency_summary(s.ttfb)},
      {"send_lag", latency_summary(s.send_lag)},
      {"pacer_quantum_ms", ms(static_cast<uint64_t>(r.pacer_quantum_ns))},
      {"series", series_json(r.series)},
      {"histograms", histograms_json(s)}};
  if (!r.parts.empty()) {
    out["parts"] = parts_json(r.parts);
    out["start_skew_s"] = start_skew_s(r.parts);
  }
  if (r.config.open_loop() && r.intended_requests > 0) {
    out["rate_accuracy"] = static_cast<double>(s.started + s.dropped) / r.intended_requests;
  }
  return out;
}

LoadResult load_result_from_json(const json& doc) {
  if (!doc.is_object() || doc.value("schema", "") != kLoadResultSchema) {
    throw std::invalid_argument(std::string("not a load result: expected \"schema\": \"") +
                                kLoadResultSchema + "\"");
  }
  try {
    LoadResult r;
    const json& in = doc.at("intended");
    r.config = config_from_json(in);
    r.intended_requests = in.at("intended_requests").get<double>();
    r.negotiated = doc.at("negotiated").get<std::string>();
    r.unreachable = doc.at("unreachable").get<bool>();
    r.unreachable_reason = doc.at("unreachable_reason").get<std::string>();
    r.duration_s = doc.at("duration_s").get<double>();
    // Absent from results of versions before shards.
    if (doc.contains("started_at")) r.started_at = instant(doc.at("started_at"), "started_at");
    r.start_late_s = doc.value("start_late_s", 0.0);
    if (doc.contains("parts")) r.parts = parts_from_json(doc.at("parts"));
    read_counters(doc, r.stats);
    read_status_and_errors(doc, r.stats);
    read_histograms(doc.at("histograms"), r.stats);
    r.pacer_quantum_ns = static_cast<int64_t>(ns_from_ms(doc.value("pacer_quantum_ms", json(0.0))));
    r.series = series_from_json(doc.at("series"));
    return r;
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed load result: ") + e.what());
  }
}

}  // namespace firedrill::loadgen
