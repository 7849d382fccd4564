#include "archive/archive_backends.h"

#include "archive/postgresql_archive.h"
#include "archive/sqlite_archive.h"

namespace kanta::archive {

Result<std::unique_ptr<Archive>> OpenArchiveBackend(std::string_view url) {
  if (url.starts_with("sqlite:")) return OpenSqliteArchive(url);
  if (url.starts_with("postgresql:") || url.starts_with("postgres:")) {
    return OpenPostgresqlArchive(url);
  }
  return InvalidArgument("archive URL \"" + std::string(url) +
                         "\": unknown scheme (use sqlite:PATH or postgresql://...)");
}

}  // namespace kanta::archive

extern "C" void kanta_archive_open(const char* url,
                                   kanta::Result<std::unique_ptr<kanta::archive::Archive>>& out) {
  out = kanta::archive::OpenArchiveBackend(url);
}
