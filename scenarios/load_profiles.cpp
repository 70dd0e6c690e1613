#include "scenarios/load_profiles.hpp"

#include <strings.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "chaos/kube_fault_support.hpp"
#include "common/errors.hpp"
#include "common/suggest.hpp"
#include "loadgen/load_result_json.hpp"
#include "loadgen/load_rules.hpp"
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

using loadgen::LoadField;

// The profile key of each load field: loadgen's name in camel case (connect_timeout is
// connectTimeout), but for the rate.
std::string key_of(LoadField field) {
  if (field == LoadField::Rate) return "rate";
  if (field == LoadField::Shard) return "workers";
  std::string key;
  bool upper = false;
  for (char ch : loadgen::field_name(field)) {
    if (ch == '_') {
      upper = true;
    } else {
      key += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
      upper = false;
    }
  }
  return key;
}

// Reads the load fields of a profile into LoadValues, keeping where each was written so that a
// rule's violation is reported there.
struct ValuesReader {
  YamlReader& r;
  const Entries& e;
  loadgen::LoadValues values;
  std::map<LoadField, const Field*> written;

  const Field* find(LoadField field) {
    const Field* f = e.find(key_of(field));
    if (f) written[field] = f;
    return f;
  }
  template <typename T>
  std::optional<T> given(LoadField field, std::optional<T> read) {
    if (!read) values.unreadable.insert(field);
    return read;
  }

  // A whole number; whether it is in range is a load rule.
  std::optional<uint64_t> count(LoadField field) {
    const Field* f = find(field);
    if (!f) return std::nullopt;
    const std::string expected = loadgen::expected_count(field);
    std::optional<uint64_t> n;
    if (auto s = r.scalar(f->value, expected)) {
      uint64_t value = 0;
      const std::string& t = s->value;
      auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
      if (!t.empty() && ec == std::errc() && end == t.data() + t.size()) {
        n = value;
      } else {
        r.error(f->value.at, "expected " + expected + ", got " + s->shown());
      }
    }
    return given(field, n);
  }
  std::optional<common::Duration> duration(LoadField field) {
    const Field* f = find(field);
    return f ? given(field, r.duration(f->value)) : std::nullopt;
  }

  // "expected a whole number from 1 to 1000000, got `0`" at the value; "`maxQueue` only applies
  // to ..." at the key; a request's own violations at the request.
  void report(const loadgen::LoadViolation& v, const ProfileBase& base, const Field& profile,
              const std::vector<SourceLocation>& request_at) {
    if (v.field == LoadField::Protocol) {
      // With an https target.url, the target's protocol has been reported already.
      if (!base.target.url.starts_with("https://")) r.error(request_at.at(*v.request), v.message);
      return;
    }
    if (v.field == LoadField::Requests && v.request) {
      r.error(request_at.at(*v.request), "this request " + v.message);
      return;
    }
    auto it = written.find(v.field);
    if (it == written.end()) {
      r.error(profile.key_at, "`" + key_of(v.field) + "`: " + v.message);
    } else if (v.kind == loadgen::ViolationKind::Value) {
      auto s = r.scalar(it->second->value, v.message);
      r.error(it->second->value.at, "expected " + v.message + ", got " + (s ? s->shown() : ""));
    } else {
      r.error(it->second->key_at, "`" + key_of(v.field) + "` " + v.message);
    }
  }
};

// `workers` and the keys that only apply with it. A worker gets its load on its command line, in
// the Job's pod spec that anyone who may read Jobs can read: headers (which carry credentials) and
// files of this machine (TLS keys and CAs) cannot go there, and neither can a mix whose requests
// differ in more than their URL.
std::optional<WorkerSpec> read_workers(YamlReader& r, const Entries& e,
                                       const loadgen::LoadConfig& c) {
  const char* const only_with_workers[] = {"namespace",    "image",       "resources",
                                           "nodeSelector", "tolerations", "startupGrace"};
  const Field* workers = e.find("workers");
  if (!workers) {
    for (const char* key : only_with_workers) {
      if (const Field* f = e.find(key)) {
        r.error(f->key_at, "`" + std::string(key) + "` only applies with `workers`");
      }
    }
    return std::nullopt;
  }
  WorkerSpec spec;
  if (auto n = r.integer(workers->value, 1, 1000)) spec.count = static_cast<uint32_t>(*n);
  if (const Field* f = e.find("namespace")) {
    if (auto ns = r.string(f->value)) {
      try {
        chaos::kube::check_namespace_param(*ns);
        spec.namespace_name = *ns;
      } catch (const common::ValueError& error) {
        r.error(f->value.at, error.what());
      }
    }
  } else {
    r.error(workers->key_at, "a load with `workers` needs `namespace`: where their Job runs");
  }
  if (const Field* f = e.find("image")) {
    if (auto image = r.string(f->value)) spec.image = *image;
  }
  auto object = [&](const char* key, nlohmann::json& out, bool list) {
    const Field* f = e.find(key);
    if (!f) return;
    auto value = r.json(f->value);
    if (!value) return;
    if (list ? !value->is_array() : !value->is_object()) {
      r.error(f->value.at,
              std::string("expected ") + (list ? "a list" : "a map") + ", as in a pod spec");
      return;
    }
    out = *value;
  };
  object("resources", spec.resources, false);
  object("nodeSelector", spec.node_selector, false);
  object("tolerations", spec.tolerations, true);
  if (const Field* f = e.find("startupGrace")) {
    if (auto d = r.duration(f->value, true)) spec.startup_grace = *d;
  }
  const std::string why =
      " would be written into the worker Job's pod spec, which anyone who "
      "may read Jobs reads; a load with `workers` cannot have ";
  for (const auto& request : c.requests) {
    if (!request.headers.empty()) {
      r.error(workers->key_at, "headers" + why + "headers (target.headers or a request's)");
      break;
    }
  }
  if (!c.tls.ca_file.empty() || !c.tls.cert_file.empty() || !c.tls.key_file.empty()) {
    r.error(workers->key_at,
            "target.tls files are on this machine, not in the worker pods: a load with "
            "`workers` cannot use them");
  }
  for (const auto& request : c.requests) {
    const loadgen::RequestSpec& first = c.requests.front();
    if (request.method != first.method || request.body != first.body ||
        request.weight != first.weight) {
      r.error(workers->key_at,
              "a load with `workers` sends its requests in an even mix with one method and "
              "body; give every request the same method, body and weight");
      break;
    }
  }
  return spec;
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
  c.threads = 0;  // one per core

  ValuesReader in{r, *e, {}, {}};
  RequestReader requests{r, base};
  std::vector<SourceLocation> request_at;
  const size_t errors_before_requests = r.error_count();
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
  loadgen::LoadValues& v = in.values;
  if (r.error_count() != errors_before_requests) v.unreadable.insert(LoadField::Requests);
  for (const auto& spec : c.requests) v.urls.push_back(spec.url);
  v.protocol = c.protocol;

  v.connections = in.count(LoadField::Connections);
  v.streams = in.count(LoadField::Streams);
  v.threads = in.count(LoadField::Threads);
  set_integer(r, *e, "seed", 0, INT64_MAX, c.seed);
  v.timeout = in.duration(LoadField::Timeout);
  v.connect_timeout = in.duration(LoadField::ConnectTimeout);
  v.warmup = in.duration(LoadField::Warmup);
  if (const Field* f = in.find(LoadField::Rate)) {
    v.rate = in.given(LoadField::Rate, r.rate(f->value));
  }
  if (const Field* f = in.find(LoadField::Stages)) {
    if (auto parsed = in.given(LoadField::Stages, read_stages(r, f->value))) {
      c.stages = *parsed;
      v.stages = true;
    }
  }
  v.max_queue = in.count(LoadField::MaxQueue);
  if (const Field* f = in.find(LoadField::Arrival)) {
    std::optional<loadgen::Arrival> arrival;
    if (auto s = r.scalar(f->value, "an arrival process")) {
      arrival = loadgen::arrival_from_name(s->value);
      if (!arrival) {
        const std::vector<std::string> names = {loadgen::arrival_name(loadgen::Arrival::Uniform),
                                                loadgen::arrival_name(loadgen::Arrival::Poisson)};
        r.error(f->value.at, "expected " + common::list_names(names) + ", got " + s->shown());
      }
    }
    if (in.given(LoadField::Arrival, arrival)) {
      c.arrival = *arrival;
      v.arrival = true;
    }
  }
  v.duration_to_come = true;  // the load step gives it
  profile.workers = read_workers(r, *e, c);
  if (profile.workers && profile.workers->count > 0 && in.find(LoadField::Shard)) {
    v.shard = loadgen::Shard{0, profile.workers->count};
  }
  for (const auto& violation : loadgen::check_load(v, {key_of, "profile"})) {
    in.report(violation, base, field, request_at);
  }
  if (r.error_count() != errors_before) return std::nullopt;

  loadgen::apply(v, c);
  c.shard = loadgen::Shard{};  // each worker is given its own when the load runs
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
