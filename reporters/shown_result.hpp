#pragma once
#include "common/secret_values.hpp"
#include "reporters/run_result.hpp"

namespace firedrill::reporters {

// The run result as every report shows it: each text that came from the drill, a server or a
// command (names, descriptions, messages, evidence values, request URLs, headers and bodies,
// errors) with the secret values shown as their references. Field names and the values firedrill
// itself sets (schema, verdicts, kinds, windows, event types) are left alone, so the result stays
// a valid document whatever the secrets are.
RunResult shown_result(RunResult result, const common::SecretValues& secrets);

}  // namespace firedrill::reporters
