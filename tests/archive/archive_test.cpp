// The Archive contract, run against every implementation: SQLite always,
// PostgreSQL when KANTA_TEST_POSTGRESQL_URL names a server
// (tools/postgresql-test-server.sh starts one; tools/run-tests.sh does so).
#include "archive/archive.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "archive_test_support.h"
#include "test_support.h"

namespace kanta::archive {
namespace {

using testing::MakeTestDocument;

// A query with one or two fields set.
DocumentQuery Where(std::string DocumentQuery::*field, std::string value,
                    std::string DocumentQuery::*field2 = nullptr, std::string value2 = "") {
  DocumentQuery q;
  q.*field = std::move(value);
  if (field2) q.*field2 = std::move(value2);
  return q;
}

class ArchiveTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      url_ = "sqlite:" + (dir_.path() / "archive.db").string();
    } else {
      const std::string server = testing::PostgresqlServerUrl();
      if (server.empty()) {
        GTEST_SKIP() << "KANTA_TEST_POSTGRESQL_URL is not set, so the PostgreSQL archive is not "
                        "tested; start a server with `eval \"$(tools/postgresql-test-server.sh "
                        "start --fast)\"` (tools/run-tests.sh does)";
      }
      database_ = std::make_unique<testing::TestDatabase>(server);
      url_ = database_->url();
    }
    Reopen();
  }

  void TearDown() override { archive_.reset(); }

  void Reopen() {
    archive_.reset();
    auto opened = OpenArchive(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    archive_ = std::move(opened).value();
  }

  StoreOutcome Store(const StoreRequest& request) {
    auto outcome = archive_->Store(request);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    return outcome.ok() ? *outcome : StoreOutcome::kConflict;
  }

  std::vector<std::string> ListIds(const DocumentQuery& query) {
    auto listed = archive_->List(query);
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    std::vector<std::string> ids;
    if (listed.ok()) {
      for (const DocumentRecord& r : *listed) ids.push_back(r.id);
    }
    return ids;
  }

  std::vector<std::string> JournalActions(const std::string& run_id) {
    auto journal = archive_->Journal(run_id);
    EXPECT_TRUE(journal.ok()) << journal.status().ToString();
    std::vector<std::string> actions;
    if (journal.ok()) {
      for (const JournalEntry& e : *journal) actions.push_back(e.action);
    }
    return actions;
  }

  kanta::testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  std::string url_;
  std::unique_ptr<Archive> archive_;
};

TEST_P(ArchiveTest, StoresADocumentAndFindsItWithEveryField) {
  StoreRequest request = MakeTestDocument(3, 2000, "run-1");
  DocumentRecord& d = request.record;
  d.organiser = "1.2.246.10.55";
  d.basis = {"outsourcing-authorisation", "1.2.246.10.999.1^osva-1"};
  d.replaces = "1.2.246.10.999.1^doc-2";
  d.form = "client-relationship";
  d.specifier_name = "Specifier";
  EXPECT_EQ(Store(request), StoreOutcome::kStored);

  auto found = archive_->Find(d.id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  const DocumentRecord& f = **found;
  EXPECT_EQ(f.id, d.id);
  EXPECT_EQ(f.set_id, d.set_id);
  EXPECT_EQ(f.version, d.version);
  EXPECT_EQ(f.patient, d.patient);
  EXPECT_EQ(f.custodian, d.custodian);
  EXPECT_EQ(f.custodian_name, d.custodian_name);
  EXPECT_EQ(f.register_code, d.register_code);
  EXPECT_EQ(f.register_system, d.register_system);
  EXPECT_EQ(f.specifier, d.specifier);
  EXPECT_EQ(f.specifier_name, "Specifier");
  EXPECT_EQ(f.producer, d.producer);
  EXPECT_EQ(f.organiser, "1.2.246.10.55");
  EXPECT_EQ(f.basis.kind, "outsourcing-authorisation");
  EXPECT_EQ(f.basis.document, "1.2.246.10.999.1^osva-1");
  EXPECT_EQ(f.document_time, d.document_time);
  EXPECT_EQ(f.form, "client-relationship");
  EXPECT_EQ(f.replaces, "1.2.246.10.999.1^doc-2");
  EXPECT_EQ(f.input_sha256, d.input_sha256);
  EXPECT_EQ(f.sha256, Sha256Hex(request.bytes));
  EXPECT_EQ(f.run_id, "run-1");
  EXPECT_EQ(f.stored_at.size(), 24u) << f.stored_at;  // 2025-01-31T12:34:56.789Z
  EXPECT_EQ(f.stored_at.back(), 'Z');
}

TEST_P(ArchiveTest, BytesComeBackExactlyAsStored) {
  StoreRequest request = MakeTestDocument(1, 40000, "run-1");
  request.bytes += std::string("\0\x01\x7f\x80\xfe\xff", 6);
  EXPECT_EQ(Store(request), StoreOutcome::kStored);
  auto bytes = archive_->Bytes(request.record.id);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  ASSERT_TRUE(bytes->has_value());
  EXPECT_EQ(bytes->value().size(), request.bytes.size());
  EXPECT_TRUE(**bytes == request.bytes);
}

TEST_P(ArchiveTest, UnknownIdIsNotFoundAsAnEmptyValue) {
  auto found = archive_->Find("1.2.3^missing");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  auto bytes = archive_->Bytes("1.2.3^missing");
  ASSERT_TRUE(bytes.ok());
  EXPECT_FALSE(bytes->has_value());
}

TEST_P(ArchiveTest, StoringTheSameDocumentAgainIsADuplicateThatWritesOnlyAJournalEntry) {
  const StoreRequest request = MakeTestDocument(10, 1000, "run-1");  // carries an authorisation
  EXPECT_EQ(Store(request), StoreOutcome::kStored);
  StoreRequest again = request;
  again.record.run_id = "run-2";
  EXPECT_EQ(Store(again), StoreOutcome::kDuplicate);

  EXPECT_EQ(ListIds({}), std::vector<std::string>{request.record.id});
  auto authorisations = archive_->Authorisations();
  ASSERT_TRUE(authorisations.ok());
  EXPECT_EQ(authorisations->size(), 1u);
  EXPECT_EQ(archive_->Find(request.record.id)->value().run_id, "run-1");
  EXPECT_EQ(JournalActions("run-1"), std::vector<std::string>{"stored"});
  EXPECT_EQ(JournalActions("run-2"), std::vector<std::string>{"duplicate"});
}

TEST_P(ArchiveTest, FindsWhatAnEarlierRunStoredFromTheSameSourceAsTheSameBytes) {
  const StoreRequest request = MakeTestDocument(11, 1000, "run-1");
  EXPECT_EQ(Store(request), StoreOutcome::kStored);
  const std::string& source = request.source;
  const std::string& sha = request.record.input_sha256;
  auto found = archive_->FindReceived(source, sha, "run-2");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  // Every field, as Find reads it.
  const DocumentRecord by_id = archive_->Find(request.record.id)->value();
  const DocumentRecord& f = **found;
  EXPECT_EQ(f.id, request.record.id);
  EXPECT_EQ(f.run_id, "run-1");
  EXPECT_EQ(std::tie(f.id, f.set_id, f.version, f.patient, f.custodian, f.custodian_name,
                     f.register_code, f.register_system, f.specifier, f.specifier_name, f.producer,
                     f.organiser, f.basis.kind, f.basis.document, f.document_time, f.form,
                     f.replaces, f.input_sha256, f.sha256, f.stored_at, f.run_id),
            std::tie(by_id.id, by_id.set_id, by_id.version, by_id.patient, by_id.custodian,
                     by_id.custodian_name, by_id.register_code, by_id.register_system,
                     by_id.specifier, by_id.specifier_name, by_id.producer, by_id.organiser,
                     by_id.basis.kind, by_id.basis.document, by_id.document_time, by_id.form,
                     by_id.replaces, by_id.input_sha256, by_id.sha256, by_id.stored_at,
                     by_id.run_id));
  // Other bytes, another source, or only the asking run itself: nothing.
  EXPECT_FALSE(archive_->FindReceived(source, std::string(64, '0'), "run-2")->has_value());
  EXPECT_FALSE(archive_->FindReceived("elsewhere/doc.xml", sha, "run-2")->has_value());
  EXPECT_FALSE(archive_->FindReceived(source, sha, "run-1")->has_value());
  // A later run that found it a duplicate counts too.
  StoreRequest again = request;
  again.record.run_id = "run-2";
  EXPECT_EQ(Store(again), StoreOutcome::kDuplicate);
  EXPECT_TRUE(archive_->FindReceived(source, sha, "run-1")->has_value());
}

TEST_P(ArchiveTest, LatestVersionIsTheHighestStoredOfTheSet) {
  // Documents 2 and 3 are versions 1 and 2 of set-1; 4 is version 1 of set-2.
  for (int i : {3, 4, 2}) ASSERT_EQ(Store(MakeTestDocument(i, 500, "run-1")), StoreOutcome::kStored);
  auto latest = [&](const std::string& set) {
    auto v = archive_->LatestVersion("1.2.246.10.999.1^" + set);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : -1;
  };
  EXPECT_EQ(latest("set-1"), 2);
  EXPECT_EQ(latest("set-2"), 1);
  EXPECT_EQ(latest("set-9"), 0);
}

TEST_P(ArchiveTest, AKnownDuplicateIsOnlyJournalledAndNeverInserted) {
  const StoreRequest request = MakeTestDocument(12, 1000, "run-1");
  EXPECT_EQ(Store(request), StoreOutcome::kStored);
  // What a re-run sends for a document it found by its bytes: the input
  // bytes, not the stored ones, and only the id and hashes filled in.
  StoreRequest known;
  known.known_duplicate = true;
  known.record.id = request.record.id;
  known.record.input_sha256 = request.record.input_sha256;
  known.record.run_id = "run-2";
  known.bytes = "the input as received";
  EXPECT_EQ(Store(known), StoreOutcome::kDuplicate);
  EXPECT_EQ(archive_->Bytes(request.record.id)->value(), request.bytes);
  EXPECT_EQ(JournalActions("run-2"), std::vector<std::string>{"duplicate"});

  // Gone by the time it is journalled (removed by hand): a conflict, and
  // still nothing inserted.
  known.record.id = "1.2.3^gone";
  known.record.run_id = "run-3";
  EXPECT_EQ(Store(known), StoreOutcome::kConflict);
  EXPECT_FALSE(archive_->Find("1.2.3^gone")->has_value());
  EXPECT_EQ(JournalActions("run-3"), std::vector<std::string>{"conflict"});
}

TEST_P(ArchiveTest, SameIdWithOtherInputBytesIsAConflictAndChangesNothing) {
  const StoreRequest request = MakeTestDocument(4, 1000, "run-1");
  EXPECT_EQ(Store(request), StoreOutcome::kStored);
  StoreRequest other = MakeTestDocument(5, 1000, "run-2");
  other.record.id = request.record.id;
  other.record.patient = "someone else";
  EXPECT_EQ(Store(other), StoreOutcome::kConflict);

  EXPECT_EQ(archive_->Bytes(request.record.id)->value(), request.bytes);
  EXPECT_EQ(archive_->Find(request.record.id)->value().patient, request.record.patient);
  auto journal = archive_->Journal("run-2");
  ASSERT_TRUE(journal.ok());
  ASSERT_EQ(journal->size(), 1u);
  EXPECT_EQ(journal->front().action, "conflict");
  EXPECT_EQ(journal->front().document_id, request.record.id);
  EXPECT_EQ(journal->front().input_sha256, other.record.input_sha256);
  EXPECT_NE(journal->front().detail.find(request.record.input_sha256), std::string::npos)
      << journal->front().detail;
}

TEST_P(ArchiveTest, ABatchIsStoredInOneTransactionWithAnOutcomeEach) {
  const StoreRequest before = MakeTestDocument(40, 500, "run-1");
  ASSERT_EQ(Store(before), StoreOutcome::kStored);
  StoreRequest fresh = MakeTestDocument(41, 500, "run-2");
  StoreRequest again = before;  // a duplicate of a stored document
  again.record.run_id = "run-2";
  StoreRequest twin = fresh;  // the same document twice in one batch
  StoreRequest clash = MakeTestDocument(42, 500, "run-2");  // fresh's id, other bytes
  clash.record.id = fresh.record.id;
  StoreRequest other = MakeTestDocument(43, 40000, "run-2");
  auto outcomes = archive_->StoreBatch({&fresh, &again, &twin, &clash, &other});
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().ToString();
  EXPECT_EQ(*outcomes, (std::vector<StoreOutcome>{StoreOutcome::kStored, StoreOutcome::kDuplicate,
                                                  StoreOutcome::kDuplicate, StoreOutcome::kConflict,
                                                  StoreOutcome::kStored}));
  EXPECT_EQ(ListIds({}), (std::vector<std::string>{before.record.id, fresh.record.id, other.record.id}));
  EXPECT_EQ(archive_->Bytes(other.record.id)->value(), other.bytes);
  EXPECT_EQ(JournalActions("run-2"),
            (std::vector<std::string>{"stored", "duplicate", "duplicate", "conflict", "stored"}));
  auto empty = archive_->StoreBatch({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_P(ArchiveTest, ABatchWithAnInvalidRequestStoresNothing) {
  StoreRequest good = MakeTestDocument(50, 300, "run-1");
  StoreRequest bad = MakeTestDocument(51, 300, "run-1");
  bad.record.input_sha256.clear();
  auto outcomes = archive_->StoreBatch({&good, &bad});
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ListIds({}).empty());
}

TEST_P(ArchiveTest, ListFiltersByEachFieldInStoreOrder) {
  std::vector<StoreRequest> docs;
  for (int i : {5, 1, 3, 0, 2}) docs.push_back(MakeTestDocument(i, 500, "run-1"));
  for (const StoreRequest& d : docs) ASSERT_EQ(Store(d), StoreOutcome::kStored);
  auto ids = [&](std::initializer_list<int> numbers) {
    std::vector<std::string> out;
    for (int n : numbers) out.push_back("1.2.246.10.999.1^doc-" + std::to_string(n));
    return out;
  };
  EXPECT_EQ(ListIds({}), ids({5, 1, 3, 0, 2}));
  EXPECT_EQ(ListIds(Where(&DocumentQuery::id, docs[1].record.id)), ids({1}));
  EXPECT_EQ(ListIds(Where(&DocumentQuery::set_id, "1.2.246.10.999.1^set-1")), ids({3, 2}));
  EXPECT_EQ(ListIds(Where(&DocumentQuery::custodian, "1.2.246.10.1")), ids({3, 0}));
  EXPECT_EQ(ListIds(Where(&DocumentQuery::register_code, "2")), ids({5, 0}));
  EXPECT_EQ(ListIds(Where(&DocumentQuery::patient, "1.2.246.21^01015")), ids({5}));
  EXPECT_EQ(ListIds(Where(&DocumentQuery::producer, "1.2.246.10.77")), ids({5, 1, 3, 0, 2}));
  EXPECT_EQ(ListIds(Where(&DocumentQuery::producer, "1.2.246.10.78")), ids({}));
  EXPECT_EQ(ListIds(Where(&DocumentQuery::form, "osva")), ids({0}));
  EXPECT_EQ(ListIds(Where(&DocumentQuery::custodian, "1.2.246.10.2", &DocumentQuery::register_code, "2")), ids({5}));
}

TEST_P(ArchiveTest, AuthorisationSummaryIsStoredWithItsDocument) {
  StoreRequest request = MakeTestDocument(20, 800, "run-1");
  ASSERT_TRUE(request.authorisation.has_value());
  request.authorisation->patient = "1.2.246.21^010101";
  request.authorisation->scope = "patient-specific";
  request.authorisation->valid_to = "20251231";
  request.authorisation->store_specifier = "1.2.3^x";
  request.authorisation->invalidated = true;
  EXPECT_EQ(Store(request), StoreOutcome::kStored);
  EXPECT_EQ(Store(MakeTestDocument(21, 800, "run-1")), StoreOutcome::kStored);  // none

  auto listed = archive_->Authorisations();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  const AuthorisationRecord& a = listed->front();
  EXPECT_EQ(a.document_id, request.record.id);  // filled in from the record
  EXPECT_EQ(a.set_id, request.record.set_id);
  EXPECT_EQ(a.version, request.record.version);
  EXPECT_EQ(a.kind, "outsourcing-authorisation");
  EXPECT_EQ(a.scope, "patient-specific");
  EXPECT_EQ(a.organiser, request.record.custodian);
  EXPECT_EQ(a.provider, "1.2.246.10.77");
  EXPECT_EQ(a.patient, "1.2.246.21^010101");
  EXPECT_EQ(a.valid_from, "20240101");
  EXPECT_EQ(a.valid_to, "20251231");
  EXPECT_EQ(a.store_custodian, request.record.custodian);
  EXPECT_EQ(a.store_register, "1");
  EXPECT_EQ(a.store_specifier, "1.2.3^x");
  EXPECT_TRUE(a.invalidated);
}

TEST_P(ArchiveTest, RefusesAnAuthorisationOfAnotherDocumentAndStoresNothing) {
  StoreRequest request = MakeTestDocument(30, 800, "run-1");
  request.authorisation->document_id = "1.2.3^someone-else";
  auto outcome = archive_->Store(request);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ListIds({}).empty());
  EXPECT_TRUE(JournalActions("").empty());
}

TEST_P(ArchiveTest, RefusesADocumentWithoutIdOrInputHash) {
  StoreRequest request = MakeTestDocument(1, 100, "run-1");
  request.record.id.clear();
  EXPECT_EQ(archive_->Store(request).status().code(), StatusCode::kInvalidArgument);
  request = MakeTestDocument(1, 100, "run-1");
  request.record.input_sha256.clear();
  EXPECT_EQ(archive_->Store(request).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ListIds({}).empty());
}

TEST_P(ArchiveTest, QuarantineKeepsTheSameInputOnceAndCountsRepeats) {
  QuarantineRequest q;
  q.source = "in/bad.xml";
  q.document_id = "1.2.3^bad";
  q.bytes = std::string("<bad\0>", 6);
  q.input_sha256 = Sha256Hex(q.bytes);
  q.reason = "schema: 3 errors";
  q.report_json = R"({"verdict":"invalid"})";
  q.run_id = "run-1";
  auto first = archive_->Quarantine(q);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  q.run_id = "run-2";
  auto again = archive_->Quarantine(q);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(*again);
  QuarantineRequest changed = q;
  changed.bytes = "<bad/>";
  changed.input_sha256 = Sha256Hex(changed.bytes);
  EXPECT_TRUE(archive_->Quarantine(changed).value());
  QuarantineRequest unreadable;
  unreadable.source = "in/empty.xml";
  unreadable.reason = "empty file";
  unreadable.run_id = "run-2";
  EXPECT_TRUE(archive_->Quarantine(unreadable).value());

  auto entries = archive_->QuarantineEntries();
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 3u);
  const QuarantineEntry& e = entries->front();
  EXPECT_EQ(e.source, "in/bad.xml");
  EXPECT_EQ(e.document_id, "1.2.3^bad");
  EXPECT_EQ(e.input_sha256, q.input_sha256);
  EXPECT_EQ(e.reason, "schema: 3 errors");
  EXPECT_EQ(e.report_json, R"({"verdict":"invalid"})");
  EXPECT_EQ(e.run_id, "run-1");
  EXPECT_EQ(e.times_seen, 2);
  EXPECT_FALSE(e.quarantined_at.empty());
  EXPECT_EQ((*entries)[1].times_seen, 1);
  EXPECT_EQ((*entries)[2].source, "in/empty.xml");
  EXPECT_EQ((*entries)[2].document_id, "");
  EXPECT_EQ(JournalActions("run-1"), std::vector<std::string>{"quarantined"});
  EXPECT_EQ(JournalActions("run-2"),
            (std::vector<std::string>{"quarantined", "quarantined", "quarantined"}));
  EXPECT_TRUE(ListIds({}).empty());
}

TEST_P(ArchiveTest, JournalHasOneEntryPerOutcomeInTheRunThatCausedIt) {
  auto run = archive_->BeginRun("ingest", R"({"jobs":2})");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  StoreRequest a = MakeTestDocument(1, 300, *run);
  StoreRequest b = MakeTestDocument(2, 300, *run);
  StoreRequest b2 = MakeTestDocument(3, 300, *run);
  b2.record.id = b.record.id;
  QuarantineRequest q{"x.xml", "", "", "unreadable", "{}", "", *run};
  EXPECT_EQ(Store(a), StoreOutcome::kStored);
  EXPECT_EQ(Store(b), StoreOutcome::kStored);
  EXPECT_EQ(Store(a), StoreOutcome::kDuplicate);
  EXPECT_EQ(Store(b2), StoreOutcome::kConflict);
  EXPECT_TRUE(archive_->Quarantine(q).value());

  auto journal = archive_->Journal(*run);
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  ASSERT_EQ(journal->size(), 5u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"stored", a.record.id},   {"stored", b.record.id}, {"duplicate", a.record.id},
      {"conflict", b.record.id}, {"quarantined", ""}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const JournalEntry& e = (*journal)[i];
    EXPECT_EQ(e.action, expected[i].first) << i;
    EXPECT_EQ(e.document_id, expected[i].second) << i;
    EXPECT_EQ(e.run_id, *run);
    EXPECT_FALSE(e.at.empty());
    if (i > 0) {
      EXPECT_GT(e.seq, (*journal)[i - 1].seq);
    }
  }
  EXPECT_EQ((*journal)[0].source, a.source);
  EXPECT_EQ((*journal)[0].input_sha256, a.record.input_sha256);
  EXPECT_EQ((*journal)[4].detail, "unreadable");
  EXPECT_TRUE(archive_->Journal("no-such-run")->empty());
  EXPECT_EQ(archive_->Journal("")->size(), 5u);
}

TEST_P(ArchiveTest, RunsRecordTheirStartAndEnd) {
  auto first = archive_->BeginRun("ingest", R"({"jobs":1})");
  auto second = archive_->BeginRun("ingest", R"({"jobs":2})");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  ASSERT_TRUE(archive_->EndRun(*first, R"({"stored":3})").ok());

  auto runs = archive_->Runs();
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].run_id, *first);
  EXPECT_EQ((*runs)[0].command, "ingest");
  EXPECT_EQ((*runs)[0].settings_json, R"({"jobs":1})");
  EXPECT_FALSE((*runs)[0].started_at.empty());
  EXPECT_FALSE((*runs)[0].ended_at.empty());
  EXPECT_EQ((*runs)[0].totals_json, R"({"stored":3})");
  EXPECT_EQ((*runs)[1].run_id, *second);
  EXPECT_EQ((*runs)[1].ended_at, "");
  EXPECT_EQ(archive_->EndRun("no-such-run", "{}").code(), StatusCode::kNotFound);
}

TEST_P(ArchiveTest, ReopeningKeepsEverything) {
  const StoreRequest request = MakeTestDocument(10, 5000, "run-1");
  EXPECT_EQ(Store(request), StoreOutcome::kStored);
  Reopen();
  EXPECT_EQ(archive_->Bytes(request.record.id)->value(), request.bytes);
  EXPECT_EQ(archive_->Authorisations()->size(), 1u);
  EXPECT_EQ(Store(request), StoreOutcome::kDuplicate);
}

TEST_P(ArchiveTest, ConcurrentStoresOfOverlappingBatchesStoreEachDocumentOnce) {
  constexpr int kDocuments = 120;
  constexpr int kThreads = 4;
  std::vector<StoreRequest> docs;
  for (int i = 0; i < kDocuments; ++i) docs.push_back(MakeTestDocument(i, 3000, "run-c"));
  std::vector<std::map<StoreOutcome, int>> counts(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread stores the whole batch, starting at another place, and
      // reads while it writes.
      for (int k = 0; k < kDocuments; ++k) {
        const StoreRequest& d = docs[static_cast<std::size_t>((k + t * 37) % kDocuments)];
        auto outcome = archive_->Store(d);
        if (!outcome.ok()) {
          ADD_FAILURE() << outcome.status().ToString();
          return;
        }
        ++counts[static_cast<std::size_t>(t)][*outcome];
        auto found = archive_->Find(d.record.id);
        if (!found.ok() || !found->has_value()) ADD_FAILURE() << "not found after Store";
      }
    });
  }
  for (std::thread& t : threads) t.join();

  std::map<StoreOutcome, int> total;
  for (const auto& c : counts) {
    for (const auto& [outcome, n] : c) total[outcome] += n;
  }
  EXPECT_EQ(total[StoreOutcome::kStored], kDocuments);
  EXPECT_EQ(total[StoreOutcome::kDuplicate], kDocuments * (kThreads - 1));
  EXPECT_EQ(total[StoreOutcome::kConflict], 0);
  const std::vector<std::string> ids = ListIds({});
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kDocuments));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_EQ(archive_->Authorisations()->size(), static_cast<std::size_t>(kDocuments / 10));
  const std::vector<std::string> actions = JournalActions("run-c");
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "stored"), kDocuments);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "duplicate"), kDocuments * (kThreads - 1));
}

INSTANTIATE_TEST_SUITE_P(Databases, ArchiveTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace kanta::archive
