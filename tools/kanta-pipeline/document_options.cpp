#include "document_options.h"

#include <filesystem>
#include <iostream>
#include <memory>

#include "bundled_paths.h"
#include "core/input_paths.h"
#include "crypto/trust_store.h"
#include "formats/intake_stage.h"
#include "formats/parse_stage.h"
#include "validate/schema/schema_stage.h"

namespace kanta::cli {
namespace {

Result<std::string> ResolveSchema(const DocumentOptions& o) {
  if (!o.schema_dir.empty()) return validate::FindSchemaEntry(o.schema_dir);
  const std::string home = DataHome();
  if (home.empty()) {
    return NotFound(
        "the bundled schema was not found (set KANTA_PIPELINE_HOME to the folder holding "
        "schemas/, or give --schema-dir)");
  }
  return validate::FindSchemaEntry(home + "/schemas/cda");
}

// The bundled rule sets (unless turned off) and those given with --rules,
// compiled once. Bundled sets decide for themselves which documents they
// apply to; all run on CDA documents and archive messages.
Result<std::vector<validate::rules::RuleSet>> LoadRules(const DocumentOptions& o,
                                                        std::vector<std::string>& files) {
  std::vector<std::string> inputs = o.rules;
  if (!o.no_default_rules) {
    const std::string home = DataHome();
    if (!home.empty()) inputs.insert(inputs.begin(), home + "/schemas/rules");
  }
  std::vector<validate::rules::RuleSet> sets;
  for (const std::string& in : inputs) {
    ASSIGN_OR_RETURN(std::vector<std::string> expanded, ExpandInputPaths({in}));
    for (const std::string& f : expanded) {
      if (f.size() < 4 || f.compare(f.size() - 4, 4, ".sch") != 0) continue;
      validate::rules::SchematronOptions so;
      so.phase = o.phase;
      ASSIGN_OR_RETURN(auto schema, validate::rules::CompiledSchematron::Load(f, so));
      for (const std::string& w : schema->load_warnings()) {
        std::cerr << "kanta-pipeline: warning: " << f << ": " << w << "\n";
      }
      files.push_back(f);
      sets.push_back(validate::rules::RuleSet{
          std::shared_ptr<const validate::rules::CompiledSchematron>(std::move(schema)),
          {DocumentKind::kCda, DocumentKind::kArchiveMessage}});
    }
  }
  return sets;
}

Result<crypto::SignatureOptions> LoadSignatureOptions(const DocumentOptions& o,
                                                      bool require_signature, RunSettings& settings) {
  crypto::SignatureOptions so;
  if (!o.trust.empty()) {
    ASSIGN_OR_RETURN(so.trust, crypto::TrustStore::Load(o.trust));
  }
  so.refuse_sha1 = o.refuse_sha1;
  so.require_signature = require_signature;
  if (!o.explain_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.explain_dir, ec);
    if (ec) {
      return InvalidArgument("cannot create the --explain folder " + o.explain_dir + ": " +
                             ec.message());
    }
    so.explain_dir = o.explain_dir;
  }
  std::string trust_list;
  for (const std::string& f : o.trust) trust_list += (trust_list.empty() ? "" : ";") + f;
  settings.emplace_back("trust", trust_list);
  settings.emplace_back("sha1", o.refuse_sha1 ? "refused" : "warning");
  return so;
}

}  // namespace

void AddInputOptions(CLI::App& cmd, DocumentOptions& o, const std::string& out_flag) {
  cmd.add_option("paths", o.paths, "documents: files, folders (recursive) or - for stdin")
      ->required();
  cmd.add_option("-j,--jobs", o.jobs, "worker threads (default: number of cores)");
  cmd.add_option("--format", o.format, "report format: text, json, junit, html or svrl (rule findings as SVRL)")
      ->check(CLI::IsMember({"text", "json", "junit", "html", "svrl"}))
      ->capture_default_str();
  cmd.add_option(out_flag, o.out, "write the report to FILE instead of standard output");
  cmd.add_option("--max-bytes", o.max_bytes, "largest document accepted, in bytes")
      ->capture_default_str();
  cmd.add_option("--max-depth", o.max_depth, "deepest element nesting accepted")
      ->capture_default_str();
  cmd.add_option("--max-attributes", o.max_attributes, "most attributes on one element")
      ->capture_default_str();
  cmd.add_option("--max-parse-ms", o.max_parse_ms, "longest parse of one document, in ms")
      ->capture_default_str();
  cmd.add_flag("-q,--quiet", o.quiet, "text format: list only documents that are not valid");
  cmd.add_flag("--no-progress", o.no_progress, "no progress line on a terminal");
}

void AddSchemaOptions(CLI::App& cmd, DocumentOptions& o) {
  cmd.add_option("--schema-dir", o.schema_dir,
                 "folder holding CDA_Fi.xsd or CDA.xsd (e.g. the Kanta schema package), or "
                 "the .xsd itself; default: the bundled schema");
  cmd.add_option("--schema-engine", o.schema_engine, "XSD engine: libxml2 or xerces")
      ->check(CLI::IsMember({"libxml2", "xerces"}))
      ->capture_default_str();
  cmd.add_option("--max-schema-findings", o.max_schema_findings,
                 "schema findings listed per document (the rest are counted)")
      ->capture_default_str();
}

void AddSignatureOptions(CLI::App& cmd, DocumentOptions& o) {
  cmd.add_option("--trust", o.trust,
                 "CA certificate (PEM or DER) signer certificates must chain to (repeatable); "
                 "without it the chain is reported as not checked");
  cmd.add_flag("--refuse-sha1", o.refuse_sha1,
               "refuse SHA-1 signatures and digests (default: accept with a warning)");
  cmd.add_option("--explain", o.explain_dir,
                 "write the canonical bytes of every failing signature reference into DIR");
}

void AddDocumentOptions(CLI::App& cmd, DocumentOptions& o) {
  AddInputOptions(cmd, o);
  AddSchemaOptions(cmd, o);
  cmd.add_option("--rules", o.rules,
                 "Schematron rule set (.sch) or folder of them to run as well (repeatable)");
  cmd.add_flag("--no-default-rules", o.no_default_rules,
               "do not run the bundled rule sets (schemas/rules)");
  cmd.add_option("--phase", o.phase,
                 "Schematron phase to run (default: each schema's defaultPhase, else #ALL)");
  AddSignatureOptions(cmd, o);
  cmd.add_flag("--no-signature", o.no_signature,
               "do not verify the digital signatures of signed documents");
}

Result<Validation> LoadValidation(const DocumentOptions& o, ValidationParts parts) {
  Validation v;
  v.max_bytes = o.max_bytes;
  v.limits.max_bytes = o.max_bytes;
  v.limits.max_depth = o.max_depth;
  v.limits.max_attributes = o.max_attributes;
  v.limits.max_time = std::chrono::milliseconds(o.max_parse_ms);

  if (parts.schema) {
    ASSIGN_OR_RETURN(validate::SchemaEngine engine, validate::ParseSchemaEngine(o.schema_engine));
    ASSIGN_OR_RETURN(std::string schema_file, ResolveSchema(o));
    validate::SchemaOptions schema_options;
    schema_options.engine = engine;
    schema_options.schema_file = schema_file;
    schema_options.max_findings = o.max_schema_findings;
    ASSIGN_OR_RETURN(v.schema, validate::LoadSchemaValidator(schema_options));
    v.settings.emplace_back("schema", schema_file);
    v.settings.emplace_back("schemaEngine", std::string(validate::SchemaEngineName(engine)));
  }
  if (parts.rules) {
    std::vector<std::string> rule_files;
    ASSIGN_OR_RETURN(v.rules, LoadRules(o, rule_files));
    std::string rules_list;
    for (const std::string& f : rule_files) rules_list += (rules_list.empty() ? "" : ";") + f;
    v.settings.emplace_back("rules", rules_list);
  }
  if (parts.signature && !o.no_signature) {
    ASSIGN_OR_RETURN(v.signature, LoadSignatureOptions(o, parts.require_signature, v.settings));
  }
  return v;
}

void Validation::AddReadStages(Pipeline& pipeline, std::unique_ptr<Stage> after_intake) const {
  pipeline.Add(std::make_unique<formats::IntakeStage>(formats::IntakeOptions{max_bytes}));
  if (after_intake) pipeline.Add(std::move(after_intake));
  pipeline.Add(std::make_unique<formats::ParseStage>(limits));
}

void Validation::AddSchemaStage(Pipeline& pipeline) const {
  pipeline.Add(std::make_unique<validate::SchemaStage>(schema));
}

void Validation::AddSignatureStage(Pipeline& pipeline) const {
  pipeline.Add(std::make_unique<crypto::SignatureStage>(*signature));
}

void Validation::AddStages(Pipeline& pipeline, std::unique_ptr<Stage> after_intake) const {
  AddReadStages(pipeline, std::move(after_intake));
  if (schema) AddSchemaStage(pipeline);
  if (!rules.empty()) pipeline.Add(std::make_unique<validate::rules::RulesStage>(rules));
  if (signature) AddSignatureStage(pipeline);
}

}  // namespace kanta::cli
