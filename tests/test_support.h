// Helpers shared by the tests: corpus location, temporary folders, files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kanta::testing {

// ../shared/corpus beside the project, or "" when it is absent.
std::filesystem::path CorpusDir();
// The project's source tree.
std::filesystem::path SourceDir();

// Reads a whole file; fails the current test when it cannot.
std::string ReadFile(const std::filesystem::path& p);
void WriteFile(const std::filesystem::path& p, const std::string& bytes);

// Every *.xml file under `dir` (recursive, sorted).
std::vector<std::filesystem::path> XmlFilesUnder(const std::filesystem::path& dir);

// A fresh folder under the system temp dir, removed when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace kanta::testing

// Skips the current test when the corpus is absent.
#define KANTA_REQUIRE_CORPUS()                                                    \
  do {                                                                            \
    if (::kanta::testing::CorpusDir().empty())                                    \
      GTEST_SKIP() << "the shared corpus (../shared/corpus) is absent; skipped";  \
  } while (false)
