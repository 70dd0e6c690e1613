#include "local/receiver_auth.hpp"

#include <openssl/crypto.h>

#include "common/base64.hpp"
#include "common/errors.hpp"

namespace firedrill::local {

namespace {

constexpr std::string_view kHooks = "/hooks/";

// Equal in time that does not depend on where the two first differ.
bool same_secret(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::string string_setting(const nlohmann::json& value, const std::string& name) {
  if (!value.is_string() || value.get<std::string>().empty()) {
    throw common::ValueError("integrations.receiver.auth." + name + ": a non-empty string");
  }
  return value.get<std::string>();
}

}  // namespace

AuthCheck check_receiver_auth(const ReceiverAuth& auth, const std::string* authorization,
                              const std::string& path) {
  AuthCheck check;
  check.route = path;
  if (!auth.required()) return check;
  bool offered = false;
  if (!auth.path_secret.empty() && path.starts_with(kHooks)) {
    offered = true;
    const std::size_t end = path.find('/', kHooks.size());
    const std::string_view segment = std::string_view(path).substr(
        kHooks.size(), end == std::string::npos ? std::string::npos : end - kHooks.size());
    if (same_secret(segment, auth.path_secret)) {
      check.route = end == std::string::npos ? "/" : path.substr(end);
      return check;
    }
  }
  if (authorization) {
    offered = true;
    std::string_view value = *authorization;
    if (!auth.bearer_token.empty() && starts_with_ignoring_case(value, "Bearer ") &&
        same_secret(value.substr(7), auth.bearer_token)) {
      return check;
    }
    if (!auth.basic_username.empty() && starts_with_ignoring_case(value, "Basic ")) {
      std::string decoded;
      try {
        decoded = common::base64_decode(value.substr(6));
      } catch (const common::ValueError&) {
      }
      if (same_secret(decoded, auth.basic_username + ":" + auth.basic_password)) return check;
    }
  }
  check.result = offered ? AuthResult::Wrong : AuthResult::Missing;
  check.reason = offered ? "wrong credentials" : "no credentials";
  return check;
}

std::string shown_receiver_path(const std::string& path) {
  if (!path.starts_with(kHooks)) return path;
  const std::size_t end = path.find('/', kHooks.size());
  return std::string(kHooks) + "***" + (end == std::string::npos ? "" : path.substr(end));
}

ReceiverAuth receiver_auth_from(const nlohmann::json& settings) {
  ReceiverAuth auth;
  if (!settings.is_object()) {
    throw common::ValueError(
        "integrations.receiver.auth: a map, like {bearerToken: \"${env:RECEIVER_TOKEN}\"}");
  }
  for (const auto& [key, value] : settings.items()) {
    if (key == "bearerToken") {
      auth.bearer_token = string_setting(value, key);
    } else if (key == "basic") {
      if (!value.is_object() || !value.contains("username") || !value.contains("password")) {
        throw common::ValueError(
            "integrations.receiver.auth.basic: {username: ..., password: ...}");
      }
      for (const auto& [field, _] : value.items()) {
        if (field != "username" && field != "password") {
          throw common::ValueError("integrations.receiver.auth.basic." + field +
                                   ": unknown setting (username, password)");
        }
      }
      auth.basic_username = string_setting(value["username"], "basic.username");
      auth.basic_password = string_setting(value["password"], "basic.password");
      if (auth.basic_username.find(':') != std::string::npos) {
        throw common::ValueError("integrations.receiver.auth.basic.username: may not hold a `:`");
      }
    } else if (key == "pathSecret") {
      auth.path_secret = string_setting(value, key);
      if (auth.path_secret.find_first_of("/?#") != std::string::npos) {
        throw common::ValueError(
            "integrations.receiver.auth.pathSecret: one path segment, without / ? or #");
      }
    } else {
      throw common::ValueError("integrations.receiver.auth." + key +
                               ": unknown setting (bearerToken, basic, pathSecret)");
    }
  }
  if (!auth.required()) {
    throw common::ValueError(
        "integrations.receiver.auth: give bearerToken, basic or pathSecret (or leave auth out)");
  }
  return auth;
}

}  // namespace firedrill::local
