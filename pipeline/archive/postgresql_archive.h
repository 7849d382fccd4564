// The PostgreSQL archive: tables in one PostgreSQL database, through
// Poco::Data::PostgreSQL, shared by any number of processes on any number of
// machines.
//
// URL: "postgresql://[user[:password]@]host[:port][/dbname][?key=value&...]"
// (any libpq keyword as a query parameter, e.g. sslmode=require), or
// "postgresql:" followed by a libpq keyword string ("host=db port=5432
// dbname=kanta user=ingest"). Values may not contain spaces (Poco's connector
// splits the keyword string on them).
//
// Each Store is one transaction on a connection from this archive's pool of
// prepared writers; the unique key on documents.id decides between two
// machines storing the same document at once, and the loser reports
// kDuplicate (or kConflict). Reads take a session from a Poco SessionPool.
// Thread-safety: as Archive.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "archive/archive.h"

namespace kanta::archive {

// The libpq keyword string for a postgresql URL; InvalidArgument when the URL
// is malformed or a value contains a space.
Result<std::string> PostgresqlConnectionString(std::string_view url);

// `url` with any password removed, for messages and Archive::url().
std::string RedactPostgresqlUrl(std::string_view url);

// Opens the PostgreSQL archive at `url`, creating its tables when needed.
Result<std::unique_ptr<Archive>> OpenPostgresqlArchive(std::string_view url);

}  // namespace kanta::archive
