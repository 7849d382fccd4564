// ReportWriter: turns the reports of a batch into text, JSON, JUnit or HTML.
//
// A writer is a ReportSink: the BatchRunner hands it one Report at a time, in
// input order, on one thread. Writers stream: memory stays flat however many
// documents a batch has (JUnit and HTML, whose headers need totals, spool the
// per-document part to a temporary file and copy it at Finish()).
//
// Usage: Begin(run) once, Accept(report) per document, Finish(totals) once.
// Thread-safety: none needed; one writer serves one batch on one thread.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch_runner.h"
#include "core/finding.h"
#include "core/status.h"

namespace kanta::report {

enum class ReportFormat { kText, kJson, kJunit, kHtml, kSvrl };

std::string_view ReportFormatName(ReportFormat f);  // "text", "json", "junit", "html", "svrl"
Result<ReportFormat> ParseReportFormat(std::string_view name);

// What the run was; written into report headers.
struct RunInfo {
  std::string command;        // "validate", "ingest", ...
  std::string tool_version;   // e.g. "0.1.0"
  std::string started_at;     // ISO 8601 UTC, e.g. "2026-11-22T12:00:00Z"
  std::vector<std::pair<std::string, std::string>> settings;  // e.g. {"schema", path}
};

class ReportWriter : public ReportSink {
 public:
  ~ReportWriter() override = default;
  virtual void Begin(const RunInfo& run) = 0;
  void Accept(Report report) override = 0;
  // Writes totals and closes the document structure. `elapsed_ms` is the
  // wall-clock time of the whole batch.
  virtual Status Finish(const BatchTotals& totals, double elapsed_ms) = 0;
};

struct WriterOptions {
  bool color = false;          // text: ANSI colours (only when writing to a terminal)
  bool show_valid = true;      // text: one line for each valid document too
  bool progress = false;       // text: a progress line on stderr (terminal only)
};

// One document of the JSON report (docs/report-format.md) as a JSON object,
// as the JSON writer writes it and as quarantine keeps it.
std::string DocumentJson(const Report& report);

// One line saying where an ingested document went and why, e.g. "stored in
// register 2 of custodian 1.2.3 (Name), basis own"; "" without a decision.
std::string DecisionText(const Report& report);

// Makes a writer for `format` that writes to `out` (which must outlive it).
Result<std::unique_ptr<ReportWriter>> MakeReportWriter(ReportFormat format, std::ostream& out,
                                                       WriterOptions options = {});

}  // namespace kanta::report
