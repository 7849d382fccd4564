// OpenArchive: the archive backends live in a module loaded on first use, so
// runs that never open an archive (validate, sign, verify) do not load
// Poco::Data, SQLite, libpq and libpq's Kerberos, LDAP and TLS libraries.
#include "archive/archive.h"

#include "core/module.h"

namespace kanta::archive {
namespace {

using EntryPoint = void (*)(const char*, Result<std::unique_ptr<Archive>>&);

}  // namespace

Result<std::unique_ptr<Archive>> OpenArchive(std::string_view url) {
  if (!url.starts_with("sqlite:") && !url.starts_with("postgresql:") &&
      !url.starts_with("postgres:")) {
    return InvalidArgument("archive URL \"" + std::string(url) +
                           "\": unknown scheme (use sqlite:PATH or postgresql://...)");
  }
  ASSIGN_OR_RETURN(void* entry,
                   LoadModuleSymbol("libkanta_archive.so", KANTA_ARCHIVE_MODULE, "kanta_archive_open"));
  Result<std::unique_ptr<Archive>> out = Internal("the archive module gave no answer");
  reinterpret_cast<EntryPoint>(entry)(std::string(url).c_str(), out);
  return out;
}

}  // namespace kanta::archive
