// Crash safety: a child process storing a batch is killed with SIGKILL at
// random moments; after each kill the archive opens cleanly, everything the
// child was told was stored is there, and a final full run ends with every
// document stored exactly once.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <set>
#include <sstream>

#include "archive/archive.h"
#include "archive_test_support.h"
#include "test_support.h"

namespace kanta::archive {
namespace {

constexpr int kDocuments = 2000;
constexpr int kDocumentSize = 3000;
constexpr int kKills = 6;

// A running crash helper whose standard output is read line by line.
class Child {
 public:
  explicit Child(const std::string& url, int documents = kDocuments) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      const std::string count = std::to_string(documents);
      const std::string size = std::to_string(kDocumentSize);
      execl(KANTA_CRASH_HELPER, KANTA_CRASH_HELPER, url.c_str(), count.c_str(), size.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
  }
  ~Child() {
    if (out_) fclose(out_);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0 && out_ != nullptr; }

  // The next line, or false at end of output.
  bool ReadLine(std::string* line) {
    char buf[256];
    if (!fgets(buf, sizeof buf, out_)) return false;
    *line = buf;
    if (!line->empty() && line->back() == '\n') line->pop_back();
    return true;
  }
  void Kill() { kill(pid_, SIGKILL); }
  // Waits for the child; its exit code, or -signal.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  bool reaped_ = false;
};

class ArchiveCrashTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      path_ = (dir_.path() / "archive.db").string();
      url_ = "sqlite:" + path_;
    } else {
      const std::string server = testing::PostgresqlServerUrl();
      if (server.empty()) {
        GTEST_SKIP() << "KANTA_TEST_POSTGRESQL_URL is not set, so the PostgreSQL archive is not "
                        "tested; tools/run-tests.sh starts a server";
      }
      database_ = std::make_unique<testing::TestDatabase>(server);
      url_ = database_->url();
    }
  }

  // SQLite's own consistency check of the whole file.
  std::string IntegrityCheck() {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session s("SQLite", path_);
    std::string result;
    s << "PRAGMA integrity_check", Poco::Data::Keywords::into(result), Poco::Data::Keywords::now;
    return result;
  }

  kanta::testing::TempDir dir_;
  std::unique_ptr<testing::TestDatabase> database_;
  std::string path_;
  std::string url_;
};

TEST_P(ArchiveCrashTest, KilledWriterLosesNothingItReportedAndARerunStoresEachDocumentOnce) {
  std::mt19937 rng(20240611);
  std::set<int> reported;  // documents some child was told are in the archive
  for (int round = 0; round < kKills; ++round) {
    Child child(url_);
    ASSERT_TRUE(child.started());
    std::string line;
    int lines = 0;
    if (round == 0) {
      // Kill while it is still opening or creating the schema, or soon after.
      usleep(std::uniform_int_distribution<int>(0, 30000)(rng));
    } else {
      const int target = std::uniform_int_distribution<int>(1, 300)(rng);
      while (lines < target && child.ReadLine(&line)) {
        ++lines;
        reported.insert(std::stoi(line.substr(line.find(' ') + 1)));
      }
      usleep(std::uniform_int_distribution<int>(0, 2000)(rng));
    }
    child.Kill();
    while (child.ReadLine(&line)) {
      ASSERT_TRUE(line.starts_with("stored ") || line.starts_with("duplicate ")) << line;
      reported.insert(std::stoi(line.substr(line.find(' ') + 1)));
    }
    const int code = child.Wait();
    EXPECT_TRUE(code == -SIGKILL || code == 0) << "round " << round << ": exit " << code;

    if (!path_.empty()) {
      EXPECT_EQ(IntegrityCheck(), "ok") << "round " << round;
    }
    auto archive = OpenArchive(url_);
    ASSERT_TRUE(archive.ok()) << "round " << round << ": " << archive.status().ToString();
    for (int i : reported) {
      const StoreRequest expected = testing::MakeTestDocument(i, kDocumentSize, "");
      auto bytes = (*archive)->Bytes(expected.record.id);
      ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
      ASSERT_TRUE(bytes->has_value()) << "round " << round << ": reported document " << i
                                      << " is missing";
      EXPECT_TRUE(**bytes == expected.bytes) << i;
    }
  }

  Child rerun(url_);
  ASSERT_TRUE(rerun.started());
  std::string line;
  int stored = 0, duplicate = 0;
  while (rerun.ReadLine(&line)) {
    if (line.starts_with("stored ")) ++stored;
    if (line.starts_with("duplicate ")) ++duplicate;
  }
  EXPECT_EQ(rerun.Wait(), 0);
  EXPECT_EQ(stored + duplicate, kDocuments);
  EXPECT_GE(duplicate, static_cast<int>(reported.size()));

  if (!path_.empty()) {
    EXPECT_EQ(IntegrityCheck(), "ok");
  }
  auto archive = OpenArchive(url_);
  ASSERT_TRUE(archive.ok()) << archive.status().ToString();
  auto listed = (*archive)->List({});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::set<std::string> ids;
  for (const DocumentRecord& r : *listed) ids.insert(r.id);
  EXPECT_EQ(listed->size(), static_cast<std::size_t>(kDocuments));
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kDocuments));
  for (int i = 0; i < kDocuments; ++i) {
    const StoreRequest expected = testing::MakeTestDocument(i, kDocumentSize, "");
    ASSERT_EQ(ids.count(expected.record.id), 1u) << i;
  }
  // Each Store was atomic: one authorisation per tenth document, one
  // "stored" journal entry per document.
  EXPECT_EQ((*archive)->Authorisations()->size(), static_cast<std::size_t>(kDocuments / 10));
  auto journal = (*archive)->Journal("");
  ASSERT_TRUE(journal.ok());
  std::multiset<std::string> stored_entries;
  for (const JournalEntry& e : *journal) {
    if (e.action == "stored") stored_entries.insert(e.document_id);
    EXPECT_NE(e.action, "conflict");
  }
  EXPECT_EQ(stored_entries.size(), static_cast<std::size_t>(kDocuments));
  EXPECT_EQ(std::set<std::string>(stored_entries.begin(), stored_entries.end()).size(),
            static_cast<std::size_t>(kDocuments));
}

TEST_P(ArchiveCrashTest, TwoProcessesStoringTheSameBatchAtOnceStoreEachDocumentOnce) {
  constexpr int kBatch = 600;
  {
    // The schema exists before the race, as it would for a running archive.
    auto archive = OpenArchive(url_);
    ASSERT_TRUE(archive.ok()) << archive.status().ToString();
  }
  Child first(url_, kBatch);
  Child second(url_, kBatch);
  ASSERT_TRUE(first.started() && second.started());
  std::multiset<int> stored;
  int lines = 0;
  std::string line;
  for (Child* child : {&first, &second}) {
    while (child->ReadLine(&line)) {
      ++lines;
      if (line.starts_with("stored ")) stored.insert(std::stoi(line.substr(7)));
    }
  }
  EXPECT_EQ(first.Wait(), 0);
  EXPECT_EQ(second.Wait(), 0);
  EXPECT_EQ(lines, 2 * kBatch);
  EXPECT_EQ(stored.size(), static_cast<std::size_t>(kBatch));
  EXPECT_EQ(std::set<int>(stored.begin(), stored.end()).size(), static_cast<std::size_t>(kBatch));
  auto archive = OpenArchive(url_);
  ASSERT_TRUE(archive.ok());
  EXPECT_EQ((*archive)->List({})->size(), static_cast<std::size_t>(kBatch));
}

INSTANTIATE_TEST_SUITE_P(Databases, ArchiveCrashTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace kanta::archive
