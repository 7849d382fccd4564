#include "cli_support.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "test_support.h"

namespace kanta::testing {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliRun Cli(const std::vector<std::string>& args, const std::string& input) {
  TempDir t;
  std::string cmd = "timeout 300 " + Quote(KANTA_BIN);
  for (const auto& a : args) cmd += " " + Quote(a);
  if (!input.empty()) {
    WriteFile(t.path() / "in", input);
    cmd += " < " + Quote((t.path() / "in").string());
  } else {
    cmd += " < /dev/null";
  }
  cmd += " > " + Quote((t.path() / "out").string()) + " 2> " + Quote((t.path() / "err").string());
  const int rc = std::system(cmd.c_str());
  CliRun r;
  r.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = ReadFile(t.path() / "out");
  r.err = ReadFile(t.path() / "err");
  return r;
}

Started::Started(Started&& other) noexcept
    : pid_(other.pid_), out_(std::move(other.out_)), err_(std::move(other.err_)) {
  other.pid_ = -1;
}

Started::~Started() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

Started Start(const std::vector<std::string>& args, const fs::path& dir) {
  Started s;
  s.out_ = dir / "started.out";
  s.err_ = dir / "started.err";
  std::vector<std::string> words = {KANTA_BIN};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(s.out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(s.err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(127);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    close_range(3, ~0U, 0);  // nothing of the test process leaks into the program
    execv(argv[0], argv.data());
    _exit(127);
  }
  s.pid_ = pid;
  return s;
}

CliRun Wait(Started& started) {
  CliRun r;
  if (started.pid_ <= 0) return r;
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 30000 && done == 0; ++i) {
    done = waitpid(started.pid_, &status, WNOHANG);
    if (done == 0) usleep(10000);
  }
  if (done == 0) {
    kill(started.pid_, SIGKILL);
    waitpid(started.pid_, nullptr, 0);
    r.exit_code = 124;
  } else if (done == started.pid_) {
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  started.pid_ = -1;
  r.out = ReadFile(started.out_);
  r.err = ReadFile(started.err_);
  return r;
}

Object::Ptr ParseJson(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Object::Ptr>();
}

std::map<std::string, Object::Ptr> ByName(const Object::Ptr& report) {
  std::map<std::string, Object::Ptr> out;
  Array::Ptr docs = report->getArray("documents");
  for (std::size_t i = 0; i < docs->size(); ++i) {
    Object::Ptr d = docs->getObject(static_cast<unsigned>(i));
    out[fs::path(d->getValue<std::string>("path")).filename().string()] = d;
  }
  return out;
}

std::vector<std::string> Rules(const Object::Ptr& doc) {
  std::vector<std::string> rules;
  Array::Ptr f = doc->getArray("findings");
  for (std::size_t i = 0; i < f->size(); ++i) {
    rules.push_back(f->getObject(static_cast<unsigned>(i))->getValue<std::string>("rule"));
  }
  return rules;
}

fs::path Samples() { return SourceDir() / "samples"; }

std::string SchemaDir() {
  std::error_code ec;
  const fs::path bundled = SourceDir() / "schemas/cda/CDA_Fi.xsd";
  if (fs::exists(bundled, ec)) return bundled.string();
  const fs::path corpus = CorpusDir();
  return corpus.empty() ? std::string() : (corpus / "kanta/schemas").string();
}

}  // namespace kanta::testing
