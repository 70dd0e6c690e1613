#include "loadgen/tls_context.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "common/errors.hpp"

namespace firedrill::loadgen {

namespace {

int g_context_index = -1;

std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

TlsContext::TlsContext(const TlsOptions& options, const std::vector<std::string>& alpn)
    : verify_(!options.insecure), sni_(options.sni) {
  if (g_context_index < 0)
    g_context_index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  ctx_.reset(SSL_CTX_new(TLS_client_method()));
  if (!ctx_) throw common::ValueError("cannot create a TLS context: " + openssl_reason());
  // Owned by ctx_, which frees it also when a file below fails to load.
  SSL_CTX* ctx = ctx_.get();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Idle connections give their buffers back: large connection counts stay small in memory.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // One read() fetches as many records as the socket holds, instead of a header read and a body
  // read per record.
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_ex_data(ctx, g_context_index, this);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, &TlsContext::on_new_session);

  if (verify_) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_cert_verify_callback(ctx, &TlsContext::verify_chain, this);
    SSL_CTX_set_default_verify_paths(ctx);
    if (!options.ca_file.empty() &&
        SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
      std::string why = openssl_reason();
      throw common::ValueError("--cacert " + options.ca_file + ": cannot load: " + why);
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
      std::string why = openssl_reason();
      throw common::ValueError("--cert " + options.cert_file + ": cannot load: " + why);
    }
    const std::string& key = options.key_file.empty() ? options.cert_file : options.key_file;
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      std::string why = openssl_reason();
      throw common::ValueError("--key " + key + ": cannot load or does not match --cert: " + why);
    }
  }
  std::string wire;
  for (const auto& proto : alpn) {
    wire.push_back(static_cast<char>(proto.size()));
    wire += proto;
  }
  SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                          static_cast<unsigned>(wire.size()));
}

// The members free the session, then the context (reverse order of declaration).
TlsContext::~TlsContext() = default;

int TlsContext::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* self = static_cast<TlsContext*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), g_context_index));
  self->session_.reset(session);
  return 1;  // we keep the reference
}

int TlsContext::verify_chain(X509_STORE_CTX* store, void* arg) {
  auto* self = static_cast<TlsContext*>(arg);
  // Every connection of a run meets the same server chain; verifying it from scratch each time
  // costs more client CPU than the rest of the handshake (OpenSSL 3's chain building). A chain
  // byte-for-byte identical to one that passed for this context's one name, and not expired
  // since, passes again; any other chain is verified in full.
  std::string chain;
  STACK_OF(X509)* untrusted = X509_STORE_CTX_get0_untrusted(store);
  for (int i = 0; i < sk_X509_num(untrusted); ++i) {
    X509* cert = sk_X509_value(untrusted, i);
    int len = i2d_X509(cert, nullptr);
    if (len <= 0) return X509_verify_cert(store);
    size_t at = chain.size();
    chain.resize(at + static_cast<size_t>(len));
    auto* out = reinterpret_cast<unsigned char*>(chain.data() + at);
    i2d_X509(cert, &out);
  }
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  if (!chain.empty() && chain == self->verified_chain_ &&
      X509_cmp_current_time(X509_get0_notAfter(leaf)) > 0) {
    X509_STORE_CTX_set_error(store, X509_V_OK);
    return 1;
  }
  int ok = X509_verify_cert(store);
  if (ok == 1) self->verified_chain_ = std::move(chain);
  return ok;
}

SslPtr TlsContext::new_ssl(int fd, const std::string& host, bool reconnect) const {
  SslPtr owned(SSL_new(ctx_.get()));
  SSL* ssl = owned.get();
  SSL_set_fd(ssl, fd);
  SSL_set_connect_state(ssl);
  const std::string& name = sni_.empty() ? host : sni_;
  if (!is_ip_literal(name)) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (verify_) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (is_ip_literal(name)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    }
  }
  if (reconnect && session_) SSL_set_session(ssl, session_.get());
  return owned;
}

std::string tls_error_message(SSL* ssl) {
  std::string reason = openssl_reason();
  if (ssl) {
    long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      return std::string("certificate verification failed: ") +
             X509_verify_cert_error_string(verify) +
             " (use --cacert FILE to trust its CA, or --insecure to skip verification)";
    }
  }
  return reason;
}

}  // namespace firedrill::loadgen
