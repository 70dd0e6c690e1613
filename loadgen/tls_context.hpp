#pragma once
#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "loadgen/load_config.hpp"
#include "loadgen/openssl_handles.hpp"

namespace firedrill::loadgen {

// One OpenSSL client context per worker thread (no cross-thread locking), holding the trust
// store, the client certificate, the ALPN offer and the session to resume on reconnects. A
// context serves the connections of one run, so of one origin and one verified name.
class TlsContext {
 public:
  // `alpn` in preference order, e.g. {"h2", "http/1.1"}. Throws common::ValueError when a
  // certificate or key file cannot be loaded, naming the file and OpenSSL's reason.
  TlsContext(const TlsOptions& options, const std::vector<std::string>& alpn);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A client SSL object for a socket, with SNI and host name verification; a reconnect also
  // offers the worker's most recent session. A first connection always makes a full handshake,
  // as a new client would.
  SslPtr new_ssl(int fd, const std::string& host, bool reconnect) const;

 private:
  static int on_new_session(SSL* ssl, SSL_SESSION* session);
  static int verify_chain(X509_STORE_CTX* store, void* self);

  SslContextPtr ctx_;
  bool verify_ = true;
  std::string sni_;
  SslSessionPtr session_;       // most recent resumable session of this worker
  std::string verified_chain_;  // DER of the last certificate chain that passed verification
};

// The reason of the most recent OpenSSL failure on this thread plus, after a handshake, the
// certificate verification result: what a user needs to fix a TLS error.
std::string tls_error_message(SSL* ssl);

}  // namespace firedrill::loadgen
