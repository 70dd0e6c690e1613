#pragma once
#include <openssl/types.h>

#include <chrono>
#include <memory>

namespace firedrill::target {

// A certificate made in memory at start, so `firedrill target --tls` needs no files: an EC P-256
// key, subject alternative names 127.0.0.1 and localhost, valid from a few minutes ago (clock
// skew) for `validity`. Clients have to skip verification (curl -k, firedrill load -k).
class SelfSignedCertificate {
 public:
  // Throws std::runtime_error when OpenSSL fails.
  explicit SelfSignedCertificate(std::chrono::seconds validity);

  X509* certificate() const { return certificate_.get(); }
  EVP_PKEY* private_key() const { return key_.get(); }

 private:
  struct FreeKey {
    void operator()(EVP_PKEY* key) const;
  };
  struct FreeCertificate {
    void operator()(X509* certificate) const;
  };

  std::unique_ptr<EVP_PKEY, FreeKey> key_;
  std::unique_ptr<X509, FreeCertificate> certificate_;
};

}  // namespace firedrill::target
