#pragma once
#include <memory>
#include <string>

#include "target/self_signed_certificate.hpp"
#include "target/transport.hpp"

namespace firedrill::target {

// A TLS server context (TLS 1.2 and up) whose ALPN picks h2 whenever the client offers it, then
// http/1.1. Throws std::runtime_error saying which file could not be read or loaded.
std::shared_ptr<ssl::context> tls_server_context(const std::string& certificate_chain_file,
                                                 const std::string& private_key_file);
std::shared_ptr<ssl::context> tls_server_context(const SelfSignedCertificate& certificate);

}  // namespace firedrill::target
