#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "chaos/fault.hpp"
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "common/safe_output.hpp"
#include "scenarios/drill_parser.hpp"
#include "scenarios/worker_job_load.hpp"
#include "validators/check.hpp"

namespace firedrill::cli {

namespace {

using clients::KubeAccess;
using clients::KubeVerb;

// A YAML scalar that no reader can take for anything but a string: a JSON string.
std::string quoted(const std::string& text) {
  return nlohmann::json(text).dump();
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + quoted(items[i]);
  return out + "]";
}

bool is_dns_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// A DNS-1123 label (and label value) from the drill's name, for the Role's name and label.
std::string drill_label(const std::string& drill_name) {
  std::string label;
  for (char c : drill_name) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (is_dns_label_char(lower)) {
      label += lower;
    } else if (!label.empty() && label.back() != '-') {
      label += '-';
    }
  }
  label = label.substr(0, 53);  // "firedrill-" and this within 63
  while (!label.empty() && label.back() == '-') label.pop_back();
  return label.empty() ? "drill" : label;
}

// Empty when `name` is a DNS-1123 label (what namespaces and ServiceAccounts are named by).
std::string dns_label_error(const std::string& name) {
  const bool valid = !name.empty() && name.size() <= 63 && is_dns_label_char(name.front()) &&
                     is_dns_label_char(name.back()) &&
                     std::all_of(name.begin(), name.end(),
                                 [](char c) { return is_dns_label_char(c) || c == '-'; });
  return valid ? ""
               : nlohmann::json(name).dump() +
                     " is not a DNS-1123 label (lowercase letters, digits and '-', starting and "
                     "ending with a letter or digit, at most 63)";
}

// One rule's worth of resources: those of one group, with one resource name (or none), that
// need the same verbs.
struct RuleKey {
  std::string group;
  std::string resource_name;
  std::set<KubeVerb> verbs;
  auto operator<=>(const RuleKey&) const = default;
};

// The drill's access by namespace ("" for the cluster scope), merged into as few rules as can
// say it exactly.
std::map<std::string, std::map<RuleKey, std::set<std::string>>> rules_of(
    const std::vector<KubeAccess>& access) {
  std::map<std::string,
           std::map<std::tuple<std::string, std::string, std::string>, std::set<KubeVerb>>>
      verbs;
  for (const auto& a : access) {
    auto& set = verbs[a.namespace_name][{a.group, a.resource, a.resource_name}];
    set.insert(a.verbs.begin(), a.verbs.end());
  }
  std::map<std::string, std::map<RuleKey, std::set<std::string>>> rules;
  for (const auto& [ns, by_resource] : verbs) {
    for (const auto& [key, set] : by_resource) {
      const auto& [group, resource, resource_name] = key;
      rules[ns][RuleKey{group, resource_name, set}].insert(resource);
    }
  }
  return rules;
}

struct RbacCommand {
  std::string file;
  std::string namespace_name = "firedrill";
  std::string service_account = "firedrill";
  std::vector<std::string> groups;
  std::vector<std::string> users;

  int run() const {
    for (const auto& [flag, value] : {std::pair{"--namespace", namespace_name},
                                      std::pair{"--service-account", service_account}}) {
      if (std::string why = dns_label_error(value); !why.empty()) {
        std::cerr << "firedrill rbac: " << flag << ": " << why << "\n";
        return kExitUsage;
      }
    }
    scenarios::ParseOutcome outcome = scenarios::parse_drill_file(file);
    if (!outcome.drill) {
      std::cerr << scenarios::format_errors(outcome.errors);
      return kExitUsage;
    }
    const scenarios::Drill& drill = *outcome.drill;
    std::vector<KubeAccess> access;
    auto add = [&access](const auto* kind, const common::Params& params) {
      if (!kind || !kind->kube_access) return;
      auto more = kind->kube_access(params);
      access.insert(access.end(), more.begin(), more.end());
    };
    for (const auto& step : drill.steps) {
      if (step.type == scenarios::StepType::Chaos) {
        add(chaos::find_fault_kind(step.fault.kind), step.fault.params);
      }
      for (const auto& check : step.checks)
        add(validators::find_check_kind(check.kind), check.params);
    }
    for (const auto& [name, profile] : drill.load) {
      if (!profile.workers) continue;
      auto more = scenarios::worker_kube_access(*profile.workers);
      access.insert(access.end(), more.begin(), more.end());
    }
    // `firedrill cleanup --drill` lists pods in every namespace the drill allows; it deletes only
    // what a fault created, which the faults' own rules already grant.
    for (const auto& ns : drill.integrations.kubernetes.allowed_namespaces) {
      access.push_back({"", "pods", {KubeVerb::List}, ns, {}});
    }
    print(drill, rules_of(access));
    return kExitOk;
  }

  void print(const scenarios::Drill& drill,
             const std::map<std::string, std::map<RuleKey, std::set<std::string>>>& rules) const {
    const std::string label = drill_label(drill.metadata.name);
    const std::string name = "firedrill-" + label;
    const std::string labels =
        "  labels:\n    app.kubernetes.io/managed-by: firedrill\n    firedrill.io/drill: " +
        quoted(label) + "\n";
    std::string subjects =
        "subjects:\n  - kind: ServiceAccount\n    name: " + quoted(service_account) +
        "\n    namespace: " + quoted(namespace_name) + "\n";
    for (const auto& [kind, names] : {std::pair{"Group", groups}, std::pair{"User", users}}) {
      for (const auto& subject : names) {
        subjects += std::string("  - kind: ") + kind +
                    "\n    apiGroup: rbac.authorization.k8s.io\n    name: " + quoted(subject) +
                    "\n";
      }
    }
    std::ostringstream out;
    // Quoted: no name from the drill or the command line can end the comment line.
    out << "# What drill " << quoted(drill.metadata.name)
        << " asks of the Kubernetes API, and nothing more: firedrill rbac " << quoted(file)
        << " --namespace " << namespace_name << "\n"
        << "# Commands of exec faults and checks (kubectl, aws) are not included.\n"
        << "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: " << quoted(service_account)
        << "\n  namespace: " << quoted(namespace_name) << "\n"
        << labels;
    if (rules.empty()) {
      std::cerr << "firedrill rbac: " << file
                << " makes no Kubernetes API request; the ServiceAccount needs no Role\n";
    }
    for (const auto& [ns, ns_rules] : rules) {
      const bool cluster = ns.empty();
      const std::string role_kind = cluster ? "ClusterRole" : "Role";
      const std::string meta = "metadata:\n  name: " + quoted(name) + "\n" +
                               (cluster ? "" : "  namespace: " + quoted(ns) + "\n") + labels;
      out << "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: " << role_kind << "\n"
          << meta << "rules:\n";
      for (const auto& [key, resources] : ns_rules) {
        std::vector<std::string> verbs;
        for (KubeVerb v : key.verbs) verbs.emplace_back(clients::verb_name(v));
        out << "  - apiGroups: " << quoted_list({key.group}) << "\n"
            << "    resources: "
            << quoted_list(std::vector<std::string>(resources.begin(), resources.end())) << "\n";
        if (!key.resource_name.empty()) {
          out << "    resourceNames: " << quoted_list({key.resource_name}) << "\n";
        }
        out << "    verbs: " << quoted_list(verbs) << "\n";
      }
      out << "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: " << role_kind << "Binding\n"
          << meta << "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: " << role_kind
          << "\n  name: " << quoted(name) << "\n"
          << subjects;
    }
    // The manifest must name the real namespaces, which the drill may have interpolated: the
    // standard streams would show those as their references.
    common::write_verbatim(std::cout, out.str());
    std::cout << std::flush;
  }
};

}  // namespace

CommandRunner add_rbac_command(CLI::App& app) {
  auto cmd = std::make_shared<RbacCommand>();
  CLI::App* sub = app.add_subcommand(
      "rbac",
      "Print the least-privilege RBAC a drill needs to run in a cluster: a ServiceAccount, and\n"
      "for each namespace the drill touches a Role and RoleBinding with exactly the verbs and\n"
      "resources its faults and checks call (a ClusterRole and ClusterRoleBinding only for\n"
      "cluster-scoped resources such as nodes, or reads across namespaces). Apply it with\n"
      "`firedrill rbac drill.yaml | kubectl apply -f -`. Commands that exec faults and checks run\n"
      "(kubectl, aws) are not included.\n"
      "Exit codes: 0 printed, 2 the drill file has errors.");
  sub->add_option("FILE", cmd->file, "the drill file")->required();
  sub->add_option("--namespace", cmd->namespace_name,
                  "where the ServiceAccount (and the Job running firedrill) lives")
      ->capture_default_str();
  sub->add_option("--service-account", cmd->service_account, "the ServiceAccount's name")
      ->capture_default_str();
  sub->add_option("--group", cmd->groups,
                  "also bind this group (repeatable): the kubernetesGroups an EKS access entry "
                  "gives a CI role");
  sub->add_option("--user", cmd->users, "also bind this user (repeatable)");
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli
