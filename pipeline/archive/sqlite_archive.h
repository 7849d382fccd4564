// The SQLite archive: one database file, written through Poco::Data.
//
// URL: "sqlite:PATH" with optional settings after '?', '&'-separated:
//   synchronous=normal|full   (default normal; see docs/archive.md for what
//                              each survives)
//   checkpoint=background|inline  (default background: a thread of the
//                              archive copies the WAL into the database so
//                              Store never waits for it)
//   busy_timeout=MS           (default 10000: how long to wait for another
//                              process that holds the write lock)
//
// The database runs in WAL mode. Writes go through one connection with
// prepared statements, behind a mutex (SQLite has one writer at a time
// anyway); reads take a connection from a Poco SessionPool and never wait for
// the writer. Thread-safety: as Archive. The file may also be shared with
// other processes: BEGIN IMMEDIATE and the busy timeout order their writes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "archive/archive.h"

namespace kanta::archive {

struct SqliteOptions {
  std::string path;
  bool synchronous_full = false;
  bool background_checkpoint = true;
  int busy_timeout_ms = 10000;
};

// Parses "sqlite:PATH[?k=v&...]"; InvalidArgument for an empty path or an
// unknown setting.
Result<SqliteOptions> ParseSqliteUrl(std::string_view url);

// Opens (creating when needed) the SQLite archive at `url`.
Result<std::unique_ptr<Archive>> OpenSqliteArchive(std::string_view url);

}  // namespace kanta::archive
