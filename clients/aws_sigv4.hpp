#pragma once
#include <string>
#include <string_view>

#include "clients/aws_credentials.hpp"
#include "common/http_client.hpp"

namespace firedrill::clients {

// The intermediate values of one Signature Version 4 signing, as the AWS documentation names
// them; tests compare them with published vectors.
struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signing_key_hex;
  std::string signature;       // hex
  std::string signed_headers;  // "content-type;host;x-amz-date"
  std::string authorization;   // the Authorization header's value
};

// Signs `request` for `service` in `region` at `at` (AWS Signature Version 4, header form). Adds
// Host (when absent, from the URL, as libcurl would send it), X-Amz-Date, X-Amz-Security-Token
// (for temporary credentials) and Authorization. Every header already in the request is signed
// except those proxies and libcurl may change (User-Agent, Expect, Accept-Encoding...).
SigV4Signature sign_sigv4(common::HttpRequest& request, const AwsCredentials& credentials,
                          const std::string& region, const std::string& service,
                          WallClock::time_point at);

// Hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// "20150830T123600Z".
std::string amz_date(WallClock::time_point at);

}  // namespace firedrill::clients
