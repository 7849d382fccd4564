// The options shared by every command that reads documents, and the
// validation stages they configure (intake, parse, schema, rules).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <utility>
#include <vector>

#include "core/pipeline.h"
#include "core/status.h"

namespace kanta::cli {

struct DocumentOptions {
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

// Settings recorded in report headers, e.g. {"schema", path}.
using RunSettings = std::vector<std::pair<std::string, std::string>>;

// Registers the options shared by commands that read documents.
void AddDocumentOptions(CLI::App& cmd, DocumentOptions& o);

// Loads the schema and rule sets the options name (once, shared by all
// workers) and appends the intake, parse, schema and rules stages to
// `pipeline`. Records what was loaded in `settings`. Fails, before any
// document is read, when a path, schema or rule set is unusable.
Status AddValidationStages(const DocumentOptions& o, Pipeline& pipeline, RunSettings& settings);

}  // namespace kanta::cli
