#include "archive_access.h"

#include <ctime>
#include <filesystem>

#include "report_output.h"
#include "route/archive_lookup.h"

namespace kanta::cli {

std::string Today() { return UtcNow("%Y%m%d"); }

Result<ArchiveAccess> OpenArchiveAccess(const std::string& url, const std::string& directory_file,
                                        const std::string& at) {
  ArchiveAccess a;
  if (!at.empty()) {
    if (at.size() < 8 || at.find_first_not_of("0123456789-") != std::string::npos) {
      return InvalidArgument("--at must be a date, YYYYMMDD or YYYY-MM-DD: " + at);
    }
    for (char c : at) {
      if (c != '-') a.today += c;
    }
    if (a.today.size() != 8) return InvalidArgument("--at must be a date, YYYYMMDD or YYYY-MM-DD: " + at);
  } else {
    a.today = Today();
  }
  registers::RegisterPolicy policy;
  if (!directory_file.empty()) {
    ASSIGN_OR_RETURN(a.directory, registers::OrganisationDirectory::Load(directory_file));
    policy = a.directory->policy();
  }
  // Reading never creates an archive: a mistyped path is an error, not an
  // empty archive.
  if (url.rfind("sqlite:", 0) == 0) {
    const std::string path = url.substr(7, url.find('?') == std::string::npos ? std::string::npos
                                                                            : url.find('?') - 7);
    if (!std::filesystem::exists(path)) return NotFound("there is no archive at " + path);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<archive::Archive> opened, archive::OpenArchive(url));
  a.archive = std::move(opened);
  a.authorisations = std::make_shared<registers::AuthorisationStore>();
  RETURN_IF_ERROR(route::LoadAuthorisations(*a.archive, policy, *a.authorisations));
  return a;
}

}  // namespace kanta::cli
