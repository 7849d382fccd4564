// The options shared by every command that reads documents, and the
// validation they configure (intake, parse, schema, rules, signature).
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/pipeline.h"
#include "core/status.h"
#include "crypto/signature_stage.h"
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
  // Signatures (docs/signatures.md).
  std::vector<std::string> trust;    // CA certificates signers must chain to ("" = not checked)
  bool refuse_sha1 = false;          // SHA-1 signatures are errors, not warnings
  std::string explain_dir;           // write canonical bytes of failing references here
  bool no_signature = false;         // skip the signature stage
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
// --schema-dir, --schema-engine and --max-schema-findings.
void AddSchemaOptions(CLI::App& cmd, DocumentOptions& o);
// --trust, --refuse-sha1 and --explain.
void AddSignatureOptions(CLI::App& cmd, DocumentOptions& o);

// What LoadValidation loads.
struct ValidationParts {
  bool schema = true;
  bool rules = true;
  bool signature = true;           // unless DocumentOptions::no_signature
  bool require_signature = false;  // an unsigned document is an error (verify)
};

// The heavy parts of validation, loaded once and shared by every pipeline
// and worker that uses them: the compiled schema and rule sets, the trust
// store.
struct Validation {
  std::size_t max_bytes = 0;
  xml::ParseLimits limits;
  std::shared_ptr<const validate::SchemaValidator> schema;  // null unless loaded
  std::vector<validate::rules::RuleSet> rules;
  std::optional<crypto::SignatureOptions> signature;        // null: no signature stage
  RunSettings settings;  // what was loaded, for report headers

  // Appends the intake and parse stages, with `after_intake` between them
  // when given (ingest's already-stored stage).
  void AddReadStages(Pipeline& pipeline, std::unique_ptr<Stage> after_intake = nullptr) const;
  // Appends the schema stage (the schema must be loaded).
  void AddSchemaStage(Pipeline& pipeline) const;
  // Appends the signature stage (it must be loaded).
  void AddSignatureStage(Pipeline& pipeline) const;
  // Appends the read stages (as AddReadStages) and whichever of schema, rules
  // and signature are loaded.
  void AddStages(Pipeline& pipeline, std::unique_ptr<Stage> after_intake = nullptr) const;
};

// Loads what `parts` asks for as the options say. Fails, before any document
// is read, when a schema, rule set or trust file is unusable.
Result<Validation> LoadValidation(const DocumentOptions& o, ValidationParts parts = {});

}  // namespace kanta::cli
