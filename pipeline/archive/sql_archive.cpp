#include "archive/sql_archive.h"

#include <Poco/Data/DataException.h>
#include <Poco/UUIDGenerator.h>

#include <array>
#include <chrono>
#include <ctime>
#include <vector>

namespace kanta::archive {

using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

// Migration N (index N-1) takes a schema of version N-1 to version N. Every
// integer column is BIGINT so both databases extract it as a 64-bit value.
// The byte columns may be NULL: both Poco connectors bind an empty BLOB as
// NULL, which reads back as no bytes.
const std::vector<std::vector<std::string_view>> kMigrations = {
    {
        R"(CREATE TABLE registers (
             register_id {SEQ},
             custodian TEXT NOT NULL,
             custodian_name TEXT NOT NULL,
             register_code TEXT NOT NULL,
             register_system TEXT NOT NULL,
             specifier TEXT NOT NULL,
             specifier_name TEXT NOT NULL,
             created_at TEXT NOT NULL,
             UNIQUE (custodian, register_code, register_system, specifier)))",
        R"(CREATE TABLE runs (
             seq {SEQ},
             run_id TEXT NOT NULL UNIQUE,
             command TEXT NOT NULL,
             settings_json TEXT NOT NULL,
             started_at TEXT NOT NULL,
             ended_at TEXT NOT NULL DEFAULT '',
             totals_json TEXT NOT NULL DEFAULT ''))",
        // The bytes come last: SQLite then never reads a document's overflow
        // pages for a query that does not ask for them.
        R"(CREATE TABLE documents (
             seq {SEQ},
             id TEXT NOT NULL UNIQUE,
             set_id TEXT NOT NULL,
             version BIGINT NOT NULL,
             patient TEXT NOT NULL,
             register_id BIGINT NOT NULL REFERENCES registers (register_id),
             custodian TEXT NOT NULL,
             custodian_name TEXT NOT NULL,
             register_code TEXT NOT NULL,
             register_system TEXT NOT NULL,
             specifier TEXT NOT NULL,
             specifier_name TEXT NOT NULL,
             producer TEXT NOT NULL,
             organiser TEXT NOT NULL,
             basis_kind TEXT NOT NULL,
             basis_document TEXT NOT NULL,
             document_time TEXT NOT NULL,
             form TEXT NOT NULL,
             replaces TEXT NOT NULL,
             input_sha256 TEXT NOT NULL,
             sha256 TEXT NOT NULL,
             size BIGINT NOT NULL,
             stored_at TEXT NOT NULL,
             run_id TEXT NOT NULL,
             bytes {BLOB}))",
        "CREATE INDEX documents_set_id ON documents (set_id)",
        "CREATE INDEX documents_patient ON documents (patient)",
        "CREATE INDEX documents_register ON documents (custodian, register_code)",
        R"(CREATE TABLE authorisations (
             seq {SEQ},
             document_id TEXT NOT NULL UNIQUE REFERENCES documents (id),
             set_id TEXT NOT NULL,
             version BIGINT NOT NULL,
             kind TEXT NOT NULL,
             scope TEXT NOT NULL,
             organiser TEXT NOT NULL,
             provider TEXT NOT NULL,
             patient TEXT NOT NULL,
             valid_from TEXT NOT NULL,
             valid_to TEXT NOT NULL,
             store_custodian TEXT NOT NULL,
             store_register TEXT NOT NULL,
             store_specifier TEXT NOT NULL,
             invalidated BIGINT NOT NULL))",
        "CREATE INDEX authorisations_parties ON authorisations (organiser, provider)",
        R"(CREATE TABLE quarantine (
             seq {SEQ},
             source TEXT NOT NULL,
             document_id TEXT NOT NULL,
             input_sha256 TEXT NOT NULL,
             reason TEXT NOT NULL,
             report_json TEXT NOT NULL,
             quarantined_at TEXT NOT NULL,
             run_id TEXT NOT NULL,
             times_seen BIGINT NOT NULL DEFAULT 1,
             last_seen_at TEXT NOT NULL,
             last_run_id TEXT NOT NULL,
             bytes {BLOB},
             UNIQUE (source, input_sha256)))",
        R"(CREATE TABLE journal (
             seq {SEQ},
             run_id TEXT NOT NULL,
             at TEXT NOT NULL,
             action TEXT NOT NULL,
             document_id TEXT NOT NULL,
             source TEXT NOT NULL,
             input_sha256 TEXT NOT NULL,
             detail TEXT NOT NULL))",
        "CREATE INDEX journal_run ON journal (run_id)",
    },
    // 2: the journal by source, so that a re-run knows what an earlier run
    // stored from the same file before parsing it (FindReceived). Paths,
    // unlike hashes, arrive in order, so the index grows at its end.
    {
        "CREATE INDEX journal_source ON journal (source)",
    },
};

// Column vectors for a SELECT of kDocumentColumns.
struct DocumentColumns {
  std::array<std::vector<std::string>, kDocumentColumnCount> text;  // all but the version
  std::vector<Poco::Int64> version;

  void Bind(Statement& s) {
    for (std::size_t k = 0; k < text.size(); ++k) {
      if (k == kVersionColumn) {
        s, into(version);
      } else {
        s, into(text[k]);
      }
    }
  }
  std::size_t rows() const { return version.size(); }
  DocumentRecord Row(std::size_t i) const {
    return DocumentFromRow([&](std::size_t k) { return text[k][i]; },
                           [&](std::size_t) { return version[i]; });
  }
};

std::string RegisterKey(const DocumentRecord& r) {
  std::string key = r.custodian;
  for (const std::string* part : {&r.register_code, &r.register_system, &r.specifier}) {
    key += '\x1f';
    key += *part;
  }
  return key;
}

// Rolls back whatever the failed unit of work left open. The connection may
// be gone; the lease is discarded anyway, so a failure here changes nothing.
void RollbackQuietly(Writer& w) {
  try {
    w.rollback->Execute();
  } catch (...) {
  }
}

}  // namespace

std::string NowUtc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

namespace {

// A Poco::Data::Statement with its values bound by reference. Poco binds
// only a BLOB as bytes, so a string_view parameter is copied into one for
// each execution.
class PocoStatement final : public WriterStatement {
 public:
  PocoStatement(Poco::Data::Session& session, const std::string& sql,
                const std::vector<WriterParam>& params, const std::vector<WriterOutput>& outputs)
      : statement_(session) {
    statement_ << sql;
    std::size_t blobs = 0;
    for (const WriterParam& p : params) blobs += std::holds_alternative<std::string_view*>(p);
    blobs_.reserve(blobs);  // the bindings keep pointers into it
    for (const WriterParam& p : params) {
      if (auto* text = std::get_if<std::string*>(&p)) {
        statement_, use(**text);
      } else if (auto* number = std::get_if<Poco::Int64*>(&p)) {
        statement_, use(**number);
      } else {
        blobs_.push_back({std::get<std::string_view*>(p), Poco::Data::BLOB()});
        statement_, use(blobs_.back().second);
      }
    }
    for (const WriterOutput& o : outputs) {
      std::visit([this](auto* field) { statement_, into(*field); }, o);
    }
  }

  std::size_t Execute() override {
    for (auto& [view, blob] : blobs_) {
      blob.assignRaw(reinterpret_cast<const unsigned char*>(view->data()), view->size());
    }
    struct Clear {  // no copy of a document lingers in the writer
      std::vector<std::pair<std::string_view*, Poco::Data::BLOB>>& blobs;
      ~Clear() {
        for (auto& b : blobs) b.second.clear();
      }
    } clear{blobs_};
    return statement_.execute();
  }

 private:
  Statement statement_;
  std::vector<std::pair<std::string_view*, Poco::Data::BLOB>> blobs_;
};

}  // namespace

std::unique_ptr<WriterStatement> PreparePocoStatement(Poco::Data::Session& session,
                                                      const std::string& sql,
                                                      std::vector<WriterParam> params,
                                                      std::vector<WriterOutput> outputs) {
  return std::make_unique<PocoStatement>(session, sql, params, outputs);
}

Writer::Writer(Poco::Data::Session s, const Dialect& dialect,
               const std::function<std::string(std::string_view)>& sql,
               const PrepareWriterStatement& prepare)
    : session(std::move(s)) {
  WriterRow& r = row;
  auto make = [&](std::string_view portable, std::vector<WriterParam> params,
                  std::vector<WriterOutput> outputs = {}) {
    return prepare(session, sql(portable), std::move(params), std::move(outputs));
  };
  begin = make(dialect.begin, {});
  commit = make("COMMIT", {});
  rollback = make("ROLLBACK", {});
  select_existing = make("SELECT input_sha256 FROM documents WHERE id = ?", {&r.id},
                         {&r.found_input_sha256});
  insert_register = make(
      "INSERT INTO registers (custodian, custodian_name, register_code, register_system, "
      "specifier, specifier_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT DO NOTHING",
      {&r.custodian, &r.custodian_name, &r.register_code, &r.register_system, &r.specifier,
       &r.specifier_name, &r.now});
  select_register = make(
      "SELECT register_id FROM registers WHERE custodian = ? AND register_code = ? AND "
      "register_system = ? AND specifier = ?",
      {&r.custodian, &r.register_code, &r.register_system, &r.specifier}, {&r.found_register_id});
  insert_document = make(
      "INSERT INTO documents (id, set_id, version, patient, register_id, custodian, "
      "custodian_name, register_code, register_system, specifier, specifier_name, producer, "
      "organiser, basis_kind, basis_document, document_time, form, replaces, input_sha256, "
      "sha256, size, stored_at, run_id, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
      {&r.id, &r.set_id, &r.version, &r.patient, &r.register_id, &r.custodian,
       &r.custodian_name, &r.register_code, &r.register_system, &r.specifier, &r.specifier_name,
       &r.producer, &r.organiser, &r.basis_kind, &r.basis_document, &r.document_time, &r.form,
       &r.replaces, &r.input_sha256, &r.sha256, &r.size, &r.now, &r.run_id, &r.bytes});
  insert_authorisation = make(
      "INSERT INTO authorisations (document_id, set_id, version, kind, scope, organiser, "
      "provider, patient, valid_from, valid_to, store_custodian, store_register, "
      "store_specifier, invalidated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {&r.id, &r.a_set_id, &r.a_version, &r.a_kind, &r.a_scope, &r.a_organiser, &r.a_provider,
       &r.a_patient, &r.a_valid_from, &r.a_valid_to, &r.a_store_custodian, &r.a_store_register,
       &r.a_store_specifier, &r.a_invalidated});
  insert_journal = make(
      "INSERT INTO journal (run_id, at, action, document_id, source, input_sha256, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {&r.run_id, &r.now, &r.j_action, &r.id, &r.j_source, &r.input_sha256, &r.j_detail});
  select_quarantine = make("SELECT seq FROM quarantine WHERE source = ? AND input_sha256 = ?",
                           {&r.j_source, &r.input_sha256}, {&r.found_seq});
  insert_quarantine = make(
      "INSERT INTO quarantine (source, document_id, input_sha256, reason, report_json, "
      "quarantined_at, run_id, last_seen_at, last_run_id, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?) ON CONFLICT (source, input_sha256) DO NOTHING",
      {&r.j_source, &r.id, &r.input_sha256, &r.q_reason, &r.q_report_json, &r.now, &r.run_id,
       &r.now, &r.run_id, &r.bytes});
  update_quarantine = make(
      "UPDATE quarantine SET times_seen = times_seen + 1, last_seen_at = ?, last_run_id = ? "
      "WHERE seq = ?",
      {&r.now, &r.run_id, &r.found_seq});
  insert_run = make(
      "INSERT INTO runs (run_id, command, settings_json, started_at) VALUES (?, ?, ?, ?)",
      {&r.run_id, &r.r_command, &r.r_settings_json, &r.now});
  update_run = make("UPDATE runs SET ended_at = ?, totals_json = ? WHERE run_id = ?",
                    {&r.now, &r.r_totals_json, &r.run_id});
}

std::string SqlArchive::Sql(std::string_view portable) const {
  std::string out;
  out.reserve(portable.size() + 16);
  int n = 0;
  for (std::size_t i = 0; i < portable.size(); ++i) {
    const char c = portable[i];
    if (c == '?' && dialect_.numbered_placeholders) {
      out += '$';
      out += std::to_string(++n);
    } else if (portable.substr(i, 5) == "{SEQ}") {
      out += dialect_.seq_type;
      i += 4;
    } else if (portable.substr(i, 6) == "{BLOB}") {
      out += dialect_.blob_type;
      i += 5;
    } else {
      out += c;
    }
  }
  return out;
}

std::unique_ptr<Writer> SqlArchive::MakeWriter(Poco::Data::Session session,
                                               const PrepareWriterStatement& prepare) const {
  return std::make_unique<Writer>(std::move(session), dialect_,
                                  [this](std::string_view s) { return Sql(s); }, prepare);
}

Status SqlArchive::DatabaseError(const std::exception& e, std::string_view what) const {
  std::string message = dialect_.name + " archive: " + std::string(what) + ": ";
  if (const auto* pe = dynamic_cast<const Poco::Exception*>(&e)) {
    message += pe->displayText();
    // SQLite's "database disk image is malformed" and friends.
    if (std::string_view(pe->name()).find("orrupt") != std::string_view::npos) {
      return DataLoss(std::move(message));
    }
  } else {
    message += e.what();
  }
  return Unavailable(std::move(message));
}

Status SqlArchive::Migrate() {
  ASSIGN_OR_RETURN(WriterLease lease, AcquireWriter());
  Writer& w = *lease;
  try {
    w.begin->Execute();
    LockSchema(w);
    w.session << "CREATE TABLE IF NOT EXISTS archive_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        now;
    std::vector<std::string> found;
    w.session << "SELECT value FROM archive_meta WHERE name = 'schema_version'", into(found), now;
    int version = found.empty() ? 0 : std::stoi(found.front());
    if (version > kSchemaVersion) {
      RollbackQuietly(w);
      return FailedPrecondition(dialect_.name + " archive: its schema version " +
                                std::to_string(version) + " is newer than this program's (" +
                                std::to_string(kSchemaVersion) + "); use a newer kanta-pipeline");
    }
    const int from = version;
    for (; version < kSchemaVersion; ++version) {
      for (std::string_view ddl : kMigrations[static_cast<std::size_t>(version)]) {
        w.session << Sql(ddl), now;
      }
    }
    if (from == 0) TuneNewSchema(w);
    const std::string v = std::to_string(kSchemaVersion);
    if (found.empty()) {
      w.session << "INSERT INTO archive_meta (name, value) VALUES ('schema_version', " + v + ")",
          now;
    } else {
      w.session << "UPDATE archive_meta SET value = '" + v + "' WHERE name = 'schema_version'",
          now;
    }
    w.commit->Execute();
    return Status::Ok();
  } catch (const std::exception& e) {
    RollbackQuietly(w);
    lease.Discard();
    return DatabaseError(e, "creating the tables");
  }
}

void SqlArchive::ResolveRegister(Writer& w, const std::string& key, RegisterIds& registers) {
  {
    std::lock_guard<std::mutex> lock(register_mutex_);
    auto it = register_ids_.find(key);
    if (it != register_ids_.end()) {
      w.row.register_id = it->second;
      return;
    }
  }
  if (auto it = registers.find(key); it != registers.end()) {  // earlier in this batch
    w.row.register_id = it->second;
    return;
  }
  w.insert_register->Execute();
  w.row.found_register_id = 0;
  w.select_register->Execute();
  w.row.register_id = w.row.found_register_id;
  registers.emplace(key, w.row.register_id);
}

SqlArchive::Attempt SqlArchive::Existing(Writer& w, const DocumentRecord& rec) {
  WriterRow& r = w.row;
  const bool same = r.found_input_sha256 == rec.input_sha256;
  r.j_action = same ? "duplicate" : "conflict";
  r.j_detail = same ? "" : "stored input_sha256 " + r.found_input_sha256;
  w.insert_journal->Execute();
  return same ? Attempt::kDuplicate : Attempt::kConflict;
}

SqlArchive::Attempt SqlArchive::InsertOne(Writer& w, const StoreRequest& request,
                                          const std::string& sha256, RegisterIds& registers) {
  const DocumentRecord& rec = request.record;
  WriterRow& r = w.row;
  r.id = rec.id;
  r.input_sha256 = rec.input_sha256;
  r.run_id = rec.run_id;
  r.j_source = request.source;
  r.now = NowUtc();
  r.bytes = {};
  if (request.known_duplicate) {  // only journalled: what the journal line needs is set
    r.found_input_sha256.clear();
    if (w.select_existing->Execute() == 0) {
      // Found by its bytes when it was read, gone now (removed by hand).
      r.j_action = "conflict";
      r.j_detail = "found stored when read, no longer in the archive";
      w.insert_journal->Execute();
      return Attempt::kConflict;
    }
    return Existing(w, rec);
  }
  r.set_id = rec.set_id;
  r.version = rec.version;
  r.patient = rec.patient;
  r.custodian = rec.custodian;
  r.custodian_name = rec.custodian_name;
  r.register_code = rec.register_code;
  r.register_system = rec.register_system;
  r.specifier = rec.specifier;
  r.specifier_name = rec.specifier_name;
  r.producer = rec.producer;
  r.organiser = rec.organiser;
  r.basis_kind = rec.basis.kind;
  r.basis_document = rec.basis.document;
  r.document_time = rec.document_time;
  r.form = rec.form;
  r.replaces = rec.replaces;
  r.sha256 = sha256;
  r.size = static_cast<Poco::Int64>(request.bytes.size());
  r.bytes = request.bytes;
  const std::string key = RegisterKey(rec);
  ResolveRegister(w, key, registers);
  // Insert first and look only when nothing was inserted: the common case
  // (a new document) costs one statement less, which is one round trip less
  // on PostgreSQL. There, a concurrent insert of the same id makes ours wait
  // for its transaction and then do nothing.
  const bool inserted = w.insert_document->Execute() > 0;
  r.bytes = {};  // the request's bytes are not the writer's
  if (!inserted) {
    r.found_input_sha256.clear();
    if (w.select_existing->Execute() == 0) {
      // The row that blocked the insert is gone again (only possible if
      // someone deletes documents by hand): start over.
      return Attempt::kRetry;
    }
    return Existing(w, rec);
  }
  if (request.authorisation) {
    const AuthorisationRecord& a = *request.authorisation;
    r.a_set_id = a.set_id;
    r.a_version = a.version;
    r.a_kind = a.kind;
    r.a_scope = a.scope;
    r.a_organiser = a.organiser;
    r.a_provider = a.provider;
    r.a_patient = a.patient;
    r.a_valid_from = a.valid_from;
    r.a_valid_to = a.valid_to;
    r.a_store_custodian = a.store_custodian;
    r.a_store_register = a.store_register;
    r.a_store_specifier = a.store_specifier;
    r.a_invalidated = a.invalidated ? 1 : 0;
    w.insert_authorisation->Execute();
  }
  r.j_action = "stored";
  r.j_detail.clear();
  w.insert_journal->Execute();
  return Attempt::kStored;
}

Result<StoreOutcome> SqlArchive::Store(const StoreRequest& request) {
  ASSIGN_OR_RETURN(std::vector<StoreOutcome> outcomes, StoreBatch({&request}));
  return outcomes.front();
}

Result<std::vector<StoreOutcome>> SqlArchive::StoreBatch(
    const std::vector<const StoreRequest*>& requests) {
  if (requests.empty()) return std::vector<StoreOutcome>{};
  for (const StoreRequest* request : requests) {
    if (request->record.id.empty()) return InvalidArgument("Store: the document has no id");
    if (request->record.input_sha256.empty()) {
      return InvalidArgument("Store: document " + request->record.id + " has no input_sha256");
    }
    if (request->authorisation && !request->authorisation->document_id.empty() &&
        request->authorisation->document_id != request->record.id) {
      return InvalidArgument("Store: the authorisation of " + request->record.id +
                             " names another document (" + request->authorisation->document_id +
                             ")");
    }
  }
  // Hashing before taking a writer keeps the serialised part short. The
  // caller may know the hash already (bytes stored as received).
  std::vector<std::string> hashes;
  hashes.reserve(requests.size());
  for (const StoreRequest* request : requests) {
    hashes.push_back(request->record.sha256.empty() ? Sha256Hex(request->bytes)
                                                    : request->record.sha256);
  }
  const std::string what = requests.size() == 1
                               ? "storing " + requests.front()->record.id
                               : "storing a batch of " + std::to_string(requests.size()) +
                                     " documents";
  for (int attempt = 0; attempt < 3; ++attempt) {
    ASSIGN_OR_RETURN(WriterLease lease, AcquireWriter());
    std::vector<StoreOutcome> outcomes;
    outcomes.reserve(requests.size());
    RegisterIds registers;
    std::size_t stored_bytes = 0;
    bool retry = false;
    try {
      lease->begin->Execute();
      for (std::size_t i = 0; i < requests.size() && !retry; ++i) {
        switch (InsertOne(*lease, *requests[i], hashes[i], registers)) {
          case Attempt::kStored:
            outcomes.push_back(StoreOutcome::kStored);
            stored_bytes += requests[i]->bytes.size();
            break;
          case Attempt::kDuplicate: outcomes.push_back(StoreOutcome::kDuplicate); break;
          case Attempt::kConflict: outcomes.push_back(StoreOutcome::kConflict); break;
          case Attempt::kRetry: retry = true; break;
        }
      }
      if (retry) {
        RollbackQuietly(*lease);
      } else {
        lease->commit->Execute();
      }
    } catch (const std::exception& e) {
      RollbackQuietly(*lease);
      lease.Discard();
      return DatabaseError(e, what);
    }
    if (retry) continue;
    {
      // Only committed register rows are remembered.
      std::lock_guard<std::mutex> lock(register_mutex_);
      for (const auto& [key, id] : registers) register_ids_.emplace(key, id);
    }
    if (stored_bytes > 0) AfterStore(stored_bytes);
    return outcomes;
  }
  return Unavailable(dialect_.name + " archive: " + what +
                     ": the ids kept changing under concurrent writers");
}

SqlArchive::Attempt SqlArchive::TryQuarantine(Writer& w, const QuarantineRequest& request,
                                              bool* created) {
  WriterRow& r = w.row;
  r.j_source = request.source;
  r.id = request.document_id;
  r.input_sha256 = request.input_sha256;
  r.run_id = request.run_id;
  r.q_reason = request.reason;
  r.q_report_json = request.report_json;
  r.j_detail = request.reason;
  r.j_action = "quarantined";
  r.now = NowUtc();
  r.bytes = request.bytes;

  w.begin->Execute();
  r.found_seq = 0;
  if (w.select_quarantine->Execute() > 0) {
    w.update_quarantine->Execute();
    *created = false;
  } else {
    if (w.insert_quarantine->Execute() == 0) {
      RollbackQuietly(w);
      return Attempt::kRetry;
    }
    *created = true;
  }
  w.insert_journal->Execute();
  w.commit->Execute();
  r.bytes = {};
  return Attempt::kStored;
}

Result<bool> SqlArchive::Quarantine(const QuarantineRequest& request) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    ASSIGN_OR_RETURN(WriterLease lease, AcquireWriter());
    bool created = false;
    try {
      if (TryQuarantine(*lease, request, &created) == Attempt::kRetry) continue;
      return created;
    } catch (const std::exception& e) {
      RollbackQuietly(*lease);
      lease.Discard();
      return DatabaseError(e, "quarantining " + request.source);
    }
  }
  return Unavailable(dialect_.name + " archive: quarantining " + request.source +
                     ": the entry kept changing under concurrent writers");
}

Result<std::string> SqlArchive::BeginRun(std::string_view command,
                                         std::string_view settings_json) {
  ASSIGN_OR_RETURN(WriterLease lease, AcquireWriter());
  WriterRow& r = lease->row;
  r.run_id = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
  r.r_command = std::string(command);
  r.r_settings_json = std::string(settings_json);
  r.now = NowUtc();
  try {
    lease->insert_run->Execute();
  } catch (const std::exception& e) {
    lease.Discard();
    return DatabaseError(e, "beginning a run");
  }
  return r.run_id;
}

Status SqlArchive::EndRun(std::string_view run_id, std::string_view totals_json) {
  ASSIGN_OR_RETURN(WriterLease lease, AcquireWriter());
  WriterRow& r = lease->row;
  r.run_id = std::string(run_id);
  r.r_totals_json = std::string(totals_json);
  r.now = NowUtc();
  std::size_t rows = 0;
  try {
    rows = lease->update_run->Execute();
  } catch (const std::exception& e) {
    lease.Discard();
    return DatabaseError(e, "ending run " + r.run_id);
  }
  if (rows == 0) return NotFound(dialect_.name + " archive: no run " + r.run_id);
  return Status::Ok();
}

Result<std::vector<DocumentRecord>> SqlArchive::SelectDocuments(
    const std::string& portable_sql, const std::vector<std::string>& values, std::string_view what) {
  ASSIGN_OR_RETURN(Poco::Data::Session session, AcquireReader());
  try {
    Statement s(session);
    s << Sql(portable_sql);
    for (const std::string& v : values) s, bind(v);
    DocumentColumns c;
    c.Bind(s);
    s.execute();
    std::vector<DocumentRecord> out;
    out.reserve(c.rows());
    for (std::size_t i = 0; i < c.rows(); ++i) out.push_back(c.Row(i));
    return out;
  } catch (const std::exception& e) {
    return DatabaseError(e, what);
  }
}

Result<std::optional<DocumentRecord>> SqlArchive::Find(std::string_view id) {
  ASSIGN_OR_RETURN(std::vector<DocumentRecord> found,
                   SelectDocuments(kFindSql, {std::string(id)}, "finding " + std::string(id)));
  if (found.empty()) return std::optional<DocumentRecord>();
  return std::optional<DocumentRecord>(std::move(found.front()));
}

Result<std::optional<DocumentRecord>> SqlArchive::FindReceived(std::string_view source,
                                                               std::string_view input_sha256,
                                                               std::string_view except_run) {
  const std::string sha(input_sha256);
  ASSIGN_OR_RETURN(std::vector<DocumentRecord> found,
                   SelectDocuments(kReceivedSql, {std::string(source), sha, std::string(except_run), sha},
                                   "looking up what was received from " + std::string(source)));
  if (found.empty()) return std::optional<DocumentRecord>();
  return std::optional<DocumentRecord>(std::move(found.front()));
}

Result<int> SqlArchive::LatestVersion(std::string_view set_id) {
  ASSIGN_OR_RETURN(Poco::Data::Session session, AcquireReader());
  try {
    Poco::Int64 latest = 0;
    Statement s(session);
    s << Sql(kLatestVersionSql), bind(std::string(set_id)), into(latest);
    s.execute();
    return static_cast<int>(latest);
  } catch (const std::exception& e) {
    return DatabaseError(e, "finding the latest version of set " + std::string(set_id));
  }
}

Result<std::optional<std::string>> SqlArchive::Bytes(std::string_view id) {
  ASSIGN_OR_RETURN(Poco::Data::Session session, AcquireReader());
  try {
    std::vector<Poco::Data::BLOB> blobs;
    Statement s(session);
    s << Sql("SELECT bytes FROM documents WHERE id = ?"), bind(std::string(id)), into(blobs);
    s.execute();
    if (blobs.empty()) return std::optional<std::string>();
    const auto& b = blobs.front();
    return std::optional<std::string>(std::string(reinterpret_cast<const char*>(b.rawContent()),
                                                  b.size()));
  } catch (const std::exception& e) {
    return DatabaseError(e, "reading the bytes of " + std::string(id));
  }
}

Result<std::vector<DocumentRecord>> SqlArchive::List(const DocumentQuery& query) {
  std::string sql = "SELECT " + std::string(kDocumentColumns) + " FROM documents";
  std::vector<std::string> values;
  const std::pair<const char*, const std::string*> filters[] = {
      {"id", &query.id},
      {"set_id", &query.set_id},
      {"custodian", &query.custodian},
      {"register_code", &query.register_code},
      {"patient", &query.patient},
      {"producer", &query.producer},
      {"form", &query.form}};
  for (const auto& [column, value] : filters) {
    if (value->empty()) continue;
    sql += values.empty() ? " WHERE " : " AND ";
    sql += column;
    sql += " = ?";
    values.push_back(*value);
  }
  sql += " ORDER BY seq";
  return SelectDocuments(sql, values, "listing documents");
}

Result<std::vector<AuthorisationRecord>> SqlArchive::Authorisations() {
  ASSIGN_OR_RETURN(Poco::Data::Session session, AcquireReader());
  try {
    std::vector<std::string> document_id, set_id, kind, scope, organiser, provider, patient,
        valid_from, valid_to, store_custodian, store_register, store_specifier;
    std::vector<Poco::Int64> version, invalidated;
    session << "SELECT document_id, set_id, version, kind, scope, organiser, provider, patient, "
               "valid_from, valid_to, store_custodian, store_register, store_specifier, "
               "invalidated FROM authorisations ORDER BY seq",
        into(document_id), into(set_id), into(version), into(kind), into(scope), into(organiser),
        into(provider), into(patient), into(valid_from), into(valid_to), into(store_custodian),
        into(store_register), into(store_specifier), into(invalidated), now;
    std::vector<AuthorisationRecord> out(document_id.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      AuthorisationRecord& a = out[i];
      a.document_id = document_id[i];
      a.set_id = set_id[i];
      a.version = static_cast<int>(version[i]);
      a.kind = kind[i];
      a.scope = scope[i];
      a.organiser = organiser[i];
      a.provider = provider[i];
      a.patient = patient[i];
      a.valid_from = valid_from[i];
      a.valid_to = valid_to[i];
      a.store_custodian = store_custodian[i];
      a.store_register = store_register[i];
      a.store_specifier = store_specifier[i];
      a.invalidated = invalidated[i] != 0;
    }
    return out;
  } catch (const std::exception& e) {
    return DatabaseError(e, "listing authorisations");
  }
}

Result<std::vector<QuarantineEntry>> SqlArchive::QuarantineEntries() {
  ASSIGN_OR_RETURN(Poco::Data::Session session, AcquireReader());
  try {
    std::vector<Poco::Int64> seq, times_seen;
    std::vector<std::string> source, document_id, input_sha256, reason, report_json,
        quarantined_at, run_id;
    session << "SELECT seq, source, document_id, input_sha256, reason, report_json, "
               "quarantined_at, run_id, times_seen FROM quarantine ORDER BY seq",
        into(seq), into(source), into(document_id), into(input_sha256), into(reason),
        into(report_json), into(quarantined_at), into(run_id), into(times_seen), now;
    std::vector<QuarantineEntry> out(seq.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      QuarantineEntry& q = out[i];
      q.seq = seq[i];
      q.source = source[i];
      q.document_id = document_id[i];
      q.input_sha256 = input_sha256[i];
      q.reason = reason[i];
      q.report_json = report_json[i];
      q.quarantined_at = quarantined_at[i];
      q.run_id = run_id[i];
      q.times_seen = static_cast<int>(times_seen[i]);
    }
    return out;
  } catch (const std::exception& e) {
    return DatabaseError(e, "listing the quarantine");
  }
}

Result<std::vector<RunRecord>> SqlArchive::Runs() {
  ASSIGN_OR_RETURN(Poco::Data::Session session, AcquireReader());
  try {
    std::vector<std::string> run_id, command, settings_json, started_at, ended_at, totals_json;
    session << "SELECT run_id, command, settings_json, started_at, ended_at, totals_json "
               "FROM runs ORDER BY seq",
        into(run_id), into(command), into(settings_json), into(started_at), into(ended_at),
        into(totals_json), now;
    std::vector<RunRecord> out(run_id.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = {run_id[i],    command[i],  settings_json[i],
                started_at[i], ended_at[i], totals_json[i]};
    }
    return out;
  } catch (const std::exception& e) {
    return DatabaseError(e, "listing runs");
  }
}

Result<std::vector<JournalEntry>> SqlArchive::Journal(std::string_view run_id) {
  ASSIGN_OR_RETURN(Poco::Data::Session session, AcquireReader());
  try {
    std::vector<Poco::Int64> seq;
    std::vector<std::string> run, at, action, document_id, source, input_sha256, detail;
    Statement s(session);
    s << Sql(std::string("SELECT seq, run_id, at, action, document_id, source, input_sha256, "
                         "detail FROM journal") +
             (run_id.empty() ? "" : " WHERE run_id = ?") + " ORDER BY seq");
    if (!run_id.empty()) s, bind(std::string(run_id));
    s, into(seq), into(run), into(at), into(action), into(document_id), into(source),
        into(input_sha256), into(detail);
    s.execute();
    std::vector<JournalEntry> out(seq.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = {seq[i],         run[i],    at[i],         action[i],
                document_id[i], source[i], input_sha256[i], detail[i]};
    }
    return out;
  } catch (const std::exception& e) {
    return DatabaseError(e, "reading the journal");
  }
}

}  // namespace kanta::archive
