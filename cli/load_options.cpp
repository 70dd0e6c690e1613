#include "cli/load_options.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/errors.hpp"
#include "loadgen/load_result_json.hpp"
#include "loadgen/request_mix.hpp"
#include "loadgen/url.hpp"

namespace firedrill::cli {

using common::UsageError;
using common::ValueError;

namespace {

uint64_t whole_number(const std::string& flag, const std::string& text, uint64_t min,
                      uint64_t max) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    throw UsageError(flag + ": \"" + text + "\" is not valid: use a whole number from " +
                     std::to_string(min) + " to " + std::to_string(max));
  }
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

}  // namespace

loadgen::LoadConfig to_load_config(const LoadFlags& f) {
  loadgen::LoadConfig c;
  constexpr uint64_t kMaxConnections = 1'000'000;
  c.connections =
      static_cast<uint32_t>(whole_number("--connections", f.connections, 1, kMaxConnections));
  c.streams = static_cast<uint32_t>(whole_number("--streams", f.streams, 1, 100'000));
  c.threads = f.threads.empty()
                  ? std::max(1u, std::thread::hardware_concurrency())
                  : static_cast<uint32_t>(whole_number("--threads", f.threads, 1, 1024));
  c.seed = whole_number("--seed", f.seed, 0, UINT64_MAX);

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

  c.timeout = with_flag("--timeout", [&] { return common::parse_duration(f.timeout); });
  c.connect_timeout =
      with_flag("--connect-timeout", [&] { return common::parse_duration(f.connect_timeout); });
  if (c.timeout.count() <= 0) throw UsageError("--timeout: must be more than 0");
  if (c.connect_timeout.count() <= 0) throw UsageError("--connect-timeout: must be more than 0");
  c.warmup = with_flag("--warmup", [&] { return common::parse_duration(f.warmup); });
  if (!f.duration.empty()) {
    c.duration = with_flag("--duration", [&] { return common::parse_duration(f.duration); });
    if (c.duration.count() <= 0) throw UsageError("--duration: must be more than 0");
  }
  if (!f.requests.empty()) c.max_requests = whole_number("--requests", f.requests, 1, UINT64_MAX);

  bool open_loop = !f.rate.empty() || !f.stages.empty();
  if (open_loop && c.max_requests > 0) {
    throw UsageError(
        "--requests: cannot be combined with --rate or --stages: an open-loop run "
        "is bounded by --duration or by its stages");
  }
  if (!f.rate.empty())
    c.start_rate = with_flag("--rate", [&] { return common::parse_rate(f.rate); });
  if (!f.stages.empty()) {
    c.stages = with_flag("--stages", [&] { return common::parse_stages(f.stages); });
    if (!c.start_rate) c.start_rate = 0.0;  // k6 ramping-arrival-rate starts from 0 by default
    if (!f.duration.empty()) {
      throw UsageError("--duration: cannot be combined with --stages: the stages set the length");
    }
  } else if (c.start_rate && *c.start_rate <= 0) {
    throw UsageError("--rate: must be more than 0 (use --stages to ramp from or to 0)");
  }
  if (!f.max_queue.empty()) {
    if (!open_loop)
      throw UsageError("--max-queue: only applies to an open-loop run (--rate/--stages)");
    c.max_queue = whole_number("--max-queue", f.max_queue, 1, 100'000'000);
  }
  if (!f.arrival.empty()) {
    if (!open_loop)
      throw UsageError("--arrival: only applies to an open-loop run (--rate/--stages)");
    auto arrival = loadgen::arrival_from_name(f.arrival);
    if (!arrival) {
      throw UsageError("--arrival: \"" + f.arrival + "\" is not valid: use uniform or poisson");
    }
    c.arrival = *arrival;
  }
  if (!f.pacer.empty()) {
    if (!open_loop) throw UsageError("--pacer: only applies to an open-loop run (--rate/--stages)");
    auto pacer = loadgen::pacer_from_name(f.pacer);
    if (!pacer) {
      throw UsageError("--pacer: \"" + f.pacer + "\" is not valid: use exact or quantized");
    }
    c.pacer = *pacer;
  }
  // Neither a count nor a length: run for 10 s, like hey's default window, rather than forever.
  if (c.max_requests == 0 && c.duration.count() == 0 && c.stages.empty()) {
    c.duration = std::chrono::seconds(10);
  }

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
  loadgen::Origin origin;
  for (const auto& spec : c.requests) {
    auto url = with_flag("URL", [&] { return loadgen::parse_url(spec.url); });
    if (&spec == &c.requests.front()) {
      origin = url.origin;
    } else if (!(url.origin == origin)) {
      throw UsageError("URL: \"" + spec.url + "\" has another scheme, host or port than \"" +
                       c.requests.front().url + "\": all URLs of one run share one origin");
    }
  }
  if (c.protocol == loadgen::Protocol::H2c && origin.tls) {
    throw UsageError(
        "--protocol: h2c is HTTP/2 without TLS and needs an http:// URL; use h2 for https");
  }
  if (c.protocol == loadgen::Protocol::H2 && !origin.tls) c.protocol = loadgen::Protocol::H2c;
  return c;
}

}  // namespace firedrill::cli
