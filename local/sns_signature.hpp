#pragma once
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/http_client.hpp"

namespace firedrill::local {

// Test-only: lets tests sign SNS messages with a key of their own. What would be fetched from an
// SNS host (signing certificates, SubscribeURLs) is fetched from `origin` instead, with the same
// path and query; URLs must still name an SNS host. Reachable only through ReceiverOptions in
// code, never from a drill file or a flag. Empty: SNS itself.
struct SnsTestTrust {
  std::string origin;   // "https://127.0.0.1:PORT"
  std::string ca_file;  // the CA of that origin's TLS certificate
};

// The string SNS signs (Key\nValue\n per field, in the documented order: Message, MessageId,
// Subject when present, Timestamp, TopicArn, Type for a Notification; Message, MessageId,
// SubscribeURL, Timestamp, Token, TopicArn, Type for the confirmations). Empty with `error` set
// when a field is missing or not a string.
std::string sns_string_to_sign(const nlohmann::json& message, std::string& error);

enum class SnsVerdict {
  Signed,
  NotSigned,    // no signature, a wrong one, or a certificate SNS does not serve
  Unavailable,  // the certificate cannot be had now (network, rate limit): worth a retry
  NeedsFetch,   // the certificate is not known yet and this caller may not wait for it
};

struct SnsVerification {
  SnsVerdict verdict = SnsVerdict::NotSigned;
  std::string why;  // for every verdict but Signed, naming no secret
};

// Verifies SNS message signatures (SignatureVersion 1, SHA1withRSA, and 2, SHA256withRSA)
// against the certificate at SigningCertURL, which must be https://sns.REGION.amazonaws.com[.cn]
// /SimpleNotificationService-HEX.pem: fetched over HTTPS with the system's CAs, and cached by
// URL, definite failures too, so that posting many messages costs at most one fetch per
// certificate. At most kNewCertificatesPerMinute certificates are fetched a minute, so that
// messages naming ever new certificates cannot keep the verifier waiting on the network.
class SnsSignatureVerifier {
 public:
  static constexpr std::size_t kNewCertificatesPerMinute = 10;

  explicit SnsSignatureVerifier(SnsTestTrust trust = {});
  ~SnsSignatureVerifier();

  // Whether SNS signed `message`. Only with `may_fetch` is a certificate not yet known fetched
  // (which can take seconds); without, such a message is NeedsFetch.
  SnsVerification verify(const nlohmann::json& message, bool may_fetch);
  // Whether `url` is an https URL of an SNS host: only such a SubscribeURL is ever fetched.
  bool on_sns_host(const std::string& url) const;
  // The request that fetches `url` of an SNS host (through the test origin, when there is one).
  common::HttpRequest request_for(const std::string& url) const;

 private:
  struct Key;
  std::shared_ptr<Key> key_for(const std::string& url, bool may_fetch, SnsVerification& failure);

  SnsTestTrust trust_;
  std::mutex mutex_;
  std::deque<std::chrono::steady_clock::time_point> fetched_at_;  // within the last minute
  std::map<std::string, std::shared_ptr<Key>> keys_;              // by certificate URL
  std::map<std::string, std::string> failures_;                   // by certificate URL: why
};

}  // namespace firedrill::local
