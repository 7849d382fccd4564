// RouteStage ("route"): stores each document where it was decided to go, or
// sets it aside. A final stage: it sees every document of an ingest.
//
//  - A valid document with a decision is stored in the archive (with its
//    register, basis and, for an authorisation document, the authorisation
//    summary); an authorisation takes effect in the AuthorisationStore the
//    moment it is stored. Stored again: "duplicate". The same id with other
//    bytes: refused as a conflict (route.conflict).
//  - Anything else (invalid, unreadable, refused, stopped by a stage) goes to
//    quarantine with its report and the reason: refused documents as
//    "refused", the rest as "quarantined". Nothing is dropped.
//  - With `defer_missing_predecessors`, a document refused only because the
//    version it replaces is not stored yet is marked "deferred" and left
//    alone, so the caller can retry it after the rest of the batch.
//
// Thread-safety: immutable; Process() may run concurrently (the archive and
// the authorisation store synchronise themselves).
#pragma once

#include <memory>
#include <string>

#include "archive/archive.h"
#include "core/stage.h"
#include "registers/authorisation_store.h"
#include "registers/directory.h"

namespace kanta::route {

struct RouteOptions {
  std::string run_id;                       // the ingest run (journal)
  bool defer_missing_predecessors = false;  // see above
};

class RouteStage final : public Stage {
 public:
  RouteStage(std::shared_ptr<archive::Archive> archive,
             std::shared_ptr<registers::AuthorisationStore> authorisations,
             registers::RegisterPolicy policy, RouteOptions options)
      : archive_(std::move(archive)),
        authorisations_(std::move(authorisations)),
        policy_(std::move(policy)),
        options_(std::move(options)) {}
  std::string_view name() const override { return "route"; }
  Result<Verdict> Process(Document& doc, Report& report) const override;

 private:
  Result<Verdict> Store(Document& doc, Report& report) const;
  Result<Verdict> SetAside(Document& doc, Report& report, Action action, std::string reason) const;

  std::shared_ptr<archive::Archive> archive_;
  std::shared_ptr<registers::AuthorisationStore> authorisations_;
  registers::RegisterPolicy policy_;
  RouteOptions options_;
};

}  // namespace kanta::route
