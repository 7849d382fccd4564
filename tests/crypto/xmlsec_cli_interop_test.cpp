// Interop with the xmlsec1 command line, both ways: every document the
// project signs verifies with `xmlsec1 --verify` (IDs registered on
// structuredBody and signatureTimestamp, the test CA trusted), and on the
// Kanta documents of the corpus our findings agree with what xmlsec1 says
// about their first signature; also the positive Kanta vector verifies.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

#include "core/pipeline.h"
#include "crypto/signature_stage.h"
#include "crypto_test_support.h"
#include "formats/intake_stage.h"
#include "formats/parse_stage.h"
#include "test_support.h"

namespace kanta::crypto {
namespace {

using namespace kanta::testing;
namespace fs = std::filesystem;

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

bool HaveXmlsec1() { return std::system("command -v xmlsec1 >/dev/null 2>&1") == 0; }

struct Xmlsec1Run {
  int exit_code = -1;
  std::string output;
};

// `xmlsec1 --verify` as the Kanta corpus needs it; `trusted` empty means
// --insecure (no chain check).
Xmlsec1Run Xmlsec1Verify(const fs::path& file, const std::string& trusted) {
  TempDir t;
  std::string cmd =
      "timeout 60 xmlsec1 --verify --id-attr:ID urn:hl7-org:v3:structuredBody "
      "--id-attr:ID urn:hl7finland:signatureTimestamp "
      "--id-attr:ID urn:hl7finland:multipleDocumentSignature ";
  cmd += trusted.empty() ? "--insecure " : "--trusted-pem " + Quote(trusted) + " ";
  cmd += Quote(file.string()) + " > " + Quote((t.path() / "out").string()) + " 2>&1";
  const int rc = std::system(cmd.c_str());
  Xmlsec1Run r;
  r.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.output = ReadFile(t.path() / "out");
  return r;
}

#define REQUIRE_XMLSEC1()                                                         \
  do {                                                                            \
    if (!HaveXmlsec1()) GTEST_SKIP() << "xmlsec1 not installed (tools/setup.sh)"; \
  } while (false)

TEST(XmlsecCliInteropTest, EveryDocumentWeSignVerifiesWithXmlsec1) {
  REQUIRE_XMLSEC1();
  TempDir t;
  std::vector<std::pair<std::string, std::string>> docs;
  for (const fs::path& f : XmlFilesUnder(SourceDir() / "samples/documents/valid")) {
    docs.emplace_back(f.filename().string(), SignBytes(ReadFile(f)));
  }
  docs.emplace_back("signed-twice.xml", SignBytes(docs.front().second));
  ASSERT_GE(docs.size(), 6u);
  for (const auto& [name, bytes] : docs) {
    WriteFile(t.path() / name, bytes);
    Xmlsec1Run r = Xmlsec1Verify(t.path() / name, TestPki().ca_cert);
    EXPECT_EQ(r.exit_code, 0) << name << ":\n" << r.output;
    EXPECT_NE(r.output.find("SignedInfo References (ok/all): 2/2"), std::string::npos)
        << name << ":\n"
        << r.output;
  }
  // The same check fails on a changed body, so it can tell.
  WriteFile(t.path() / "tampered.xml",
            ReplaceOnce(docs.front().second, "Tulotilanne 1", "Tulotilanne 2"));
  EXPECT_NE(Xmlsec1Verify(t.path() / "tampered.xml", TestPki().ca_cert).exit_code, 0);
  // And on a certificate the trusted CA did not issue.
  WriteFile(t.path() / "unknown-ca.xml",
            SignBytes(Sample(), Credentials(TestPki().unknown_ca_key, TestPki().unknown_ca_cert)));
  EXPECT_NE(Xmlsec1Verify(t.path() / "unknown-ca.xml", TestPki().ca_cert).exit_code, 0);
}

TEST(KantaCorpusTest, PositiveVectorVerifiesFromTheMessageAndAsCda) {
  KANTA_REQUIRE_CORPUS();
  const fs::path dir = CorpusDir() / "kanta/messages";
  for (const char* name : {"RCMR_IN100016FI01.xml", "RCMR_IN100016FI01.embedded-CDA.xml"}) {
    Report report = VerifyBytes(ReadFile(dir / name));
    EXPECT_EQ(Rules(report), std::vector<std::string>{"signature.chain-not-checked"})
        << name << "\n"
        << Dump(report);
    ASSERT_TRUE(HasRule(report, "signature.verified")) << name << "\n" << Dump(report);
    for (const Finding& f : report.findings()) {
      if (f.rule == "signature.verified") {
        EXPECT_NE(f.message.find("serialNumber=1.2.246.537.10.15675350.10.0"), std::string::npos);
        EXPECT_NE(f.message.find("2 of 2 references"), std::string::npos);
      }
    }
  }
  // Changing one character of the body breaks exactly the body reference.
  std::string cda = ReadFile(dir / "RCMR_IN100016FI01.embedded-CDA.xml");
  Report changed = VerifyBytes(ReplaceOnce(cda, "Polven rtg, Oikea", "Polven rtg, Vasen"));
  EXPECT_EQ(Rules(changed, Severity::kError),
            std::vector<std::string>{"signature.reference-digest"})
      << Dump(changed);
  // The signer's chain is not in our test PKI: with --trust it is refused.
  Report trusted = VerifyBytes(cda, Trusted());
  EXPECT_EQ(Rules(trusted, Severity::kError),
            std::vector<std::string>{"signature.certificate-untrusted"})
      << Dump(trusted);
}

// The findings of signature `n` (1-based) of a report.
std::vector<const Finding*> OfSignature(const Report& r, int n, int total) {
  std::vector<const Finding*> out;
  // The hl7fi prefix varies (hl7fi:, ns2:, ...).
  const std::string step = total == 1 ? ":signature/" : ":signature[" + std::to_string(n) + "]/";
  for (const Finding& f : r.findings()) {
    if ((f.location.xpath + "/").find(step) != std::string::npos) out.push_back(&f);
  }
  return out;
}

TEST(KantaCorpusTest, DocumentsAgreeWithXmlsec1AndReindentedOnesFailOnlyTheValue) {
  KANTA_REQUIRE_CORPUS();
  REQUIRE_XMLSEC1();
  const std::set<std::string> known = {"signature.missing",
                                       "signature.reference-digest",
                                       "signature.reference-failed",
                                       "signature.value",
                                       "signature.body-not-covered",
                                       "signature.sha1",
                                       "signature.chain-not-checked",
                                       "signature.multi-document",
                                       "signature.verified",
                                       "signature.signer-not-named",
                                       "signature.reference-unresolved"};
  const std::regex refs_re("SignedInfo References \\(ok/all\\): ([0-9]+)/([0-9]+)");
  std::size_t documents = 0, reindented = 0, agreed_ok = 0;
  for (const fs::path& file : XmlFilesUnder(CorpusDir() / "kanta/documents")) {
    ++documents;
    Pipeline pipeline;
    pipeline.Add(std::make_unique<formats::IntakeStage>(formats::IntakeOptions{}));
    pipeline.Add(std::make_unique<formats::ParseStage>(xml::ParseLimits{}));
    SignatureOptions options;
    options.require_signature = true;
    pipeline.Add(std::make_unique<SignatureStage>(options));
    Document doc;
    doc.source = file.string();
    Report report(0, file.string());
    pipeline.Run(doc, report);
    ASSERT_TRUE(report.internal_error().ok()) << file << ": " << report.internal_error().ToString();
    for (const Finding& f : report.findings()) {
      if (f.stage != "signature") continue;
      EXPECT_TRUE(known.count(f.rule) > 0) << file << ": unexpected " << f.rule << " " << f.message;
    }
    if (HasRule(report, "signature.missing")) continue;

    const std::string text = ReadFile(file);
    const int total = static_cast<int>(
        std::count_if(report.findings().begin(), report.findings().end(),
                      [](const Finding& f) { return f.rule == "signature.chain-not-checked"; }));
    Xmlsec1Run x = Xmlsec1Verify(file, "");
    std::smatch m;
    const bool xmlsec_ok = x.exit_code == 0;
    const bool has_tally = std::regex_search(x.output, m, refs_re);
    std::vector<std::string> first;
    for (const Finding* f : OfSignature(report, 1, total)) {
      if (f->severity == Severity::kError) first.push_back(f->rule);
    }
    if (xmlsec_ok) {
      // xmlsec1 verified the first signature: so do we.
      EXPECT_TRUE(first.empty()) << file << " (signature 1):\n" << Dump(report);
      ++agreed_ok;
    } else if (has_tally && m[1] == m[2] && std::stoi(m[1]) > 0 &&
               x.output.find("\nFAIL") != std::string::npos) {
      // xmlsec1: every reference matches, the value does not (re-indented).
      ++reindented;
      EXPECT_EQ(first, std::vector<std::string>{"signature.value"}) << file << " (signature 1):\n"
                                                                    << Dump(report);
      const std::string tally =
          std::string(m[1]) + " of " + std::string(m[2]) + " references match";
      bool said = false;
      for (const Finding* f : OfSignature(report, 1, total)) {
        said =
            said || (f->rule == "signature.value" && f->message.find(tally) != std::string::npos);
      }
      EXPECT_TRUE(said) << file << ": expected \"" << tally << "\"\n" << Dump(report);
    }
  }
  std::cout << documents << " Kanta documents: " << agreed_ok
            << " first signatures verified by both, " << reindented
            << " failing only on the SignatureValue with every digest matching\n";
  EXPECT_GE(documents, 120u);
  EXPECT_GE(reindented, 50u);
  EXPECT_GE(agreed_ok, 1u);
}

}  // namespace
}  // namespace kanta::crypto
