#include "verify_command.h"

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

int RunVerify(const DocumentOptions& o) {
  Result<std::vector<std::string>> paths = ExpandInputPaths(o.paths);
  if (!paths.ok()) return ConfigError(paths.status());
  ValidationParts parts{/*schema=*/false, /*rules=*/false, /*signature=*/true,
                        /*require_signature=*/true};
  DocumentOptions verify = o;
  verify.no_signature = false;
  Result<Validation> validation = LoadValidation(verify, parts);
  if (!validation.ok()) return ConfigError(validation.status());
  Pipeline pipeline;
  RunSettings settings = validation->settings;
  validation->AddReadStages(pipeline);
  validation->AddSignatureStage(pipeline);

  BatchRunner runner(pipeline, BatchOptions{o.jobs, 0});
  settings.emplace_back("jobs", std::to_string(runner.jobs()));
  Result<std::unique_ptr<ReportOutput>> output =
      ReportOutput::Open(o, "verify", std::move(settings));
  if (!output.ok()) return ConfigError(output.status());

  FileSource source(std::move(*paths), o.max_bytes);
  const auto start = std::chrono::steady_clock::now();
  const BatchTotals totals = runner.Run(source, (*output)->writer());
  const double elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return (*output)->Finish(totals, elapsed);
}

}  // namespace

Command AddVerifyCommand(CLI::App& app) {
  auto options = std::make_shared<DocumentOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Verify the digital signatures of documents (CDA, or the CDA in an archive message): "
      "every ds:Signature in hl7fi:signatureCollection, its references, value and signer "
      "certificate (against --trust when given). An unsigned document is an error. Exit codes "
      "as for validate.");
  AddInputOptions(*cmd, *options);
  AddSignatureOptions(*cmd, *options);
  return Command{cmd, [options] { return RunVerify(*options); }};
}

}  // namespace kanta::cli
