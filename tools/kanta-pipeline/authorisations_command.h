// The `authorisations` subcommand: list and show the authorisations an
// archive holds (outsourcing authorisations, register access rights).
#pragma once

#include "command.h"

namespace kanta::cli {

// Registers `authorisations` (with its list and show commands).
Command AddAuthorisationsCommand(CLI::App& app);

}  // namespace kanta::cli
