#pragma once
#include <openssl/ssl.h>

#include <memory>

namespace firedrill::loadgen {

// Owners of the OpenSSL objects of the load path, so that each is freed exactly once whichever
// way its owner goes. A unique_ptr with an empty deleter is one pointer wide and get() is free:
// nothing on the hot path changes.
struct FreeSslContext {
  void operator()(SSL_CTX* ctx) const;
};
struct FreeSslSession {
  void operator()(SSL_SESSION* session) const;
};
// Freeing an SSL that was not shut down marks its session non-resumable; a quiet shutdown (no
// close_notify on the wire) first keeps the session for the next connection.
struct FreeSsl {
  void operator()(SSL* ssl) const;
};

using SslContextPtr = std::unique_ptr<SSL_CTX, FreeSslContext>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, FreeSslSession>;
using SslPtr = std::unique_ptr<SSL, FreeSsl>;

}  // namespace firedrill::loadgen
