// The `validate` subcommand: intake, parse, schema (later: rules, signature).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace kanta::cli {

struct CommonOptions {
  std::vector<std::string> paths;
  std::string schema_dir;            // "" = the bundled schema
  std::string schema_engine = "libxml2";
  unsigned jobs = 0;                 // 0 = number of cores
  std::string format = "text";
  std::string out;                   // "" = standard output
  std::size_t max_bytes = 64u << 20;
  std::size_t max_depth = 256;
  std::size_t max_attributes = 256;
  long max_parse_ms = 10000;
  std::size_t max_schema_findings = 100;
  std::vector<std::string> rules;    // extra Schematron files or folders
  bool no_default_rules = false;     // do not load schemas/rules/*.sch
  std::string phase;                 // Schematron phase ("" = each schema's default)
  bool quiet = false;                // text: only documents that are not valid
  bool no_progress = false;
};

// Registers the options shared by commands that read documents.
void AddDocumentOptions(CLI::App& cmd, CommonOptions& o);

// Registers `validate` on `app`; `run` is set to the function to call.
CLI::App* AddValidateCommand(CLI::App& app, CommonOptions& options);

// Runs `validate`; returns the process exit code (0, 1, 2 or 3).
int RunValidate(const CommonOptions& options);

}  // namespace kanta::cli
