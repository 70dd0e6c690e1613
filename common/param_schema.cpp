#include "common/param_schema.hpp"

namespace firedrill::common {

const FieldSpec* ParamSchema::find(const std::string& name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace firedrill::common
