// Archive: the register-aware document store that ingest writes into.
//
// An Archive keeps, in a real database, every document the pipeline stored
// (with the register decision that put it there), the authorisations those
// documents carry, the documents set aside in quarantine with their report,
// and a journal of ingest runs. Locations are URLs: "sqlite:PATH" (the
// embedded default) or "postgresql://..." (OpenArchive).
//
// Storing is idempotent and crash-safe: each Store() is one transaction that
// writes the document, its register, its authorisation summary (if any) and
// its journal entry, or nothing. Storing the same document again (same id,
// same input bytes) is a no-op reported as kDuplicate; the same id with other
// input bytes is kConflict and changes nothing. So a batch killed at any
// moment and run again ends with every document stored exactly once.
//
// Thread-safety: every method may be called concurrently from several
// threads; implementations serialise writers as their database requires.
// Failures of the database itself come back as a non-OK Status carrying the
// driver's message; they are never thrown.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kanta::archive {

// Why a document is in the register it is in.
struct Basis {
  std::string kind;      // "own" | "outsourcing-authorisation" | "register-access-right"
  std::string document;  // id of the authorising document; "" for "own"
};

// One stored document's metadata (the `documents` table).
struct DocumentRecord {
  std::string id;               // ClinicalDocument/id as "root" or "root^extension"
  std::string set_id;           // setId, same form
  int version = 0;              // versionNumber/@value (0 when absent)
  std::string patient;          // recordTarget/patientRole/id "root^extension" (client, in social welfare)
  std::string custodian;        // register keeper OID (after stamping)
  std::string custodian_name;
  std::string register_code;    // ClinicalDocument/code/@code, e.g. "2"
  std::string register_system;  // its code system OID
  std::string specifier;        // hl7fi:patientRegistrySpecifier "root^extension", or ""
  std::string specifier_name;
  std::string producer;         // the organisation that produced the document
  std::string organiser;        // service organiser OID, or "" when none
  Basis basis;
  std::string document_time;    // ClinicalDocument/effectiveTime/@value (HL7 TS)
  std::string form;             // "osva" | "client-relationship" | "" (which authorisation it carries)
  std::string replaces;         // id of the version it replaces (RPLC parent), or ""
  std::string input_sha256;     // hex SHA-256 of the bytes as received (duplicate detection)
  std::string sha256;           // hex SHA-256 of the stored bytes (computed by Store() unless given)
  std::string stored_at;        // ISO 8601 UTC (set by the archive)
  std::string run_id;           // the ingest run that stored it
};

// Summary of an authorisation a stored document carries (the
// `authorisations` table), for listing and queries. The authorising document
// itself stays the source of truth; it is stored beside this row.
struct AuthorisationRecord {
  std::string document_id;      // the authorising document's id
  std::string set_id;
  int version = 0;
  std::string kind;             // "outsourcing-authorisation" | "register-access-right"
  std::string scope;            // "patient-specific" | "register-specific" (OSVA); "" otherwise
  std::string organiser;        // organiser OID
  std::string provider;         // provider (OSVA) or provider service unit (access right) OID
  std::string patient;          // "root^extension", "" for register-specific
  std::string valid_from;       // HL7 TS, "" when open
  std::string valid_to;         // HL7 TS, "" when open
  std::string store_custodian;  // where the provider may store
  std::string store_register;
  std::string store_specifier;
  bool invalidated = false;     // recordStatus 7 (invalidation version)
};

// record.id and record.input_sha256 must not be empty. An authorisation, when
// given, is the one this very document carries: its document_id is
// record.id (filled in when empty; any other value is InvalidArgument).
struct StoreRequest {
  DocumentRecord record;                          // stored_at (and sha256 unless given) filled in by Store()
  std::string bytes;                              // the document as stored (stamped, signed)
  std::optional<AuthorisationRecord> authorisation;
  std::string source;                             // path it came from, for the journal
  // The document was found stored by its input bytes (FindReceived) and only
  // its journal entry is wanted: nothing is inserted, whatever happens. The
  // outcome is kDuplicate, or kConflict when the row is no longer there
  // (removed during the run); `bytes` are then the input, for the quarantine.
  // Only record.id, record.input_sha256 and record.run_id are read.
  bool known_duplicate = false;
};

enum class StoreOutcome {
  kStored,     // written now
  kDuplicate,  // same id and same input bytes already stored: nothing written
  kConflict,   // same id with different input bytes already stored: nothing written
};

// A document set aside: refused, invalid or unreadable (the `quarantine` table).
struct QuarantineRequest {
  std::string source;        // path it came from
  std::string document_id;   // "" when it could not be read
  std::string input_sha256;  // hex SHA-256 of the bytes as received ("" when unreadable)
  std::string reason;        // one line: why it is here
  std::string report_json;   // the document's report (JSON object, docs/report-format.md)
  std::string bytes;         // the bytes as received (may be empty)
  std::string run_id;
};

struct QuarantineEntry {
  std::int64_t seq = 0;
  std::string source, document_id, input_sha256, reason, report_json, quarantined_at, run_id;
  int times_seen = 1;        // the same input quarantined again by later runs
};

// One ingest run (the `runs` table).
struct RunRecord {
  std::string run_id;
  std::string command;        // what started it, e.g. "ingest"
  std::string settings_json;  // the run's settings as given to BeginRun
  std::string started_at;     // ISO 8601 UTC
  std::string ended_at;       // "" while running (or when the run was killed)
  std::string totals_json;    // as given to EndRun; "" until then
};

// One journal line (the `journal` table): what one Store or Quarantine did.
struct JournalEntry {
  std::int64_t seq = 0;
  std::string run_id;
  std::string at;             // ISO 8601 UTC
  std::string action;         // "stored" | "duplicate" | "conflict" | "quarantined"
  std::string document_id;    // "" for an unreadable quarantined document
  std::string source;
  std::string input_sha256;
  std::string detail;         // conflict: the stored input hash; quarantine: the reason
};

// Filter for List(); empty fields match everything.
struct DocumentQuery {
  std::string id;
  std::string set_id;
  std::string custodian;
  std::string register_code;
  std::string patient;
  std::string producer;
  std::string form;
};

class Archive {
 public:
  virtual ~Archive() = default;

  // The URL it was opened with, with any password removed.
  virtual std::string url() const = 0;

  // Stores one document with its metadata, register, authorisation summary
  // and journal entry in one transaction. Returns what happened; a non-OK
  // Status (and nothing written) when the database failed.
  virtual Result<StoreOutcome> Store(const StoreRequest& request) = 0;

  // Stores several documents in one transaction ("batched transactions":
  // one commit for many documents). Outcomes are in request order. The
  // batch is atomic: on a database failure nothing of it is written and the
  // Status says why. A later request with the id of an earlier one in the
  // same batch is its duplicate or conflict.
  virtual Result<std::vector<StoreOutcome>> StoreBatch(
      const std::vector<const StoreRequest*>& requests) = 0;

  // Sets a document aside. The same source with the same input bytes is kept
  // once (times_seen counts repeats). Returns true when a new entry was made.
  virtual Result<bool> Quarantine(const QuarantineRequest& request) = 0;

  // The stored document with this id, or nullopt.
  virtual Result<std::optional<DocumentRecord>> Find(std::string_view id) = 0;
  // The stored document that a run other than `except_run` received from
  // `source` as these bytes (their input_sha256, hex), by the journal; or
  // nullopt. How a re-run of a batch knows a document before parsing it.
  virtual Result<std::optional<DocumentRecord>> FindReceived(std::string_view source,
                                                             std::string_view input_sha256,
                                                             std::string_view except_run) = 0;
  // The highest version stored of the set `set_id`; 0 when none is.
  virtual Result<int> LatestVersion(std::string_view set_id) = 0;
  // The stored bytes of the document with this id, or nullopt.
  virtual Result<std::optional<std::string>> Bytes(std::string_view id) = 0;
  // Stored documents matching `query`, in the order they were stored.
  virtual Result<std::vector<DocumentRecord>> List(const DocumentQuery& query) = 0;
  // Authorisation summaries, in the order they were stored.
  virtual Result<std::vector<AuthorisationRecord>> Authorisations() = 0;
  // Quarantined documents, in the order they were first set aside.
  virtual Result<std::vector<QuarantineEntry>> QuarantineEntries() = 0;

  // Journal: a run begins before its first document and ends after its last.
  // BeginRun returns the new run's id. Entries (one per document, with the
  // action "stored" | "duplicate" | "conflict" | "quarantined") are written
  // by Store and Quarantine themselves.
  virtual Result<std::string> BeginRun(std::string_view command, std::string_view settings_json) = 0;
  // EndRun fails with NotFound when no run has that id.
  virtual Status EndRun(std::string_view run_id, std::string_view totals_json) = 0;
  // Runs, in the order they began.
  virtual Result<std::vector<RunRecord>> Runs() = 0;
  // Journal entries of `run_id` ("" for every run), in the order written.
  virtual Result<std::vector<JournalEntry>> Journal(std::string_view run_id) = 0;
};

// Opens (creating when needed) the archive at `url`: "sqlite:PATH" or
// "postgresql://user@host:port/db" (also "postgresql:" + a libpq keyword
// string). Creates or upgrades the tables. Fails with InvalidArgument for an
// unknown scheme or a malformed URL, Unavailable when the database cannot be
// opened, and FailedPrecondition when its schema is newer than this program.
// docs/archive.md lists the URL options (e.g. "sqlite:PATH?synchronous=full").
Result<std::unique_ptr<Archive>> OpenArchive(std::string_view url);

// Hex SHA-256 of `bytes` (OpenSSL).
std::string Sha256Hex(std::string_view bytes);

}  // namespace kanta::archive
