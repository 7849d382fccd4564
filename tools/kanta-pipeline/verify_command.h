// The `verify` subcommand: intake, parse and the signature stage, then a
// report. Every document must carry a signature.
#pragma once

#include "command.h"

namespace kanta::cli {

// Registers `verify` on `app`.
Command AddVerifyCommand(CLI::App& app);

}  // namespace kanta::cli
