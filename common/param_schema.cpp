#include "common/param_schema.hpp"

#include "common/errors.hpp"

namespace firedrill::common {

const FieldSpec* ParamSchema::find(const std::string& name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Duration positive_duration_param(const Params& p, const std::string& name) {
  Duration d = duration_param(p, name);
  if (d <= Duration::zero()) throw ValueError(name + ": must be more than 0");
  return d;
}

}  // namespace firedrill::common
