#include "clients/kube_credentials.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/base64.hpp"
#include "common/subprocess.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

namespace {

using nlohmann::json;

constexpr auto kExecTimeout = std::chrono::seconds(60);

// KUBERNETES_EXEC_INFO: the ExecCredential spec the plugin is given.
std::string exec_info(const KubeTarget& target) {
  const KubeExecPlugin& plugin = *target.exec;
  json spec = {{"interactive", false}};
  if (plugin.provide_cluster_info) {
    json cluster = {{"server", target.server}};
    if (!target.tls_server_name.empty()) cluster["tls-server-name"] = target.tls_server_name;
    if (target.insecure) cluster["insecure-skip-tls-verify"] = true;
    if (!target.ca_pem.empty()) {
      cluster["certificate-authority-data"] = common::base64_encode(target.ca_pem);
    }
    spec["cluster"] = cluster;
  }
  return json{{"apiVersion", plugin.api_version}, {"kind", "ExecCredential"}, {"spec", spec}}
      .dump();
}

std::string string_field(const json& object, const char* key) {
  if (!object.contains(key) || !object.at(key).is_string()) return {};
  return object.at(key).get<std::string>();
}

}  // namespace

KubeCredentialSource::KubeCredentialSource(const KubeTarget& target) : target_(target) {}

std::string KubeCredentialSource::kind() const {
  if (target_.exec) return "exec plugin " + target_.exec->command;
  if (!target_.token.empty()) return "bearer token";
  if (!target_.token_file.empty()) return "token file " + target_.token_file.string();
  if (!target_.client_cert_pem.empty()) return "client certificate";
  return "no credentials";
}

bool KubeCredentialSource::invalidate() {
  bool refreshable = false;
  if (target_.exec) {
    exec_cached_.reset();
    refreshable = true;
  }
  if (!target_.token_file.empty() && target_.token.empty()) {
    file_token_.reset();
    refreshable = true;
  }
  return refreshable;
}

KubeCredential KubeCredentialSource::current() {
  KubeCredential credential;
  credential.client_cert_pem = target_.client_cert_pem;
  credential.client_key_pem = target_.client_key_pem;
  credential.token = target_.token;
  if (credential.token.empty() && !target_.token_file.empty()) {
    auto now = std::chrono::steady_clock::now();
    if (!file_token_ || now - file_read_at_ >= target_.token_file_refresh) {
      std::ifstream in(target_.token_file);
      if (!in) {
        throw KubeCredentialError("the token file " + target_.token_file.string() +
                                  " cannot be read");
      }
      std::ostringstream s;
      s << in.rdbuf();
      file_token_ = common::trimmed(s.str());
      file_read_at_ = now;
    }
    credential.token = *file_token_;
  }
  if (target_.exec) {
    if (exec_cached_ && exec_expiry_ && common::WallClock::now() >= *exec_expiry_)
      exec_cached_.reset();
    if (!exec_cached_) exec_cached_ = run_exec_plugin();
    // The plugin's credential replaces whatever the kubeconfig had for the same purpose.
    if (!exec_cached_->token.empty()) credential.token = exec_cached_->token;
    if (!exec_cached_->client_cert_pem.empty()) {
      credential.client_cert_pem = exec_cached_->client_cert_pem;
      credential.client_key_pem = exec_cached_->client_key_pem;
    }
  }
  return credential;
}

KubeCredential KubeCredentialSource::run_exec_plugin() {
  const KubeExecPlugin& plugin = *target_.exec;
  std::string name = "exec plugin \"" + plugin.command + "\" of user \"" + target_.user + "\"";
  common::SubprocessRequest request;
  request.argv.push_back(plugin.command);
  request.argv.insert(request.argv.end(), plugin.args.begin(), plugin.args.end());
  request.env = plugin.env;
  request.env.emplace_back("KUBERNETES_EXEC_INFO", exec_info(target_));
  request.timeout = kExecTimeout;
  common::SubprocessResult result;
  ++exec_runs_;
  try {
    result = common::run_subprocess(request);
  } catch (const std::runtime_error& e) {
    throw KubeCredentialError(name + " could not start: " + e.what());
  }
  if (!result.succeeded()) {
    // A plugin explains itself on stderr; stdout may hold a credential and is never shown.
    std::string why = common::trimmed(result.err);
    throw KubeCredentialError(name + " failed (" + result.status_text(kExecTimeout) + ")" +
                              (why.empty() ? "" : ": " + common::excerpt(why, 400)));
  }
  json doc;
  try {
    doc = json::parse(result.out);
  } catch (const json::parse_error&) {
    throw KubeCredentialError(name + " did not write an ExecCredential JSON document on stdout");
  }
  if (!doc.is_object() || string_field(doc, "kind") != "ExecCredential") {
    throw KubeCredentialError(name + " wrote a document that is not kind ExecCredential");
  }
  if (string_field(doc, "apiVersion") != plugin.api_version) {
    throw KubeCredentialError(name + " answered with apiVersion \"" +
                              string_field(doc, "apiVersion") + "\", but the kubeconfig asks for " +
                              plugin.api_version);
  }
  if (!doc.contains("status") || !doc.at("status").is_object()) {
    throw KubeCredentialError(name + " wrote an ExecCredential without status");
  }
  const json& status = doc.at("status");
  KubeCredential credential;
  credential.token = string_field(status, "token");
  credential.client_cert_pem = string_field(status, "clientCertificateData");
  credential.client_key_pem = string_field(status, "clientKeyData");
  if (credential.client_cert_pem.empty() != credential.client_key_pem.empty()) {
    throw KubeCredentialError(name +
                              " returned a client certificate without its key (status "
                              "needs both clientCertificateData and clientKeyData)");
  }
  if (credential.token.empty() && credential.client_cert_pem.empty()) {
    throw KubeCredentialError(name + " returned neither status.token nor a client certificate");
  }
  exec_expiry_.reset();
  std::string expiry = string_field(status, "expirationTimestamp");
  if (!expiry.empty()) {
    exec_expiry_ = common::parse_rfc3339(expiry);
    if (!exec_expiry_) {
      throw KubeCredentialError(name + " returned an expirationTimestamp that is not RFC 3339: " +
                                common::excerpt(expiry, 60));
    }
  }
  return credential;
}

}  // namespace firedrill::clients
