// Signature Version 4 against AWS's published vector and a second vector computed independently.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "clients/aws_sigv4.hpp"

namespace firedrill::testing {
namespace {

using clients::AwsCredentials;
using clients::SigV4Signature;
using common::HttpRequest;
using ::testing::HasSubstr;
using ::testing::Not;

clients::WallClock::time_point at_unix(int64_t seconds) {
  return clients::WallClock::time_point(std::chrono::seconds(seconds));
}

const AwsCredentials kExample{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "",
                              std::nullopt, "test"};

std::string header(const HttpRequest& r, const std::string& name) {
  std::string found;
  int count = 0;
  for (const auto& [n, v] : r.headers) {
    if (n == name) {
      found = v;
      ++count;
    }
  }
  return count == 1 ? found : "<" + std::to_string(count) + " headers>";
}

// get-vanilla from the AWS SigV4 test suite (aws-c-auth / botocore), 2015-08-30T12:36:00Z.
TEST(SigV4, PublishedGetVanilla) {
  HttpRequest r;
  r.url = "https://example.amazonaws.com/";
  r.headers = {{"Host", "example.amazonaws.com"}};
  SigV4Signature s = clients::sign_sigv4(r, kExample, "us-east-1", "service", at_unix(1440938160));
  EXPECT_EQ(s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(clients::sha256_hex(s.canonical_request),
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.signing_key_hex, "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75");
  EXPECT_EQ(s.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(header(r, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(header(r, "X-Amz-Date"), "20150830T123600Z");
}

// A POST with a JSON body, a query that needs encoding (space, slash, UTF-8, '*', an empty
// value, keys whose byte order differs from their case-blind order) and a session token.
// Expected values computed from the documented algorithm with Python's hashlib and hmac, not
// with this code:
//   canonical query: sorted by encoded key, each key and value percent-encoded keeping only
//     A-Z a-z 0-9 - _ . ~ -> "Name=caf%C3%A9%2A&empty=&prefix=a%20b%2Fc"
//   canonical headers: lower-cased names, sorted, values trimmed
//   payload hash = sha256(body).hexdigest()
//   k = hmac(b"AWS4" + secret, "20260101"); k = hmac(k, "eu-west-1"); k = hmac(k, "logs");
//   k = hmac(k, "aws4_request"); signature = hmac(k, string_to_sign).hexdigest()
TEST(SigV4, IndependentPostVectorWithQueryAndSessionToken) {
  AwsCredentials credentials = kExample;
  credentials.session_token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN/with+slash==";
  HttpRequest r;
  r.method = "POST";
  r.url = "https://logs.eu-west-1.amazonaws.com/?prefix=a%20b%2Fc&empty=&Name=caf%C3%A9*";
  r.body =
      R"({"logGroupName":"/aws/containerinsights/prod/application","startTime":1767225600000})";
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "Logs_20140328.FilterLogEvents"}};
  SigV4Signature s = clients::sign_sigv4(r, credentials, "eu-west-1", "logs", at_unix(1767225600));
  EXPECT_EQ(s.canonical_request,
            "POST\n/\nName=caf%C3%A9%2A&empty=&prefix=a%20b%2Fc\n"
            "content-type:application/x-amz-json-1.1\n"
            "host:logs.eu-west-1.amazonaws.com\n"
            "x-amz-date:20260101T000000Z\n"
            "x-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLETOKEN/with+slash==\n"
            "x-amz-target:Logs_20140328.FilterLogEvents\n\n"
            "content-type;host;x-amz-date;x-amz-security-token;x-amz-target\n"
            "855952700e722232af80fdc1c130351c318f458ff904efd9469bb363cee48020");
  EXPECT_EQ(clients::sha256_hex(s.canonical_request),
            "742da403527db7c9333067f7073a1317e2890a178f881670daa3cd1c80c099a5");
  EXPECT_EQ(s.signing_key_hex, "b37ed480d169166bf4df10207dedae385b75c86ae3d58c6391482106f2609fb6");
  EXPECT_EQ(s.signature, "1a9e90e1ff3c977e35c948bd96a3900149504b952d6dd25db7925b3e950f3c75");
  EXPECT_EQ(s.signed_headers, "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
  EXPECT_EQ(header(r, "X-Amz-Security-Token"), credentials.session_token);
  EXPECT_EQ(header(r, "Host"), "logs.eu-west-1.amazonaws.com");
}

TEST(SigV4, HostFromUrlKeepsANonDefaultPortAndDropsTheDefault) {
  HttpRequest r;
  r.url = "http://127.0.0.1:8080/path";
  clients::sign_sigv4(r, kExample, "us-east-1", "logs", at_unix(1440938160));
  EXPECT_EQ(header(r, "Host"), "127.0.0.1:8080");
  HttpRequest d;
  d.url = "https://logs.us-east-1.amazonaws.com:443/";
  clients::sign_sigv4(d, kExample, "us-east-1", "logs", at_unix(1440938160));
  EXPECT_EQ(header(d, "Host"), "logs.us-east-1.amazonaws.com");
}

TEST(SigV4, HeaderValuesTrimmedAndDuplicatesJoinedUnsignedHeadersLeftOut) {
  HttpRequest r;
  r.url = "https://example.amazonaws.com/a%20b/c";
  r.headers = {{"My-Header", "  a   b  "}, {"my-header", "c"}, {"User-Agent", "x"}};
  SigV4Signature s = clients::sign_sigv4(r, kExample, "us-east-1", "service", at_unix(1440938160));
  EXPECT_THAT(s.canonical_request, HasSubstr("\n/a%2520b/c\n"));
  EXPECT_THAT(s.canonical_request, HasSubstr("my-header:a b,c\n"));
  EXPECT_EQ(s.signed_headers, "host;my-header;x-amz-date");
}

TEST(SigV4, SigningAgainReplacesTheEarlierSignature) {
  AwsCredentials first = kExample;
  first.session_token = "first-token";
  HttpRequest r;
  r.url = "https://example.amazonaws.com/";
  clients::sign_sigv4(r, first, "us-east-1", "service", at_unix(1440938160));
  AwsCredentials second = kExample;
  second.access_key_id = "AKIDSECOND";
  SigV4Signature s = clients::sign_sigv4(r, second, "us-east-1", "service", at_unix(1440938170));
  EXPECT_EQ(header(r, "Authorization"), s.authorization);
  EXPECT_THAT(s.authorization, HasSubstr("Credential=AKIDSECOND/"));
  EXPECT_EQ(header(r, "X-Amz-Date"), "20150830T123610Z");
  EXPECT_EQ(header(r, "X-Amz-Security-Token"), "<0 headers>");
}

TEST(AwsCredentials, ToStringShowsNoSecret) {
  AwsCredentials c{"ASIAEXAMPLEKEYID1234", "secret/Key+Value", "session-token-value",
                   at_unix(1767225600), "web identity"};
  std::string text = c.to_string();
  EXPECT_THAT(text, HasSubstr("****1234"));
  EXPECT_THAT(text, HasSubstr("temporary, expires 2026-01-01T00:00:00.000Z"));
  EXPECT_THAT(text, HasSubstr("web identity"));
  EXPECT_THAT(text, Not(HasSubstr("ASIAEXAMPLE")));
  EXPECT_THAT(text, Not(HasSubstr("secret")));
  EXPECT_THAT(text, Not(HasSubstr("session-token")));
}

}  // namespace
}  // namespace firedrill::testing
