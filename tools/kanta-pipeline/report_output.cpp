#include "report_output.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "command.h"
#include "file_source.h"
#include "interrupt.h"

namespace kanta::cli {

int RunReportedBatch(const Pipeline& pipeline, const DocumentOptions& o, std::string command,
                     RunSettings settings, InputWalk inputs) {
  BatchRunner runner(pipeline, BatchOptions{o.jobs, 0});
  settings.emplace_back("jobs", std::to_string(runner.jobs()));
  const std::string name = command;
  Result<std::unique_ptr<ReportOutput>> output =
      ReportOutput::Open(o, std::move(command), std::move(settings));
  if (!output.ok()) return ConfigError(output.status());
  InterruptScope interrupts;
  FileSource files(std::move(inputs), o.max_bytes);
  StopOnInterrupt source(files);
  const auto start = std::chrono::steady_clock::now();
  BatchTotals totals = runner.Run(source, (*output)->writer());
  if (source.cut()) {
    totals.interrupted = InterruptName(InterruptSignal());
    std::cerr << "kanta-pipeline: " << name << " interrupted (" << totals.interrupted
              << ") after " << totals.documents << " documents; the report covers those\n";
  }
  const double elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return (*output)->Finish(totals, elapsed);
}

std::string UtcNow(const char* format) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

Result<std::unique_ptr<ReportOutput>> ReportOutput::Open(const DocumentOptions& o,
                                                         std::string command,
                                                         RunSettings settings) {
  ASSIGN_OR_RETURN(report::ReportFormat format, report::ParseReportFormat(o.format));
  auto output = std::unique_ptr<ReportOutput>(new ReportOutput());
  if (!o.out.empty()) {
    output->file_.open(o.out, std::ios::binary | std::ios::trunc);
    if (!output->file_) return InvalidArgument("cannot write the report to " + o.out);
    output->out_ = &output->file_;
  } else {
    output->out_ = &std::cout;
  }
  report::WriterOptions wo;
  const bool out_is_tty = o.out.empty() && isatty(STDOUT_FILENO) != 0;
  wo.color = out_is_tty && std::getenv("NO_COLOR") == nullptr;
  wo.show_valid = !o.quiet;
  wo.progress = !o.no_progress && isatty(STDERR_FILENO) != 0;
  ASSIGN_OR_RETURN(output->writer_, report::MakeReportWriter(format, *output->out_, wo));

  report::RunInfo run;
  run.command = std::move(command);
  run.tool_version = KANTA_VERSION;
  run.started_at = NowUtc();
  run.settings = std::move(settings);
  output->writer_->Begin(run);
  return output;
}

int ReportOutput::Finish(const BatchTotals& totals, double elapsed_ms) {
  Status finished = writer_->Finish(totals, elapsed_ms);
  out_->flush();
  if (!finished.ok() || !*out_) {
    std::cerr << "kanta-pipeline: writing the report failed"
              << (finished.ok() ? "" : ": " + finished.message()) << "\n";
    return kExitInternal;
  }
  if (totals.internal_errors > 0) return kExitInternal;
  if (!totals.interrupted.empty()) return InterruptExitCode(InterruptSignal());
  if (totals.invalid > 0 || totals.errors > 0) return kExitFindings;
  return kExitOk;
}

}  // namespace kanta::cli
