// Command: one subcommand of the kanta-pipeline program.
//
// Each command file registers its subcommand and options on the CLI11 app and
// returns the function that runs it once the command line has been parsed;
// the options live with that function. main() only lists the commands.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace kanta::cli {

// Exit codes shared by every command (README, DESIGN.md).
inline constexpr int kExitOk = 0;        // every document passed / was stored
inline constexpr int kExitFindings = 1;  // ran; some document invalid, refused or quarantined
inline constexpr int kExitUsage = 2;     // usage or configuration error
inline constexpr int kExitInternal = 3;  // internal failure

struct Command {
  CLI::App* app = nullptr;    // the registered subcommand
  std::function<int()> run;   // runs it; returns the exit code
};

}  // namespace kanta::cli
