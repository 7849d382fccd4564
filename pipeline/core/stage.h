// Stage: one step of the pipeline (intake, parse, schema, rules, ...).
//
// Contract:
//  - A stage is immutable after construction; Process() may run concurrently
//    on different documents from several threads.
//  - Problems in the document become Findings in the Report; the returned
//    Verdict tells the Pipeline what to do next.
//  - A non-OK Result means the stage itself could not run (a library failed,
//    memory ran out); the Pipeline stops and records an internal error.
//  - A stage never calls another stage.
#pragma once

#include <string_view>

#include "core/document.h"
#include "core/finding.h"
#include "core/status.h"

namespace kanta {

enum class Verdict {
  kContinue,    // run the next stage
  kReject,      // stop here: the document cannot go further (report says why)
  kQuarantine,  // stop here and set the document aside with its report
  kDone,        // stop here: nothing more to do (ingest: already stored); not a rejection
};

std::string_view VerdictName(Verdict v);

class Stage {
 public:
  virtual ~Stage() = default;
  // Short name used in findings and reports, e.g. "schema".
  virtual std::string_view name() const = 0;
  virtual Result<Verdict> Process(Document& doc, Report& report) const = 0;
};

}  // namespace kanta
