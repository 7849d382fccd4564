// End-to-end tests of `pki init`, `sign`, `verify` and the signature stage
// of `validate`: exit codes, where signed documents go, what the reports say.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "cli_support.h"
#include "test_support.h"

namespace kanta {
namespace {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;
using testing::Cli;
using testing::CliRun;
using testing::Quote;

// Rule ids per document file name, from a JSON report.
std::map<std::string, std::vector<std::string>> RulesByName(const std::string& json) {
  Poco::JSON::Parser parser;
  Object::Ptr report = parser.parse(json).extract<Object::Ptr>();
  std::map<std::string, std::vector<std::string>> out;
  Array::Ptr docs = report->getArray("documents");
  for (std::size_t i = 0; i < docs->size(); ++i) {
    Object::Ptr d = docs->getObject(static_cast<unsigned>(i));
    auto& rules = out[fs::path(d->getValue<std::string>("path")).filename().string()];
    Array::Ptr f = d->getArray("findings");
    for (std::size_t j = 0; j < f->size(); ++j) {
      rules.push_back(f->getObject(static_cast<unsigned>(j))->getValue<std::string>("rule"));
    }
  }
  return out;
}

bool Has(const std::vector<std::string>& rules, const std::string& rule) {
  return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

fs::path Sample(const std::string& name) {
  return testing::SourceDir() / "samples/documents/valid" / name;
}

// One test PKI and a small tree of documents of the test organisation.
class SignatureCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    CliRun pki = Cli({"pki", "init", (dir_->path() / "pki").string()});
    ASSERT_EQ(pki.exit_code, 0) << pki.err;
    fs::create_directories(dir_->path() / "in/sub");
    fs::copy_file(Sample("01-narrative-public-register.xml"), dir_->path() / "in/01.xml");
    fs::copy_file(Sample("02-service-event.xml"), dir_->path() / "in/sub/02.xml");
    fs::copy_file(Sample("05-outsourced-for-organiser.xml"), dir_->path() / "in/sub/05.xml");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path Dir() { return dir_->path(); }
  static std::string Pki(const char* name) { return (dir_->path() / "pki" / name).string(); }

  // Signs in/ into `out` with the system key.
  static CliRun SignInto(const fs::path& out) {
    return Cli({"sign", "--key", Pki("system.key.pem"), "--cert", Pki("system.pem"), "--out",
                out.string(), "--no-progress", (Dir() / "in").string()});
  }

 private:
  static testing::TempDir* dir_;
};

testing::TempDir* SignatureCliTest::dir_ = nullptr;

TEST_F(SignatureCliTest, PkiInitWritesEveryFileAndRefusesToOverwrite) {
  for (const char* f :
       {"ca.pem", "system.pem", "system.key.pem", "system.p12", "system.p12.pass", "expired.pem",
        "not-yet-valid.pem", "wrong-key-usage.pem", "unknown-ca.pem", "unknown-ca-root.pem"}) {
    EXPECT_TRUE(fs::exists(Pki(f))) << f;
  }
  EXPECT_EQ(Cli({"pki", "init", (Dir() / "pki").string()}).exit_code, 2);
  CliRun help = Cli({"pki", "init", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--org-oid"), std::string::npos);
}

TEST_F(SignatureCliTest, SignKeepsRelativeNamesAndVerifyAcceptsTheResult) {
  const fs::path out = Dir() / "signed-pem";
  CliRun sign = SignInto(out);
  ASSERT_EQ(sign.exit_code, 0) << sign.out << sign.err;
  EXPECT_TRUE(fs::exists(out / "01.xml"));
  EXPECT_TRUE(fs::exists(out / "sub/02.xml"));
  EXPECT_TRUE(fs::exists(out / "sub/05.xml"));
  EXPECT_NE(testing::ReadFile(out / "01.xml").find("signatureCollection"), std::string::npos);

  CliRun verify = Cli({"verify", "--trust", Pki("ca.pem"), "--format", "json", out.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  for (const auto& [name, rules] : RulesByName(verify.out)) {
    EXPECT_EQ(rules, std::vector<std::string>{"signature.verified"}) << name;
  }
  // Without --trust: valid, with the chain reported as not checked.
  CliRun unchecked = Cli({"verify", "--format", "json", out.string()});
  EXPECT_EQ(unchecked.exit_code, 0);
  EXPECT_TRUE(Has(RulesByName(unchecked.out)["01.xml"], "signature.chain-not-checked"));
}

TEST_F(SignatureCliTest, ADocumentThatCannotBeWrittenIsAFindingAndTheOthersAreWritten) {
  // A file where the output needs a folder: sub/02.xml and sub/05.xml
  // cannot be written; 01.xml can. Nothing half-written is left behind.
  const fs::path out = Dir() / "signed-blocked";
  fs::create_directories(out);
  std::ofstream(out / "sub") << "not a folder";
  CliRun sign = Cli({"sign", "--key", Pki("system.key.pem"), "--cert", Pki("system.pem"), "--out",
                     out.string(), "--no-progress", "--format", "json",
                     (Dir() / "in").string()});
  EXPECT_EQ(sign.exit_code, 1) << sign.out << sign.err;
  const auto rules = RulesByName(sign.out);
  EXPECT_TRUE(Has(rules.at("01.xml"), "sign.written"));
  EXPECT_TRUE(Has(rules.at("02.xml"), "sign.write-failed"));
  EXPECT_TRUE(fs::exists(out / "01.xml"));
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
  }
}

TEST_F(SignatureCliTest, SignWithPkcs12AndPasswordFile) {
  const fs::path out = Dir() / "signed-p12";
  CliRun sign = Cli({"sign", "--key", Pki("system.p12"), "--password-file", Pki("system.p12.pass"),
                     "--out", out.string(), "--no-progress", (Dir() / "in/01.xml").string()});
  ASSERT_EQ(sign.exit_code, 0) << sign.out << sign.err;
  EXPECT_EQ(Cli({"verify", "--trust", Pki("ca.pem"), (out / "01.xml").string()}).exit_code, 0);
}

TEST_F(SignatureCliTest, SignRefusesBadConfigurationWithExitTwo) {
  // Writing into the input folder would overwrite the inputs.
  CliRun overwrite = Cli({"sign", "--key", Pki("system.key.pem"), "--cert", Pki("system.pem"),
                          "--out", (Dir() / "in").string(), (Dir() / "in").string()});
  EXPECT_EQ(overwrite.exit_code, 2);
  EXPECT_NE(overwrite.err.find("overwrite an input"), std::string::npos) << overwrite.err;
  CliRun mismatch = Cli({"sign", "--key", Pki("expired.key.pem"), "--cert", Pki("system.pem"),
                         "--out", (Dir() / "x").string(), (Dir() / "in").string()});
  EXPECT_EQ(mismatch.exit_code, 2);
  EXPECT_NE(mismatch.err.find("does not belong"), std::string::npos) << mismatch.err;
  EXPECT_EQ(Cli({"sign", "--key", Pki("system.key.pem"), "--cert", Pki("system.pem"),
                 (Dir() / "in").string()})
                .exit_code,
            2)
      << "--out is required";
  EXPECT_EQ(Cli({"verify", "--trust", "/nonexistent/ca.pem", (Dir() / "in").string()}).exit_code,
            2);
}

TEST_F(SignatureCliTest, VerifyReportsTamperingUnsignedAndUntrustedDocumentsWithExitOne) {
  const fs::path out = Dir() / "signed-verify";
  ASSERT_EQ(SignInto(out).exit_code, 0);
  std::string body = testing::ReadFile(out / "01.xml");
  body.replace(body.find("Tulotilanne 1"), 13, "Tulotilanne 2");
  testing::WriteFile(Dir() / "bad/tampered.xml", body);
  fs::copy_file(Sample("01-narrative-public-register.xml"), Dir() / "bad/unsigned.xml");
  CliRun other = Cli({"sign", "--key", Pki("unknown-ca.key.pem"), "--cert", Pki("unknown-ca.pem"),
                      "--out", (Dir() / "bad/other").string(), (Dir() / "in/01.xml").string()});
  ASSERT_EQ(other.exit_code, 0) << other.err;

  CliRun verify = Cli({"verify", "--trust", Pki("ca.pem"), "--format", "json", "--explain",
                       (Dir() / "explain").string(), (Dir() / "bad").string()});
  EXPECT_EQ(verify.exit_code, 1) << verify.err;
  auto rules = RulesByName(verify.out);
  EXPECT_TRUE(Has(rules["tampered.xml"], "signature.reference-digest"));
  EXPECT_TRUE(Has(rules["tampered.xml"], "signature.explain"));
  EXPECT_TRUE(Has(rules["unsigned.xml"], "signature.missing"));
  EXPECT_TRUE(Has(rules["01.xml"], "signature.certificate-untrusted"));
  bool wrote = false;
  for (const auto& e : fs::directory_iterator(Dir() / "explain")) {
    wrote = wrote || e.path().filename().string().find("ref2.c14n") != std::string::npos;
  }
  EXPECT_TRUE(wrote);
}

TEST_F(SignatureCliTest, ValidateVerifiesSignedDocumentsUnlessTurnedOff) {
  const fs::path out = Dir() / "signed-validate";
  ASSERT_EQ(SignInto(out).exit_code, 0);
  std::string body = testing::ReadFile(out / "01.xml");
  body.replace(body.find("Tulotilanne 1"), 13, "Tulotilanne 2");
  testing::WriteFile(Dir() / "validate/tampered.xml", body);
  const std::string schema = (testing::SourceDir() / "schemas/cda/CDA_Fi.xsd").string();

  CliRun good = Cli({"validate", "--schema-dir", schema, "--trust", Pki("ca.pem"), "--format",
                     "json", (out / "01.xml").string()});
  EXPECT_EQ(good.exit_code, 0) << good.out;
  EXPECT_TRUE(Has(RulesByName(good.out)["01.xml"], "signature.verified"));

  CliRun bad = Cli({"validate", "--schema-dir", schema, "--format", "json",
                    (Dir() / "validate/tampered.xml").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(Has(RulesByName(bad.out)["tampered.xml"], "signature.reference-digest"));

  CliRun off = Cli({"validate", "--schema-dir", schema, "--no-signature", "--format", "json",
                    (Dir() / "validate/tampered.xml").string()});
  EXPECT_EQ(off.exit_code, 0) << off.out;
  EXPECT_TRUE(RulesByName(off.out)["tampered.xml"].empty());
  EXPECT_EQ(
      Cli({"validate", "--trust", "/nonexistent/ca.pem", (out / "01.xml").string()}).exit_code, 2);
}

TEST_F(SignatureCliTest, SigningAnArchiveMessageIsRefused) {
  CliRun sign = Cli({"sign", "--key", Pki("system.key.pem"), "--cert", Pki("system.pem"), "--out",
                     (Dir() / "msg").string(), "--format", "json",
                     (testing::SourceDir() / "samples/messages").string()});
  EXPECT_EQ(sign.exit_code, 1);
  for (const auto& [name, rules] : RulesByName(sign.out)) {
    EXPECT_TRUE(Has(rules, "sign.archive-message")) << name;
  }
  EXPECT_FALSE(fs::exists(Dir() / "msg"));
}

TEST_F(SignatureCliTest, KantaCorpusVectorVerifiesAndSha1CanBeRefused) {
  KANTA_REQUIRE_CORPUS();
  const fs::path corpus = testing::CorpusDir() / "kanta";
  CliRun hus = Cli({"verify", "--format", "json", (corpus / "messages").string()});
  EXPECT_EQ(hus.exit_code, 0) << hus.out;
  // An older document whose Kanta (type 4) signature still verifies, with SHA-1.
  const std::string older = (corpus / "documents/older/V3_0/Esko/Diatsepaami LM.xml").string();
  CliRun accepted = Cli({"verify", "--format", "json", older});
  EXPECT_EQ(accepted.exit_code, 0) << accepted.out;
  EXPECT_TRUE(Has(RulesByName(accepted.out)["Diatsepaami LM.xml"], "signature.sha1"));
  CliRun refused = Cli({"verify", "--refuse-sha1", "--format", "json", older});
  EXPECT_EQ(refused.exit_code, 1);
}

}  // namespace
}  // namespace kanta
