#include "scenarios/drill_parser.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/bounded_file.hpp"
#include "common/errors.hpp"
#include "common/suggest.hpp"
#include "local/notification_receiver.hpp"
#include "reporters/report_text.hpp"
#include "scenarios/diagnostics.hpp"
#include "scenarios/kind_catalog.hpp"
#include "scenarios/load_profiles.hpp"
#include "scenarios/services_section.hpp"
#include "scenarios/steps.hpp"
#include "scenarios/thresholds.hpp"
#include "scenarios/yaml_documents.hpp"
#include "scenarios/yaml_reader.hpp"

namespace firedrill::scenarios {

using common::list_names;

namespace {

// Far beyond any drill written by hand; what is larger is refused before YAML parses it.
constexpr std::size_t kMaxDrillFile = 4 * 1024 * 1024;

constexpr std::string_view kApiVersion = "firedrill/v1";

Metadata read_metadata(YamlReader& r, const Value& v) {
  Metadata m;
  auto e = r.map(v, "a map like {name: checkout-oom-pages}");
  if (!e) return m;
  r.check_keys(*e, metadata_decl());
  if (const Field* f = e->find("name")) {
    if (auto name = r.string(f->value)) {
      if (name->empty()) r.error(f->value.at, "the name must not be empty");
      m.name = *name;
    }
  }
  if (const Field* f = e->find("description")) {
    if (auto d = r.string(f->value)) m.description = *d;
  }
  if (const Field* f = e->find("labels")) {
    if (auto labels = r.string_map(f->value, "labels as a map of names to strings")) {
      m.labels = *labels;
    }
  }
  return m;
}

// A file the TLS stack will read when the drill runs: checked now, so that a typo is a
// validation error rather than a failed run.
std::string readable_file(YamlReader& r, const Field& f) {
  auto s = r.scalar(f.value, "a file name");
  if (!s) return "";
  std::filesystem::path path = r.resolve_path(s->value);
  if (!std::ifstream(path)) {
    r.error(f.value.at, "cannot read " + f.key + " " +
                            (s->substituted ? s->shown() : "`" + path.string() + "`") + ": " +
                            std::strerror(errno));
    return "";
  }
  return path.string();
}

loadgen::TlsOptions read_tls(YamlReader& r, const Value& v) {
  loadgen::TlsOptions tls;
  auto e = r.map(v, "a map like {insecure: true}");
  if (!e) return tls;
  r.check_keys(*e, tls_decl());
  if (const Field* f = e->find("insecure")) {
    if (auto b = r.boolean(f->value)) tls.insecure = *b;
  }
  if (const Field* f = e->find("caFile")) tls.ca_file = readable_file(r, *f);
  if (const Field* f = e->find("certFile")) tls.cert_file = readable_file(r, *f);
  if (const Field* f = e->find("keyFile")) {
    tls.key_file = readable_file(r, *f);
    if (!e->find("certFile")) r.error(f->key_at, "`keyFile` needs `certFile` as well");
  }
  if (const Field* f = e->find("sni")) {
    if (auto sni = r.string(f->value)) tls.sni = *sni;
  }
  return tls;
}

Target read_target(YamlReader& r, const Value& v) {
  Target t;
  auto e = r.map(v, "a map like {url: https://checkout.shop.svc:8443}");
  if (!e) return t;
  r.check_keys(*e, target_decl());
  if (const Field* f = e->find("url")) {
    if (auto url = r.http_url(f->value)) t.url = *url;
  }
  if (const Field* f = e->find("protocol")) {
    if (auto s = r.scalar(f->value, "a protocol")) {
      const std::vector<std::string> names = {"h1", "h2", "h2c", "auto"};
      const loadgen::Protocol protocols[] = {loadgen::Protocol::H1, loadgen::Protocol::H2,
                                             loadgen::Protocol::H2c, loadgen::Protocol::Auto};
      auto it = std::find(names.begin(), names.end(), s->value);
      if (it == names.end()) {
        r.error(f->value.at, "expected " + list_names(names) + ", got " + s->shown());
      } else {
        t.protocol = protocols[it - names.begin()];
        if (t.protocol == loadgen::Protocol::H2c && t.url.starts_with("https://")) {
          r.error(f->value.at,
                  "h2c is HTTP/2 without TLS and needs an http:// URL; use h2 for https");
        }
      }
    }
  }
  if (const Field* f = e->find("tls")) t.tls = read_tls(r, f->value);
  if (const Field* f = e->find("headers")) {
    if (auto headers = read_headers(r, f->value)) t.headers = *headers;
  }
  return t;
}

// Settings are checked now, so that a typo is a validation error, not a failure mid-run.
bool check_integration(YamlReader& r, const Field& f, const nlohmann::json& settings) {
  try {
    if (f.key == "receiver") {
      local::receiver_options(settings);
    } else if (f.key == "serviceMetrics") {
      if (!settings.value("listen", nlohmann::json()).is_string()) {
        throw common::ValueError(
            "integrations.serviceMetrics needs listen: HOST:PORT, like 127.0.0.1:19100");
      }
    } else {
      const clients::Integrations alone(nlohmann::json{{f.key, settings}});
    }
  } catch (const std::exception& e) {
    r.error(f.value.at, e.what());
    return false;
  }
  return true;
}

// Each integration is read alone first, so that its error is reported at its place.
clients::Integrations read_integrations(YamlReader& r, const Value& v) {
  nlohmann::json out = nlohmann::json::object();
  auto e = r.map(v, "integrations by name, like {prometheus: {url: http://prometheus:9090}}");
  if (!e) return {};
  r.check_keys(*e, integrations_decl());
  bool valid = true;
  for (const auto& f : e->fields) {
    if (!integrations_decl().find(f.key)) continue;
    if (!r.map(f.value, "the settings of " + f.key + " as a map", true)) continue;
    if (auto settings = r.json(f.value)) {
      out[f.key] = settings->is_null() ? nlohmann::json::object() : std::move(*settings);
      valid = check_integration(r, f, out[f.key]) && valid;
    }
  }
  return valid ? clients::Integrations(out) : clients::Integrations();
}

void expect_constant(YamlReader& r, const Entries& e, const char* key, std::string_view expected,
                     const std::string& what) {
  const Field* f = e.find(key);
  if (!f) return;
  auto s = r.scalar(f->value, "`" + std::string(expected) + "`");
  if (s && s->value != expected) {
    r.error(f->value.at, "expected " + what + ", got " + s->shown());
  }
}

Drill read_drill(YamlReader& r, const Value& root, const KindCatalog& kinds) {
  Drill drill;
  auto e = r.map(root, "a drill: a map that starts with apiVersion: firedrill/v1");
  if (!e) return drill;
  r.check_keys(*e, drill_decl());
  expect_constant(r, *e, "apiVersion", kApiVersion,
                  "apiVersion `firedrill/v1` (the only version this firedrill reads)");
  expect_constant(r, *e, "kind", "Drill", "kind `Drill`");
  if (const Field* f = e->find("metadata")) drill.metadata = read_metadata(r, f->value);
  ProfileBase base;
  if (const Field* f = e->find("target")) {
    drill.target = read_target(r, f->value);
    base.has_target = true;
    base.target = drill.target;
  }
  if (const Field* f = e->find("integrations")) {
    drill.integrations = read_integrations(r, f->value);
  }
  if (const Field* f = e->find("services")) {
    ServicesSection services = parse_services(r, f->value);
    drill.services = std::move(services.services);
    drill.service_at = std::move(services.at);
  }
  std::vector<std::string> profile_names;
  if (const Field* f = e->find("load")) {
    LoadSection load = parse_load_profiles(r, f->value, base);
    drill.load = std::move(load.profiles);
    profile_names = std::move(load.names);
  }
  if (const Field* f = e->find("steps")) {
    drill.steps = parse_steps(r, f->value, profile_names, kinds, drill.integrations);
  }
  if (const Field* f = e->find("thresholds")) {
    drill.thresholds = parse_thresholds(r, f->value, profile_names);
  }
  return drill;
}

std::filesystem::path folder_of(const std::string& file) {
  std::filesystem::path folder = std::filesystem::path(file).parent_path();
  return folder.empty() ? std::filesystem::path(".") : folder;
}

}  // namespace

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  };
}

ParseOutcome parse_drill_text(const std::string& text, const std::string& file_name,
                              const EnvLookup& env, const KindCatalog& kinds) {
  Diagnostics diagnostics(file_name);
  YamlReader reader(diagnostics, {env, folder_of(file_name)});
  ParseOutcome outcome;
  YamlDocuments documents;
  try {
    documents = load_yaml_documents(text);
  } catch (const YAML::Exception& e) {
    diagnostics.error(diagnostics.at(e.mark), "YAML syntax error: " + e.msg);
    outcome.errors = diagnostics.sorted();
    return outcome;
  }
  if (!documents.first) {
    diagnostics.error({file_name, 1, 1},
                      "the file holds no drill; a drill starts with apiVersion: firedrill/v1");
  } else {
    if (documents.second) {
      diagnostics.error(diagnostics.at(*documents.second),
                        "a drill file holds one YAML document; another one starts here (or the "
                        "YAML is malformed here)");
    }
    Drill drill = read_drill(reader, reader.value_of(*documents.first), kinds);
    drill.file = file_name;
    if (diagnostics.count() == 0) outcome.drill = std::move(drill);
  }
  outcome.errors = diagnostics.sorted();
  return outcome;
}

ParseOutcome parse_drill_text(const std::string& text, const std::string& file_name,
                              const EnvLookup& env) {
  return parse_drill_text(text, file_name, env, registered_kinds());
}

ParseOutcome parse_drill_file(const std::string& path, const EnvLookup& env) {
  std::string why;
  std::optional<std::string> text = common::read_bounded_file(path, kMaxDrillFile, why);
  if (!text) return {std::nullopt, {{{path, 0, 0}, "cannot read the drill file: " + why}}};
  return parse_drill_text(*text, path, env);
}

std::string format_errors(const std::vector<DrillError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    // Messages quote the file, and no file may send a terminal its escapes.
    out += reporters::clean_text(e.at.file);
    if (e.at.line > 0) out += ":" + std::to_string(e.at.line) + ":" + std::to_string(e.at.column);
    out += ": " + reporters::clean_text(e.message) + "\n";
  }
  return out;
}

}  // namespace firedrill::scenarios
