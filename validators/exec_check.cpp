// Placeholder until the exec check lands.
#include "validators/check.hpp"
namespace firedrill::validators {
CheckKind exec_check_kind() { return {"exec", "", "", {}, nullptr}; }
}  // namespace firedrill::validators
