// Store throughput of the archive for 40 kB documents, with 1 and 2 threads,
// for SQLite in each durability/checkpoint setting and for PostgreSQL when
// KANTA_BENCH_POSTGRESQL_URL names a server; plus the two costs Store is
// made of that are not the database (SHA-256) and what group commit could
// save at most (raw SQLite inserts, 1 vs 16 documents per transaction).
//
//   build/tools/bench/archive/archive_bench [--benchmark_filter=...]
//   tools/bench/archive_bench.sh   (best of three, starts PostgreSQL)
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "archive/archive.h"

namespace kanta::archive {
namespace {

constexpr std::size_t kDocumentSize = 40000;
constexpr int kBodies = 64;

// 40 kB of CDA-like XML: repeated markup with varying text, about as
// compressible as a real document.
std::string MakeBody(int n) {
  std::mt19937 rng(static_cast<unsigned>(n));
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ClinicalDocument xmlns=\"urn:hl7-org:v3\">";
  while (s.size() < kDocumentSize - 40) {
    s += "<entry><observation classCode=\"OBS\" moodCode=\"EVN\"><code code=\"" +
         std::to_string(rng() % 100000) + "\" codeSystem=\"1.2.246.537.6.3\"/><text>Potilas " +
         std::to_string(rng()) + " kävi vastaanotolla; jatkohoito " + std::to_string(rng() % 97) +
         " päivää.</text></observation></entry>";
  }
  s.resize(kDocumentSize - 20, ' ');
  s += "</ClinicalDocument>\n";
  s.resize(kDocumentSize, '\n');
  return s;
}

const std::vector<std::string>& Bodies() {
  static const std::vector<std::string> bodies = [] {
    std::vector<std::string> b;
    for (int i = 0; i < kBodies; ++i) b.push_back(MakeBody(i));
    return b;
  }();
  return bodies;
}

StoreRequest MakeRequest(std::int64_t n) {
  StoreRequest r;
  const std::string& body = Bodies()[static_cast<std::size_t>(n % kBodies)];
  r.bytes = "<!-- " + std::to_string(n) + " -->" + body;  // unique bytes per document
  r.bytes.resize(kDocumentSize);
  DocumentRecord& d = r.record;
  d.id = "1.2.246.10.12345678.14.2024^" + std::to_string(n);
  d.set_id = d.id;
  d.version = 1;
  d.patient = "1.2.246.21^" + std::to_string(100000 + n % 5000);
  d.custodian = "1.2.246.10.1234567.10." + std::to_string(n % 3);
  d.custodian_name = "Organiser";
  d.register_code = "1";
  d.register_system = "1.2.246.537.5.40150.2009";
  d.producer = "1.2.246.10.7654321";
  d.basis = {"own", ""};
  d.document_time = "20240101120000";
  d.input_sha256 = Sha256Hex(r.bytes);
  d.run_id = "bench";
  r.source = "batch/" + std::to_string(n) + ".xml";
  return r;
}

// The archive under test, shared by the benchmark's threads.
std::unique_ptr<Archive> g_archive;
std::string g_dir;
std::atomic<std::int64_t> g_next{0};
std::atomic<std::int64_t> g_failures{0};  // Stores that did not answer kStored

void Setup(benchmark::State& state, const std::string& url) {
  auto opened = OpenArchive(url);
  if (!opened.ok()) {
    state.SkipWithError(opened.status().ToString().c_str());
    return;
  }
  g_archive = std::move(opened).value();
}

std::string FreshSqliteUrl(const std::string& settings) {
  g_dir = (std::filesystem::temp_directory_path() /
           ("kanta-archive-bench-" + std::to_string(getpid())))
              .string();
  std::filesystem::remove_all(g_dir);
  std::filesystem::create_directories(g_dir);
  return "sqlite:" + g_dir + "/archive.db" + settings;
}

// Requests are made before the timed loop would be fairer but would hold
// gigabytes; making one costs about a SHA-256 of 40 kB, which is measured
// separately (BM_Sha256) and paused here.
void RunStores(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    const StoreRequest request = MakeRequest(g_next++);
    state.ResumeTiming();
    auto outcome = g_archive->Store(request);
    // Counted, not skipped: skipping ends one thread's loop early, without
    // the barrier that keeps the archive alive for the other.
    if (!outcome.ok() || *outcome != StoreOutcome::kStored) ++g_failures;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kDocumentSize));
  state.counters["failed"] = static_cast<double>(g_failures.load());
}

void BM_SqliteStore(benchmark::State& state, const std::string& settings) {
  if (state.thread_index() == 0) Setup(state, FreshSqliteUrl(settings));
  RunStores(state);
  if (state.thread_index() == 0) {
    g_archive.reset();
    std::filesystem::remove_all(g_dir);
  }
}

void BM_PostgresqlStore(benchmark::State& state) {
  const char* url = std::getenv("KANTA_BENCH_POSTGRESQL_URL");
  if (!url || !*url) {
    state.SkipWithError("KANTA_BENCH_POSTGRESQL_URL is not set (tools/bench/archive_bench.sh sets it)");
    return;
  }
  // The database outlives this process: ids start from the time so every
  // run (and every call of this function) stores new documents.
  static const bool once = [] {
    g_next = static_cast<std::int64_t>(time(nullptr)) * 1000000;
    return true;
  }();
  static_cast<void>(once);
  if (state.thread_index() == 0) Setup(state, url);
  RunStores(state);
  if (state.thread_index() == 0) g_archive.reset();
}

void BM_Sha256(benchmark::State& state) {
  const std::string& body = Bodies()[0];
  for (auto _ : state) benchmark::DoNotOptimize(Sha256Hex(body));
  state.SetItemsProcessed(state.iterations());
}

// Raw SQLite (no Poco, no archive logic): one 40 kB row per transaction or
// `range(0)` rows per transaction, in WAL mode with synchronous `range(1)`
// (1 NORMAL, 2 FULL): the most group commit could save.
void BM_RawSqliteGroupCommit(benchmark::State& state) {
  const int per = static_cast<int>(state.range(0));
  const std::string url = FreshSqliteUrl("");
  const std::string path = url.substr(7);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
  sqlite3_exec(db, state.range(1) == 2 ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
               nullptr, nullptr, nullptr);
  sqlite3_exec(db, "CREATE TABLE d (id TEXT PRIMARY KEY, bytes BLOB)", nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO d VALUES (?, ?)", -1, &insert, nullptr);
  std::int64_t n = 0;
  for (auto _ : state) {
    if (n % per == 0) sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    const std::string id = std::to_string(n);
    const std::string& body = Bodies()[static_cast<std::size_t>(n % kBodies)];
    sqlite3_bind_text(insert, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(insert, 2, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
    if (sqlite3_step(insert) != SQLITE_DONE) state.SkipWithError(sqlite3_errmsg(db));
    sqlite3_reset(insert);
    if (n % per == per - 1) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    ++n;
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  std::filesystem::remove_all(g_dir);
  state.SetItemsProcessed(state.iterations());
}

constexpr double kMinTime = 3.0;

BENCHMARK_CAPTURE(BM_SqliteStore, normal_background, std::string(""))
    ->Threads(1)->Threads(2)->UseRealTime()->MinTime(kMinTime);
BENCHMARK_CAPTURE(BM_SqliteStore, normal_inline, std::string("?checkpoint=inline"))
    ->Threads(1)->Threads(2)->UseRealTime()->MinTime(kMinTime);
BENCHMARK_CAPTURE(BM_SqliteStore, full_background, std::string("?synchronous=full"))
    ->Threads(1)->Threads(2)->UseRealTime()->MinTime(kMinTime);
BENCHMARK(BM_PostgresqlStore)->Threads(1)->Threads(2)->UseRealTime()->MinTime(kMinTime);
BENCHMARK(BM_Sha256);
BENCHMARK(BM_RawSqliteGroupCommit)
    ->Args({1, 1})->Args({16, 1})->Args({1, 2})->Args({16, 2})
    ->ArgNames({"per_commit", "sync"})->UseRealTime()->MinTime(kMinTime);

}  // namespace
}  // namespace kanta::archive

BENCHMARK_MAIN();
