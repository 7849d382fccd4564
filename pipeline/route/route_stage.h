// RouteStage ("route"): stores each document where it was decided to go, or
// sets it aside. A final stage: it sees every document of an ingest.
//
//  - A valid document with a decision goes to the archive (with its
//    register, basis and, for an authorisation document, the authorisation
//    summary) through the StoreQueue, which commits documents in batches.
//    The report is finished when the document's batch has committed (a
//    Completion, run in input order before the report is emitted): then it
//    says "stored", "duplicate" (the same document was already there) or is
//    refused as a conflict (route.conflict: the same id with other bytes);
//    an authorisation takes effect in the AuthorisationStore; with an outbox
//    its archive message is written.
//  - Anything else (invalid, unreadable, refused, stopped by a stage) goes to
//    quarantine with its report and the reason, at once: refused documents
//    as "refused", the rest as "quarantined". Nothing is dropped.
//  - With `defer_missing_predecessors`, a document refused only because the
//    version it replaces is not stored yet is marked "deferred" and left
//    alone, so the caller can retry it after the rest of the batch.
//
// Thread-safety: immutable; Process() may run concurrently (the archive, the
// queue and the authorisation store synchronise themselves).
#pragma once

#include <memory>
#include <string>

#include "archive/archive.h"
#include "core/stage.h"
#include "registers/authorisation_store.h"
#include "registers/directory.h"
#include "route/outbox.h"
#include "route/store_queue.h"

namespace kanta::route {

struct RouteOptions {
  std::string run_id;                       // the ingest run (journal)
  bool defer_missing_predecessors = false;  // see above
};

class StoreCompletion;  // route_stage.cpp

class RouteStage final : public Stage {
 public:
  // `outbox` may be null (no archive messages).
  RouteStage(std::shared_ptr<archive::Archive> archive, std::shared_ptr<StoreQueue> queue,
             std::shared_ptr<registers::AuthorisationStore> authorisations,
             registers::RegisterPolicy policy, std::shared_ptr<const Outbox> outbox,
             RouteOptions options)
      : archive_(std::move(archive)),
        queue_(std::move(queue)),
        authorisations_(std::move(authorisations)),
        policy_(std::move(policy)),
        outbox_(std::move(outbox)),
        options_(std::move(options)) {}
  std::string_view name() const override { return "route"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  Result<Verdict> Store(Document& doc, Report& report) const;
  // A document the already-stored stage found: only journalled.
  Result<Verdict> JournalStoredBefore(Document& doc, Report& report) const;
  // Hands `request` to the store queue; the report completes when it commits.
  Result<Verdict> Submit(std::shared_ptr<archive::StoreRequest> request,
                         std::shared_ptr<StoreCompletion> completion, Document& doc,
                         Report& report) const;

  std::shared_ptr<archive::Archive> archive_;
  std::shared_ptr<StoreQueue> queue_;
  std::shared_ptr<registers::AuthorisationStore> authorisations_;
  registers::RegisterPolicy policy_;
  std::shared_ptr<const Outbox> outbox_;
  RouteOptions options_;
};

// Sets a document aside in `archive`'s quarantine with `reason`, recording
// `action` (refused or quarantined) in its decision and report first.
Status SetAside(archive::Archive& archive, const std::string& run_id, const std::string& source,
                const std::string& document_id, const std::string& input_sha256, std::string bytes,
                Report& report, Action action, std::string reason);

}  // namespace kanta::route
