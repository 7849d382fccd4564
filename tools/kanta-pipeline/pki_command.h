// The `pki` subcommand: `pki init DIR` makes a test PKI shaped like Kanta's
// (crypto/test_pki.h) for trying out sign and verify.
#pragma once

#include "command.h"

namespace kanta::cli {

// Registers `pki` (with `init`) on `app`.
Command AddPkiCommand(CLI::App& app);

}  // namespace kanta::cli
