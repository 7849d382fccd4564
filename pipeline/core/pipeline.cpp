#include "core/pipeline.h"

#include <chrono>
#include <exception>

namespace kanta {

namespace {

// Runs one stage; a failure to run becomes a fatal finding and kReject.
Verdict RunStage(const Stage& stage, Document& doc, Report& report) {
  Result<Verdict> r = [&]() -> Result<Verdict> {
    // Stages must not throw; this is the last line of defence so that one
    // bad document can never take the batch down.
    try {
      return stage.Process(doc, report);
    } catch (const std::exception& e) {
      return Internal(std::string("unexpected exception: ") + e.what());
    } catch (...) {
      return Internal("unexpected exception of unknown type");
    }
  }();
  if (r.ok()) return *r;
  Status s = r.status().WithContext(std::string("stage ") + std::string(stage.name()));
  report.Add(Severity::kFatal, stage.name(), "internal.stage-failed",
             "the " + std::string(stage.name()) +
                 " stage could not process this document: " + s.message());
  report.SetInternalError(std::move(s));
  return Verdict::kReject;
}

void CopyFacts(const Document& doc, Report& report) {
  report.kind = doc.kind;
  report.facts = doc.facts;
  report.envelope = doc.envelope;
  report.decision = doc.decision;
  report.bytes = doc.bytes.size();
}

}  // namespace

Verdict Pipeline::Run(Document& doc, Report& report) const {
  const auto start = std::chrono::steady_clock::now();
  Verdict verdict = Verdict::kContinue;
  for (const auto& stage : stages_) {
    verdict = RunStage(*stage, doc, report);
    if (verdict != Verdict::kContinue) {
      report.stopped_at = std::string(stage->name());
      break;
    }
  }
  for (const auto& stage : finals_) {
    CopyFacts(doc, report);  // a final stage may file the report away
    const Verdict v = RunStage(*stage, doc, report);
    if (v != Verdict::kContinue) {
      verdict = v;
      if (report.stopped_at.empty()) report.stopped_at = std::string(stage->name());
    }
  }
  CopyFacts(doc, report);
  report.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return verdict;
}

}  // namespace kanta
