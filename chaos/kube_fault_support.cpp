#include "chaos/kube_fault_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "common/errors.hpp"

namespace firedrill::chaos::kube {

namespace {

using common::ValueError;
using nlohmann::json;

bool alphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

void check_namespace_param(const std::string& ns) {
  if (ns.empty()) {
    throw ValueError("namespace: a Kubernetes fault needs an explicit namespace");
  }
  if (ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease") {
    throw ValueError("namespace: " + ns +
                     " is refused: faults never touch the cluster's own namespaces; use the "
                     "namespace of the workload under test");
  }
}

void check_namespace_allowed(const std::string& ns, const clients::KubernetesIntegration& kube) {
  const auto& allowed = kube.allowed_namespaces;
  if (std::find(allowed.begin(), allowed.end(), ns) != allowed.end()) return;
  std::string listed;
  for (const auto& a : allowed) listed += (listed.empty() ? "" : ", ") + a;
  throw ValueError("namespace: " + ns +
                   " is refused: integrations.kubernetes.allowNamespaces does not list it (" +
                   (listed.empty() ? std::string("it lists none") : "it lists " + listed) +
                   "); add it there to let faults touch it");
}

void check_integrations(const common::Params& params, const clients::Integrations& integrations) {
  check_namespace_allowed(params.at("namespace").get<std::string>(), integrations.kubernetes);
}

std::vector<std::string> workload_key(const common::Params& params) {
  return {params.at("kind").get<std::string>() + " " + params.at("namespace").get<std::string>() +
          "/" + params.at("name").get<std::string>()};
}

Connection connect(const FaultContext& context, const std::string& ns) {
  Connection c;
  try {
    check_namespace_allowed(ns, context.integrations->kubernetes);
    c.max_pods = context.integrations->kubernetes.max_pods;
  } catch (const ValueError& e) {
    throw FaultError(e.what());
  }
  try {
    c.client = context.integrations->kube_client();
  } catch (const ValueError& e) {
    throw FaultError(std::string("integrations.kubernetes: ") + e.what());
  }
  return c;
}

std::string label_value(const std::string& text) {
  constexpr size_t kMaxLabelValue = 63;
  std::string out;
  for (char c : text) out += (alphanumeric(c) || c == '-' || c == '_' || c == '.') ? c : '-';
  if (out.size() > kMaxLabelValue) {
    // Run ids end in their time and a random suffix: cut, a long drill name would make two runs
    // share one label and `cleanup` of one delete the other's pods. A hash of the whole keeps
    // them apart (FNV-1a: stable across builds and machines).
    uint32_t hash = 2166136261u;
    for (unsigned char c : text) hash = (hash ^ c) * 16777619u;
    out = out.substr(0, kMaxLabelValue - 9) + "-" + fmt::format("{:08x}", hash);
  }
  while (!out.empty() && !alphanumeric(out.front())) out.erase(0, 1);
  while (!out.empty() && !alphanumeric(out.back())) out.pop_back();
  return out;
}

json created_labels(const FaultContext& context, const std::string& fault_kind) {
  return {{kDrillLabel, label_value(context.drill_name)},
          {kRunLabel, label_value(context.run_id)},
          {kFaultLabel, label_value(fault_kind)}};
}

std::vector<clients::KubeResource> created_kinds() {
  return {clients::core_resource("pods")};
}

std::string generated_name(const std::string& prefix) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::random_device rd;
  std::string suffix;
  for (int i = 0; i < 5; ++i) suffix += kAlphabet[rd() % (sizeof kAlphabet - 1)];
  return prefix + "-" + suffix;
}

void dry_run_report(const FaultContext& context, const std::vector<std::string>& lines) {
  if (!context.note) return;
  for (const auto& line : lines) context.note(line);
}

bool pod_ready(const json& pod) {
  for (const auto& c : pod.value("/status/conditions"_json_pointer, json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

bool pod_terminating(const json& pod) {
  return pod.contains("/metadata/deletionTimestamp"_json_pointer);
}

std::string pod_owner_kind(const json& pod) {
  for (const auto& r : pod.value("/metadata/ownerReferences"_json_pointer, json::array())) {
    if (r.value("controller", false)) return r.value("kind", "");
  }
  return {};
}

int64_t whole_seconds(const common::Params& p, const std::string& name) {
  auto d = common::duration_param(p, name);
  if (d < common::Duration::zero() || d % std::chrono::seconds(1) != common::Duration::zero()) {
    throw ValueError(name + ": must be a whole number of seconds, like 0s or 30s");
  }
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

uint64_t memory_bytes(const std::string& quantity, const std::string& param) {
  static const std::vector<std::pair<std::string, double>> kSuffixes = {
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"k", 1e3},     {"M", 1e6},        {"G", 1e9},           {"T", 1e12},
      {"", 1.0}};
  for (const auto& [suffix, factor] : kSuffixes) {
    if (quantity.size() <= suffix.size() || !quantity.ends_with(suffix)) continue;
    std::string number = quantity.substr(0, quantity.size() - suffix.size());
    if (number.find_first_not_of("0123456789.") != std::string::npos) break;
    try {
      double value = std::stod(number) * factor;
      if (value >= 1) return static_cast<uint64_t>(value);
    } catch (const std::exception&) {
    }
    break;
  }
  throw ValueError(param + ": expected a memory quantity like 64Mi, 1Gi or 500M, got \"" +
                   quantity + "\"");
}

json load_pod_manifest(const LoadPod& pod) {
  json spec = {{"restartPolicy", "Always"},
               {"terminationGracePeriodSeconds", 0},
               {"containers", json::array({{{"name", pod.container},
                                            {"image", pod.image},
                                            {"command", pod.command},
                                            {"resources", pod.resources}}})}};
  spec.update(pod.placement);
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", pod.name}, {"labels", pod.labels}}},
          {"spec", spec}};
}

void create_load_pods(const FaultContext& context, clients::KubeClient& client,
                      const std::string& ns, const std::vector<LoadPod>& pods) {
  if (context.dry_run) {
    std::vector<std::string> lines;
    for (const auto& p : pods) {
      lines.push_back("would create pod " + ns + "/" + p.name + " (image " + p.image +
                      ", resources " + p.resources.dump() +
                      (p.placement.empty() ? "" : ", placement " + p.placement.dump()) + ")");
    }
    dry_run_report(context, lines);
    return;
  }
  for (const auto& p : pods) {
    api("creating pod " + ns + "/" + p.name,
        [&] { return client.create(clients::core_resource("pods", ns), load_pod_manifest(p)); });
  }
}

void delete_pods(clients::KubeClient& client, const std::string& ns,
                 const std::vector<std::string>& names) {
  for (const auto& name : names) {
    api("deleting pod " + ns + "/" + name,
        [&] { return client.remove(clients::core_resource("pods", ns, name), 0); });
  }
}

common::FieldSpec namespace_field() {
  return {"namespace",
          common::FieldType::String,
          true,
          "the namespace of the workload; it must be listed in "
          "integrations.kubernetes.allowNamespaces, and kube-system never is",
          {},
          {}};
}

common::FieldSpec workload_kind_field(const std::vector<std::string>& kinds) {
  return {"kind",      common::FieldType::String, false, "the kind of the workload", kinds,
          "Deployment"};
}

std::vector<clients::KubeAccess> load_pod_access(const common::Params& p) {
  return {{"",
           "pods",
           {clients::KubeVerb::List, clients::KubeVerb::Create, clients::KubeVerb::Delete},
           p.at("namespace").get<std::string>(),
           {}}};
}

}  // namespace firedrill::chaos::kube
