#include "validate_command.h"

#include <chrono>
#include <iostream>
#include <memory>

#include "core/batch_runner.h"
#include "core/input_paths.h"
#include "document_options.h"
#include "file_source.h"
#include "report_output.h"

namespace kanta::cli {
namespace {

int ConfigError(const Status& s) {
  std::cerr << "kanta-pipeline: " << s.message() << "\n";
  return kExitUsage;
}

int RunValidate(const DocumentOptions& o) {
  // Configuration first: every problem here is exit 2, before any document.
  Result<std::vector<std::string>> paths = ExpandInputPaths(o.paths);
  if (!paths.ok()) return ConfigError(paths.status());
  Result<Validation> validation = LoadValidation(o);
  if (!validation.ok()) return ConfigError(validation.status());
  Pipeline pipeline;
  validation->AddStages(pipeline);
  RunSettings settings = validation->settings;

  BatchRunner runner(pipeline, BatchOptions{o.jobs, 0});
  settings.emplace_back("jobs", std::to_string(runner.jobs()));
  Result<std::unique_ptr<ReportOutput>> output =
      ReportOutput::Open(o, "validate", std::move(settings));
  if (!output.ok()) return ConfigError(output.status());

  FileSource source(std::move(*paths), o.max_bytes);
  const auto start = std::chrono::steady_clock::now();
  const BatchTotals totals = runner.Run(source, (*output)->writer());
  const double elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return (*output)->Finish(totals, elapsed);
}

}  // namespace

Command AddValidateCommand(CLI::App& app) {
  auto options = std::make_shared<DocumentOptions>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check documents the way the Kanta test validation service does: well-formedness, "
      "schema, business rules and the digital signatures of signed documents. Exit 0 when all "
      "are valid, 1 when some are not, 2 on usage or configuration errors, 3 on internal "
      "failure.");
  AddDocumentOptions(*cmd, *options);
  return Command{cmd, [options] { return RunValidate(*options); }};
}

}  // namespace kanta::cli
