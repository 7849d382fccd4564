#include "crypto_test_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "crypto/sign_stage.h"
#include "formats/parse_stage.h"
#include "test_support.h"

namespace kanta::testing {
namespace {

namespace fs = std::filesystem;

// One PKI per day: later test processes reuse it; a new day gets a new
// folder (the not-yet-valid variant turns valid a year after it was made),
// and an older folder is never deleted while another process may read it.
fs::path TodaysDir() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char day[16];
  std::strftime(day, sizeof day, "%Y%m%d", &tm);
  return fs::path(KANTA_TEST_PKI_DIR) / day;
}

bool Complete(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "complete", ec);
}

crypto::TestPkiFiles FilesIn(const fs::path& dir) {
  // The paths MakeTestPki writes (the folder may have been made by another
  // test process).
  crypto::TestPkiFiles f;
  f.dir = dir.string();
  auto p = [&](const char* n) { return (dir / n).string(); };
  f.ca_cert = p("ca.pem");
  f.ca_key = p("ca.key.pem");
  f.system_cert = p("system.pem");
  f.system_key = p("system.key.pem");
  f.system_p12 = p("system.p12");
  f.system_p12_password = p("system.p12.pass");
  f.expired_cert = p("expired.pem");
  f.expired_key = p("expired.key.pem");
  f.not_yet_valid_cert = p("not-yet-valid.pem");
  f.not_yet_valid_key = p("not-yet-valid.key.pem");
  f.wrong_key_usage_cert = p("wrong-key-usage.pem");
  f.wrong_key_usage_key = p("wrong-key-usage.key.pem");
  f.unknown_ca_cert = p("unknown-ca.pem");
  f.unknown_ca_key = p("unknown-ca.key.pem");
  f.unknown_ca_root = p("unknown-ca-root.pem");
  return f;
}

crypto::TestPkiFiles MakeShared() {
  const fs::path dir = TodaysDir();
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);
  // Test processes run in parallel: one makes the PKI, the others wait.
  const std::string lock_path = dir.string() + ".lock";
  const int lock = ::open(lock_path.c_str(), O_CREAT | O_RDWR, 0600);
  if (lock >= 0) ::flock(lock, LOCK_EX);
  if (!Complete(dir)) {
    fs::remove_all(dir, ec);
    crypto::TestPkiOptions options;
    Result<crypto::TestPkiFiles> made = crypto::MakeTestPki(dir.string(), options);
    if (made.ok()) {
      WriteFile(dir / "complete", "made by crypto_test_support.cpp\n");
    } else {
      ADD_FAILURE() << "cannot make the test PKI: " << made.status().ToString();
    }
  }
  if (lock >= 0) ::close(lock);  // also releases the lock
  return FilesIn(dir);
}

}  // namespace

const crypto::TestPkiFiles& TestPki() {
  static const crypto::TestPkiFiles files = MakeShared();
  return files;
}

std::shared_ptr<const crypto::SigningCredentials> Credentials(const std::string& key,
                                                              const std::string& cert) {
  auto c = crypto::SigningCredentials::LoadPem(key, cert);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : nullptr;
}

std::shared_ptr<const crypto::SigningCredentials> SystemCredentials() {
  static const auto credentials = Credentials(TestPki().system_key, TestPki().system_cert);
  return credentials;
}

std::shared_ptr<const crypto::TrustStore> TestTrust() {
  static const auto trust = [] {
    auto t = crypto::TrustStore::Load({TestPki().ca_cert});
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : nullptr;
  }();
  return trust;
}

crypto::SignatureOptions Trusted() {
  crypto::SignatureOptions o;
  o.trust = TestTrust();
  return o;
}

std::string Sample(const std::string& name) {
  return ReadFile(SourceDir() / "samples/documents/valid" / name);
}

Document Parse(const std::string& bytes, const std::string& source) {
  Document doc;
  doc.source = source;
  doc.bytes = bytes;
  doc.loaded = true;
  Report report(0, source);
  formats::ParseStage parse(xml::ParseLimits{});
  Result<Verdict> v = parse.Process(doc, report);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v.ok() && *v == Verdict::kContinue) << Dump(report);
  return doc;
}

std::string SignBytes(const std::string& bytes,
                      std::shared_ptr<const crypto::SigningCredentials> credentials) {
  if (!credentials) credentials = SystemCredentials();
  auto signer = crypto::SystemSigner::Create(credentials);
  EXPECT_TRUE(signer.ok()) << signer.status().ToString();
  if (!signer.ok()) return {};
  crypto::SignStage stage(std::shared_ptr<const crypto::SystemSigner>(std::move(*signer)));
  Document doc = Parse(bytes);
  Report report(0, "test.xml");
  Result<Verdict> v = stage.Process(doc, report);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v.ok() && *v == Verdict::kContinue) << Dump(report);
  return doc.bytes;
}

Report VerifyBytes(const std::string& bytes, const crypto::SignatureOptions& options) {
  Document doc = Parse(bytes);
  Report report(0, "test.xml");
  crypto::SignatureStage stage(options);
  Result<Verdict> v = stage.Process(doc, report);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return report;
}

std::vector<std::string> Rules(const Report& report, Severity min) {
  std::vector<std::string> out;
  for (const Finding& f : report.findings()) {
    if (f.severity >= min) out.push_back(f.rule);
  }
  return out;
}

bool HasRule(const Report& report, const std::string& rule) {
  for (const Finding& f : report.findings()) {
    if (f.rule == rule) return true;
  }
  return false;
}

std::string Dump(const Report& report) {
  std::string s;
  for (const Finding& f : report.findings()) {
    s += std::string(SeverityName(f.severity)) + " [" + f.stage + "/" + f.rule + "] " + f.message +
         " (at " + f.location.xpath + ")\n";
  }
  return s;
}

std::string ReplaceOnce(std::string s, const std::string& from, const std::string& to) {
  const std::size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "not found: " << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

}  // namespace kanta::testing
