#include "loadgen/openssl_handles.hpp"

namespace firedrill::loadgen {

void FreeSslContext::operator()(SSL_CTX* ctx) const {
  SSL_CTX_free(ctx);
}

void FreeSslSession::operator()(SSL_SESSION* session) const {
  SSL_SESSION_free(session);
}

void FreeSsl::operator()(SSL* ssl) const {
  SSL_set_quiet_shutdown(ssl, 1);
  SSL_shutdown(ssl);
  SSL_free(ssl);
}

}  // namespace firedrill::loadgen
