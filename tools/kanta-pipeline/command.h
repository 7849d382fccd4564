// Command: one subcommand of the kanta-pipeline program.
//
// Each command file registers its subcommand and options on the CLI11 app and
// returns the function that runs it once the command line has been parsed;
// the options live with that function. main() only lists the commands.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <iostream>
#include <string_view>

#include "core/status.h"

namespace kanta::cli {

// Exit codes shared by every command (README, DESIGN.md).
inline constexpr int kExitOk = 0;        // every document passed / was stored
inline constexpr int kExitFindings = 1;  // ran; some document invalid, refused or quarantined
inline constexpr int kExitUsage = 2;     // usage or configuration error
inline constexpr int kExitInternal = 3;  // internal failure
// A batch a signal interrupted exits with 128 + the signal (interrupt.h).

// Prints `message` as the program's error on standard error and returns
// `code`; ConfigError for usage and configuration errors (kExitUsage).
inline int Fail(std::string_view message, int code) {
  std::cerr << "kanta-pipeline: " << message << "\n";
  return code;
}
inline int Fail(const Status& s, int code) { return Fail(s.message(), code); }
inline int ConfigError(std::string_view message) { return Fail(message, kExitUsage); }
inline int ConfigError(const Status& s) { return Fail(s.message(), kExitUsage); }

struct Command {
  CLI::App* app = nullptr;    // the registered subcommand
  std::function<int()> run;   // runs it; returns the exit code
};

}  // namespace kanta::cli
