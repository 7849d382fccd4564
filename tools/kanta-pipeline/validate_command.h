// The `validate` subcommand: intake, parse, schema and rules, then a report.
#pragma once

#include "command.h"

namespace kanta::cli {

// Registers `validate` on `app`.
Command AddValidateCommand(CLI::App& app);

}  // namespace kanta::cli
