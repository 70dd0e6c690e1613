#include "local/termination.hpp"

#include "common/rfc3339.hpp"

namespace firedrill::local {

std::string_view to_string(TerminationReason reason) {
  switch (reason) {
    case TerminationReason::OOMKilled:
      return "OOMKilled";
    case TerminationReason::Error:
      return "Error";
    case TerminationReason::Completed:
      return "Completed";
    case TerminationReason::Killed:
      return "Killed";
  }
  return "Error";
}

nlohmann::json Termination::to_json() const {
  return {{"at", common::format_rfc3339(at)},
          {"reason", to_string(reason)},
          {"exitCode", exit_code},
          {"signal", signal},
          {"detail", detail}};
}

}  // namespace firedrill::local
