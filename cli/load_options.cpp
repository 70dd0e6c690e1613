#include "cli/load_options.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "common/errors.hpp"
#include "loadgen/load_result_json.hpp"
#include "loadgen/load_rules.hpp"
#include "loadgen/request_mix.hpp"
#include "loadgen/url.hpp"

namespace firedrill::cli {

using common::UsageError;
using common::ValueError;

namespace {

std::optional<uint64_t> whole_number(const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Runs a common:: parser and puts the flag in front of its message.
template <typename F>
auto with_flag(const std::string& flag, F&& parse) {
  try {
    return parse();
  } catch (const ValueError& e) {
    throw UsageError(flag + ": " + e.what());
  }
}

std::string read_file(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(flag + ": cannot read \"" + path + "\"");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void require_readable(const std::string& flag, const std::string& path) {
  if (!path.empty() && !std::ifstream(path)) {
    throw UsageError(flag + ": cannot read \"" + path + "\"");
  }
}

loadgen::Header parse_header(const std::string& text) {
  size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) {
    throw UsageError("--header: \"" + text + "\" is not a header: use \"Name: value\"");
  }
  std::string name = text.substr(0, colon);
  std::string value = text.substr(colon + 1);
  size_t start = value.find_first_not_of(" \t");
  value = start == std::string::npos ? "" : value.substr(start);
  if (name.find_first_of(" \t\r\n") != std::string::npos) {
    throw UsageError("--header: \"" + name + "\" is not a valid header name");
  }
  return {name, value};
}

using loadgen::LoadField;

// loadgen's name in kebab case (connect_timeout is --connect-timeout), but for three.
std::string flag_of(LoadField field) {
  if (field == LoadField::MaxRequests) return "--requests";
  if (field == LoadField::Rate) return "--rate";
  if (field == LoadField::Requests) return "URL";
  std::string flag = "--" + std::string(loadgen::field_name(field));
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

// The load values as typed: what the rules' messages about a value show.
class TypedValues {
 public:
  // A whole number; whether it is in range is a load rule.
  std::optional<uint64_t> count(LoadField field, const std::string& text) {
    if (text.empty()) return std::nullopt;
    text_[field] = text;
    auto value = whole_number(text);
    if (!value) throw not_valid(field, loadgen::expected_count(field));
    return value;
  }

  template <typename F>
  auto parsed(LoadField field, const std::string& text, F&& parse)
      -> std::optional<decltype(parse(text))> {
    if (text.empty()) return std::nullopt;
    text_[field] = text;
    return with_flag(flag_of(field), [&] { return parse(text); });
  }

  UsageError not_valid(LoadField field, const std::string& valid) const {
    auto it = text_.find(field);
    if (it == text_.end()) return UsageError(flag_of(field) + ": must be " + valid);
    return UsageError(flag_of(field) + ": \"" + it->second + "\" is not valid: use " + valid);
  }

 private:
  std::map<LoadField, std::string> text_;
};

// "2/4": shard 2 of 4; nullopt for anything but two whole numbers around a slash.
std::optional<loadgen::Shard> shard_of(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto index = whole_number(text.substr(0, slash));
  auto count = whole_number(text.substr(slash + 1));
  if (!index || !count || *index > UINT32_MAX || *count > UINT32_MAX) return std::nullopt;
  return loadgen::Shard{static_cast<uint32_t>(*index), static_cast<uint32_t>(*count)};
}

// Far enough ahead for a Job's pods to pull their image and start, not so far that a typo waits.
constexpr auto kLongestStartWait = std::chrono::hours(1);

common::WallClock::time_point start_at_of(const std::string& text) {
  auto at = common::parse_rfc3339(text);
  if (!at) {
    throw UsageError("--start-at: \"" + text +
                     "\" is not valid: use an instant in RFC 3339, like 2026-12-03T17:00:00Z");
  }
  if (*at - common::WallClock::now() > kLongestStartWait) {
    throw UsageError("--start-at: " + text + " is more than an hour from now");
  }
  return *at;
}

UsageError usage_error(const loadgen::LoadViolation& v, const TypedValues& typed,
                       const std::vector<loadgen::RequestSpec>& requests) {
  if (v.kind == loadgen::ViolationKind::Value) return typed.not_valid(v.field, v.message);
  if (v.field == LoadField::Requests && v.request) {
    return UsageError("URL: \"" + requests[*v.request].url + "\" " + v.message);
  }
  return UsageError(flag_of(v.field) + ": " + v.message);
}

}  // namespace

loadgen::LoadConfig to_load_config(const LoadFlags& f) {
  loadgen::LoadConfig c;
  c.threads = 0;  // unless given: the engine takes one per core
  loadgen::LoadValues v;
  TypedValues typed;
  v.connections = typed.count(LoadField::Connections, f.connections);
  v.streams = typed.count(LoadField::Streams, f.streams);
  v.threads = typed.count(LoadField::Threads, f.threads);
  if (auto seed = whole_number(f.seed)) {
    c.seed = *seed;
  } else {
    throw UsageError("--seed: \"" + f.seed + "\" is not valid: use a whole number from 0 to " +
                     std::to_string(UINT64_MAX));
  }

  if (f.protocol == "h1") {
    c.protocol = loadgen::Protocol::H1;
  } else if (f.protocol == "h2") {
    c.protocol = loadgen::Protocol::H2;
  } else if (f.protocol == "h2c") {
    c.protocol = loadgen::Protocol::H2c;
  } else if (f.protocol == "auto") {
    c.protocol = loadgen::Protocol::Auto;
  } else {
    throw UsageError("--protocol: \"" + f.protocol + "\" is not valid: use h1, h2, h2c or auto");
  }
  v.protocol = c.protocol;

  auto duration = [](const std::string& text) { return common::parse_duration(text); };
  v.timeout = typed.parsed(LoadField::Timeout, f.timeout, duration);
  v.connect_timeout = typed.parsed(LoadField::ConnectTimeout, f.connect_timeout, duration);
  v.warmup = typed.parsed(LoadField::Warmup, f.warmup, duration);
  v.duration = typed.parsed(LoadField::Duration, f.duration, duration);
  v.max_requests = typed.count(LoadField::MaxRequests, f.requests);
  v.rate = typed.parsed(LoadField::Rate, f.rate,
                        [](const std::string& text) { return common::parse_rate(text); });
  if (!f.stages.empty()) {
    c.stages = with_flag("--stages", [&] { return common::parse_stages(f.stages); });
    v.stages = true;
    // The command line's own rule, not a load rule: in a drill a load step's duration may end
    // the stages early; here the stages alone set the length.
    if (!f.duration.empty()) {
      throw UsageError("--duration: cannot be combined with --stages: the stages set the length");
    }
  }
  v.max_queue = typed.count(LoadField::MaxQueue, f.max_queue);
  if (!f.arrival.empty()) {
    auto arrival = loadgen::arrival_from_name(f.arrival);
    if (!arrival) {
      throw UsageError("--arrival: \"" + f.arrival + "\" is not valid: use uniform or poisson");
    }
    c.arrival = *arrival;
    v.arrival = true;
  }
  if (!f.pacer.empty()) {
    auto pacer = loadgen::pacer_from_name(f.pacer);
    if (!pacer) {
      throw UsageError("--pacer: \"" + f.pacer + "\" is not valid: use exact or quantized");
    }
    c.pacer = *pacer;
    v.pacer = true;
  }
  v.shard = typed.parsed(LoadField::Shard, f.shard, [](const std::string& text) {
    auto shard = shard_of(text);
    if (!shard) {
      throw ValueError("\"" + text + "\" is not valid: use " + loadgen::expected_shard());
    }
    return *shard;
  });
  if (!f.start_at.empty()) c.start_at = start_at_of(f.start_at);
  // Neither a count nor a length: run for 10 s, like hey's default window, rather than forever.
  if (!v.max_requests && !v.duration && !v.stages) v.duration = std::chrono::seconds(10);

  c.tls.insecure = f.insecure;
  c.tls.ca_file = f.cacert;
  c.tls.cert_file = f.cert;
  c.tls.key_file = f.key;
  c.tls.sni = f.sni;
  require_readable("--cacert", f.cacert);
  require_readable("--cert", f.cert);
  require_readable("--key", f.key);
  if (!f.key.empty() && f.cert.empty()) throw UsageError("--key: needs --cert as well");

  if (!f.body.empty() && !f.body_file.empty()) {
    throw UsageError("--body-file: give either --body or --body-file, not both");
  }
  if (!f.requests_file.empty()) {
    if (!f.urls.empty()) {
      throw UsageError("--requests-file: give either URLs or --requests-file, not both");
    }
    c.requests =
        with_flag("--requests-file", [&] { return loadgen::parse_requests_file(f.requests_file); });
    if (c.requests.empty()) throw UsageError("--requests-file: the file holds no request");
  } else {
    if (f.urls.empty()) throw UsageError("URL: give at least one URL, or --requests-file FILE");
    std::string body = f.body_file.empty() ? f.body : read_file("--body-file", f.body_file);
    for (const auto& url : f.urls) {
      loadgen::RequestSpec spec;
      spec.method = f.method;
      spec.url = url;
      spec.body = body;
      c.requests.push_back(spec);
    }
  }
  if (f.method.empty() || f.method.find_first_of(" \t\r\n") != std::string::npos) {
    throw UsageError("--method: \"" + f.method + "\" is not an HTTP method");
  }
  std::vector<loadgen::Header> headers;
  for (const auto& h : f.headers) headers.push_back(parse_header(h));
  for (auto& spec : c.requests) {
    spec.headers.insert(spec.headers.end(), headers.begin(), headers.end());
  }
  for (const auto& spec : c.requests) {
    with_flag("URL", [&] { return loadgen::parse_url(spec.url); });
    v.urls.push_back(spec.url);
  }
  loadgen::LoadTerms terms{flag_of, "run"};
  if (auto violations = loadgen::check_load(v, terms); !violations.empty()) {
    throw usage_error(violations.front(), typed, c.requests);
  }
  loadgen::apply(v, c);
  return c;
}

}  // namespace firedrill::cli
