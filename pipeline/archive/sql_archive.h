// SqlArchive: the Archive logic both databases share, over Poco::Data.
//
// The schema, the Store/Quarantine transactions, the journal and every query
// are written once here in portable SQL ("?" placeholders, {SEQ} and {BLOB}
// type tokens); a backend (sqlite_archive.h, postgresql_archive.h) supplies a
// Dialect, lends out writer connections and reader sessions, and says how a
// schema change is locked. Internal to pipeline/archive: callers use
// archive.h.
//
// Thread-safety: every public method may be called from several threads at
// once. Writes go through a Writer (one connection with its prepared
// statements) that the backend lends to one caller at a time; reads take a
// session from a Poco SessionPool for the length of one call. Poco exceptions
// are caught in this file and in the backends, and become a Status.
#pragma once

#include <Poco/Data/LOB.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Types.h>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "archive/archive.h"

namespace kanta::archive {

// The few ways the two databases differ in SQL.
struct Dialect {
  std::string name;             // "sqlite" | "postgresql", for messages
  bool numbered_placeholders;   // PostgreSQL wants $1, $2, ... instead of ?
  std::string begin;            // starts a write transaction
  std::string seq_type;         // an auto-numbered primary key column
  std::string blob_type;        // a byte string column
};

// The columns a DocumentRecord is read from, in this order.
inline constexpr std::string_view kDocumentColumns =
    "id, set_id, version, patient, custodian, custodian_name, register_code, register_system, "
    "specifier, specifier_name, producer, organiser, basis_kind, basis_document, document_time, "
    "form, replaces, input_sha256, sha256, stored_at, run_id";
inline constexpr std::size_t kDocumentColumnCount = 21;
inline constexpr std::size_t kVersionColumn = 2;  // the one number among them

// The DocumentRecord in a row of kDocumentColumns, whichever way the row is
// read: `text(k)` returns column k as a string, `number(k)` as an integer.
template <typename Text, typename Number>
DocumentRecord DocumentFromRow(const Text& text, const Number& number) {
  DocumentRecord r;
  r.id = text(0);
  r.set_id = text(1);
  r.version = static_cast<int>(number(kVersionColumn));
  r.patient = text(3);
  r.custodian = text(4);
  r.custodian_name = text(5);
  r.register_code = text(6);
  r.register_system = text(7);
  r.specifier = text(8);
  r.specifier_name = text(9);
  r.producer = text(10);
  r.organiser = text(11);
  r.basis.kind = text(12);
  r.basis.document = text(13);
  r.document_time = text(14);
  r.form = text(15);
  r.replaces = text(16);
  r.input_sha256 = text(17);
  r.sha256 = text(18);
  r.stored_at = text(19);
  r.run_id = text(20);
  return r;
}

// The look-ups ingest makes while resolving and reading documents (portable:
// "?" placeholders). Find and FindReceived select kDocumentColumns.
//   find:     the document with this id.
//   received: the document a run other than the third value stored (or found
//             a duplicate of) from the source, the first value, as the bytes
//             whose SHA-256 is the second and the fourth value, by the
//             journal; the document must still be there as those bytes.
//             Every journal line that matches names the same document (its
//             id is in those bytes), so the first one found is enough: each
//             run of a batch adds a line per document.
//   latest:   the highest version stored of a set, 0 when none is.
inline const std::string kFindSql =
    "SELECT " + std::string(kDocumentColumns) + " FROM documents WHERE id = ?";
inline const std::string kReceivedSql =
    "SELECT " + std::string(kDocumentColumns) +
    " FROM documents WHERE id IN (SELECT document_id FROM journal WHERE source = ? AND "
    "input_sha256 = ? AND run_id <> ? AND action IN ('stored', 'duplicate') LIMIT 1) AND "
    "input_sha256 = ? LIMIT 1";
inline constexpr std::string_view kLatestVersionSql =
    "SELECT COALESCE(MAX(version), 0) FROM documents WHERE set_id = ?";

// The schema version this program writes; opening refuses a newer one.
inline constexpr int kSchemaVersion = 2;

// Values bound by reference into a Writer's prepared statements: Store,
// Quarantine and the run methods fill them in, then execute the statements.
struct WriterRow {
  // documents (and registers)
  std::string id, set_id, patient, custodian, custodian_name, register_code, register_system,
      specifier, specifier_name, producer, organiser, basis_kind, basis_document, document_time,
      form, replaces, input_sha256, sha256, now, run_id;
  Poco::Int64 version = 0;
  Poco::Int64 size = 0;
  Poco::Int64 register_id = 0;
  std::string_view bytes;  // the caller's document, for the length of one statement
  // authorisations
  std::string a_set_id, a_kind, a_scope, a_organiser, a_provider, a_patient, a_valid_from,
      a_valid_to, a_store_custodian, a_store_register, a_store_specifier;
  Poco::Int64 a_version = 0;
  Poco::Int64 a_invalidated = 0;
  // journal
  std::string j_action, j_source, j_detail;
  // quarantine
  std::string q_reason, q_report_json;
  // runs
  std::string r_command, r_settings_json, r_totals_json;
  // filled by the SELECTs
  std::string found_input_sha256;
  Poco::Int64 found_register_id = 0;
  Poco::Int64 found_seq = 0;
};

// A value a writer statement binds, or a column it reads into: a field of
// the Writer's WriterRow. A string_view binds as bytes (a BLOB; empty binds
// as NULL, which reads back as no bytes).
using WriterParam = std::variant<std::string*, Poco::Int64*, std::string_view*>;
using WriterOutput = std::variant<std::string*, Poco::Int64*>;

// One prepared statement of a Writer, bound to fields of its row.
class WriterStatement {
 public:
  virtual ~WriterStatement() = default;
  // Runs the statement with the row's current values. Returns the rows it
  // changed, or for a SELECT the rows it found (the first one is read into
  // the outputs). Throws Poco exceptions.
  virtual std::size_t Execute() = 0;
};

// Prepares `sql` on `session` with its parameters and outputs (throws Poco
// exceptions). Backends may prepare natively; the default goes through Poco.
using PrepareWriterStatement = std::function<std::unique_ptr<WriterStatement>(
    Poco::Data::Session& session, const std::string& sql, std::vector<WriterParam> params,
    std::vector<WriterOutput> outputs)>;

// One database connection prepared for writing: its statements are compiled
// once and executed many times with the values in `row`. Used by one thread
// at a time (a WriterLease guarantees it); not movable, because the
// statements hold pointers into `row`.
class Writer {
 public:
  // Prepares every statement on `session`; throws Poco exceptions (the
  // backends catch them).
  Writer(Poco::Data::Session session, const Dialect& dialect,
         const std::function<std::string(std::string_view)>& sql,
         const PrepareWriterStatement& prepare);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Poco::Data::Session session;
  WriterRow row;
  std::unique_ptr<WriterStatement> begin, commit, rollback;
  std::unique_ptr<WriterStatement> select_existing, insert_register, select_register,
      insert_document, insert_authorisation, insert_journal;
  std::unique_ptr<WriterStatement> select_quarantine, insert_quarantine, update_quarantine;
  std::unique_ptr<WriterStatement> insert_run, update_run;
};

// The default PrepareWriterStatement: a Poco::Data::Statement. Poco 1.11
// compiles it again on every execution; the SQLite backend prepares its own.
std::unique_ptr<WriterStatement> PreparePocoStatement(Poco::Data::Session& session,
                                                      const std::string& sql,
                                                      std::vector<WriterParam> params,
                                                      std::vector<WriterOutput> outputs);

// A Writer lent to one caller. Destroying the lease gives it back; after
// Discard() the backend drops it (its connection may be broken) and makes a
// new one next time.
class WriterLease {
 public:
  using Release = std::function<void(std::unique_ptr<Writer>, bool healthy)>;
  WriterLease(std::unique_ptr<Writer> writer, Release release)
      : writer_(std::move(writer)), release_(std::move(release)) {}
  WriterLease(WriterLease&& other) noexcept
      : writer_(std::move(other.writer_)), release_(std::move(other.release_)),
        healthy_(other.healthy_) {
    other.release_ = nullptr;
  }
  WriterLease& operator=(WriterLease&&) = delete;
  WriterLease(const WriterLease&) = delete;
  ~WriterLease() {
    if (release_) release_(std::move(writer_), healthy_);
  }
  Writer& operator*() { return *writer_; }
  Writer* operator->() { return writer_.get(); }
  void Discard() { healthy_ = false; }

 private:
  std::unique_ptr<Writer> writer_;
  Release release_;
  bool healthy_ = true;
};

class SqlArchive : public Archive {
 public:
  Result<StoreOutcome> Store(const StoreRequest& request) override;
  Result<std::vector<StoreOutcome>> StoreBatch(
      const std::vector<const StoreRequest*>& requests) override;
  Result<bool> Quarantine(const QuarantineRequest& request) override;
  Result<std::optional<DocumentRecord>> Find(std::string_view id) override;
  Result<std::optional<DocumentRecord>> FindReceived(std::string_view source,
                                                     std::string_view input_sha256,
                                                     std::string_view except_run) override;
  Result<int> LatestVersion(std::string_view set_id) override;
  Result<std::optional<std::string>> Bytes(std::string_view id) override;
  Result<std::vector<DocumentRecord>> List(const DocumentQuery& query) override;
  Result<std::vector<AuthorisationRecord>> Authorisations() override;
  Result<std::vector<QuarantineEntry>> QuarantineEntries() override;
  Result<std::string> BeginRun(std::string_view command, std::string_view settings_json) override;
  Status EndRun(std::string_view run_id, std::string_view totals_json) override;
  Result<std::vector<RunRecord>> Runs() override;
  Result<std::vector<JournalEntry>> Journal(std::string_view run_id) override;

  // `portable` with its placeholders and type tokens in this dialect.
  std::string Sql(std::string_view portable) const;

 protected:
  explicit SqlArchive(Dialect dialect) : dialect_(std::move(dialect)) {}

  const Dialect& dialect() const { return dialect_; }
  // A fresh Writer on `session` for this dialect, its statements made by
  // `prepare` (throws Poco exceptions).
  std::unique_ptr<Writer> MakeWriter(Poco::Data::Session session,
                                     const PrepareWriterStatement& prepare =
                                         PreparePocoStatement) const;
  // The Status for a database failure while doing `what`.
  Status DatabaseError(const std::exception& e, std::string_view what) const;

  // A writer for one unit of work (blocks while all are lent out).
  virtual Result<WriterLease> AcquireWriter() = 0;
  // A reader session from the pool, for one call.
  virtual Result<Poco::Data::Session> AcquireReader() = 0;
  // Called after a Store committed a document of `bytes` bytes (the SQLite
  // backend counts them to schedule WAL checkpoints).
  virtual void AfterStore(std::size_t bytes) {}
  // Runs first inside the schema transaction, so two processes opening a new
  // archive at once do not both create it (throws Poco exceptions).
  virtual void LockSchema(Writer& writer) {}
  // Runs inside the schema transaction right after the tables were created:
  // settings one database has and the other has not (throws Poco exceptions).
  virtual void TuneNewSchema(Writer& writer) {}

  // Creates the tables or upgrades them to kSchemaVersion. Backends call it
  // once while opening.
  Status Migrate();

 private:
  enum class Attempt { kStored, kDuplicate, kConflict, kRetry };
  // Register ids looked up or inserted by the transaction in progress.
  using RegisterIds = std::map<std::string, Poco::Int64>;
  // Stores one document inside the open transaction (journal line included).
  Attempt InsertOne(Writer& w, const StoreRequest& request, const std::string& sha256,
                    RegisterIds& registers);
  // A row with the document's id is there (found into w.row): duplicate when
  // it was received as the same bytes, else conflict; journals which.
  Attempt Existing(Writer& w, const DocumentRecord& rec);
  Attempt TryQuarantine(Writer& w, const QuarantineRequest& request, bool* created);
  // The documents `portable_sql` (selecting kDocumentColumns) finds with
  // `values` bound in order; `what` names the look-up in an error.
  Result<std::vector<DocumentRecord>> SelectDocuments(const std::string& portable_sql,
                                                      const std::vector<std::string>& values,
                                                      std::string_view what);
  void ResolveRegister(Writer& w, const std::string& key, RegisterIds& registers);

  const Dialect dialect_;

  // Register ids seen in committed transactions, so most Stores skip the
  // register upsert. Rows in `registers` are never deleted or renumbered.
  std::mutex register_mutex_;
  std::map<std::string, Poco::Int64> register_ids_;  // guarded by register_mutex_
};

// "2025-01-31T12:34:56.789Z", now.
std::string NowUtc();

}  // namespace kanta::archive
