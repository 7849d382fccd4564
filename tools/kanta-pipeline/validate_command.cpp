#include "validate_command.h"

#include <memory>

#include "core/input_paths.h"
#include "document_options.h"
#include "report_output.h"

namespace kanta::cli {
namespace {

int RunValidate(const DocumentOptions& o) {
  // Configuration first: every problem here is exit 2, before any document.
  Result<InputWalk> inputs = InputWalk::Start(o.paths);
  if (!inputs.ok()) return ConfigError(inputs.status());
  Result<Validation> validation = LoadValidation(o);
  if (!validation.ok()) return ConfigError(validation.status());
  Pipeline pipeline;
  validation->AddStages(pipeline);
  return RunReportedBatch(pipeline, o, "validate", validation->settings, std::move(*inputs));
}

}  // namespace

Command AddValidateCommand(CLI::App& app) {
  auto options = std::make_shared<DocumentOptions>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check documents the way the Kanta test validation service does: well-formedness, "
      "schema, business rules and the digital signatures of signed documents. Exit 0 when all "
      "are valid, 1 when some are not, 2 on usage or configuration errors, 3 on internal "
      "failure; Ctrl-C or SIGTERM finishes the documents in progress and the report (exit "
      "130 or 143).");
  AddDocumentOptions(*cmd, *options);
  return Command{cmd, [options] { return RunValidate(*options); }};
}

}  // namespace kanta::cli
