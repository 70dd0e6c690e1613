#pragma once
#include <string>

#include "clients/aws_credentials.hpp"
#include "common/http_client.hpp"

namespace firedrill::clients {

// Where and how to call AWS STS (the query protocol, API version 2011-06-15).
struct StsEndpoint {
  std::string url;  // e.g. https://sts.eu-west-1.amazonaws.com
  std::string region;
  common::Duration timeout = std::chrono::seconds(10);
};

struct AssumeRoleRequest {
  std::string role_arn;
  std::string session_name;
  std::string external_id;   // empty: none
  int duration_seconds = 0;  // 0: the role's default
};

// STS AssumeRole, signed with `source` (role_arn with source_profile or credential_source).
// Throws AwsCredentialsError with STS's error code and message.
AwsCredentials sts_assume_role(common::HttpClient& client, const StsEndpoint& sts,
                               const AwsCredentials& source, const AssumeRoleRequest& request);

// STS AssumeRoleWithWebIdentity: unsigned, the OIDC token is the proof (IRSA on EKS).
AwsCredentials sts_assume_role_with_web_identity(common::HttpClient& client, const StsEndpoint& sts,
                                                 const AssumeRoleRequest& request,
                                                 const std::string& web_identity_token);

}  // namespace firedrill::clients
