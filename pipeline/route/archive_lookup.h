// ArchiveLookup: the resolver's view of an Archive (registers::PlacementLookup).
//
// Thread-safety: as the Archive; the archive must outlive it.
#pragma once

#include <memory>

#include "archive/archive.h"
#include "registers/authorisation_store.h"
#include "registers/register_resolver.h"

namespace kanta::route {

class ArchiveLookup final : public registers::PlacementLookup {
 public:
  explicit ArchiveLookup(std::shared_ptr<archive::Archive> archive) : archive_(std::move(archive)) {}
  Result<std::optional<registers::StoredPlacement>> Find(std::string_view id) const override;
  Result<int> LatestVersion(std::string_view set_id) const override;

 private:
  std::shared_ptr<archive::Archive> archive_;
};

// Where the stored `r` is, as the resolver sees it. A duplicate of `r` is
// placed with registers::PlaceAsDuplicate(PlacementOf(r), decision).
registers::StoredPlacement PlacementOf(const archive::DocumentRecord& r);

// Reads every stored authorisation document (OSVA and client-relationship)
// from `archive`, oldest first, into `store`: what was stored before this run
// is in force for it. Fails when a stored document cannot be read back.
Status LoadAuthorisations(archive::Archive& archive, const registers::RegisterPolicy& policy,
                          registers::AuthorisationStore& store);

}  // namespace kanta::route
