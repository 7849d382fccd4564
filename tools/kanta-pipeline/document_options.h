// The options shared by every command that reads documents, and the
// validation stages they configure (intake, parse, schema, rules, signature).
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
  // Signatures (docs/signatures.md).
  std::vector<std::string> trust;    // CA certificates signers must chain to ("" = not checked)
  bool refuse_sha1 = false;          // SHA-1 signatures are errors, not warnings
  std::string explain_dir;           // write canonical bytes of failing references here
  bool no_signature = false;         // validate: skip the signature stage
};

// Settings recorded in report headers, e.g. {"schema", path}.
using RunSettings = std::vector<std::pair<std::string, std::string>>;

// Registers the options shared by commands that read documents (the input,
// run, report, limit, schema, rule and signature options below).
void AddDocumentOptions(CLI::App& cmd, DocumentOptions& o);

// The parts of AddDocumentOptions, for commands that need only some:
// paths, --jobs, --format/--out (`out_flag` names the report file option),
// --quiet, --no-progress and the parse limits.
void AddInputOptions(CLI::App& cmd, DocumentOptions& o, const std::string& out_flag = "-o,--out");
// --schema-dir and --schema-engine.
void AddSchemaOptions(CLI::App& cmd, DocumentOptions& o);
// --trust, --refuse-sha1 and --explain.
void AddSignatureOptions(CLI::App& cmd, DocumentOptions& o);

// Loads the schema and rule sets the options name (once, shared by all
// workers) and appends the intake, parse, schema and rules stages to
// `pipeline`. Records what was loaded in `settings`. Fails, before any
// document is read, when a path, schema or rule set is unusable.
Status AddValidationStages(const DocumentOptions& o, Pipeline& pipeline, RunSettings& settings);

// Appends the intake and parse stages.
void AddReadStages(const DocumentOptions& o, Pipeline& pipeline);

// Loads the schema the options name and appends a schema stage. Fails when
// the schema is unusable.
Status AddSchemaStage(const DocumentOptions& o, Pipeline& pipeline, RunSettings& settings);

// Loads the trust store (--trust) and appends the signature stage; with
// `require_signature` an unsigned document is an error (the verify command).
// Fails when a trust file is unusable or the explain folder cannot be made.
Status AddSignatureStage(const DocumentOptions& o, bool require_signature, Pipeline& pipeline,
                         RunSettings& settings);

}  // namespace kanta::cli
