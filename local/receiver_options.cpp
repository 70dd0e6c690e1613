#include "local/receiver_options.hpp"

#include "common/asio.hpp"
#include "common/errors.hpp"
#include "local/receiver_request.hpp"

namespace firedrill::local {

using nlohmann::json;

namespace {

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace

std::pair<std::string, std::string> split_listen(const std::string& listen) {
  std::string host;
  std::string port;
  if (listen.starts_with("[")) {
    std::size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      throw common::ValueError("listen: \"" + listen + "\" is not [IPv6]:PORT");
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos) {
      throw common::ValueError("listen: \"" + listen + "\" is not HOST:PORT, e.g. 127.0.0.1:9095");
    }
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  auto number = parse_size(port, 10);
  if (!number || *number > 65535) {
    throw common::ValueError("listen: \"" + listen + "\" has no valid port (0 to 65535)");
  }
  return {host.empty() ? "0.0.0.0" : host, port};
}

ReceiverOptions receiver_options(const json& settings) {
  ReceiverOptions options;
  if (settings.is_null()) return options;
  if (!settings.is_object()) {
    throw common::ValueError("integrations.receiver must be a map, like {listen: 0.0.0.0:9095}");
  }
  for (const auto& [key, value] : settings.items()) {
    if (key == "listen") {
      if (!value.is_string()) throw common::ValueError("integrations.receiver.listen: a string");
      options.listen = value.get<std::string>();
      split_listen(options.listen);
    } else if (key == "auth") {
      options.auth = receiver_auth_from(value);
    } else if (key == "insecure") {
      if (!value.is_boolean())
        throw common::ValueError("integrations.receiver.insecure: true or false");
      options.insecure = value.get<bool>();
    } else if (key == "allowSnsTopics") {
      json topics = value.is_string() ? json::array({value}) : value;
      if (!topics.is_array()) {
        throw common::ValueError("integrations.receiver.allowSnsTopics: a list of topic ARNs");
      }
      for (const json& t : topics) {
        if (!t.is_string()) {
          throw common::ValueError("integrations.receiver.allowSnsTopics: a list of topic ARNs");
        }
        options.allowed_sns_topics.push_back(t.get<std::string>());
      }
    } else if (key == "maxBodyBytes") {
      if (!value.is_number_integer() || value.get<int64_t>() <= 0) {
        throw common::ValueError("integrations.receiver.maxBodyBytes: a number of bytes above 0");
      }
      options.max_body = value.get<std::size_t>();
    } else {
      throw common::ValueError(
          "integrations.receiver." + key +
          ": unknown setting (listen, auth, insecure, allowSnsTopics, maxBodyBytes)");
    }
  }
  if (exposed_without_auth(options)) {
    throw common::ValueError(
        "integrations.receiver.listen: " + options.listen +
        " can be reached from other machines, and without auth anyone who can reach it makes a "
        "receiver.notification check pass with one POST. Give auth (bearerToken, basic or "
        "pathSecret, e.g. {bearerToken: \"${env:RECEIVER_TOKEN}\"}), listen on 127.0.0.1, or "
        "say insecure: true");
  }
  return options;
}

bool exposed_without_auth(const ReceiverOptions& options) {
  if (options.auth.required() || options.insecure) return false;
  return !is_loopback_host(split_listen(options.listen).first);
}

}  // namespace firedrill::local
