// The `archive` subcommand: list, get, export and quarantine, reading what
// ingest stored.
#pragma once

#include "command.h"

namespace kanta::cli {

// Registers `archive` (with its list, get, export and quarantine commands).
Command AddArchiveCommand(CLI::App& app);

}  // namespace kanta::cli
