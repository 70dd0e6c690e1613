#pragma once
#include "common/secret_values.hpp"
#include "loadgen/load_stats.hpp"

namespace firedrill::loadgen {

// `load` with the secret values in its texts (request URLs, headers and bodies, TLS file names,
// error messages) shown as their references. Counts and times are left alone, so that a number
// that happens to equal a short secret stays a number and the result stays a valid document.
void redact_load(LoadResult& load, const common::SecretValues& secrets);

}  // namespace firedrill::loadgen
