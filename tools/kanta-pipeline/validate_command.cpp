#include "validate_command.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>

#include "bundled_paths.h"
#include "core/batch_runner.h"
#include "core/input_paths.h"
#include "file_source.h"
#include "formats/intake_stage.h"
#include "formats/parse_stage.h"
#include "report/report_writer.h"
#include "validate/rules/rules_stage.h"
#include "validate/schema/schema_stage.h"

namespace kanta::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInternal = 3;

std::string NowUtc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int ConfigError(const Status& s) {
  std::cerr << "kanta-pipeline: " << s.message() << "\n";
  return kExitUsage;
}

Result<std::string> ResolveSchema(const CommonOptions& o) {
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
Result<std::vector<validate::rules::RuleSet>> LoadRules(const CommonOptions& o,
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

}  // namespace

void AddDocumentOptions(CLI::App& cmd, CommonOptions& o) {
  cmd.add_option("paths", o.paths, "documents: files, folders (recursive) or - for stdin")
      ->required();
  cmd.add_option("--schema-dir", o.schema_dir,
                 "folder holding CDA_Fi.xsd or CDA.xsd (e.g. the Kanta schema package), or "
                 "the .xsd itself; default: the bundled schema");
  cmd.add_option("--schema-engine", o.schema_engine, "XSD engine: libxml2 or xerces")
      ->check(CLI::IsMember({"libxml2", "xerces"}))
      ->capture_default_str();
  cmd.add_option("-j,--jobs", o.jobs, "worker threads (default: number of cores)");
  cmd.add_option("--format", o.format, "report format: text, json, junit, html or svrl (rule findings as SVRL)")
      ->check(CLI::IsMember({"text", "json", "junit", "html", "svrl"}))
      ->capture_default_str();
  cmd.add_option("-o,--out", o.out, "write the report to FILE instead of standard output");
  cmd.add_option("--max-bytes", o.max_bytes, "largest document accepted, in bytes")
      ->capture_default_str();
  cmd.add_option("--max-depth", o.max_depth, "deepest element nesting accepted")
      ->capture_default_str();
  cmd.add_option("--max-attributes", o.max_attributes, "most attributes on one element")
      ->capture_default_str();
  cmd.add_option("--max-parse-ms", o.max_parse_ms, "longest parse of one document, in ms")
      ->capture_default_str();
  cmd.add_option("--max-schema-findings", o.max_schema_findings,
                 "schema findings listed per document (the rest are counted)")
      ->capture_default_str();
  cmd.add_option("--rules", o.rules,
                 "Schematron rule set (.sch) or folder of them to run as well (repeatable)");
  cmd.add_flag("--no-default-rules", o.no_default_rules,
               "do not run the bundled rule sets (schemas/rules)");
  cmd.add_option("--phase", o.phase,
                 "Schematron phase to run (default: each schema's defaultPhase, else #ALL)");
  cmd.add_flag("-q,--quiet", o.quiet, "text format: list only documents that are not valid");
  cmd.add_flag("--no-progress", o.no_progress, "no progress line on a terminal");
}

CLI::App* AddValidateCommand(CLI::App& app, CommonOptions& options) {
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check documents the way the Kanta test validation service does: well-formedness, "
      "schema (and, as they are added, rules and signatures). Exit 0 when all are valid, 1 "
      "when some are not, 2 on usage or configuration errors, 3 on internal failure.");
  AddDocumentOptions(*cmd, options);
  return cmd;
}

int RunValidate(const CommonOptions& o) {
  // Configuration first: every problem here is exit 2, before any document.
  Result<validate::SchemaEngine> engine = validate::ParseSchemaEngine(o.schema_engine);
  if (!engine.ok()) return ConfigError(engine.status());
  Result<report::ReportFormat> format = report::ParseReportFormat(o.format);
  if (!format.ok()) return ConfigError(format.status());
  Result<std::vector<std::string>> paths = ExpandInputPaths(o.paths);
  if (!paths.ok()) return ConfigError(paths.status());
  Result<std::string> schema_file = ResolveSchema(o);
  if (!schema_file.ok()) return ConfigError(schema_file.status());

  validate::SchemaOptions schema_options;
  schema_options.engine = *engine;
  schema_options.schema_file = *schema_file;
  schema_options.max_findings = o.max_schema_findings;
  Result<std::unique_ptr<validate::SchemaValidator>> validator =
      validate::LoadSchemaValidator(schema_options);
  if (!validator.ok()) return ConfigError(validator.status());

  xml::ParseLimits limits;
  limits.max_bytes = o.max_bytes;
  limits.max_depth = o.max_depth;
  limits.max_attributes = o.max_attributes;
  limits.max_time = std::chrono::milliseconds(o.max_parse_ms);

  std::vector<std::string> rule_files;
  Result<std::vector<validate::rules::RuleSet>> rule_sets = LoadRules(o, rule_files);
  if (!rule_sets.ok()) return ConfigError(rule_sets.status());

  Pipeline pipeline;
  pipeline.Add(std::make_unique<formats::IntakeStage>(formats::IntakeOptions{o.max_bytes}));
  pipeline.Add(std::make_unique<formats::ParseStage>(limits));
  pipeline.Add(std::make_unique<validate::SchemaStage>(std::move(*validator)));
  if (!rule_sets->empty()) {
    pipeline.Add(std::make_unique<validate::rules::RulesStage>(std::move(*rule_sets)));
  }

  std::ofstream file;
  if (!o.out.empty()) {
    file.open(o.out, std::ios::binary | std::ios::trunc);
    if (!file) return ConfigError(InvalidArgument("cannot write the report to " + o.out));
  }
  std::ostream& out = o.out.empty() ? std::cout : file;
  report::WriterOptions wo;
  const bool out_is_tty = o.out.empty() && isatty(STDOUT_FILENO) != 0;
  wo.color = out_is_tty && std::getenv("NO_COLOR") == nullptr;
  wo.show_valid = !o.quiet;
  wo.progress = !o.no_progress && isatty(STDERR_FILENO) != 0;
  Result<std::unique_ptr<report::ReportWriter>> writer = report::MakeReportWriter(*format, out, wo);
  if (!writer.ok()) return ConfigError(writer.status());

  BatchRunner runner(pipeline, BatchOptions{o.jobs, 0});
  report::RunInfo run;
  run.command = "validate";
  run.tool_version = KANTA_VERSION;
  run.started_at = NowUtc();
  run.settings = {{"schema", *schema_file},
                  {"schemaEngine", std::string(validate::SchemaEngineName(*engine))},
                  {"jobs", std::to_string(runner.jobs())}};
  std::string rules_list;
  for (const std::string& f : rule_files) rules_list += (rules_list.empty() ? "" : ";") + f;
  run.settings.emplace_back("rules", rules_list);
  (*writer)->Begin(run);

  FileSource source(std::move(*paths), o.max_bytes);
  const auto start = std::chrono::steady_clock::now();
  const BatchTotals totals = runner.Run(source, **writer);
  const double elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  Status finished = (*writer)->Finish(totals, elapsed);
  out.flush();
  if (!finished.ok() || !out) {
    std::cerr << "kanta-pipeline: writing the report failed"
              << (finished.ok() ? "" : ": " + finished.message()) << "\n";
    return kExitInternal;
  }
  if (totals.internal_errors > 0) return kExitInternal;
  if (totals.invalid > 0 || totals.errors > 0) return kExitFindings;
  return kExitOk;
}

}  // namespace kanta::cli
