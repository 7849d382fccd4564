// Helpers for the end-to-end tests of the kanta-pipeline program: running it,
// reading its JSON reports, finding the samples and the schema.
#pragma once

#include <Poco/JSON/Object.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kanta::testing {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs the program with `args` (quoted here, no shell interpretation); stdin
// from `input` when given, else empty. A run longer than 300 s is killed
// (exit 124).
CliRun Cli(const std::vector<std::string>& args, const std::string& input = "");

// The program started in the background (no shell, so it gets every
// signal), for tests that signal it while it runs. Destroying it before Wait()
// kills it, so a failed assertion leaves no process behind.
class Started {
 public:
  Started() = default;
  Started(Started&& other) noexcept;
  Started& operator=(Started&&) = delete;
  ~Started();
  int pid() const { return pid_; }

 private:
  friend Started Start(const std::vector<std::string>&, const std::filesystem::path&);
  friend CliRun Wait(Started&);
  int pid_ = -1;
  std::filesystem::path out_, err_;
};

// Starts the program with `args`: standard input /dev/null, its output into
// files in `dir`. pid() is -1 when it could not be started.
Started Start(const std::vector<std::string>& args, const std::filesystem::path& dir);

// Waits for a started program, at most 300 s (then kills it: exit 124): its
// exit code (128 + the signal when a signal ended it) and output.
CliRun Wait(Started& started);

// `s` quoted for /bin/sh.
std::string Quote(const std::string& s);

Poco::JSON::Object::Ptr ParseJson(const std::string& text);

// The JSON report's documents keyed by file name.
std::map<std::string, Poco::JSON::Object::Ptr> ByName(const Poco::JSON::Object::Ptr& report);

// The rule ids of a report document's findings, in order.
std::vector<std::string> Rules(const Poco::JSON::Object::Ptr& doc);

// The project's samples folder.
std::filesystem::path Samples();

// The schema the tests validate with: the bundled one when the project has
// it, else the official Kanta schema from the corpus; empty when neither.
std::string SchemaDir();

}  // namespace kanta::testing

#define REQUIRE_SCHEMA()                                                          \
  do {                                                                            \
    if (::kanta::testing::SchemaDir().empty())                                    \
      GTEST_SKIP() << "no schema: neither schemas/cda nor ../shared/corpus is present"; \
  } while (false)
