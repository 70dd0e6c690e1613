// Placeholder until the http check lands.
#include "validators/check.hpp"
namespace firedrill::validators {
CheckKind http_check_kind() { return {"http", "", "", {}, nullptr}; }
}  // namespace firedrill::validators
