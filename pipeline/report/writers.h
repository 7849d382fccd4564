// The concrete report writers. Use MakeReportWriter() (report_writer.h)
// rather than these constructors; they are declared here for the factory and
// for tests.
#pragma once

#include <ostream>

#include "report/report_writer.h"
#include "report/spool.h"

namespace kanta::report {

// Counts of findings per severity, as text: "2 errors, 1 warning".
std::string CountsText(const Report& r);

class JsonWriter final : public ReportWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}
  void Begin(const RunInfo& run) override;
  void Accept(Report report) override;
  Status Finish(const BatchTotals& totals, double elapsed_ms) override;

 private:
  std::ostream& out_;
  bool first_ = true;
};

class TextWriter final : public ReportWriter {
 public:
  TextWriter(std::ostream& out, WriterOptions options) : out_(out), options_(options) {}
  void Begin(const RunInfo& run) override;
  void Accept(Report report) override;
  Status Finish(const BatchTotals& totals, double elapsed_ms) override;

 private:
  void Progress(const Report& last);
  void ClearProgress();
  std::ostream& out_;
  WriterOptions options_;
  std::size_t seen_ = 0;
  double started_ = 0;           // steady clock, seconds
  double last_progress_ = -1;    // steady clock, seconds
  bool progress_shown_ = false;
};

class JunitWriter final : public ReportWriter {
 public:
  explicit JunitWriter(std::ostream& out) : out_(out) {}
  void Begin(const RunInfo& run) override;
  void Accept(Report report) override;
  Status Finish(const BatchTotals& totals, double elapsed_ms) override;

 private:
  std::ostream& out_;
  RunInfo run_;
  Spool spool_;
};

class HtmlWriter final : public ReportWriter {
 public:
  explicit HtmlWriter(std::ostream& out) : out_(out) {}
  void Begin(const RunInfo& run) override;
  void Accept(Report report) override;
  Status Finish(const BatchTotals& totals, double elapsed_ms) override;

 private:
  std::ostream& out_;
  RunInfo run_;
  Spool rows_;     // the document table
  Spool details_;  // findings of documents that are not valid
};

// SVRL (Schematron Validation Report Language) for other tools: the findings
// of the rules stage. One document: a plain svrl:schematron-output. Several:
// one schematron-output per document inside a kanta:svrl-batch element.
class SvrlWriter final : public ReportWriter {
 public:
  explicit SvrlWriter(std::ostream& out) : out_(out) {}
  void Begin(const RunInfo& run) override;
  void Accept(Report report) override;
  Status Finish(const BatchTotals& totals, double elapsed_ms) override;

 private:
  std::ostream& out_;
  RunInfo run_;
  Spool spool_;
};

}  // namespace kanta::report
