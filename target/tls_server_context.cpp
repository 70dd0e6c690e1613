#include "target/tls_server_context.hpp"

#include <openssl/ssl.h>

#include <fstream>
#include <stdexcept>

namespace firedrill::target {

namespace {

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_size, const unsigned char* in,
                unsigned int in_size, void*) {
  static const unsigned char kProtocols[] = "\x02h2\x08http/1.1";
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_size, kProtocols, sizeof kProtocols - 1, in, in_size) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

std::shared_ptr<ssl::context> alpn_server_context() {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_alpn_select_cb(context->native_handle(), select_alpn, nullptr);
  return context;
}

}  // namespace

std::shared_ptr<ssl::context> tls_server_context(const std::string& certificate_chain_file,
                                                 const std::string& private_key_file) {
  // OpenSSL 3 has no reason string for a missing file, so say that first.
  for (const std::string& file : {certificate_chain_file, private_key_file}) {
    if (!std::ifstream(file)) throw std::runtime_error("cannot read " + file);
  }
  auto context = alpn_server_context();
  error_code error;
  if (context->use_certificate_chain_file(certificate_chain_file, error); error) {
    throw std::runtime_error("cannot load the certificate " + certificate_chain_file + ": " +
                             error.message());
  }
  if (context->use_private_key_file(private_key_file, ssl::context::pem, error); error) {
    throw std::runtime_error("cannot load the private key " + private_key_file + ": " +
                             error.message());
  }
  return context;
}

std::shared_ptr<ssl::context> tls_server_context(const SelfSignedCertificate& certificate) {
  auto context = alpn_server_context();
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_use_certificate(native, certificate.certificate()) != 1 ||
      SSL_CTX_use_PrivateKey(native, certificate.private_key()) != 1) {
    throw std::runtime_error("cannot use the generated certificate");
  }
  return context;
}

}  // namespace firedrill::target
