#include "core/pipeline.h"

#include <chrono>
#include <exception>

namespace kanta {

Verdict Pipeline::Run(Document& doc, Report& report) const {
  const auto start = std::chrono::steady_clock::now();
  Verdict verdict = Verdict::kContinue;
  for (const auto& stage : stages_) {
    Result<Verdict> r = [&]() -> Result<Verdict> {
      // Stages must not throw; this is the last line of defence so that one
      // bad document can never take the batch down.
      try {
        return stage->Process(doc, report);
      } catch (const std::exception& e) {
        return Internal(std::string("unexpected exception: ") + e.what());
      } catch (...) {
        return Internal("unexpected exception of unknown type");
      }
    }();
    if (!r.ok()) {
      Status s = r.status().WithContext(std::string("stage ") + std::string(stage->name()));
      report.Add(Severity::kFatal, stage->name(), "internal.stage-failed",
                 "the " + std::string(stage->name()) +
                     " stage could not process this document: " + s.message());
      report.SetInternalError(std::move(s));
      report.stopped_at = std::string(stage->name());
      verdict = Verdict::kReject;
      break;
    }
    verdict = *r;
    if (verdict != Verdict::kContinue) {
      report.stopped_at = std::string(stage->name());
      break;
    }
  }
  report.kind = doc.kind;
  report.facts = doc.facts;
  report.envelope = doc.envelope;
  report.bytes = doc.bytes.size();
  report.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return verdict;
}

}  // namespace kanta
