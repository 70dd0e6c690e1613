#include "loadgen/load_result_redaction.hpp"

namespace firedrill::loadgen {

void redact_load(LoadResult& load, const common::SecretValues& secrets) {
  for (auto& request : load.config.requests) {
    request.url = secrets.redact(request.url);
    request.body = secrets.redact(request.body);
    for (auto& [name, value] : request.headers) value = secrets.redact(value);
  }
  auto& tls = load.config.tls;
  for (std::string* path : {&tls.ca_file, &tls.cert_file, &tls.key_file, &tls.sni}) {
    *path = secrets.redact(*path);
  }
  load.unreachable_reason = secrets.redact(load.unreachable_reason);
  for (auto& message : load.stats.first_error_message) message = secrets.redact(message);
  for (auto& part : load.parts) part.name = secrets.redact(part.name);
}

}  // namespace firedrill::loadgen
