// SignatureStage: verification of Kanta signatures and the policy around it
// (trust, validity at the signature time, key usage, SHA-1, who may sign).
#include "crypto/signature_stage.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "crypto/kanta_signature.h"
#include "crypto/sign_stage.h"
#include "crypto_test_support.h"
#include "resign.h"
#include "test_support.h"
#include "xml/xml_tree.h"

namespace kanta::crypto {
namespace {

using namespace kanta::testing;
namespace fs = std::filesystem;

std::string SignedSample() {
  static const std::string bytes = SignBytes(Sample());
  return bytes;
}

std::string SignedWith(
    const std::string& key, const std::string& cert,
    std::chrono::system_clock::time_point at = std::chrono::system_clock::now()) {
  auto signer = SystemSigner::Create(Credentials(key, cert), std::make_shared<FixedClock>(at));
  EXPECT_TRUE(signer.ok()) << signer.status().ToString();
  Document doc = Parse(Sample());
  auto outcome = (*signer)->Sign(xml::TreeOf(doc));
  EXPECT_TRUE(outcome.ok() && !outcome->refused);
  const std::string out = xml::Serialize(xml::TreeOf(doc)).value();
  return out;
}

const Finding* Find(const Report& r, const std::string& rule) {
  for (const Finding& f : r.findings()) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

TEST(SignatureStageTest, FreshSignatureVerifiesAgainstTheTestCa) {
  Report report = VerifyBytes(SignedSample(), Trusted());
  EXPECT_TRUE(Rules(report).empty()) << Dump(report);
  const Finding* verified = Find(report, "signature.verified");
  ASSERT_NE(verified, nullptr) << Dump(report);
  EXPECT_EQ(verified->severity, Severity::kInfo);
  EXPECT_NE(verified->message.find("type 3 system signature"), std::string::npos);
  EXPECT_NE(verified->message.find("2 of 2 references"), std::string::npos);
  EXPECT_NE(verified->message.find("chain trusted"), std::string::npos);
  EXPECT_NE(verified->location.xpath.find("hl7fi:signatureCollection/hl7fi:signature"),
            std::string::npos);
}

TEST(SignatureStageTest, WithoutTrustTheChainIsReportedNotChecked) {
  Report report = VerifyBytes(SignedSample());
  EXPECT_EQ(Rules(report), std::vector<std::string>{"signature.chain-not-checked"}) << Dump(report);
  EXPECT_EQ(Find(report, "signature.chain-not-checked")->severity, Severity::kWarning);
  EXPECT_NE(Find(report, "signature.verified")->message.find("not checked"), std::string::npos);
}

TEST(SignatureStageTest, UnsignedDocumentNeedsNothingUnlessASignatureIsRequired) {
  EXPECT_TRUE(VerifyBytes(Sample()).findings().empty());
  SignatureOptions required;
  required.require_signature = true;
  EXPECT_EQ(Rules(VerifyBytes(Sample(), required)), std::vector<std::string>{"signature.missing"});
}

TEST(SignatureStageTest, CertificateChecksNameWhatFailed) {
  const auto& pki = TestPki();
  struct Case {
    std::string key, cert, rule;
  };
  for (const Case& c : std::vector<Case>{
           {pki.expired_key, pki.expired_cert, "signature.certificate-expired"},
           {pki.not_yet_valid_key, pki.not_yet_valid_cert, "signature.certificate-not-yet-valid"},
           {pki.wrong_key_usage_key, pki.wrong_key_usage_cert, "signature.certificate-key-usage"},
           {pki.unknown_ca_key, pki.unknown_ca_cert, "signature.certificate-untrusted"},
       }) {
    const std::string bytes = SignedWith(c.key, c.cert);
    Report trusted = VerifyBytes(bytes, Trusted());
    EXPECT_EQ(Rules(trusted), std::vector<std::string>{c.rule}) << c.cert << "\n" << Dump(trusted);
    // Without --trust only the cryptography decides.
    Report untrusted = VerifyBytes(bytes);
    EXPECT_EQ(Rules(untrusted), std::vector<std::string>{"signature.chain-not-checked"})
        << c.cert << "\n"
        << Dump(untrusted);
  }
}

TEST(SignatureStageTest, ValidityIsJudgedAtTheSignatureTime) {
  // Signed with the now expired certificate while it was still valid.
  const auto then = std::chrono::system_clock::now() - std::chrono::hours(24 * 300);
  Report report =
      VerifyBytes(SignedWith(TestPki().expired_key, TestPki().expired_cert, then), Trusted());
  EXPECT_TRUE(Rules(report).empty()) << Dump(report);
}

TEST(SignatureStageTest, ChangedBodyFailsTheSecondReferenceOnly) {
  const std::string tampered = ReplaceOnce(SignedSample(), "Tulotilanne 1", "Tulotilanne 2");
  Report report = VerifyBytes(tampered, Trusted());
  EXPECT_EQ(Rules(report), std::vector<std::string>{"signature.reference-digest"}) << Dump(report);
  const Finding* f = Find(report, "signature.reference-digest");
  EXPECT_NE(
      f->message.find("Reference 2 (URI=\"#OID1.2.246.10.90000011.91.2019.100001.2\", SHA-256)"),
      std::string::npos)
      << f->message;
  EXPECT_NE(f->location.xpath.find("ds:SignedInfo/ds:Reference[2]"), std::string::npos)
      << f->location.xpath;
}

TEST(SignatureStageTest, ChangedTimestampFailsTheFirstReference) {
  Document doc = Parse(SignedSample());
  const std::string ts = xml::TextOf(
      xml::FirstChild(xml::FirstChild(SignatureCollection(xmlDocGetRootElement(xml::TreeOf(doc))),
                                      xml::kHl7FiNs, "signature"),
                      xml::kHl7FiNs, "signatureTimestamp"));
  // (Without --trust: in 2020 the test CA did not exist yet, which --trust
  // would rightly report as well.)
  Report report =
      VerifyBytes(ReplaceOnce(SignedSample(), ">" + ts + "<", ">2020-01-01T00:00:00Z<"));
  EXPECT_EQ(Rules(report, Severity::kError), std::vector<std::string>{"signature.reference-digest"})
      << Dump(report);
  EXPECT_NE(Find(report, "signature.reference-digest")->message.find("Reference 1"),
            std::string::npos);
}

TEST(SignatureStageTest, ReindentedSignedInfoFailsTheValueWithDigestsMatching) {
  const std::string reindented =
      ReplaceOnce(SignedSample(), "<SignedInfo>", "<SignedInfo>\n      ");
  Report report = VerifyBytes(reindented, Trusted());
  EXPECT_EQ(Rules(report), std::vector<std::string>{"signature.value"}) << Dump(report);
  EXPECT_NE(Find(report, "signature.value")->message.find("2 of 2 references match"),
            std::string::npos);
}

TEST(SignatureStageTest, Sha1IsAWarningOrRefusedByPolicy) {
  const std::string sha1 = Resign(SignedSample(), [](xmlDoc*, xmlNode* ds) {
    SetAlgorithms(ds, "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
                  "http://www.w3.org/2000/09/xmldsig#sha1");
  });
  Report accepted = VerifyBytes(sha1, Trusted());
  EXPECT_EQ(Rules(accepted), std::vector<std::string>{"signature.sha1"}) << Dump(accepted);
  EXPECT_EQ(Find(accepted, "signature.sha1")->severity, Severity::kWarning);
  EXPECT_TRUE(HasRule(accepted, "signature.verified"));

  SignatureOptions refuse = Trusted();
  refuse.refuse_sha1 = true;
  Report refused = VerifyBytes(sha1, refuse);
  EXPECT_EQ(Rules(refused), std::vector<std::string>{"signature.sha1"});
  EXPECT_EQ(Find(refused, "signature.sha1")->severity, Severity::kError);
  EXPECT_FALSE(HasRule(refused, "signature.verified"));
}

TEST(SignatureStageTest, UnsupportedAlgorithmIsRefusedByName) {
  const std::string md5 = ReplaceOnce(SignedSample(), "http://www.w3.org/2001/04/xmlenc#sha256",
                                      "http://www.w3.org/2001/04/xmldsig-more#md5");
  Report report = VerifyBytes(md5, Trusted());
  EXPECT_EQ(Rules(report), std::vector<std::string>{"signature.algorithm-unsupported"})
      << Dump(report);
  EXPECT_NE(Find(report, "signature.algorithm-unsupported")->message.find("xmldsig-more#md5"),
            std::string::npos);
}

TEST(SignatureStageTest, OrganiserOfTheDocumentMaySign) {
  // Sample 05: produced by another organisation for the test organisation.
  Report report = VerifyBytes(SignBytes(Sample("05-outsourced-for-organiser.xml")), Trusted());
  EXPECT_TRUE(Rules(report).empty()) << Dump(report);
}

TEST(SignatureStageTest, BadTimestampIsAnError) {
  Document doc = Parse(SignedSample());
  const std::string ts = xml::TextOf(
      xml::FirstChild(xml::FirstChild(SignatureCollection(xmlDocGetRootElement(xml::TreeOf(doc))),
                                      xml::kHl7FiNs, "signature"),
                      xml::kHl7FiNs, "signatureTimestamp"));
  Report report = VerifyBytes(ReplaceOnce(SignedSample(), ">" + ts + "<", ">yesterday<"));
  EXPECT_TRUE(HasRule(report, "signature.timestamp")) << Dump(report);
}

TEST(SignatureStageTest, ExplainWritesTheCanonicalBytesOfFailingReferences) {
  TempDir t;
  SignatureOptions options = Trusted();
  options.explain_dir = (t.path() / "explain").string();
  const std::string tampered = ReplaceOnce(SignedSample(), "Tulotilanne 1", "Tulotilanne 2");
  Report report = VerifyBytes(tampered, options);
  const Finding* f = Find(report, "signature.explain");
  ASSERT_NE(f, nullptr) << Dump(report);
  const fs::path file = t.path() / "explain" / "1-test.xml.sig1.ref2.c14n";
  ASSERT_TRUE(fs::exists(file)) << f->message;
  const std::string canonical = ReadFile(file);
  EXPECT_EQ(canonical.rfind("<structuredBody xmlns=\"urn:hl7-org:v3\"", 0), 0u)
      << canonical.substr(0, 80);
  EXPECT_NE(canonical.find("Tulotilanne 2"), std::string::npos);
  EXPECT_FALSE(fs::exists(t.path() / "explain" / "1-test.xml.sig1.ref1.c14n"))
      << "the matching reference is not written";
}

TEST(OrganisationTest, SignerOidNamesOrganisationsUnderItsRoot) {
  EXPECT_TRUE(SameOrganisation("1.2.246.537.10.15675350.10.0", "1.2.246.537.10.15675350.19.0"));
  EXPECT_TRUE(SameOrganisation("1.2.246.537.10.15675350.10.0", "1.2.246.537.10.15675350.10.518"));
  EXPECT_TRUE(SameOrganisation("1.2.246.10.90000011.10.0", "1.2.246.10.90000011.10.0^x"));
  EXPECT_FALSE(SameOrganisation("1.2.246.10.90000011.10.0", "1.2.246.10.90000022.19.0"));
  EXPECT_FALSE(SameOrganisation("1.2.246.556.12005.1", "1.2.246.556.12005.2"));
  EXPECT_TRUE(SameOrganisation("1.2.246.556.12005.1", "1.2.246.556.12005.1"));
  EXPECT_FALSE(SameOrganisation("", ""));
  EXPECT_FALSE(SameOrganisation("1.2.246.10.90000011.10.0", ""));
}

TEST(DateTimeTest, ParsesXsDateTimeWithZones) {
  EXPECT_EQ(ParseDateTime("2017-06-15T05:02:06Z"), std::optional<std::time_t>(1497502926));
  EXPECT_EQ(ParseDateTime("2015-05-07T12:31:51+03:00"), std::optional<std::time_t>(1430991111));
  EXPECT_EQ(ParseDateTime("2015-05-07T09:31:51.250"), std::optional<std::time_t>(1430991111));
  EXPECT_FALSE(ParseDateTime("2015-05-07"));
  EXPECT_FALSE(ParseDateTime("2015-13-07T09:31:51Z"));
  EXPECT_FALSE(ParseDateTime("2015-05-07T09:31:51+3"));
  EXPECT_EQ(FormatDateTime(std::chrono::system_clock::from_time_t(1497502926)),
            "2017-06-15T05:02:06Z");
}

}  // namespace
}  // namespace kanta::crypto
