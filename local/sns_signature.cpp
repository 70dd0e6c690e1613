#include "local/sns_signature.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <optional>
#include <regex>

#include "common/base64.hpp"
#include "common/errors.hpp"
#include "common/http_client.hpp"
#include "common/text.hpp"

namespace firedrill::local {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxCachedCertificates = 64;
constexpr std::size_t kMaxCertificateBytes = 64 * 1024;

const std::regex& sns_host() {
  // A region's name (us-east-1, us-gov-west-1, cn-north-1), not just any label: sns.s3 is a
  // bucket anyone may own.
  static const std::regex host(
      R"(sns\.[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+\.amazonaws\.com(\.cn)?)");
  return host;
}

const std::regex& certificate_path() {
  static const std::regex path(R"(/SimpleNotificationService-[0-9a-f]+\.pem)");
  return path;
}

struct HttpsUrl {
  std::string authority;  // host[:port], no user information
  std::string path;       // without query or fragment
  bool has_query = false;
};

std::optional<HttpsUrl> https_url(const std::string& url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  const std::size_t start = kScheme.size();
  const std::size_t end = url.find_first_of("/?#", start);
  HttpsUrl parsed;
  parsed.authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (parsed.authority.empty() || parsed.authority.find('@') != std::string::npos) {
    return std::nullopt;
  }
  if (end != std::string::npos) {
    const std::size_t query = url.find_first_of("?#", end);
    parsed.path = url.substr(end, query == std::string::npos ? std::string::npos : query - end);
    parsed.has_query = query != std::string::npos;
  }
  return parsed;
}

const std::string* string_field(const json& message, const char* name) {
  if (!message.is_object() || !message.contains(name) || !message[name].is_string()) {
    return nullptr;
  }
  return &message[name].get_ref<const std::string&>();
}

}  // namespace

struct SnsSignatureVerifier::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

std::string sns_string_to_sign(const json& message, std::string& error) {
  const std::string* type = string_field(message, "Type");
  if (!type) {
    error = "no Type";
    return "";
  }
  struct Field {
    const char* name;
    bool optional;
  };
  static const std::vector<Field> kNotification = {{"Message", false},  {"MessageId", false},
                                                   {"Subject", true},   {"Timestamp", false},
                                                   {"TopicArn", false}, {"Type", false}};
  static const std::vector<Field> kConfirmation = {
      {"Message", false}, {"MessageId", false}, {"SubscribeURL", false}, {"Timestamp", false},
      {"Token", false},   {"TopicArn", false},  {"Type", false}};
  const std::vector<Field>* fields = nullptr;
  if (*type == "Notification") {
    fields = &kNotification;
  } else if (*type == "SubscriptionConfirmation" || *type == "UnsubscribeConfirmation") {
    fields = &kConfirmation;
  } else {
    error = "unknown Type \"" + *type + "\"";
    return "";
  }
  std::string text;
  for (const Field& f : *fields) {
    const std::string* value = string_field(message, f.name);
    if (!value) {
      if (f.optional && !(message.is_object() && message.contains(f.name))) continue;
      error = std::string("no ") + f.name + " string";
      return "";
    }
    text += f.name;
    text += '\n';
    text += *value;
    text += '\n';
  }
  return text;
}

SnsSignatureVerifier::SnsSignatureVerifier(SnsTestTrust trust) : trust_(std::move(trust)) {}

SnsSignatureVerifier::~SnsSignatureVerifier() = default;

bool SnsSignatureVerifier::on_sns_host(const std::string& url) const {
  auto parsed = https_url(url);
  return parsed && std::regex_match(parsed->authority, sns_host());
}

common::HttpRequest SnsSignatureVerifier::request_for(const std::string& url) const {
  common::HttpRequest request;
  request.url = url;
  request.timeout = std::chrono::seconds(5);
  if (!trust_.origin.empty()) {
    const std::size_t path = url.find_first_of("/?#", std::string_view("https://").size());
    request.url = trust_.origin + (path == std::string::npos ? "/" : url.substr(path));
    request.ca_file = trust_.ca_file;
  }
  return request;
}

namespace {

// The public key of the certificate SNS answered with; nullptr with `why` set when there is none.
EVP_PKEY* certificate_public_key(const common::HttpResponse& response, std::string& why) {
  if (response.status != 200) {
    why = "the signing certificate URL answered " + std::to_string(response.status);
    return nullptr;
  }
  BIO* bio = BIO_new_mem_buf(response.body.data(), static_cast<int>(response.body.size()));
  X509* cert = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (!cert) {
    why = "the signing certificate is not a PEM certificate";
    return nullptr;
  }
  EVP_PKEY* pkey = X509_get_pubkey(cert);
  X509_free(cert);
  if (!pkey) why = "the signing certificate has no usable public key";
  return pkey;
}

}  // namespace

std::shared_ptr<SnsSignatureVerifier::Key> SnsSignatureVerifier::key_for(const std::string& url,
                                                                         bool may_fetch,
                                                                         SnsVerification& failure) {
  std::unique_lock lock(mutex_);
  if (auto it = keys_.find(url); it != keys_.end()) return it->second;
  if (auto it = failures_.find(url); it != failures_.end()) {
    failure = {SnsVerdict::NotSigned, it->second};
    return nullptr;
  }
  auto parsed = https_url(url);
  if (!parsed || !on_sns_host(url) || parsed->has_query ||
      !std::regex_match(parsed->path, certificate_path())) {
    // Not remembered: anyone can send any URL, and none of these is fetched.
    failure = {SnsVerdict::NotSigned,
               "SigningCertURL is not https://sns.REGION.amazonaws.com/"
               "SimpleNotificationService-....pem"};
    return nullptr;
  }
  // Decided before any wait, so that a caller that may not wait learns at once that the
  // message cannot be verified now.
  const auto now = std::chrono::steady_clock::now();
  while (!fetched_at_.empty() && now - fetched_at_.front() > std::chrono::minutes(1)) {
    fetched_at_.pop_front();
  }
  if (fetched_at_.size() >= kNewCertificatesPerMinute) {
    failure = {SnsVerdict::Unavailable, "more than " + std::to_string(kNewCertificatesPerMinute) +
                                            " new signing certificates in a minute; not fetched"};
    return nullptr;
  }
  if (!may_fetch) {
    failure = {SnsVerdict::NeedsFetch, "the signing certificate is not known yet"};
    return nullptr;
  }
  fetched_at_.push_back(now);
  // Not locked while fetching: messages of known certificates are verified meanwhile.
  lock.unlock();
  common::HttpRequest request = request_for(url);
  request.max_body = kMaxCertificateBytes;
  common::HttpResponse response = common::HttpClient().perform(request);
  // A network error or a server error may pass: only what SNS surely answered is remembered.
  if (!response.ok() || response.status >= 500) {
    failure = {SnsVerdict::Unavailable,
               "cannot fetch the signing certificate: " +
                   (response.ok() ? "status " + std::to_string(response.status) : response.error)};
    return nullptr;
  }
  std::string why;
  auto key = std::make_shared<Key>();
  key->pkey = certificate_public_key(response, why);
  lock.lock();
  if (!why.empty()) {
    if (failures_.size() >= kMaxCachedCertificates) failures_.erase(failures_.begin());
    failures_[url] = why;
    failure = {SnsVerdict::NotSigned, std::move(why)};
    return nullptr;
  }
  if (keys_.size() >= kMaxCachedCertificates) keys_.erase(keys_.begin());
  keys_[url] = key;
  return key;
}

SnsVerification SnsSignatureVerifier::verify(const json& message, bool may_fetch) {
  auto not_signed = [](std::string why) {
    return SnsVerification{SnsVerdict::NotSigned, std::move(why)};
  };
  const std::string* version = string_field(message, "SignatureVersion");
  const std::string* signature = string_field(message, "Signature");
  const std::string* cert_url = string_field(message, "SigningCertURL");
  if (!version || !signature || !cert_url) {
    return not_signed("not signed: no SignatureVersion, Signature or SigningCertURL");
  }
  const EVP_MD* digest = *version == "1" ? EVP_sha1() : *version == "2" ? EVP_sha256() : nullptr;
  if (!digest)
    return not_signed("unknown SignatureVersion \"" + common::excerpt(*version, 16) + "\"");
  std::string error;
  const std::string text = sns_string_to_sign(message, error);
  if (text.empty()) return not_signed("not an SNS message: " + error);
  std::string raw_signature;
  try {
    raw_signature = common::base64_decode(*signature);
  } catch (const common::ValueError&) {
    return not_signed("the Signature is not base64");
  }
  SnsVerification failure;
  std::shared_ptr<Key> key = key_for(*cert_url, may_fetch, failure);
  if (!key) return failure;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool valid =
      ctx && EVP_DigestVerifyInit(ctx, nullptr, digest, nullptr, key->pkey) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(raw_signature.data()),
                       raw_signature.size(), reinterpret_cast<const unsigned char*>(text.data()),
                       text.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!valid) return not_signed("the signature does not match the message");
  return {SnsVerdict::Signed, ""};
}

}  // namespace firedrill::local
