// AlreadyStoredStage ("already-stored"): knows a stored document by its bytes.
//
// Running a batch again after it was interrupted or killed is how ingest goes
// on; without this stage every document already stored would be parsed,
// validated, resolved and stamped again only to be found a duplicate when it
// is stored. Placed right after intake, it hashes the bytes as received (the
// hash FingerprintStage would take; it is kept in Document::input_sha256) and
// asks the archive whether an earlier run stored a document received from the
// same source as those bytes (Archive::FindReceived: the journal knows the
// source; with an index on the hash, whose keys arrive in no order, a first
// ingest was a fifth slower). When there is one,
// the document is a duplicate where that one is: its facts and decision come
// from the stored row, an info finding says so, and the stage is done with it
// (Verdict::kDone); the route stage only journals it. Ingest adds the stage
// only when a probe of the batch's first inputs finds it was run before: for
// new documents the look-ups are pure cost.
//
// A file moved or renamed since takes the long way, as does an archive
// message: it is compared by the CDA it carries, so its own bytes are never
// found (the parse stage clears the hash when
// it unwraps the CDA, and FingerprintStage hashes the CDA).
//
// Thread-safety: holds the archive, whose look-ups are thread-safe.
#pragma once

#include <memory>
#include <string>

#include "archive/archive.h"
#include "core/stage.h"

namespace kanta::route {

class AlreadyStoredStage final : public Stage {
 public:
  // Documents stored by the run `run_id` (this one) are left to take the long
  // way: whether a repeat within the batch is met before or after the first
  // commits depends on timing, and the report must not.
  AlreadyStoredStage(std::shared_ptr<archive::Archive> archive, std::string run_id)
      : archive_(std::move(archive)), run_id_(std::move(run_id)) {}
  std::string_view name() const override { return "already-stored"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  std::shared_ptr<archive::Archive> archive_;
  std::string run_id_;
};

}  // namespace kanta::route
