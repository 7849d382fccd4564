// Opening an archive for the reading commands (archive, authorisations):
// the archive, the authorisations it holds, and the date they are judged on.
#pragma once

#include <memory>
#include <string>

#include "archive/archive.h"
#include "registers/authorisation_store.h"
#include "registers/directory.h"

namespace kanta::cli {

struct ArchiveAccess {
  std::shared_ptr<archive::Archive> archive;
  std::shared_ptr<const registers::OrganisationDirectory> directory;  // null without --directory
  std::shared_ptr<registers::AuthorisationStore> authorisations;
  std::string today;  // YYYYMMDD: --at, else the current date (UTC)
};

// Opens `url`, loads `directory_file` when given, and reads the stored
// authorisations. Fails with the reason (for exit code 2 or 3 as the caller
// decides).
Result<ArchiveAccess> OpenArchiveAccess(const std::string& url, const std::string& directory_file,
                                        const std::string& at);

// The current date as YYYYMMDD (UTC).
std::string Today();

}  // namespace kanta::cli
