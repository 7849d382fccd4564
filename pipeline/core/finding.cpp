#include "core/finding.h"

#include <algorithm>

#include "core/stage.h"

namespace kanta {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
    case Severity::kFatal: return "fatal";
  }
  return "error";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kError, Severity::kFatal}) {
    if (SeverityName(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kValid: return "valid";
    case Outcome::kInvalid: return "invalid";
    case Outcome::kError: return "error";
  }
  return "error";
}

std::string_view DocumentKindName(DocumentKind k) {
  switch (k) {
    case DocumentKind::kUnknown: return "unknown";
    case DocumentKind::kCda: return "cda";
    case DocumentKind::kArchiveMessage: return "archive-message";
    case DocumentKind::kFhirJson: return "fhir-json";
    case DocumentKind::kFhirXml: return "fhir-xml";
    case DocumentKind::kOtherXml: return "xml";
    case DocumentKind::kOtherJson: return "json";
    case DocumentKind::kBinary: return "binary";
  }
  return "unknown";
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kContinue: return "continue";
    case Verdict::kReject: return "reject";
    case Verdict::kQuarantine: return "quarantine";
    case Verdict::kDone: return "done";
  }
  return "reject";
}

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kPending: return "pending";
    case Action::kStored: return "stored";
    case Action::kDuplicate: return "duplicate";
    case Action::kRefused: return "refused";
    case Action::kQuarantined: return "quarantined";
    case Action::kDeferred: return "deferred";
  }
  return "pending";
}

void Report::Add(Severity severity, std::string_view stage, std::string_view rule,
                 std::string message, Location location) {
  Finding f;
  f.severity = severity;
  f.stage = std::string(stage);
  f.rule = std::string(rule);
  f.message = std::move(message);
  f.location = std::move(location);
  findings_.push_back(std::move(f));
}

std::size_t Report::Count(Severity s) const {
  return static_cast<std::size_t>(std::count_if(
      findings_.begin(), findings_.end(), [s](const Finding& f) { return f.severity == s; }));
}

Outcome Report::outcome() const {
  if (unprocessable_ || !internal_error_.ok()) return Outcome::kError;
  for (const Finding& f : findings_) {
    if (f.severity >= Severity::kError) return Outcome::kInvalid;
  }
  return Outcome::kValid;
}

}  // namespace kanta
