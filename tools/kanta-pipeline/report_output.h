// ReportOutput: where a command's report goes, in the format asked for.
//
// Opens --out (or standard output), makes the writer for --format, writes the
// header, and at the end the totals; turns the totals into the exit code.
#pragma once

#include <fstream>
#include <memory>
#include <string>

#include "core/batch_runner.h"
#include "core/input_paths.h"
#include "document_options.h"
#include "report/report_writer.h"

namespace kanta::cli {

class ReportOutput {
 public:
  // Opens the output and writes the report header. Fails (a usage error) when
  // the format is unknown or the file cannot be written.
  static Result<std::unique_ptr<ReportOutput>> Open(const DocumentOptions& o,
                                                    std::string command, RunSettings settings);

  // The sink the batch runner hands reports to.
  report::ReportWriter& writer() { return *writer_; }

  // Writes the totals; returns the exit code for the run: 3 when writing
  // failed or a stage failed internally, 128 + the signal when a signal
  // interrupted the batch (totals.interrupted), 1 when some document is not
  // valid (or refused), 0 otherwise.
  int Finish(const BatchTotals& totals, double elapsed_ms);

 private:
  std::ofstream file_;
  std::ostream* out_ = nullptr;
  std::unique_ptr<report::ReportWriter> writer_;
};

// Runs `pipeline` on the files of `inputs` with a report (validate, verify,
// sign): adds the number of jobs to `settings`, opens the report (a usage
// error when it cannot be), times the run and finishes the report. SIGINT
// and SIGTERM end the batch early with a complete report (interrupt.h).
// Returns the exit code.
int RunReportedBatch(const Pipeline& pipeline, const DocumentOptions& o, std::string command,
                     RunSettings settings, InputWalk inputs);

// The current UTC time in a strftime `format`, e.g. "%Y%m%d" for 20261122.
std::string UtcNow(const char* format);

// The current time as ISO 8601 UTC, e.g. "2026-11-22T12:00:00Z".
inline std::string NowUtc() { return UtcNow("%Y-%m-%dT%H:%M:%SZ"); }

}  // namespace kanta::cli
