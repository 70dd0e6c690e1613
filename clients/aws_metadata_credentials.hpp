#pragma once
#include <string>

#include "clients/aws_credentials.hpp"
#include "common/http_client.hpp"

namespace firedrill::clients {

// Container credentials (ECS task roles, EKS Pod Identity): GET `url` with the Authorization
// header `authorization` (empty: none). Answer: {AccessKeyId, SecretAccessKey, Token,
// Expiration}. Throws AwsCredentialsError.
AwsCredentials fetch_container_credentials(common::HttpClient& client, const std::string& url,
                                           const std::string& authorization,
                                           common::Duration timeout);

// EC2 instance metadata, IMDSv2: PUT /latest/api/token for a session token, then GET
// /latest/meta-data/iam/security-credentials/ for the role name and GET .../<role> for its
// credentials, each with the token. `endpoint` is e.g. http://169.254.169.254. Throws
// AwsCredentialsError.
AwsCredentials fetch_instance_credentials(common::HttpClient& client, const std::string& endpoint,
                                          common::Duration timeout);

// Whether container credentials may be fetched from `url` over plain HTTP: only from loopback
// and the ECS and EKS Pod Identity agent addresses, as the SDKs allow.
bool allowed_container_url(const std::string& url);

}  // namespace firedrill::clients
