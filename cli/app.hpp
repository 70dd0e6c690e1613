#pragma once
#include "common/exit_code.hpp"

namespace firedrill::cli {

// kExitOk, kExitUsage...: what every subcommand returns.
using enum common::ExitCode;

int run_app(int argc, char** argv);

}  // namespace firedrill::cli
