#include "scenarios/drill_format.hpp"

namespace firedrill::scenarios {

using nlohmann::json;

namespace schema {

json ref(const std::string& def) {
  return {{"$ref", "#/$defs/" + def}};
}

json interpolable(json typed) {
  return {{"anyOf", json::array({std::move(typed), ref("interpolated")})}};
}

json string() {
  return {{"type", "string"}};
}

json boolean() {
  return interpolable({{"type", "boolean"}});
}

json integer(int64_t minimum, int64_t maximum) {
  json s = {{"type", "integer"}, {"minimum", minimum}};
  if (maximum > 0) s["maximum"] = maximum;
  return interpolable(std::move(s));
}

json number() {
  return interpolable({{"type", "number"}});
}

json duration() {
  return ref("duration");
}

json rate() {
  return ref("rate");
}

json string_map() {
  return {{"type", "object"}, {"additionalProperties", ref("scalar")}};
}

json scalar_defs() {
  return {
      {"interpolated",
       {{"type", "string"},
        {"pattern", R"(\$\{(env|file):)"},
        {"description",
         "A value read when the drill is loaded: ${env:NAME}, ${env:NAME:-default} or "
         "${file:PATH}."}}},
      {"duration",
       {{"description", "A duration with a unit: ns, us, ms, s, m or h, like 500ms, 30s or 1m30s."},
        {"anyOf",
         json::array({{{"type", "string"},
                       {"pattern", R"(^\s*(0|((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)\s*$)"}},
                      {{"const", 0}},
                      ref("interpolated")})}}},
      {"rate",
       {{"description",
         "Requests per second, minute or hour, like 500/s, 300/m or 10/h; a bare "
         "number means per second."},
        {"anyOf",
         json::array({{{"type", "number"}, {"minimum", 0}},
                      {{"type", "string"},
                       {"pattern", R"(^\s*(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*(/\s*[smh])?\s*$)"}},
                      ref("interpolated")})}}},
      {"scalar", {{"type", json::array({"string", "number", "boolean"})}}},
  };
}

}  // namespace schema

std::vector<std::string> MapDecl::names() const {
  std::vector<std::string> out;
  for (const auto& k : keys) out.push_back(k.name);
  return out;
}

const KeyDecl* MapDecl::find(const std::string& name) const {
  for (const auto& k : keys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

const MapDecl& drill_decl() {
  static const MapDecl decl{
      "drill",
      "the drill",
      "A fire drill: load, faults and checks on one timeline, and the thresholds the load must "
      "meet.",
      {
          {"apiVersion", true, "Always firedrill/v1.", {{"const", "firedrill/v1"}}},
          {"kind", true, "Always Drill.", {{"const", "Drill"}}},
          {"metadata", true, "The drill's name, description and labels.", schema::ref("metadata")},
          {"target", false,
           "The system under test: the base URL of load requests, the protocol, TLS and headers.",
           schema::ref("target")},
          {"integrations", false,
           "Connections to monitoring and infrastructure (Prometheus, Kubernetes, ...) that faults "
           "and checks use.",
           schema::ref("integrations")},
          {"services",
           false,
           "Local processes firedrill starts, supervises and restarts like a kubelet, by name: "
           "the system under test when it runs on this machine. They start before the first step "
           "(each replica ready first) and stop after the last; local faults and checks name them.",
           {{"type", "object"},
            {"propertyNames", {{"pattern", "^[a-z0-9-]+$"}}},
            {"additionalProperties", schema::ref("service")}}},
          {"load",
           false,
           "Named load profiles: what to send and how fast. A load step runs one for a duration.",
           {{"type", "object"}, {"additionalProperties", schema::ref("profile")}}},
          {"steps",
           true,
           "What happens, in order: load, wait, chaos (inject a fault) and validate (checks).",
           {{"type", "array"}, {"minItems", 1}, {"items", schema::ref("step")}}},
          {"thresholds", false,
           "Limits the load must stay within, per metric, like http.latency.p99: \"< 500ms\".",
           schema::ref("thresholds")},
      }};
  return decl;
}

const MapDecl& metadata_decl() {
  static const MapDecl decl{
      "metadata",
      "metadata",
      "The drill's name, description and labels.",
      {
          {"name",
           true,
           "Names the drill in reports and alerts.",
           {{"type", "string"}, {"minLength", 1}}},
          {"description", false, "What the drill proves.", schema::string()},
          {"labels", false, "Free-form labels copied to reports.", schema::string_map()},
      }};
  return decl;
}

const MapDecl& target_decl() {
  static const MapDecl decl{
      "target",
      "target",
      "The system under test.",
      {
          {"url", true,
           "Base URL (http:// or https://) of the system under test; a request's `path` is "
           "appended to it.",
           schema::interpolable({{"type", "string"}, {"pattern", "^https?://"}})},
          {"protocol", false,
           "h1, h2 (TLS with ALPN; cleartext prior knowledge for http://), h2c (cleartext HTTP/2) "
           "or auto (ALPN for https, HTTP/1.1 for http). Default auto.",
           schema::interpolable({{"enum", {"h1", "h2", "h2c", "auto"}}, {"default", "auto"}})},
          {"tls", false, "TLS settings of every connection to the target.", schema::ref("tls")},
          {"headers", false, "Headers sent with every load request.", schema::string_map()},
      }};
  return decl;
}

const MapDecl& tls_decl() {
  static const MapDecl decl{
      "tls",
      "target.tls",
      "TLS settings of every connection to the target.",
      {
          {"insecure", false, "Do not verify the server certificate. Default false.",
           schema::boolean()},
          {"caFile", false,
           "Trust this CA file (PEM) besides the system store; relative to the drill file.",
           schema::string()},
          {"certFile", false, "Client certificate (PEM); relative to the drill file.",
           schema::string()},
          {"keyFile", false, "Client key (PEM) of certFile; relative to the drill file.",
           schema::string()},
          {"sni", false, "Server name to send and verify instead of the URL's host.",
           schema::string()},
      }};
  return decl;
}

const MapDecl& integrations_decl() {
  auto integration = [](const std::string& description) {
    return json{{"type", json::array({"object", "null"})}, {"description", description}};
  };
  static const MapDecl decl{
      "integrations",
      "",
      "Connections to monitoring and infrastructure that faults and checks use.",
      {
          {"prometheus", false, "",
           integration("Prometheus server, e.g. {url: http://prometheus:9090}.")},
          {"alertmanager", false, "",
           integration("Alertmanager, e.g. {url: http://alertmanager:9093}.")},
          {"receiver", false, "",
           integration("The built-in notification receiver that Alertmanager delivers to.")},
          {"pushgateway", false, "", integration("Prometheus Pushgateway to push run metrics to.")},
          {"serviceMetrics", false, "",
           integration("The local services' state (up, ready, restarts, OOM kills) as Prometheus "
                       "metrics while the drill runs: {listen: 127.0.0.1:19100}.")},
          {"kubernetes", false, "",
           integration("Kubernetes API: {context: NAME} or {inCluster: true}; default $KUBECONFIG "
                       "or ~/.kube/config.")},
          {"aws", false, "", integration("AWS account access, e.g. {region: us-east-1}.")},
          {"loki", false, "", integration("Grafana Loki, e.g. {url: http://loki:3100}.")},
          {"elasticsearch", false, "",
           integration("Elasticsearch or OpenSearch, e.g. {url: https://es:9200}.")},
          {"grafana", false, "", integration("Grafana, e.g. {url: http://grafana:3000}.")},
      },
      "integration"};
  return decl;
}

const MapDecl& profile_decl() {
  static const MapDecl decl{
      "profile",
      "load profile",
      "What to send and how fast. Closed loop (connections x streams) unless rate or stages make "
      "it open loop. The load step gives the duration.",
      {
          {"requests",
           false,
           "The request mix, chosen by weight. Default: one GET of target.url.",
           {{"type", "array"}, {"minItems", 1}, {"items", schema::ref("request")}}},
          {"connections", false, "Concurrent connections. Default 10.",
           schema::integer(1, 1'000'000)},
          {"streams", false,
           "Concurrent streams per HTTP/2 connection, or HTTP/1.1 pipelining depth. Default 1.",
           schema::integer(1, 100'000)},
          {"threads", false, "Worker threads. Default: the number of cores.",
           schema::integer(1, 1024)},
          {"rate", false,
           "Open loop: requests per second, like 500/s; with stages, the rate they ramp from.",
           schema::rate()},
          {"stages",
           false,
           "Open loop: linear ramps from the rate (or 0), as \"30s:1000/s,2m:5000/s\" or a list "
           "of {duration, target}.",
           {{"anyOf",
             json::array(
                 {{{"type", "string"}},
                  {{"type", "array"}, {"minItems", 1}, {"items", schema::ref("stage")}}})}}},
          {"timeout", false, "Per-request timeout. Default 5s.", schema::duration()},
          {"connectTimeout", false, "TCP connect plus TLS handshake timeout. Default 3s.",
           schema::duration()},
          {"warmup", false, "Run this long first without counting. Default 0.", schema::duration()},
          {"maxQueue", false,
           "Open loop: requests that may wait for a free stream before being dropped. Default: "
           "one second at the peak rate, at least 1000.",
           schema::integer(1, 100'000'000)},
          {"arrival", false,
           "Open loop: how requests arrive at the rate: uniform (evenly spaced) or poisson "
           "(random gaps, as independent clients make). Default uniform.",
           schema::interpolable({{"enum", {"uniform", "poisson"}}, {"default", "uniform"}})},
          {"seed", false, "Seed of the weighted request mix and of poisson arrivals. Default 1.",
           schema::integer(0)},
          {"workers", false,
           "Spread the load over this many pods of an Indexed Job on Kubernetes, pod i running "
           "firedrill load --shard i/N from one instant; their results are merged exactly and "
           "thresholds judge the whole. Needs namespace.",
           schema::integer(1, 1000)},
          {"namespace", false, "With workers: the namespace of the worker Job.", schema::string()},
          {"image", false,
           "With workers: the firedrill image of the pods. Default firedrill:latest.",
           schema::string()},
          {"resources",
           false,
           "With workers: the worker container's resources, as in a pod spec.",
           {{"type", "object"}}},
          {"nodeSelector", false, "With workers: the worker pods' nodeSelector.",
           schema::string_map()},
          {"tolerations",
           false,
           "With workers: the worker pods' tolerations, as in a pod spec.",
           {{"type", "array"}, {"items", {{"type", "object"}}}}},
          {"startupGrace", false,
           "With workers: from the Job's creation to the instant all workers start (image pulls). "
           "Default 60s.",
           schema::duration()},
      }};
  return decl;
}

const MapDecl& request_decl() {
  static const MapDecl decl{
      "request",
      "request",
      "One request of a profile's mix.",
      {
          {"method", false, "HTTP method. Default GET.", schema::string()},
          {"path", false, "Path and query appended to target.url, like /api/items?limit=10.",
           schema::string()},
          {"url", false,
           "Absolute URL instead of a path; all requests of a profile share one origin.",
           schema::string()},
          {"headers", false,
           "Headers of this request; they replace target headers of the same name.",
           schema::string_map()},
          {"body", false, "Request body.", schema::string()},
          {"bodyFile", false, "Request body from a file, relative to the drill file.",
           schema::string()},
          {"weight", false, "Relative share of the mix. Default 1.", schema::integer(1, 1'000'000)},
      }};
  return decl;
}

const MapDecl& stage_decl() {
  static const MapDecl decl{
      "stage",
      "stage",
      "A linear ramp from the previous rate to `target` over `duration`.",
      {
          {"duration", true, "How long the ramp takes.", schema::duration()},
          {"target", true, "The rate at the end of the ramp.", schema::rate()},
      }};
  return decl;
}

const MapDecl& step_decl() {
  static const MapDecl decl{
      "step",
      "step",
      "One step: exactly one of load, wait, chaos or validate.",
      {
          {"name", false, "Names the step in reports. Default: derived, like \"load baseline\".",
           schema::string()},
          {"load", false, "Run this load profile for `duration`.", schema::string()},
          {"duration", false, "How long the load step runs.", schema::duration()},
          {"background", false, "Keep the load running while the next steps run. Default false.",
           schema::boolean()},
          {"wait", false, "Do nothing for this long.", schema::duration()},
          {"chaos", false, "Inject one fault: {KIND: {parameters}}.", schema::ref("fault")},
          {"for", false, "Revert the fault after this long instead of at the end of the drill.",
           schema::duration()},
          {"validate", false, "Checks, polled under an eventually or consistently window.",
           schema::ref("validate")},
      }};
  return decl;
}

const MapDecl& validate_decl() {
  static const MapDecl decl{
      "validate",
      "validate step",
      "Checks polled every `interval`: eventually (pass at the first success within the window) "
      "or consistently (fail at the first violation during the window).",
      {
          {"eventually", false, "Every check must pass within this long.", schema::duration()},
          {"consistently", false, "Every check must keep passing for this long.",
           schema::duration()},
          {"interval", false, "Time between polls. Default 2s.", schema::duration()},
          {"checks",
           true,
           "The checks: a list of {KIND: {parameters}}.",
           {{"type", "array"}, {"minItems", 1}, {"items", schema::ref("check")}}},
      }};
  return decl;
}

namespace {

std::vector<std::string> metric_names() {
  std::vector<std::string> out;
  for (const char* family : {"http.latency.", "http.service_time."}) {
    for (const char* stat : {"p50", "p75", "p90", "p95", "p99", "p99.9", "avg", "max"}) {
      out.push_back(std::string(family) + stat);
    }
  }
  for (const char* m :
       {"http.errors.rate", "http.errors.count", "http.requests", "http.rps", "http.dropped"}) {
    out.push_back(m);
  }
  return out;
}

std::string metric_description(const std::string& metric) {
  auto stat_text = [&]() -> std::string {
    if (metric.ends_with("avg")) return "Mean";
    if (metric.ends_with("max")) return "Maximum";
    return "Percentile " + metric.substr(metric.find(".p") + 2) + " of the";
  };
  if (metric.starts_with("http.latency.")) {
    return stat_text() +
           " latency from the intended send time (corrected for coordinated omission), as a "
           "duration like \"< 500ms\".";
  }
  if (metric.starts_with("http.service_time.")) {
    return stat_text() + " service time from the actual send, as a duration like \"< 300ms\".";
  }
  if (metric == "http.errors.rate") {
    return "Failed (status >= 400) and errored (no response) requests over completed "
           "requests, as a percentage like \"< 1%\" or a ratio like \"< 0.01\".";
  }
  if (metric == "http.errors.count") return "Failed and errored requests, like \"< 10\".";
  if (metric == "http.requests") return "Completed requests, like \">= 10000\".";
  if (metric == "http.rps") return "Responses per second, like \">= 900\" or \">= 900/s\".";
  return "Open-loop requests dropped because the queue was full, like \"<= 0\".";
}

}  // namespace

const MapDecl& thresholds_decl() {
  static const MapDecl decl = [] {
    MapDecl d{"thresholds",
              "thresholds",
              "Limits the load must stay within: metric -> expression, or a list of expressions "
              "and {threshold, profile, abortOnFail}.",
              {},
              "metric"};
    for (const auto& m : metric_names()) {
      d.keys.push_back({m, false, metric_description(m), schema::ref("thresholdList")});
    }
    return d;
  }();
  return decl;
}

const MapDecl& threshold_decl() {
  static const MapDecl decl{
      "threshold",
      "threshold",
      "One threshold with options.",
      {
          {"threshold", true, "The expression: <, <=, > or >= and a value, like \"< 500ms\".",
           schema::ref("thresholdExpression")},
          {"profile", false, "Only the load of this profile counts. Default: all load.",
           schema::string()},
          {"abortOnFail", false,
           "Stop the drill as soon as the threshold is crossed. Default false.", schema::boolean()},
      }};
  return decl;
}

const MapDecl& service_decl() {
  static const json memory_size = schema::interpolable(
      {{"anyOf", json::array({{{"type", "integer"}, {"minimum", 1}},
                              {{"type", "string"}, {"pattern", "^[0-9]+(Ki|Mi|Gi|Ti)?$"}}})}});
  static const json command = {
      {"anyOf",
       json::array({{{"type", "string"}, {"minLength", 1}},
                    {{"type", "array"}, {"minItems", 1}, {"items", schema::ref("scalar")}}})}};
  static const MapDecl decl{
      "service",
      "service",
      "One local service: a command run as `replicas` processes, each with its own port, log "
      "file and directory.",
      {
          {"command", true,
           "argv as a list (firedrill as the program means this firedrill), or one string run "
           "by /bin/sh -c. $(NAME) is replaced by the replica's environment variable NAME, "
           "including PORT, REPLICA, SERVICE and SERVICE_DIR.",
           command},
          {"replicas", false, "How many processes; replica i listens on port + i. Default 1.",
           schema::integer(1, 1000)},
          {"port", false, "The first replica's port, exported as PORT. Default: no port.",
           schema::integer(1, 65535)},
          {"env", false, "Environment variables added to firedrill's own.", schema::string_map()},
          {"readiness", false,
           "An HTTP GET on the replica's port that must answer 2xx before the drill starts.",
           schema::ref("readiness")},
          {"restart", false, "When and how soon an ended replica is started again.",
           schema::ref("restart")},
          {"memoryLimit", false,
           "Memory limit of each replica from its first start, like 256Mi (Ki, Mi, Gi and Ti are "
           "binary) or a number of bytes: a memory cgroup where firedrill may create one, "
           "otherwise an address-space limit.",
           memory_size},
      }};
  return decl;
}

const MapDecl& readiness_decl() {
  static const MapDecl decl{
      "readiness",
      "readiness",
      "An HTTP GET of http://127.0.0.1:PORT<path>; the replica is ready while it answers 2xx.",
      {
          {"path", false, "Path of the probe. Default /healthz.",
           schema::interpolable({{"type", "string"}, {"pattern", "^/"}})},
          {"period", false, "Time between probes. Default 500ms.", schema::duration()},
          {"timeout", false,
           "How long the replicas may take to be ready at the start of the drill. Default 30s.",
           schema::duration()},
      }};
  return decl;
}

const MapDecl& restart_decl() {
  static const MapDecl decl{
      "restart",
      "restart",
      "The restart policy, with the kubelet's exponential backoff.",
      {
          {"policy", false,
           "always, on-failure (exit code other than 0, or a signal) or never. Default always.",
           schema::interpolable(
               {{"enum", {"always", "on-failure", "never"}}, {"default", "always"}})},
          {"backoff", false, "Delay before the first restart, doubled after each. Default 1s.",
           schema::duration()},
          {"maxBackoff", false, "The longest delay between restarts. Default 30s.",
           schema::duration()},
      }};
  return decl;
}

std::vector<const MapDecl*> all_map_decls() {
  return {&metadata_decl(), &target_decl(),    &tls_decl(),      &integrations_decl(),
          &service_decl(),  &readiness_decl(), &restart_decl(),  &profile_decl(),
          &request_decl(),  &stage_decl(),     &validate_decl(), &thresholds_decl(),
          &threshold_decl()};
}

const std::vector<StepTypeDecl>& step_types() {
  static const std::vector<StepTypeDecl> types = {
      {"load", StepType::Load, {"duration", "background"}, {"duration"}},
      {"wait", StepType::Wait, {}, {}},
      {"chaos", StepType::Chaos, {"for"}, {}},
      {"validate", StepType::Validate, {}, {}},
  };
  return types;
}

MetricUnit metric_unit(const std::string& metric) {
  if (metric.starts_with("http.latency.") || metric.starts_with("http.service_time.")) {
    return MetricUnit::Seconds;
  }
  if (metric == "http.errors.rate") return MetricUnit::Ratio;
  if (metric == "http.rps") return MetricUnit::PerSecond;
  return MetricUnit::Count;
}

}  // namespace firedrill::scenarios
