#pragma once
#include <optional>
#include <stdexcept>
#include <string>

#include "clients/kube_config.hpp"
#include "common/rfc3339.hpp"

namespace firedrill::clients {

// What one request presents: a bearer token and/or a client certificate. Secret.
struct KubeCredential {
  std::string token;
  std::string client_cert_pem;
  std::string client_key_pem;
};

// A credential could not be obtained (the plugin failed, the token file is gone). The message
// says which source failed and why, never the credential.
class KubeCredentialError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The credential of a KubeTarget as client-go keeps it: a static token or certificate; a token
// file read again after its refresh period; an exec plugin's ExecCredential cached until its
// expirationTimestamp (for ever when it has none) or until the API server rejects it.
class KubeCredentialSource {
 public:
  explicit KubeCredentialSource(const KubeTarget& target);

  KubeCredential current();  // throws KubeCredentialError
  // The API server answered 401: the next current() fetches a fresh credential. False when there
  // is nothing to refresh (a static token or certificate).
  bool invalidate();
  // How this user authenticates, for messages: "exec plugin aws", "token file /x", ...
  std::string kind() const;
  int exec_runs() const { return exec_runs_; }

 private:
  KubeCredential run_exec_plugin();

  KubeTarget target_;
  std::optional<KubeCredential> exec_cached_;
  std::optional<common::WallClock::time_point> exec_expiry_;
  std::optional<std::string> file_token_;
  std::chrono::steady_clock::time_point file_read_at_;
  int exec_runs_ = 0;
};

}  // namespace firedrill::clients
