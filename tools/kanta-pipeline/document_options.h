// The options shared by every command that reads documents, and the
// validation stages they configure (intake, parse, schema, rules).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <utility>
#include <vector>

#include "core/pipeline.h"
#include "core/status.h"
#include "validate/rules/rules_stage.h"
#include "validate/schema/schema_validator.h"
#include "xml/secure_parser.h"

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

// The heavy parts of validation, loaded once and shared by every pipeline
// and worker that uses them: the compiled schema and rule sets.
struct Validation {
  std::size_t max_bytes = 0;
  xml::ParseLimits limits;
  std::shared_ptr<const validate::SchemaValidator> schema;
  std::vector<validate::rules::RuleSet> rules;
  RunSettings settings;  // what was loaded, for report headers

  // Appends the intake and parse stages.
  void AddReadStages(Pipeline& pipeline) const;
  // Appends intake, parse, schema and rules stages.
  void AddStages(Pipeline& pipeline) const;
};

// Loads the schema and rule sets the options name. Fails, before any
// document is read, when a path, schema or rule set is unusable.
Result<Validation> LoadValidation(const DocumentOptions& o);

}  // namespace kanta::cli
