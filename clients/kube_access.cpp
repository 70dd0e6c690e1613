#include "clients/kube_access.hpp"

namespace firedrill::clients {

std::string_view verb_name(KubeVerb verb) {
  switch (verb) {
    case KubeVerb::Get:
      return "get";
    case KubeVerb::List:
      return "list";
    case KubeVerb::Create:
      return "create";
    case KubeVerb::Patch:
      return "patch";
    case KubeVerb::Delete:
      return "delete";
  }
  return "get";
}

}  // namespace firedrill::clients
