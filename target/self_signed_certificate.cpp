#include "target/self_signed_certificate.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace firedrill::target {

namespace {

constexpr long kBackdateSeconds = 300;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("cannot generate a certificate: ") + what);
}

}  // namespace

void SelfSignedCertificate::FreeKey::operator()(EVP_PKEY* key) const {
  EVP_PKEY_free(key);
}

void SelfSignedCertificate::FreeCertificate::operator()(X509* certificate) const {
  X509_free(certificate);
}

SelfSignedCertificate::SelfSignedCertificate(std::chrono::seconds validity)
    : key_(EVP_EC_gen("P-256")), certificate_(X509_new()) {
  check(key_ && certificate_, "out of memory or no P-256");
  X509* x509 = certificate_.get();
  check(X509_set_version(x509, X509_VERSION_3) == 1, "version");

  // A random serial, so that a browser that saw an earlier run's certificate does not see two
  // different certificates with the same issuer and serial.
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), BN_free);
  check(serial && BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x509)) != nullptr,
        "serial number");

  check(
      X509_gmtime_adj(X509_getm_notBefore(x509), -kBackdateSeconds) != nullptr &&
          X509_gmtime_adj(X509_getm_notAfter(x509), static_cast<long>(validity.count())) != nullptr,
      "validity");
  check(X509_set_pubkey(x509, key_.get()) == 1, "public key");

  X509_NAME* name = X509_get_subject_name(x509);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("firedrill target"), -1,
                                   -1, 0) == 1 &&
            X509_set_issuer_name(x509, name) == 1,
        "subject");

  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, x509, x509, nullptr, nullptr, 0);
  const std::pair<int, const char*> extensions[] = {
      {NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_key_identifier, "hash"},
  };
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    check(extension != nullptr, value);
    bool added = X509_add_ext(x509, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    check(added, value);
  }
  check(X509_sign(x509, key_.get(), EVP_sha256()) > 0, "signature");
}

}  // namespace firedrill::target
