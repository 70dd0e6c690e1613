#include "scenarios/load_profiles.hpp"

#include <strings.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/errors.hpp"
#include "common/suggest.hpp"
#include "loadgen/load_result_json.hpp"
#include "loadgen/url.hpp"

namespace firedrill::scenarios {

using common::unknown_name;

namespace {

constexpr std::string_view kStagesExample = "30s:1000/s,2m:5000/s";

bool valid_header_name(const std::string& name) {
  return !name.empty() && name.find_first_of(" \t\r\n:") == std::string::npos;
}

// Appends `path` to the base URL the way people write base URLs: "https://svc/api" + "/items"
// is "https://svc/api/items".
std::string join_url(const std::string& base, const std::string& path) {
  std::string trimmed = base;
  while (trimmed.ends_with('/')) trimmed.pop_back();
  if (path.empty()) return base;
  if (path.starts_with('?')) return trimmed + "/" + path;
  return path.starts_with('/') ? trimmed + path : trimmed + "/" + path;
}

struct RequestReader {
  YamlReader& r;
  const ProfileBase& base;

  std::optional<std::string> body_from_file(const Value& v) {
    auto s = r.scalar(v, "a file name");
    if (!s) return std::nullopt;
    std::filesystem::path path = r.resolve_path(s->value);
    std::error_code ec;
    const bool directory = std::filesystem::is_directory(path, ec);
    std::ifstream in(path, std::ios::binary);
    if (!in || directory) {
      std::string why = directory ? "it is a directory" : std::strerror(errno);
      r.error(v.at, "cannot read the body file " +
                        (s->substituted ? s->shown() : "`" + path.string() + "`") + ": " + why);
      return std::nullopt;
    }
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
  }

  // The request's absolute URL: `url`, `path` appended to target.url, or target.url itself.
  std::optional<std::string> url_of(const Entries& e, const Field* path, const Field* url) {
    if (path && url) {
      r.error(url->key_at, "give either `path` or `url`, not both");
      return std::nullopt;
    }
    if (url) return r.http_url(url->value);
    if (!base.has_target) {
      r.error(path ? path->key_at : e.self.at,
              path ? "`path` is relative to target.url, and the drill has no target: add "
                     "target.url, or give an absolute `url`"
                   : "a request without `url` goes to target.url, and the drill has no target: "
                     "add target.url, or give `url`");
      return std::nullopt;
    }
    if (base.target.url.empty()) return std::nullopt;  // target.url's own error says why
    if (!path) return base.target.url;
    auto p = r.string(path->value);
    if (!p) return std::nullopt;
    if (base.target.url.find('?') != std::string::npos) {
      r.error(path->value.at,
              "target.url has a query, so a path cannot be appended to it: move the query into "
              "the request paths");
      return std::nullopt;
    }
    std::string joined = join_url(base.target.url, *p);
    try {
      loadgen::parse_url(joined);
    } catch (const common::ValueError&) {
      r.error(path->value.at, "target.url with this path is not a valid URL");
      return std::nullopt;
    }
    return joined;
  }

  std::optional<loadgen::RequestSpec> read(const Value& v) {
    auto e = r.map(v, "a request like {method: GET, path: /}", true);
    if (!e) return std::nullopt;
    const size_t errors_before = r.error_count();
    r.check_keys(*e, request_decl());
    loadgen::RequestSpec spec;
    spec.headers = base.target.headers;
    if (const Field* f = e->find("method")) {
      auto method = r.scalar(f->value, "an HTTP method");
      if (method &&
          (method->value.empty() || method->value.find_first_of(" \t\r\n") != std::string::npos)) {
        r.error(f->value.at, "expected an HTTP method like GET or POST, got " + method->shown());
      } else if (method) {
        spec.method = method->value;
      }
    }
    auto url = url_of(*e, e->find("path"), e->find("url"));
    if (url) spec.url = *url;
    if (const Field* f = e->find("headers")) {
      if (auto headers = read_headers(r, f->value)) {
        for (const auto& h : *headers) {
          std::erase_if(spec.headers, [&](const loadgen::Header& existing) {
            return strcasecmp(existing.first.c_str(), h.first.c_str()) == 0;
          });
          spec.headers.push_back(h);
        }
      }
    }
    const Field* body = e->find("body");
    const Field* body_file = e->find("bodyFile");
    if (body && body_file) {
      r.error(body_file->key_at, "give either `body` or `bodyFile`, not both");
    } else if (body) {
      if (auto text = r.string(body->value)) spec.body = *text;
    } else if (body_file) {
      if (auto text = body_from_file(body_file->value)) spec.body = *text;
    }
    if (const Field* f = e->find("weight")) {
      if (auto w = r.integer(f->value, 1, 1'000'000)) spec.weight = static_cast<uint32_t>(*w);
    }
    if (!url || r.error_count() != errors_before) return std::nullopt;
    return spec;
  }
};

std::optional<std::vector<common::Stage>> read_stages(YamlReader& r, const Value& v) {
  if (v.node.IsScalar()) {
    auto s = r.scalar(v, "stages");
    if (!s) return std::nullopt;
    try {
      return common::parse_stages(s->value);
    } catch (const common::ValueError& e) {
      r.error(v.at, s->substituted ? "expected stages like " + std::string(kStagesExample) +
                                         ", got " + s->shown()
                                   : std::string(e.what()));
      return std::nullopt;
    }
  }
  auto items = r.list(
      v, "stages like \"" + std::string(kStagesExample) + "\" or a list of {duration, target}");
  if (!items) return std::nullopt;
  if (items->empty()) {
    r.error(v.at, "give at least one stage");
    return std::nullopt;
  }
  std::vector<common::Stage> stages;
  bool ok = true;
  for (const auto& item : *items) {
    auto e = r.map(item, "a stage like {duration: 30s, target: 1000/s}");
    if (!e) {
      ok = false;
      continue;
    }
    const size_t errors_before = r.error_count();
    r.check_keys(*e, stage_decl());
    common::Stage stage;
    if (const Field* f = e->find("duration")) {
      if (auto d = r.duration(f->value)) stage.duration = *d;
    }
    if (const Field* f = e->find("target")) {
      if (auto rate = r.rate(f->value)) stage.target_rps = *rate;
    }
    if (r.error_count() != errors_before) {
      ok = false;
    } else {
      stages.push_back(stage);
    }
  }
  if (!ok) return std::nullopt;
  return stages;
}

template <typename T>
void set_integer(YamlReader& r, const Entries& e, const char* key, int64_t minimum, int64_t maximum,
                 T& out) {
  if (const Field* f = e.find(key)) {
    if (auto i = r.integer(f->value, minimum, maximum)) out = static_cast<T>(*i);
  }
}

void set_duration(YamlReader& r, const Entries& e, const char* key, bool positive,
                  common::Duration& out) {
  if (const Field* f = e.find(key)) {
    if (auto d = r.duration(f->value, positive)) out = *d;
  }
}

std::optional<LoadProfile> read_profile(YamlReader& r, const Field& field,
                                        const ProfileBase& base) {
  auto e = r.map(field.value, "a load profile like {rate: 500/s} or {connections: 10}", true);
  if (!e) return std::nullopt;
  const size_t errors_before = r.error_count();
  r.check_keys(*e, profile_decl());

  LoadProfile profile;
  profile.name = field.key;
  profile.at = field.key_at;
  loadgen::LoadConfig& c = profile.config;
  c.protocol = base.target.protocol;
  c.tls = base.target.tls;
  c.connections = 10;
  c.threads = std::max(1u, std::thread::hardware_concurrency());

  RequestReader requests{r, base};
  std::vector<SourceLocation> request_at;
  if (const Field* f = e->find("requests")) {
    if (auto items = r.list(f->value, "a list of requests like {method: GET, path: /}")) {
      if (items->empty())
        r.error(f->value.at, "give at least one request, or leave out `requests`");
      for (const auto& item : *items) {
        if (auto spec = requests.read(item)) {
          c.requests.push_back(*spec);
          request_at.push_back(item.at);
        }
      }
    }
  } else if (auto spec = requests.read(Value{YAML::Node(), field.key_at})) {
    c.requests.push_back(*spec);
    request_at.push_back(field.key_at);
  }

  // loadgen keeps the connections of one run to one origin.
  std::optional<loadgen::Origin> origin;
  for (size_t i = 0; i < c.requests.size(); ++i) {
    const loadgen::Origin o = loadgen::parse_url(c.requests[i].url).origin;
    if (!origin) {
      origin = o;
    } else if (!(o == *origin)) {
      r.error(request_at[i], "this request goes to another scheme, host or port than `" +
                                 c.requests.front().url +
                                 "`: all requests of a profile share one origin");
    }
    // With an https target.url, the target's protocol has been reported already.
    if (o.tls && c.protocol == loadgen::Protocol::H2c && !base.target.url.starts_with("https://")) {
      r.error(request_at[i],
              "h2c is HTTP/2 without TLS and needs an http:// URL; use protocol "
              "h2 for https");
    }
  }
  if (origin && !origin->tls && c.protocol == loadgen::Protocol::H2) {
    c.protocol = loadgen::Protocol::H2c;
  }

  set_integer(r, *e, "connections", 1, 1'000'000, c.connections);
  set_integer(r, *e, "streams", 1, 100'000, c.streams);
  set_integer(r, *e, "threads", 1, 1024, c.threads);
  set_integer(r, *e, "seed", 0, INT64_MAX, c.seed);
  set_duration(r, *e, "timeout", true, c.timeout);
  set_duration(r, *e, "connectTimeout", true, c.connect_timeout);
  set_duration(r, *e, "warmup", false, c.warmup);

  const Field* rate = e->find("rate");
  const Field* stages = e->find("stages");
  if (rate) {
    if (auto value = r.rate(rate->value)) {
      c.start_rate = *value;
      if (*value <= 0 && !stages) {
        r.error(rate->value.at, "a rate must be more than 0 (use stages to ramp from or to 0)");
      }
    }
  }
  if (stages) {
    if (auto parsed = read_stages(r, stages->value)) c.stages = *parsed;
    // Ramping arrival rates start from 0 unless a rate says otherwise, as in k6.
    if (!c.start_rate) c.start_rate = 0.0;
  }
  if (const Field* f = e->find("maxQueue")) {
    if (!rate && !stages) {
      r.error(f->key_at, "`maxQueue` only applies to an open-loop profile (with rate or stages)");
    } else {
      set_integer(r, *e, "maxQueue", 1, 100'000'000, c.max_queue);
    }
  }
  if (const Field* f = e->find("arrival")) {
    if (!rate && !stages) {
      r.error(f->key_at, "`arrival` only applies to an open-loop profile (with rate or stages)");
    } else if (auto s = r.scalar(f->value, "an arrival process")) {
      if (auto arrival = loadgen::arrival_from_name(s->value)) {
        c.arrival = *arrival;
      } else {
        const std::vector<std::string> names = {loadgen::arrival_name(loadgen::Arrival::Uniform),
                                                loadgen::arrival_name(loadgen::Arrival::Poisson)};
        r.error(f->value.at, "expected " + common::list_names(names) + ", got " + s->shown());
      }
    }
  }
  if (r.error_count() != errors_before) return std::nullopt;
  return profile;
}

}  // namespace

std::optional<std::vector<loadgen::Header>> read_headers(YamlReader& r, const Value& v) {
  auto map = r.map(v, "a map of header names to values");
  if (!map) return std::nullopt;
  std::vector<loadgen::Header> headers;
  bool ok = true;
  for (const auto& f : map->fields) {
    if (!valid_header_name(f.key)) {
      r.error(f.key_at, "`" + f.key + "` is not a valid header name");
      ok = false;
      continue;
    }
    if (auto s = r.scalar(f.value, "a header value")) {
      headers.emplace_back(f.key, s->value);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return headers;
}

std::string unknown_profile(const std::string& name, const std::vector<std::string>& profiles) {
  if (profiles.empty())
    return "unknown load profile `" + name + "`: the drill has no `load` section";
  return unknown_name("load profile", name, profiles, "profiles");
}

LoadSection parse_load_profiles(YamlReader& reader, const Value& value, const ProfileBase& base) {
  LoadSection section;
  auto entries = reader.map(value, "load profiles by name, like {baseline: {rate: 500/s}}");
  if (!entries) return section;
  for (const auto& field : entries->fields) {
    section.names.push_back(field.key);
    if (auto profile = read_profile(reader, field, base)) {
      section.profiles[field.key] = std::move(*profile);
    }
  }
  return section;
}

}  // namespace firedrill::scenarios
