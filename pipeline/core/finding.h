// Finding and Report: what the pipeline found in one document.
//
// A Finding is one observation about the data (never about the process):
// its severity, the stage that made it, a stable rule id, a message that says
// what is wrong, and where. A Report gathers the findings of one document
// together with the facts read from it and the outcome.
//
// Thread-safety: a Report belongs to one document and is filled by one worker
// at a time; it is moved, never shared.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/document.h"
#include "core/status.h"

namespace kanta {

enum class Severity { kInfo = 0, kWarning = 1, kError = 2, kFatal = 3 };

std::string_view SeverityName(Severity s);  // "info", "warning", "error", "fatal"
std::optional<Severity> ParseSeverity(std::string_view name);

// Where in the document a finding points. Any field may be empty / zero when
// not known (a file that is not XML has no XPath).
struct Location {
  std::string xpath;   // e.g. /ClinicalDocument/component/structuredBody
  std::int64_t line = 0;
  std::int64_t column = 0;
};

struct Finding {
  Severity severity = Severity::kError;
  std::string stage;    // "intake", "parse", "schema", "rules", ...
  std::string rule;     // stable id, e.g. "xml.depth-limit", "KANTA-HDR-001"
  std::string message;  // what is wrong and, where possible, what to do
  Location location;
  // Set by rule engines: the test expression, and whether the finding is a
  // successful report rather than a failed assertion (SVRL tells them apart).
  std::string test;
  bool report = false;
};

// The verdict the report writers show for one document.
enum class Outcome {
  kValid,    // processed; no finding of severity error or fatal
  kInvalid,  // processed; at least one error or fatal finding
  kError,    // could not be processed (unreadable, unsupported, internal)
};

std::string_view OutcomeName(Outcome o);  // "valid", "invalid", "error"

class Report;

// Work a stage leaves to finish when the report's turn to be emitted comes:
// in input order, on the emitting thread, before the report is counted and
// handed on. The route stage uses it to wait for a batched store to commit,
// so that no report claims what a crash could still undo.
class Completion {
 public:
  virtual ~Completion() = default;
  // Finishes `report` (its decision and findings). Must not throw.
  virtual void Complete(Report& report) = 0;
};

class Report {
 public:
  Report() = default;
  Report(std::size_t index, std::string path)
      : index_(index), path_(std::move(path)) {}

  void Add(Finding f) { findings_.push_back(std::move(f)); }
  void Add(Severity severity, std::string_view stage, std::string_view rule,
           std::string message, Location location = {});

  // Marks the document as not processable (e.g. unsupported kind). The
  // outcome becomes kError whatever the findings say.
  void MarkUnprocessable() { unprocessable_ = true; }
  // Records that a stage failed to run; the outcome becomes kError.
  void SetInternalError(Status s) { internal_error_ = std::move(s); }

  std::size_t index() const { return index_; }          // position in batch
  const std::string& path() const { return path_; }
  const std::vector<Finding>& findings() const { return findings_; }
  const Status& internal_error() const { return internal_error_; }

  // Counts findings of exactly `s`.
  std::size_t Count(Severity s) const;
  Outcome outcome() const;

  // Copied from the Document when processing ends, so the report outlives
  // the (large) document.
  DocumentKind kind = DocumentKind::kUnknown;
  HeaderFacts facts;
  Envelope envelope;
  std::optional<Decision> decision;  // ingest: where the document went and why
  std::uint64_t bytes = 0;
  double elapsed_ms = 0;
  std::string stopped_at;  // stage that rejected the document (or was done with it), if any
  std::shared_ptr<Completion> completion;  // run (and cleared) by BatchRunner before emitting

 private:
  std::size_t index_ = 0;
  std::string path_;
  std::vector<Finding> findings_;
  bool unprocessable_ = false;
  Status internal_error_;
};

}  // namespace kanta
