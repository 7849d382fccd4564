// What does not need a database server: URL parsing, hashing, schema
// versions, and SQLite specifics.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "archive/archive.h"
#include "archive/postgresql_archive.h"
#include "archive/sqlite_archive.h"
#include "archive_test_support.h"
#include "test_support.h"

namespace kanta::archive {
namespace {

using namespace Poco::Data::Keywords;

TEST(Sha256HexTest, MatchesTheStandardTestVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(OpenArchiveTest, RefusesAnUnknownScheme) {
  auto archive = OpenArchive("mysql://db/x");
  ASSERT_FALSE(archive.ok());
  EXPECT_EQ(archive.status().code(), StatusCode::kInvalidArgument);
}

TEST(SqliteUrlTest, ReadsThePathAndSettings) {
  auto plain = ParseSqliteUrl("sqlite:/data/archive.db");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->path, "/data/archive.db");
  EXPECT_FALSE(plain->synchronous_full);
  EXPECT_TRUE(plain->background_checkpoint);
  auto set = ParseSqliteUrl("sqlite:a.db?synchronous=full&checkpoint=inline&busy_timeout=250");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->path, "a.db");
  EXPECT_TRUE(set->synchronous_full);
  EXPECT_FALSE(set->background_checkpoint);
  EXPECT_EQ(set->busy_timeout_ms, 250);
  EXPECT_EQ(ParseSqliteUrl("sqlite:").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSqliteUrl("sqlite:a.db?synchronous=off").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(PostgresqlUrlTest, TurnsAUrlIntoLibpqKeywords) {
  auto k = PostgresqlConnectionString("postgresql://ingest:s%40cret@db.example:5433/kanta?sslmode=require");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(*k,
            "user=ingest password=s@cret host=db.example port=5433 dbname=kanta sslmode=require "
            "application_name=kanta-pipeline");
  EXPECT_EQ(PostgresqlConnectionString("postgresql://[::1]:5432/x").value(),
            "host=::1 port=5432 dbname=x application_name=kanta-pipeline");
  EXPECT_EQ(PostgresqlConnectionString("postgresql:host=db dbname=k").value(),
            "host=db dbname=k application_name=kanta-pipeline");
  EXPECT_EQ(PostgresqlConnectionString("postgresql://u:a%20b@h/d").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PostgresqlConnectionString("postgresql:nothing").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(PostgresqlUrlTest, RedactsPasswords) {
  EXPECT_EQ(RedactPostgresqlUrl("postgresql://ingest:secret@db:5432/kanta"),
            "postgresql://ingest@db:5432/kanta");
  EXPECT_EQ(RedactPostgresqlUrl("postgresql:host=db password=secret dbname=k"),
            "postgresql:host=db password=*** dbname=k");
  EXPECT_EQ(RedactPostgresqlUrl("postgresql://db/k?password=secret&x=1"),
            "postgresql://db/k?password=***&x=1");
}

TEST(PostgresqlArchiveTest, AnUnreachableServerIsUnavailableAndNoPasswordIsShown) {
  // Port 1 on the loopback refuses connections at once.
  auto archive = OpenArchive("postgresql://kanta:secret-pw@127.0.0.1:1/kanta");
  ASSERT_FALSE(archive.ok());
  EXPECT_EQ(archive.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(archive.status().message().find("secret-pw"), std::string::npos)
      << archive.status().message();
}

TEST(SqliteArchiveTest, CreatesAWalDatabaseWithASchemaVersion) {
  kanta::testing::TempDir dir;
  const std::string path = (dir.path() / "a.db").string();
  {
    auto archive = OpenArchive("sqlite:" + path);
    ASSERT_TRUE(archive.ok()) << archive.status().ToString();
    EXPECT_EQ((*archive)->url(), "sqlite:" + path);
  }
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session s("SQLite", path);
  std::string mode, version;
  s << "PRAGMA journal_mode", into(mode), now;
  s << "SELECT value FROM archive_meta WHERE name = 'schema_version'", into(version), now;
  EXPECT_EQ(mode, "wal");
  EXPECT_EQ(version, "2");
  int tables = 0;
  s << "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('registers', "
       "'documents', 'authorisations', 'quarantine', 'runs', 'journal')",
      into(tables), now;
  EXPECT_EQ(tables, 6);
}

TEST(SqliteArchiveTest, TheWalStaysSmallWhileAWriterStoresWithoutPause) {
  // The background checkpointer must let the WAL start over now and then;
  // a checkpoint that never catches up with a busy writer leaves a WAL as
  // large as everything stored (gigabytes for a big batch).
  kanta::testing::TempDir dir;
  const std::string path = (dir.path() / "a.db").string();
  auto archive = OpenArchive("sqlite:" + path);
  ASSERT_TRUE(archive.ok()) << archive.status().ToString();
  constexpr int kBatches = 100, kPerBatch = 16;
  constexpr std::size_t kSize = 40 * 1024;  // 100 x 16 x 40 KiB: ~63 MiB stored
  std::uintmax_t largest_wal = 0;
  for (int b = 0; b < kBatches; ++b) {
    std::vector<StoreRequest> requests;
    for (int i = 0; i < kPerBatch; ++i) {
      requests.push_back(testing::MakeTestDocument(b * kPerBatch + i, kSize, "wal-run"));
    }
    std::vector<const StoreRequest*> batch;
    for (const StoreRequest& r : requests) batch.push_back(&r);
    auto stored = (*archive)->StoreBatch(batch);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    std::error_code ec;
    largest_wal = std::max(largest_wal, std::filesystem::file_size(path + "-wal", ec));
  }
  EXPECT_LT(largest_wal, 32u << 20) << "the WAL grew with the batch instead of starting over";
}

TEST(SqliteArchiveTest, AnArchiveOfSchemaOneIsUpgradedKeepingItsDocuments) {
  kanta::testing::TempDir dir;
  const std::string path = (dir.path() / "a.db").string();
  const StoreRequest request = testing::MakeTestDocument(1, 2000, "old-run");
  {
    auto archive = OpenArchive("sqlite:" + path);
    ASSERT_TRUE(archive.ok()) << archive.status().ToString();
    ASSERT_TRUE((*archive)->Store(request).ok());
  }
  {
    // Back to what schema 1 had: no index on the journal's sources.
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session s("SQLite", path);
    s << "DROP INDEX journal_source", now;
    s << "UPDATE archive_meta SET value = '1' WHERE name = 'schema_version'", now;
  }
  auto archive = OpenArchive("sqlite:" + path);
  ASSERT_TRUE(archive.ok()) << archive.status().ToString();
  auto found = (*archive)->FindReceived(request.source, request.record.input_sha256, "new-run");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, request.record.id);
  Poco::Data::Session s("SQLite", path);
  std::string version;
  int indexes = 0;
  s << "SELECT value FROM archive_meta WHERE name = 'schema_version'", into(version), now;
  s << "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'journal_source'",
      into(indexes), now;
  EXPECT_EQ(version, "2");
  EXPECT_EQ(indexes, 1);
}

TEST(SqliteArchiveTest, RefusesAnArchiveWithANewerSchema) {
  kanta::testing::TempDir dir;
  const std::string path = (dir.path() / "a.db").string();
  ASSERT_TRUE(OpenArchive("sqlite:" + path).ok());
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session s("SQLite", path);
    s << "UPDATE archive_meta SET value = '99' WHERE name = 'schema_version'", now;
  }
  auto archive = OpenArchive("sqlite:" + path);
  ASSERT_FALSE(archive.ok());
  EXPECT_EQ(archive.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(archive.status().message().find("99"), std::string::npos);
}

TEST(SqliteArchiveTest, ReportsAnUnopenableFileAsUnavailable) {
  kanta::testing::TempDir dir;
  auto archive = OpenArchive("sqlite:" + (dir.path() / "missing-dir" / "a.db").string());
  ASSERT_FALSE(archive.ok());
  EXPECT_EQ(archive.status().code(), StatusCode::kUnavailable) << archive.status().ToString();
}

TEST(SqliteArchiveTest, RegistersAreKeptOncePerKey) {
  kanta::testing::TempDir dir;
  const std::string path = (dir.path() / "a.db").string();
  {
    auto archive = OpenArchive("sqlite:" + path);
    ASSERT_TRUE(archive.ok());
    for (int i = 0; i < 30; ++i) {
      StoreRequest r;
      r.record.id = "1.2.3^" + std::to_string(i);
      r.record.input_sha256 = Sha256Hex(r.record.id);
      r.record.custodian = i % 2 ? "1.2.246.10.1" : "1.2.246.10.2";
      r.record.register_code = i % 3 ? "1" : "2";
      r.bytes = r.record.id;
      ASSERT_EQ((*archive)->Store(r).value(), StoreOutcome::kStored);
    }
  }
  Poco::Data::Session s("SQLite", path);
  int registers = 0, orphans = 0;
  s << "SELECT count(*) FROM registers", into(registers), now;
  s << "SELECT count(*) FROM documents d JOIN registers r USING (register_id) WHERE "
       "r.custodian <> d.custodian OR r.register_code <> d.register_code",
      into(orphans), now;
  EXPECT_EQ(registers, 4);
  EXPECT_EQ(orphans, 0);
}

}  // namespace
}  // namespace kanta::archive
