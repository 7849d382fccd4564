// Shared by the archive tests and the crash helper: deterministic test
// documents and throwaway PostgreSQL databases.
#pragma once

#include <string>

#include "archive/archive.h"

namespace kanta::archive::testing {

// Document number `i` of a test batch: about `size` bytes of XML-like text
// that differ per document, with a NUL and a 0xFF byte so the bytes are not
// text-safe, and the request Store needs (every tenth carries an
// authorisation summary).
StoreRequest MakeTestDocument(int i, std::size_t size, const std::string& run_id);

// The base server URL from KANTA_TEST_POSTGRESQL_URL, or "" when unset.
std::string PostgresqlServerUrl();

// A fresh, empty database on the server at `server_url`, dropped (with any
// connections left to it) when this object is destroyed. url() is an archive
// URL for it. Failures end the test process with a message: tests cannot go
// on without their database.
class TestDatabase {
 public:
  explicit TestDatabase(std::string server_url);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  const std::string& url() const { return url_; }

 private:
  std::string server_keywords_;
  std::string name_;
  std::string url_;
};

}  // namespace kanta::archive::testing
