// Pipeline: runs a fixed sequence of stages over one document.
//
// Built once, then shared read-only by all worker threads: Run() is const and
// thread-safe as long as every stage honours the Stage contract.
#pragma once

#include <memory>
#include <vector>

#include "core/stage.h"

namespace kanta {

class Pipeline {
 public:
  Pipeline() = default;
  Pipeline(Pipeline&&) = default;
  Pipeline& operator=(Pipeline&&) = default;

  // Appends a stage; stages run in the order added.
  void Add(std::unique_ptr<Stage> stage) { stages_.push_back(std::move(stage)); }
  // Appends a final stage: final stages run after the others on every
  // document, also when a stage rejected or quarantined it or failed, so a
  // router can set aside what the earlier stages stopped (nothing is lost).
  // They see the verdict so far in Report::stopped_at and the findings.
  void AddFinal(std::unique_ptr<Stage> stage) { finals_.push_back(std::move(stage)); }
  std::size_t size() const { return stages_.size() + finals_.size(); }

  // Runs the stages on `doc` until one rejects, quarantines or is done with
  // it (Verdict::kDone; Report::stopped_at names that stage too) or all have
  // run, then the final stages. Fills `report` (findings, facts, decision,
  // timing) and returns the verdict of the last stage that ran. A stage that
  // fails to run ends the document with an internal error in the report
  // (verdict kReject); Run() itself never fails.
  Verdict Run(Document& doc, Report& report) const;

 private:
  std::vector<std::unique_ptr<Stage>> stages_;
  std::vector<std::unique_ptr<Stage>> finals_;
};

}  // namespace kanta
