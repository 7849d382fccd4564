// The `ingest` subcommand: validate, resolve the register, stamp, store.
#pragma once

#include "command.h"

namespace kanta::cli {

// Registers `ingest` on `app`.
Command AddIngestCommand(CLI::App& app);

}  // namespace kanta::cli
