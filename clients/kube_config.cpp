#include "clients/kube_config.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "common/base64.hpp"
#include "common/errors.hpp"
#include "common/text.hpp"

namespace firedrill::clients {

namespace {

namespace fs = std::filesystem;
using common::ValueError;
using nlohmann::json;

std::string read_file(const fs::path& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ValueError(what + " " + path.string() + " cannot be read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Scalars stay strings: kubeconfig values are read as the field each one is.
json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& entry : node)
        out[entry.first.as<std::string>()] = yaml_to_json(entry.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar:
      return node.as<std::string>();
    default:
      return nullptr;
  }
}

std::string text(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || object.at(key).is_null()) return {};
  if (!object.at(key).is_string()) throw ValueError(std::string(key) + " must be a string");
  return object.at(key).get<std::string>();
}

bool flag(const json& object, const char* key, const std::string& where) {
  std::string value = text(object, key);
  if (value.empty() || value == "false") return false;
  if (value == "true") return true;
  throw ValueError(where + ": " + key + " must be true or false");
}

// A path as the file that holds it means it: relative to that file's folder.
void resolve(json& object, const char* key, const fs::path& base) {
  std::string value = text(object, key);
  if (!value.empty() && fs::path(value).is_relative()) object[key] = (base / value).string();
}

struct Entry {
  json value;
  fs::path file;
};

// The named entries of `list_key` (clusters/users/contexts), first file first.
void merge_named(std::map<std::string, Entry>& into, const json& document, const char* list_key,
                 const char* body_key, const fs::path& file) {
  if (!document.contains(list_key) || document.at(list_key).is_null()) return;
  if (!document.at(list_key).is_array()) {
    throw ValueError(file.string() + ": " + list_key + " must be a list");
  }
  for (const auto& item : document.at(list_key)) {
    std::string name = text(item, "name");
    if (name.empty())
      throw ValueError(file.string() + ": an entry of " + list_key + " has no name");
    json body = item.contains(body_key) ? item.at(body_key) : json::object();
    if (!body.is_object()) body = json::object();
    fs::path base = file.parent_path();
    if (std::string(list_key) == "clusters") {
      resolve(body, "certificate-authority", base);
    } else if (std::string(list_key) == "users") {
      for (const char* k : {"client-certificate", "client-key", "tokenFile"})
        resolve(body, k, base);
      // A command given as a relative path with a folder in it ("./bin/get-token") is relative
      // to the kubeconfig; a bare name is looked up in PATH.
      if (body.contains("exec") && body["exec"].is_object()) {
        std::string command = text(body["exec"], "command");
        if (command.find('/') != std::string::npos && fs::path(command).is_relative()) {
          body["exec"]["command"] = (base / command).string();
        }
      }
    }
    into.emplace(name, Entry{std::move(body), file});
  }
}

std::string names_of(const std::map<std::string, Entry>& entries) {
  std::string out;
  for (const auto& [name, entry] : entries) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

std::string pem_from(const json& body, const char* data_key, const char* file_key,
                     const std::string& where) {
  std::string data = text(body, data_key);
  if (!data.empty()) {
    try {
      return common::base64_decode(data);
    } catch (const ValueError&) {
      throw ValueError(where + ": " + data_key + " is not base64");
    }
  }
  std::string file = text(body, file_key);
  return file.empty() ? std::string() : read_file(file, where + ": " + file_key);
}

KubeExecPlugin read_exec(const json& exec, const std::string& where) {
  KubeExecPlugin plugin;
  plugin.api_version = text(exec, "apiVersion");
  plugin.command = text(exec, "command");
  if (plugin.command.empty()) throw ValueError(where + ": exec.command is required");
  if (plugin.api_version != "client.authentication.k8s.io/v1" &&
      plugin.api_version != "client.authentication.k8s.io/v1beta1") {
    throw ValueError(where +
                     ": exec.apiVersion must be client.authentication.k8s.io/v1 or "
                     "client.authentication.k8s.io/v1beta1, got \"" +
                     plugin.api_version + "\"");
  }
  if (exec.contains("args") && exec.at("args").is_array()) {
    for (const auto& a : exec.at("args")) {
      if (!a.is_string()) throw ValueError(where + ": exec.args must be a list of strings");
      plugin.args.push_back(a.get<std::string>());
    }
  }
  if (exec.contains("env") && exec.at("env").is_array()) {
    for (const auto& e : exec.at("env")) plugin.env.emplace_back(text(e, "name"), text(e, "value"));
  }
  plugin.provide_cluster_info = flag(exec, "provideClusterInfo", where + ".exec");
  plugin.interactive_mode = text(exec, "interactiveMode");
  if (plugin.interactive_mode.empty()) {
    // client-go requires it from v1 on, and defaults it to IfAvailable before.
    if (plugin.api_version == "client.authentication.k8s.io/v1") {
      throw ValueError(where +
                       ": exec.interactiveMode must be set (Never, IfAvailable or Always) "
                       "for apiVersion client.authentication.k8s.io/v1");
    }
    plugin.interactive_mode = "IfAvailable";
  }
  if (plugin.interactive_mode == "Always") {
    throw ValueError(where +
                     ": exec.interactiveMode Always needs a terminal, which firedrill "
                     "never gives a plugin; use Never or IfAvailable");
  }
  if (plugin.interactive_mode != "Never" && plugin.interactive_mode != "IfAvailable") {
    throw ValueError(where + ": exec.interactiveMode must be Never, IfAvailable or Always");
  }
  return plugin;
}

}  // namespace

KubeTarget load_kubeconfig(const std::vector<fs::path>& files, const std::string& context) {
  std::map<std::string, Entry> clusters, users, contexts;
  std::string current_context;
  std::string read_files;
  for (const auto& file : files) {
    std::error_code ec;
    if (!fs::exists(file, ec)) continue;
    read_files += (read_files.empty() ? "" : ", ") + file.string();
    json document;
    try {
      document = yaml_to_json(YAML::Load(read_file(file, "kubeconfig")));
    } catch (const YAML::Exception& e) {
      throw ValueError("kubeconfig " + file.string() + " is not valid YAML: " + e.what());
    }
    if (document.is_null()) continue;
    if (!document.is_object()) throw ValueError("kubeconfig " + file.string() + " is not a map");
    merge_named(clusters, document, "clusters", "cluster", file);
    merge_named(users, document, "users", "user", file);
    merge_named(contexts, document, "contexts", "context", file);
    if (current_context.empty()) current_context = text(document, "current-context");
  }
  if (read_files.empty()) {
    std::string listed;
    for (const auto& f : files) listed += (listed.empty() ? "" : ", ") + f.string();
    throw ValueError("no kubeconfig file found (looked for " + listed +
                     "); set integrations.kubernetes.kubeconfig, KUBECONFIG, or inCluster: true");
  }
  std::string chosen = context.empty() ? current_context : context;
  if (chosen.empty()) {
    throw ValueError("kubeconfig " + read_files +
                     " sets no current-context; set integrations.kubernetes.context to one of: " +
                     names_of(contexts));
  }
  auto c = contexts.find(chosen);
  if (c == contexts.end()) {
    throw ValueError("context \"" + chosen + "\" is not in kubeconfig " + read_files +
                     " (contexts: " + names_of(contexts) + ")");
  }
  KubeTarget t;
  t.context = chosen;
  t.source = "context " + chosen + " of " + read_files;
  t.cluster = text(c->second.value, "cluster");
  t.user = text(c->second.value, "user");
  std::string ns = text(c->second.value, "namespace");
  if (!ns.empty()) t.namespace_name = ns;

  auto cl = clusters.find(t.cluster);
  if (cl == clusters.end()) {
    throw ValueError("context \"" + chosen + "\" names cluster \"" + t.cluster +
                     "\", which is not in kubeconfig " + read_files +
                     " (clusters: " + names_of(clusters) + ")");
  }
  const json& cluster = cl->second.value;
  std::string where = "cluster \"" + t.cluster + "\" in " + cl->second.file.string();
  t.server = common::trimmed(text(cluster, "server"));
  while (!t.server.empty() && t.server.back() == '/') t.server.pop_back();
  if (!t.server.starts_with("https://") && !t.server.starts_with("http://")) {
    throw ValueError(where + ": server must be an https:// URL");
  }
  t.insecure = flag(cluster, "insecure-skip-tls-verify", where);
  t.tls_server_name = text(cluster, "tls-server-name");
  t.ca_pem = pem_from(cluster, "certificate-authority-data", "certificate-authority", where);
  if (t.insecure && !t.ca_pem.empty()) {
    throw ValueError(where +
                     ": certificate-authority and insecure-skip-tls-verify together are "
                     "not allowed (kubectl refuses them too)");
  }

  if (!t.user.empty()) {
    auto u = users.find(t.user);
    if (u == users.end()) {
      throw ValueError("context \"" + chosen + "\" names user \"" + t.user +
                       "\", which is not in kubeconfig " + read_files +
                       " (users: " + names_of(users) + ")");
    }
    const json& user = u->second.value;
    std::string uwhere = "user \"" + t.user + "\" in " + u->second.file.string();
    t.client_cert_pem = pem_from(user, "client-certificate-data", "client-certificate", uwhere);
    t.client_key_pem = pem_from(user, "client-key-data", "client-key", uwhere);
    if (t.client_cert_pem.empty() != t.client_key_pem.empty()) {
      throw ValueError(uwhere + ": a client certificate needs its key, and a key its certificate");
    }
    t.token = common::trimmed(text(user, "token"));
    std::string token_file = text(user, "tokenFile");
    if (t.token.empty() && !token_file.empty()) t.token_file = token_file;
    if (user.contains("exec") && user.at("exec").is_object()) {
      t.exec = read_exec(user.at("exec"), uwhere);
    }
    if (user.contains("auth-provider")) {
      throw ValueError(uwhere +
                       ": auth-provider plugins were removed from kubectl; use an exec "
                       "credential plugin (e.g. gke-gcloud-auth-plugin, kubelogin)");
    }
    if (!text(user, "username").empty() || !text(user, "password").empty()) {
      throw ValueError(uwhere +
                       ": basic authentication (username/password) is not supported by "
                       "Kubernetes since 1.19; use a token, a certificate or exec");
    }
  }
  return t;
}

KubeTarget load_in_cluster(const fs::path& service_account_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port) {
    throw ValueError(
        "inCluster: true, but KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
        "are not set: firedrill is not running in a Kubernetes pod");
  }
  KubeTarget t;
  t.source = "in-cluster service account (" + service_account_dir.string() + ")";
  t.context = "in-cluster";
  std::string h = host;
  t.server = "https://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + port;
  t.ca_pem = read_file(service_account_dir / "ca.crt", "in-cluster CA");
  t.token_file = service_account_dir / "token";
  read_file(t.token_file, "in-cluster service account token");
  std::error_code ec;
  if (fs::exists(service_account_dir / "namespace", ec)) {
    std::string ns =
        common::trimmed(read_file(service_account_dir / "namespace", "namespace file"));
    if (!ns.empty()) t.namespace_name = ns;
  }
  t.user = "the service account of namespace " + t.namespace_name;
  return t;
}

KubeTarget load_kube_target(const KubeConfigOptions& options) {
  if (options.in_cluster) {
    // For tests only: the Kubernetes simulator's kubelet runs firedrill pods as local processes
    // and mounts each pod's token and CA in a folder of its own, named here; a drill's
    // serviceAccountDir still wins.
    const char* test_dir = std::getenv("FIREDRILL_TEST_SERVICE_ACCOUNT_DIR");
    if (test_dir && *test_dir &&
        options.service_account_dir == KubeConfigOptions().service_account_dir) {
      return load_in_cluster(test_dir);
    }
    return load_in_cluster(options.service_account_dir);
  }
  std::vector<fs::path> files;
  if (!options.kubeconfig.empty()) {
    std::error_code ec;
    if (!fs::exists(options.kubeconfig, ec)) {
      throw ValueError("kubeconfig " + options.kubeconfig + " does not exist");
    }
    files.emplace_back(options.kubeconfig);
  } else if (const char* env = std::getenv("KUBECONFIG"); env && *env) {
    std::string list = env;
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t end = list.find(':', start);
      if (end == std::string::npos) end = list.size();
      if (end > start) files.emplace_back(list.substr(start, end - start));
      start = end + 1;
    }
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    files.emplace_back(fs::path(home) / ".kube" / "config");
  }
  if (files.empty()) {
    throw ValueError(
        "no kubeconfig: set integrations.kubernetes.kubeconfig, KUBECONFIG or HOME, "
        "or inCluster: true");
  }
  return load_kubeconfig(files, options.context);
}

}  // namespace firedrill::clients
