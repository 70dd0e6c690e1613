#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "clients/http_client.hpp"

namespace firedrill::clients {

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

// Verifies SNS message signatures (SignatureVersion 1, SHA1withRSA, and 2, SHA256withRSA)
// against the certificate at SigningCertURL, which must be https://sns.REGION.amazonaws.com[.cn]
// /SimpleNotificationService-HEX.pem: fetched over HTTPS with the system's CAs, and cached by
// URL, failures too, so that posting many messages costs at most one fetch per certificate.
class SnsSignatureVerifier {
 public:
  explicit SnsSignatureVerifier(SnsTestTrust trust = {});
  ~SnsSignatureVerifier();

  // Empty when SNS signed `message`; otherwise why not, naming no secret.
  std::string verify(const nlohmann::json& message);
  // Whether `url` is an https URL of an SNS host: only such a SubscribeURL is ever fetched.
  bool on_sns_host(const std::string& url) const;
  // The request that fetches `url` of an SNS host (through the test origin, when there is one).
  HttpRequest request_for(const std::string& url) const;

 private:
  struct Key;
  std::shared_ptr<Key> key_for(const std::string& url, std::string& error);

  SnsTestTrust trust_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Key>> keys_;  // by certificate URL
  std::map<std::string, std::string> failures_;       // by certificate URL: why
};

}  // namespace firedrill::clients
