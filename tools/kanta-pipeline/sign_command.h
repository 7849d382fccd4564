// The `sign` subcommand: intake, parse, sign (the Kanta system signature),
// a schema check of the signed document, and writing it under --out DIR.
#pragma once

#include "command.h"

namespace kanta::cli {

// Registers `sign` on `app`.
Command AddSignCommand(CLI::App& app);

}  // namespace kanta::cli
