#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace firedrill::local {

// How senders prove to the receiver that a notification is theirs, as each kind of sender can:
// a bearer token or basic auth (Alertmanager's http_config, Grafana contact points, SNS with
// https://user:password@host/ endpoints), or a secret path segment (Slack-style incoming
// webhooks: POST /hooks/SECRET, or /hooks/SECRET/alertmanager for one format). Any configured
// way is enough. With none configured every request is let in (loopback only, unless the drill
// says `insecure: true`).
struct ReceiverAuth {
  std::string bearer_token;
  std::string basic_username;
  std::string basic_password;
  std::string path_secret;

  bool required() const {
    return !bearer_token.empty() || !basic_username.empty() || !path_secret.empty();
  }
};

enum class AuthResult { Accepted, Missing, Wrong };

struct AuthCheck {
  AuthResult result = AuthResult::Accepted;
  std::string route;   // the path with a valid /hooks/SECRET prefix taken off
  std::string reason;  // when not accepted, naming no credential: "no credentials"
};

// Checks one request: its Authorization header (nullptr: none) and its path.
AuthCheck check_receiver_auth(const ReceiverAuth& auth, const std::string* authorization,
                              const std::string& path);

// A path as evidence shows it: a /hooks/ segment is a secret, shown as /hooks/***.
std::string shown_receiver_path(const std::string& path);

// integrations.receiver.auth: {bearerToken, basic: {username, password}, pathSecret}.
// Throws common::ValueError naming the setting.
ReceiverAuth receiver_auth_from(const nlohmann::json& settings);

}  // namespace firedrill::local
