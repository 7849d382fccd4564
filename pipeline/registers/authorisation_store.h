// AuthorisationStore: the authorisations in force, as the pipeline knows them.
//
// Holds, per version series (setId), the latest version of every outsourcing
// authorisation and register access right that has been stored. A later
// version replaces an earlier one; a version with recordStatus 7 invalidates
// the series (its content stays known, so a refusal can say which
// authorisation was invalidated, and by which version).
//
// Authorisations take effect when the document carrying them is stored:
// ingest loads the store from the archive at start and adds to it as it
// stores authorisation documents.
//
// Thread-safety: all methods may be called concurrently (a shared mutex:
// lookups share, Add is exclusive). Lookups return copies.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "registers/authorisation.h"

namespace kanta::registers {

// One version series of an authorisation.
template <typename T>
struct Series {
  T content;                    // the latest version that has content
  int latest_version = 0;       // the highest version seen (may be the invalidation)
  std::string latest_id;
  bool invalidated = false;
  int invalidated_by_version = 0;
  std::string invalidated_by_id;
};

using OutsourcingSeries = Series<OutsourcingAuthorisation>;
using AccessRightSeries = Series<RegisterAccessRight>;

class AuthorisationStore {
 public:
  // Adds a stored version. Older versions than the one already held are
  // ignored (returns false); so is a repeat of the same version.
  bool Add(const OutsourcingAuthorisation& a);
  bool Add(const RegisterAccessRight& r);

  // Outsourcing authorisations whose organiser and provider are these OIDs.
  std::vector<OutsourcingSeries> Outsourcing(std::string_view organiser,
                                             std::string_view provider) const;
  // Outsourcing authorisations in which `provider` is the provider (for --as).
  std::vector<OutsourcingSeries> OutsourcingForProvider(std::string_view provider) const;
  // Register access rights of this organiser for this provider service unit.
  std::vector<AccessRightSeries> AccessRights(std::string_view organiser,
                                              std::string_view provider_unit) const;
  // Everything, ordered by setId.
  std::vector<OutsourcingSeries> AllOutsourcing() const;
  std::vector<AccessRightSeries> AllAccessRights() const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, OutsourcingSeries> outsourcing_;  // by setId
  std::map<std::string, AccessRightSeries> rights_;       // by setId
};

}  // namespace kanta::registers
