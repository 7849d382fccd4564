#include "archive/sqlite_archive.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/SessionPool.h>
#include <sqlite3.h>

#include <array>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <thread>

#include "archive/sql_archive.h"
#include "core/thread_name.h"

namespace kanta::archive {

using namespace Poco::Data::Keywords;

namespace {

// Document bytes stored between two background checkpoints: about 1,000 WAL
// pages of 4 KiB, SQLite's own auto-checkpoint interval.
constexpr std::size_t kCheckpointBytes = 4u << 20;
// How long Poco keeps retrying to open the file (it is there: Open checked).
constexpr std::size_t kOpenTimeoutSeconds = 10;

Dialect SqliteDialect() {
  return Dialect{"sqlite", false, "BEGIN IMMEDIATE", "INTEGER PRIMARY KEY", "BLOB"};
}

// A writer statement prepared once on the connection's own sqlite3 handle
// (Poco 1.11 compiles its statements again on every execution, which cost
// the writer thread a third of its time, docs/performance.md). Prepared on
// first use, because the writer exists before the tables it writes. Values
// are bound without copying: they live in the Writer's row, or in the
// caller's request, until Execute returns.
class NativeStatement final : public WriterStatement {
 public:
  NativeStatement(sqlite3* db, std::string sql, std::vector<WriterParam> params,
                  std::vector<WriterOutput> outputs)
      : db_(db), sql_(std::move(sql)), params_(std::move(params)), outputs_(std::move(outputs)) {}
  NativeStatement(const NativeStatement&) = delete;
  NativeStatement& operator=(const NativeStatement&) = delete;
  ~NativeStatement() override { sqlite3_finalize(statement_); }

  std::size_t Execute() override {
    if (statement_ == nullptr) {
      const int rc = sqlite3_prepare_v3(db_, sql_.c_str(), static_cast<int>(sql_.size() + 1),
                                        SQLITE_PREPARE_PERSISTENT, &statement_, nullptr);
      if (rc != SQLITE_OK) Poco::Data::SQLite::Utility::throwException(db_, rc, sql_);
    }
    struct Reset {  // leaves no pointer to the caller's values behind
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{statement_};
    int i = 0;
    for (const WriterParam& p : params_) {
      ++i;
      int rc = SQLITE_OK;
      if (auto* text = std::get_if<std::string*>(&p)) {
        rc = sqlite3_bind_text64(statement_, i, (*text)->data(), (*text)->size(), SQLITE_STATIC,
                                 SQLITE_UTF8);
      } else if (auto* number = std::get_if<Poco::Int64*>(&p)) {
        rc = sqlite3_bind_int64(statement_, i, **number);
      } else if (const std::string_view& bytes = *std::get<std::string_view*>(p); !bytes.empty()) {
        rc = sqlite3_bind_blob64(statement_, i, bytes.data(), bytes.size(), SQLITE_STATIC);
      } else {
        rc = sqlite3_bind_null(statement_, i);  // as Poco binds an empty BLOB
      }
      if (rc != SQLITE_OK) Poco::Data::SQLite::Utility::throwException(db_, rc);
    }
    std::size_t rows = 0;
    while (true) {
      const int rc = sqlite3_step(statement_);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) Poco::Data::SQLite::Utility::throwException(db_, rc);
      if (rows++ > 0) continue;
      int column = 0;
      for (const WriterOutput& o : outputs_) {
        if (auto* text = std::get_if<std::string*>(&o)) {
          const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
          (*text)->assign(data == nullptr ? "" : data,
                          static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
        } else {
          *std::get<Poco::Int64*>(o) = sqlite3_column_int64(statement_, column);
        }
        ++column;
      }
    }
    // A statement that reads columns counts the rows it found; any other
    // the rows it changed.
    if (sqlite3_column_count(statement_) > 0) return rows;
    return static_cast<std::size_t>(sqlite3_changes64(db_));
  }

 private:
  sqlite3* const db_;
  const std::string sql_;
  sqlite3_stmt* statement_ = nullptr;  // prepared by the first Execute
  const std::vector<WriterParam> params_;
  const std::vector<WriterOutput> outputs_;
};

std::unique_ptr<WriterStatement> PrepareNative(Poco::Data::Session& session,
                                               const std::string& sql,
                                               std::vector<WriterParam> params,
                                               std::vector<WriterOutput> outputs) {
  return std::make_unique<NativeStatement>(Poco::Data::SQLite::Utility::dbHandle(session), sql,
                                           std::move(params), std::move(outputs));
}

void RegisterConnector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

class SqliteArchive final : public SqlArchive {
 public:
  SqliteArchive(std::string url, SqliteOptions options)
      : SqlArchive(SqliteDialect()), url_(std::move(url)), options_(std::move(options)) {}

  ~SqliteArchive() override {
    for (Lookup& l : idle_lookups_) l.Close();
    if (checkpointer_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(checkpoint_mutex_);
        stop_ = true;
      }
      checkpoint_wake_.notify_one();
      checkpointer_.join();
    }
    // Leaves a small file behind for the next open and for copying; a
    // failure only means the next writer checkpoints instead.
    std::lock_guard<std::mutex> lock(writer_mutex_);
    if (writer_) {
      try {
        writer_->session << "PRAGMA wal_checkpoint(TRUNCATE)", now;
      } catch (...) {
      }
    }
  }

  Status Open() {
    RegisterConnector();
    // Poco retries a failing open for its whole login timeout; a missing
    // folder will not appear meanwhile.
    const std::filesystem::path parent = std::filesystem::path(options_.path).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
      return Unavailable("sqlite archive " + options_.path + ": folder " + parent.string() +
                         " does not exist");
    }
    try {
      std::lock_guard<std::mutex> lock(writer_mutex_);
      writer_ = MakeWriter(Connect(), PrepareNative);
      std::string mode;
      // A new archive gets 16 KiB pages: a typical 20-40 kB document then
      // fills a few pages instead of ten, and a batch writes that many fewer
      // WAL frames (about 10 % less CPU per stored document, docs/archive.md).
      // An existing database keeps its page size (WAL mode fixes it).
      writer_->session << "PRAGMA page_size=16384", now;
      writer_->session << "PRAGMA journal_mode=WAL", into(mode), now;
      if (mode != "wal") {
        return Unavailable("sqlite archive " + options_.path +
                           ": cannot switch to WAL mode (journal_mode is " + mode + ")");
      }
    } catch (const std::exception& e) {
      return DatabaseError(e, "opening " + options_.path);
    }
    RETURN_IF_ERROR(Migrate());
    try {
      readers_ = std::make_unique<Poco::Data::SessionPool>("SQLite", options_.path, 1, 64, 60);
      if (options_.background_checkpoint) {
        Poco::Data::Session session = Connect();
        checkpointer_ = std::thread([this, s = std::move(session)]() mutable {
          NameThisThread("kanta-ckpt");
          Checkpoint(s);
        });
      }
    } catch (const std::exception& e) {
      return DatabaseError(e, "opening " + options_.path);
    }
    return Status::Ok();
  }

  std::string url() const override { return url_; }

 protected:
  Result<WriterLease> AcquireWriter() override {
    writer_mutex_.lock();
    if (!writer_) {
      try {
        writer_ = MakeWriter(Connect(), PrepareNative);
      } catch (const std::exception& e) {
        writer_mutex_.unlock();
        return DatabaseError(e, "reconnecting to " + options_.path);
      }
    }
    // The lease is released on the thread that acquired it, so the mutex
    // is unlocked where it was locked.
    return WriterLease(std::move(writer_), [this](std::unique_ptr<Writer> w, bool healthy) {
      if (healthy) writer_ = std::move(w);
      writer_mutex_.unlock();
    });
  }

  Result<Poco::Data::Session> AcquireReader() override {
    try {
      Poco::Data::Session s = readers_->get();
      sqlite3_busy_timeout(Poco::Data::SQLite::Utility::dbHandle(s), options_.busy_timeout_ms);
      return s;
    } catch (const std::exception& e) {
      return DatabaseError(e, "opening a reader on " + options_.path);
    }
  }

  // The look-ups ingest makes for documents it reads and resolves go through
  // the sqlite3 API on connections of their own, each statement prepared once
  // per connection: Poco compiled the query again on every call (and a found
  // document was then read again by id; docs/archive.md). List, Bytes and the
  // rest are rare and stay on Poco's reader pool.
  Result<std::optional<DocumentRecord>> Find(std::string_view id) override {
    std::optional<DocumentRecord> found;
    RETURN_IF_ERROR(RunLookup(kLookupFind, {id}, "finding " + std::string(id),
                              [&](sqlite3_stmt* s) { found = ReadDocument(s); }));
    return found;
  }

  Result<std::optional<DocumentRecord>> FindReceived(std::string_view source,
                                                     std::string_view input_sha256,
                                                     std::string_view except_run) override {
    std::optional<DocumentRecord> found;
    RETURN_IF_ERROR(RunLookup(kLookupReceived, {source, input_sha256, except_run, input_sha256},
                              "looking up what was received from " + std::string(source),
                              [&](sqlite3_stmt* s) { found = ReadDocument(s); }));
    return found;
  }

  Result<int> LatestVersion(std::string_view set_id) override {
    int latest = 0;
    RETURN_IF_ERROR(RunLookup(kLookupLatest, {set_id},
                              "finding the latest version of set " + std::string(set_id),
                              [&](sqlite3_stmt* s) { latest = sqlite3_column_int(s, 0); }));
    return latest;
  }

  void AfterStore(std::size_t bytes) override {
    if (!options_.background_checkpoint) return;
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(checkpoint_mutex_);
      pending_bytes_ += bytes;
      wake = pending_bytes_ >= kCheckpointBytes;
    }
    if (wake) checkpoint_wake_.notify_one();
  }

 private:
  enum LookupKind { kLookupFind, kLookupReceived, kLookupLatest, kLookupKinds };

  // A look-up connection with its statements; used by one thread at a time
  // (taken from idle_lookups_ and put back).
  struct Lookup {
    sqlite3* db = nullptr;
    std::array<sqlite3_stmt*, kLookupKinds> statements{};
    void Close() {
      for (sqlite3_stmt*& s : statements) {
        sqlite3_finalize(s);
        s = nullptr;
      }
      sqlite3_close_v2(db);
      db = nullptr;
    }
  };

  Status OpenLookup(Lookup& l) {
    int rc = sqlite3_open_v2(options_.path.c_str(), &l.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(l.db, options_.busy_timeout_ms);
    const std::array<std::string_view, kLookupKinds> sql = {kFindSql, kReceivedSql, kLatestVersionSql};
    for (int k = 0; k < kLookupKinds && rc == SQLITE_OK; ++k) {
      rc = sqlite3_prepare_v3(l.db, sql[k].data(), static_cast<int>(sql[k].size()),
                              SQLITE_PREPARE_PERSISTENT, &l.statements[k], nullptr);
    }
    if (rc == SQLITE_OK) return Status::Ok();
    const std::string error = l.db != nullptr ? sqlite3_errmsg(l.db) : sqlite3_errstr(rc);
    l.Close();
    return Unavailable("sqlite archive " + options_.path + ": opening a look-up connection: " + error);
  }

  // Runs the look-up `kind` with `params` bound in order, calling `read` for
  // its first row, if any. `what` names the look-up in an error.
  Status RunLookup(LookupKind kind, std::initializer_list<std::string_view> params,
                   const std::string& what, const std::function<void(sqlite3_stmt*)>& read) {
    Lookup l;
    {
      std::lock_guard<std::mutex> lock(lookups_mutex_);
      if (!idle_lookups_.empty()) {
        l = idle_lookups_.back();
        idle_lookups_.pop_back();
      }
    }
    if (l.db == nullptr) RETURN_IF_ERROR(OpenLookup(l));
    sqlite3_stmt* statement = l.statements[kind];
    int rc = SQLITE_OK;
    int i = 0;
    for (std::string_view text : params) {
      if (rc == SQLITE_OK) {
        rc = sqlite3_bind_text64(statement, ++i, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
    }
    if (rc == SQLITE_OK) rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) read(statement);
    const std::string error = rc == SQLITE_ROW || rc == SQLITE_DONE ? "" : sqlite3_errmsg(l.db);
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    if (!error.empty()) {
      l.Close();
      return Unavailable("sqlite archive " + options_.path + ": " + what + ": " + error);
    }
    std::lock_guard<std::mutex> lock(lookups_mutex_);
    idle_lookups_.push_back(l);
    return Status::Ok();
  }

  // The DocumentRecord in the row `s` is on (kDocumentColumns).
  static DocumentRecord ReadDocument(sqlite3_stmt* s) {
    return DocumentFromRow(
        [s](std::size_t k) {
          const int column = static_cast<int>(k);
          const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
          return std::string(data == nullptr ? "" : data,
                             static_cast<std::size_t>(sqlite3_column_bytes(s, column)));
        },
        [s](std::size_t k) { return sqlite3_column_int64(s, static_cast<int>(k)); });
  }

  // A connection with this archive's settings (throws Poco exceptions).
  Poco::Data::Session Connect() const {
    Poco::Data::Session s("SQLite", options_.path, kOpenTimeoutSeconds);
    sqlite3_busy_timeout(Poco::Data::SQLite::Utility::dbHandle(s), options_.busy_timeout_ms);
    // NORMAL in WAL mode: a commit is in the OS before Store returns, so a
    // killed process loses nothing; only a power loss may undo the last
    // commits (docs/archive.md). FULL also syncs the WAL on every commit.
    s << (options_.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"),
        now;
    s << "PRAGMA foreign_keys=ON", now;
    s << "PRAGMA journal_size_limit=67108864", now;
    if (options_.background_checkpoint) s << "PRAGMA wal_autocheckpoint=0", now;
    return s;
  }

  // The checkpointer thread: copies the WAL back into the database whenever
  // enough has been stored, on its own connection, so the writer never pays
  // for the copy and its fsync. PASSIVE never blocks the writer or readers.
  void Checkpoint(Poco::Data::Session& session) {
    std::unique_lock<std::mutex> lock(checkpoint_mutex_);
    while (true) {
      checkpoint_wake_.wait(lock, [this] { return stop_ || pending_bytes_ >= kCheckpointBytes; });
      if (stop_) return;
      pending_bytes_ = 0;
      lock.unlock();
      try {
        // PASSIVE copies the bulk while the writer goes on appending; it
        // never catches up with a busy writer, so the WAL would never start
        // over and would grow to the size of the whole batch (and be
        // truncated from gigabytes at close). RESTART then copies the few
        // frames appended meanwhile, holding the writer back only for that,
        // and makes the next commit write from the WAL's start again: the
        // WAL stays a few MiB, in the page cache, its blocks reused.
        // The writer is held back by this process's own lock rather than
        // by SQLite's busy handler, which sleeps in steps of up to 100 ms
        // where the checkpoint needs a few.
        session << "PRAGMA wal_checkpoint(PASSIVE)", now;
        std::lock_guard<std::mutex> writer(writer_mutex_);
        session << "PRAGMA wal_checkpoint(RESTART)", now;
      } catch (...) {
        // A checkpoint that fails (busy, I/O) is retried after the next
        // batch of stores; the WAL keeps every committed transaction safe
        // meanwhile.
      }
      lock.lock();
    }
  }

  const std::string url_;
  const SqliteOptions options_;
  std::unique_ptr<Poco::Data::SessionPool> readers_;  // set in Open(), thread-safe

  std::mutex lookups_mutex_;
  std::vector<Lookup> idle_lookups_;  // guarded by lookups_mutex_

  std::mutex writer_mutex_;
  std::unique_ptr<Writer> writer_;  // guarded by writer_mutex_; null while lent out or broken

  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  std::size_t pending_bytes_ = 0;  // guarded by checkpoint_mutex_
  bool stop_ = false;              // guarded by checkpoint_mutex_
  std::thread checkpointer_;
};

}  // namespace

Result<SqliteOptions> ParseSqliteUrl(std::string_view url) {
  if (!url.starts_with("sqlite:")) return InvalidArgument("not a sqlite: URL: " + std::string(url));
  std::string_view rest = url.substr(7);
  SqliteOptions options;
  const std::size_t q = rest.find('?');
  options.path = std::string(rest.substr(0, q));
  if (options.path.empty()) return InvalidArgument("archive URL \"" + std::string(url) + "\": no path");
  if (q == std::string_view::npos) return options;
  std::string_view settings = rest.substr(q + 1);
  while (!settings.empty()) {
    const std::size_t amp = settings.find('&');
    const std::string_view item = settings.substr(0, amp);
    settings = amp == std::string_view::npos ? std::string_view() : settings.substr(amp + 1);
    const std::size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
    if (key == "synchronous" && (value == "normal" || value == "full")) {
      options.synchronous_full = value == "full";
    } else if (key == "checkpoint" && (value == "background" || value == "inline")) {
      options.background_checkpoint = value == "background";
    } else if (key == "busy_timeout" && !value.empty() &&
               value.find_first_not_of("0123456789") == std::string_view::npos &&
               value.size() < 8) {
      options.busy_timeout_ms = std::stoi(std::string(value));
    } else {
      return InvalidArgument("archive URL \"" + std::string(url) + "\": unknown setting \"" +
                             std::string(item) +
                             "\" (synchronous=normal|full, checkpoint=background|inline, "
                             "busy_timeout=MS)");
    }
  }
  return options;
}

Result<std::unique_ptr<Archive>> OpenSqliteArchive(std::string_view url) {
  ASSIGN_OR_RETURN(SqliteOptions options, ParseSqliteUrl(url));
  auto archive = std::make_unique<SqliteArchive>(std::string(url), std::move(options));
  RETURN_IF_ERROR(archive->Open());
  return std::unique_ptr<Archive>(std::move(archive));
}

}  // namespace kanta::archive
