#include "local/service_spec.hpp"

#include "common/errors.hpp"

namespace firedrill::local {

namespace {

void validate_one(const ServiceSpec& s) {
  const std::string what = "service `" + s.name + "`";
  if (!valid_service_name(s.name)) {
    throw common::ValueError(what + ": a service name is lowercase letters, digits and -");
  }
  if (s.command.empty() || s.command.front().empty()) {
    throw common::ValueError(what + ": command must name a program");
  }
  if (s.replicas < 1) throw common::ValueError(what + ": replicas must be at least 1");
  if (s.port < 0 || s.port + s.replicas - 1 > 65535) {
    throw common::ValueError(what + ": port + replicas - 1 must be a port, at most 65535");
  }
  if (s.readiness && s.port == 0) {
    throw common::ValueError(what + ": readiness probes the service's port; give it a port");
  }
  if (s.readiness && s.readiness->period <= Duration::zero()) {
    throw common::ValueError(what + ": the readiness period must be longer than 0");
  }
  if (s.backoff <= Duration::zero() || s.max_backoff < s.backoff) {
    throw common::ValueError(what + ": backoff must be longer than 0 and at most maxBackoff");
  }
  if (s.memory_limit && *s.memory_limit == 0) {
    throw common::ValueError(what + ": memoryLimit must be more than 0 bytes");
  }
}

}  // namespace

bool valid_service_name(const std::string& name) {
  return !name.empty() &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

void validate_service_specs(const std::vector<ServiceSpec>& services) {
  for (size_t i = 0; i < services.size(); ++i) {
    const ServiceSpec& s = services[i];
    validate_one(s);
    for (size_t j = 0; j < i; ++j) {
      const ServiceSpec& o = services[j];
      if (o.name == s.name) throw common::ValueError("service `" + s.name + "` is declared twice");
      if (s.port != 0 && o.port != 0 && s.port < o.port + o.replicas &&
          o.port < s.port + s.replicas) {
        throw common::ValueError("service `" + s.name + "`: its ports overlap those of service `" +
                                 o.name + "`");
      }
    }
  }
}

}  // namespace firedrill::local
