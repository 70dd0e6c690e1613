// Placeholder until the exec fault lands.
#include "chaos/fault.hpp"
namespace firedrill::chaos {
FaultKind exec_fault_kind() { return {"exec", "", {}, nullptr}; }
}  // namespace firedrill::chaos
