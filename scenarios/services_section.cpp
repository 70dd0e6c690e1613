#include "scenarios/services_section.hpp"

#include <algorithm>

#include "common/errors.hpp"
#include "common/subprocess.hpp"
#include "common/suggest.hpp"
#include "common/units.hpp"

namespace firedrill::scenarios {

using common::list_names;

using local::RestartPolicy;
using local::ServiceSpec;

namespace {

constexpr int64_t kMaxPort = 65535;
constexpr int64_t kMaxReplicas = 1000;

std::string port_range(const ServiceSpec& s) {
  return s.replicas == 1
             ? "port " + std::to_string(s.port)
             : "ports " + std::to_string(s.port) + " to " + std::to_string(s.port + s.replicas - 1);
}

struct ServiceReader {
  YamlReader& r;
  SourceLocation port_at;  // of the service read last

  std::optional<std::vector<std::string>> command(const Value& v) {
    if (v.node.IsScalar()) {
      auto line = r.string(v);
      if (!line) return std::nullopt;
      if (line->find_first_not_of(" \t") == std::string::npos) {
        r.error(v.at,
                "the command is empty: give a shell command or a list like [firedrill, "
                "target]");
        return std::nullopt;
      }
      return common::shell_argv(*line);
    }
    auto items = r.list(v, "a command: a list like [firedrill, target] or one shell command");
    if (!items) return std::nullopt;
    if (items->empty()) {
      r.error(v.at, "the command is empty: name the program, like [firedrill, target]");
      return std::nullopt;
    }
    std::vector<std::string> argv;
    bool ok = true;
    for (const auto& item : *items) {
      auto s = r.scalar(item, "an argument (a string)");
      if (s) {
        argv.push_back(s->value);
      } else {
        ok = false;
      }
    }
    if (ok && argv.front().empty()) {
      r.error(items->front().at, "the program name is empty");
      ok = false;
    }
    if (!ok) return std::nullopt;
    return argv;
  }

  std::optional<local::ReadinessProbe> readiness(const Value& v) {
    auto e = r.map(v, "a readiness probe like {path: /healthz, period: 500ms}", true);
    if (!e) return std::nullopt;
    r.check_keys(*e, readiness_decl());
    local::ReadinessProbe probe;
    if (const Field* f = e->find("path")) {
      if (auto s = r.scalar(f->value, "a path like /healthz")) {
        if (s->value.starts_with('/')) {
          probe.path = s->value;
        } else {
          r.error(f->value.at,
                  "expected a path that starts with /, like /healthz, got " + s->shown());
        }
      }
    }
    if (const Field* f = e->find("period")) {
      if (auto d = r.duration(f->value, true)) probe.period = *d;
    }
    if (const Field* f = e->find("timeout")) {
      if (auto d = r.duration(f->value, true)) probe.initial_timeout = *d;
    }
    return probe;
  }

  void restart(const Value& v, ServiceSpec& spec) {
    auto e = r.map(v, "a restart policy like {policy: on-failure, backoff: 1s}", true);
    if (!e) return;
    r.check_keys(*e, restart_decl());
    if (const Field* f = e->find("policy")) {
      if (auto s = r.scalar(f->value, "a restart policy")) {
        const std::vector<std::string> names = {"always", "on-failure", "never"};
        const RestartPolicy policies[] = {RestartPolicy::Always, RestartPolicy::OnFailure,
                                          RestartPolicy::Never};
        auto it = std::find(names.begin(), names.end(), s->value);
        if (it == names.end()) {
          r.error(f->value.at, "expected " + list_names(names) + ", got " + s->shown());
        } else {
          spec.restart = policies[it - names.begin()];
        }
      }
    }
    const Field* backoff = e->find("backoff");
    if (backoff) {
      if (auto d = r.duration(backoff->value, true)) spec.backoff = *d;
    }
    if (const Field* f = e->find("maxBackoff")) {
      if (auto d = r.duration(f->value, true)) {
        spec.max_backoff = *d;
        if (*d < spec.backoff) {
          r.error(f->value.at, "maxBackoff must be at least backoff (" +
                                   common::format_duration(spec.backoff) + ")");
        }
      }
    } else if (spec.max_backoff < spec.backoff) {
      spec.max_backoff = spec.backoff;
    }
  }

  std::optional<uint64_t> memory(const Value& v) {
    auto s = r.scalar(v, "a memory size like 256Mi");
    if (!s) return std::nullopt;
    try {
      return common::parse_bytes(s->value);
    } catch (const common::ValueError&) {
      r.error(v.at,
              "expected a memory size like 256Mi (Ki, Mi, Gi or Ti, binary) or a number of bytes "
              "more than 0, got " +
                  s->shown());
      return std::nullopt;
    }
  }

  std::optional<ServiceSpec> read(const std::string& name, const Value& v) {
    auto e = r.map(v, "the service's settings, like {command: [firedrill, target], port: 18080}");
    if (!e) return std::nullopt;
    const size_t errors_before = r.error_count();
    r.check_keys(*e, service_decl());
    ServiceSpec spec;
    spec.name = name;
    spec.working_dir = std::filesystem::absolute(r.resolve_path(".")).lexically_normal();
    if (const Field* f = e->find("command")) {
      if (auto argv = command(f->value)) spec.command = std::move(*argv);
    }
    if (const Field* f = e->find("replicas")) {
      if (auto n = r.integer(f->value, 1, kMaxReplicas)) spec.replicas = static_cast<int>(*n);
    }
    const Field* port = e->find("port");
    if (port) {
      port_at = port->value.at;
      if (auto p = r.integer(port->value, 1, kMaxPort)) {
        spec.port = static_cast<int>(*p);
        if (spec.port + spec.replicas - 1 > kMaxPort) {
          r.error(port->value.at, std::to_string(spec.replicas) + " replicas need " +
                                      port_range(spec) + ", past the last port, 65535");
        }
      }
    }
    if (const Field* f = e->find("env")) {
      if (auto env = r.string_map(f->value, "environment variables as a map of names to strings")) {
        spec.env = std::move(*env);
      }
    }
    if (const Field* f = e->find("readiness")) {
      spec.readiness = readiness(f->value);
      if (!port) {
        r.error(f->key_at, "readiness probes http://127.0.0.1:PORT, so the service needs a `port`");
      }
    }
    if (const Field* f = e->find("restart")) restart(f->value, spec);
    if (const Field* f = e->find("memoryLimit")) spec.memory_limit = memory(f->value);
    if (r.error_count() != errors_before) return std::nullopt;
    return spec;
  }
};

}  // namespace

ServicesSection parse_services(YamlReader& reader, const Value& value) {
  ServicesSection section;
  auto e = reader.map(value, "services by name, like {target: {command: [firedrill, target]}}");
  if (!e) return section;
  ServiceReader services{reader, {}};
  std::vector<std::pair<ServiceSpec, SourceLocation>> with_ports;  // where each port was written
  for (const auto& f : e->fields) {
    if (!local::valid_service_name(f.key)) {
      reader.error(f.key_at, "service name `" + f.key +
                                 "` may hold only lowercase letters, digits and - (it names "
                                 "files, directories and cgroups)");
      continue;
    }
    auto spec = services.read(f.key, f.value);
    if (!spec) continue;
    if (spec->port != 0) {
      for (const auto& [other, other_at] : with_ports) {
        if (spec->port < other.port + other.replicas && other.port < spec->port + spec->replicas) {
          reader.error(services.port_at, port_range(*spec) + " of service `" + spec->name +
                                             "` overlap " + port_range(other) + " of service `" +
                                             other.name + "` (line " +
                                             std::to_string(other_at.line) + ")");
        }
      }
      with_ports.push_back({*spec, services.port_at});
    }
    section.at[f.key] = f.key_at;
    section.services.push_back(std::move(*spec));
  }
  return section;
}

}  // namespace firedrill::scenarios
