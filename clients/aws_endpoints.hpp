#pragma once
#include <string>

#include "clients/aws_credentials.hpp"

namespace firedrill::clients {

// https://{prefix}.{region}.amazonaws.com, or .amazonaws.com.cn in the China regions.
std::string aws_default_endpoint(const std::string& prefix, const std::string& region);

// The SDKs' endpoint overrides: AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_STS,
// AWS_ENDPOINT_URL_CLOUDWATCH_LOGS), then AWS_ENDPOINT_URL; empty when neither is set.
std::string aws_endpoint_from_env(const Environment& env, const std::string& service_variable);

}  // namespace firedrill::clients
