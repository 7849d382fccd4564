#include "verify_command.h"

#include <memory>

#include "core/input_paths.h"
#include "document_options.h"
#include "report_output.h"

namespace kanta::cli {
namespace {

int RunVerify(const DocumentOptions& o) {
  Result<InputWalk> inputs = InputWalk::Start(o.paths);
  if (!inputs.ok()) return ConfigError(inputs.status());
  ValidationParts parts{/*schema=*/false, /*rules=*/false, /*signature=*/true,
                        /*require_signature=*/true};
  DocumentOptions verify = o;
  verify.no_signature = false;
  Result<Validation> validation = LoadValidation(verify, parts);
  if (!validation.ok()) return ConfigError(validation.status());
  Pipeline pipeline;
  validation->AddReadStages(pipeline);
  validation->AddSignatureStage(pipeline);
  return RunReportedBatch(pipeline, o, "verify", validation->settings, std::move(*inputs));
}

}  // namespace

Command AddVerifyCommand(CLI::App& app) {
  auto options = std::make_shared<DocumentOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Verify the digital signatures of documents (CDA, or the CDA in an archive message): "
      "every ds:Signature in hl7fi:signatureCollection, its references, value and signer "
      "certificate (against --trust when given). An unsigned document is an error. Exit codes "
      "and Ctrl-C as for validate.");
  AddInputOptions(*cmd, *options);
  AddSignatureOptions(*cmd, *options);
  return Command{cmd, [options] { return RunVerify(*options); }};
}

}  // namespace kanta::cli
