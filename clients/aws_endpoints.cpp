#include "clients/aws_endpoints.hpp"

namespace firedrill::clients {

std::string aws_default_endpoint(const std::string& prefix, const std::string& region) {
  const char* domain = region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return "https://" + prefix + "." + region + "." + domain;
}

std::string aws_endpoint_from_env(const Environment& env, const std::string& service_variable) {
  for (const std::string& name :
       {"AWS_ENDPOINT_URL_" + service_variable, std::string("AWS_ENDPOINT_URL")}) {
    auto it = env.find(name);
    if (it != env.end() && !it->second.empty()) return it->second;
  }
  return {};
}

}  // namespace firedrill::clients
