// SystemSigner and SignStage: what a Kanta system signature looks like and
// where it goes; the signed document still validates and verifies.
#include "crypto/system_signer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include "crypto/kanta_signature.h"
#include "crypto/sign_stage.h"
#include "crypto_test_support.h"
#include "test_support.h"
#include "validate/schema/schema_validator.h"
#include "xml/xml_tree.h"

namespace kanta::crypto {
namespace {

using namespace kanta::testing;

std::chrono::system_clock::time_point At(std::time_t t) {
  return std::chrono::system_clock::from_time_t(t);
}

class SystemSignerTest : public ::testing::Test {
 protected:
  std::unique_ptr<SystemSigner> Signer(std::time_t now = 1795000000) {
    auto s = SystemSigner::Create(SystemCredentials(), std::make_shared<FixedClock>(At(now)));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
};

std::vector<std::string> LocalHeaderOrder(xmlNode* root) {
  std::vector<std::string> names;
  for (xmlNode* c = xml::FirstChild(root, xml::kHl7FiNs, "localHeader")->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) names.emplace_back(reinterpret_cast<const char*>(c->name));
  }
  return names;
}

TEST_F(SystemSignerTest, AddsTypeThreeSignatureInSchemaOrder) {
  // Without its body ID, the body gets "OID" + document id.
  Document doc =
      Parse(ReplaceOnce(Sample(), "<structuredBody ID=\"OID1.2.246.10.90000011.91.2019.100001.2\">",
                        "<structuredBody>"));
  auto signer = Signer(1795000000);  // 2026-11-18T11:06:40Z
  ASSERT_NE(signer, nullptr);
  auto outcome = signer->Sign(xml::TreeOf(doc));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  ASSERT_FALSE(outcome->refused) << outcome->message;
  EXPECT_EQ(outcome->timestamp, "2026-11-18T11:06:40Z");
  EXPECT_TRUE(outcome->body_id_added);
  EXPECT_EQ(outcome->body_id, "OID1.2.246.10.90000011.91.2019.100001");

  xmlNode* root = xmlDocGetRootElement(xml::TreeOf(doc));
  const std::vector<std::string> order = LocalHeaderOrder(root);
  auto pos = [&](const std::string& n) {
    return std::find(order.begin(), order.end(), n) - order.begin();
  };
  ASSERT_LT(pos("signatureCollection"), static_cast<long>(order.size()));
  EXPECT_LT(pos("recordStatus"), pos("signatureCollection"));
  EXPECT_LT(pos("signatureCollection"), pos("custodianTypeCode"));

  xmlNode* wrapper = xml::FirstChild(SignatureCollection(root), xml::kHl7FiNs, "signature");
  ASSERT_NE(wrapper, nullptr);
  EXPECT_EQ(xml::Attribute(wrapper, "ID"), outcome->signature_id);
  xmlNode* description = xml::FirstChild(wrapper, xml::kHl7FiNs, "signatureDescription");
  EXPECT_EQ(xml::Attribute(description, "code"), "3");
  EXPECT_EQ(xml::Attribute(description, "codeSystem"), "1.2.246.537.5.40127.2006");
  xmlNode* timestamp = xml::FirstChild(wrapper, xml::kHl7FiNs, "signatureTimestamp");
  EXPECT_EQ(xml::TextOf(timestamp), "2026-11-18T11:06:40Z");
  const std::string ts_id = xml::Attribute(timestamp, "ID");
  EXPECT_EQ(ts_id.rfind("sigt_", 0), 0u);

  xmlNode* ds = xml::FirstChild(wrapper, kDsigNs, "Signature");
  ASSERT_EQ(ds, outcome->signature);
  xmlNode* info = xml::FirstChild(ds, kDsigNs, "SignedInfo");
  EXPECT_EQ(xml::Attribute(xml::FirstChild(info, kDsigNs, "CanonicalizationMethod"), "Algorithm"),
            "http://www.w3.org/2001/10/xml-exc-c14n#");
  EXPECT_EQ(xml::Attribute(xml::FirstChild(info, kDsigNs, "SignatureMethod"), "Algorithm"),
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
  std::vector<std::string> uris;
  for (xmlNode* r = info->children; r; r = r->next) {
    if (!xml::IsElement(r, kDsigNs, "Reference")) continue;
    uris.push_back(xml::Attribute(r, "URI"));
    EXPECT_EQ(xml::Attribute(xml::FirstChild(r, kDsigNs, "DigestMethod"), "Algorithm"),
              "http://www.w3.org/2001/04/xmlenc#sha256");
    xmlNode* t = xml::FirstChild(xml::FirstChild(r, kDsigNs, "Transforms"), kDsigNs, "Transform");
    EXPECT_EQ(xml::Attribute(t, "Algorithm"), "http://www.w3.org/2001/10/xml-exc-c14n#");
  }
  EXPECT_EQ(uris, (std::vector<std::string>{"#" + ts_id, "#" + outcome->body_id}));
  xmlNode* cert =
      xml::FirstChild(xml::FirstChild(xml::FirstChild(ds, kDsigNs, "KeyInfo"), kDsigNs, "X509Data"),
                      kDsigNs, "X509Certificate");
  EXPECT_EQ(xml::TextOf(cert), SystemCredentials()->certificate_base64());
  EXPECT_FALSE(xml::TextOf(xml::FirstChild(ds, kDsigNs, "SignatureValue")).empty());
}

TEST_F(SystemSignerTest, KeepsExistingBodyIdAndExistingSignatures) {
  const std::string once = SignBytes(Sample());
  const std::string twice = SignBytes(once);
  Document doc = Parse(twice);
  xmlNode* root = xmlDocGetRootElement(xml::TreeOf(doc));
  int signatures = 0;
  for (xmlNode* c = SignatureCollection(root)->children; c; c = c->next) {
    if (xml::IsElement(c, xml::kHl7FiNs, "signature")) ++signatures;
  }
  EXPECT_EQ(signatures, 2);
  EXPECT_EQ(xml::Attribute(DocumentBody(root), "ID"), "OID1.2.246.10.90000011.91.2019.100001.2");
  Report report = VerifyBytes(twice, Trusted());
  EXPECT_TRUE(Rules(report).empty()) << Dump(report);
  const std::vector<std::string> all = Rules(report, Severity::kInfo);
  EXPECT_EQ(std::count(all.begin(), all.end(), std::string("signature.verified")), 2);
}

TEST_F(SystemSignerTest, CreatesLocalHeaderWhenMissing) {
  std::string bytes = Sample();
  const std::size_t start = bytes.find("<hl7fi:localHeader>");
  const std::size_t end = bytes.find("</hl7fi:localHeader>") + std::strlen("</hl7fi:localHeader>");
  ASSERT_NE(start, std::string::npos);
  bytes.erase(start, end - start);
  const std::string signed_bytes = SignBytes(bytes);
  Document doc = Parse(signed_bytes);
  xmlNode* root = xmlDocGetRootElement(xml::TreeOf(doc));
  xmlNode* header = xml::FirstChild(root, xml::kHl7FiNs, "localHeader");
  ASSERT_NE(header, nullptr);
  xmlNode* next = header->next;
  while (next != nullptr && next->type != XML_ELEMENT_NODE) next = next->next;
  EXPECT_TRUE(xml::IsElement(next, xml::kHl7V3Ns, "component"))
      << "localHeader goes before component";
  Report report = VerifyBytes(signed_bytes, Trusted());
  EXPECT_TRUE(Rules(report).empty()) << Dump(report);
}

TEST_F(SystemSignerTest, RefusesDocumentsItCannotSignAndLeavesThemUnchanged) {
  auto signer = Signer();
  ASSERT_NE(signer, nullptr);
  {
    // The body and a section with the same ID value.
    Document dup =
        Parse(ReplaceOnce(Sample(), "OID1.2.246.10.90000011.91.2019.100001.2\"", "s1\""));
    auto o = signer->Sign(xml::TreeOf(dup));
    ASSERT_TRUE(o.ok());
    EXPECT_TRUE(o->refused);
    EXPECT_EQ(o->rule, "sign.duplicate-id");
  }
  {
    std::string no_id =
        ReplaceOnce(Sample(), " ID=\"OID1.2.246.10.90000011.91.2019.100001.2\"", "");
    const std::size_t at = no_id.find("<id root=\"1.2.246.10.90000011.91.2019.100001\"/>");
    ASSERT_NE(at, std::string::npos);
    no_id.erase(at, std::strlen("<id root=\"1.2.246.10.90000011.91.2019.100001\"/>"));
    Document doc = Parse(no_id);
    const std::string before = xml::Serialize(xml::TreeOf(doc)).value();
    auto o = signer->Sign(xml::TreeOf(doc));
    ASSERT_TRUE(o.ok());
    EXPECT_TRUE(o->refused);
    EXPECT_EQ(o->rule, "sign.no-document-id");
    const std::string after = xml::Serialize(xml::TreeOf(doc)).value();
    EXPECT_EQ(before, after);
  }
}

TEST_F(SystemSignerTest, DoesNotAddABodyIdToAnAlreadySignedDocument) {
  // A signed document whose body lost its ID: signing again may not add one.
  const std::string signed_doc = SignBytes(Sample());
  const std::string no_id =
      ReplaceOnce(signed_doc, " ID=\"OID1.2.246.10.90000011.91.2019.100001.2\"", "");
  Document doc = Parse(no_id);
  auto signer = Signer();
  ASSERT_NE(signer, nullptr);
  auto o = signer->Sign(xml::TreeOf(doc));
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->refused);
  EXPECT_EQ(o->rule, "sign.body-id-needed");
}

TEST_F(SystemSignerTest, RefusesCertificateWithoutOrganisationOid) {
  // The CA certificate has no serialNumber in its subject.
  auto ca = SigningCredentials::LoadPem(TestPki().ca_key, TestPki().ca_cert);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  auto signer = SystemSigner::Create(*ca);
  ASSERT_FALSE(signer.ok());
  EXPECT_NE(signer.status().message().find("serialNumber"), std::string::npos);
}

TEST_F(SystemSignerTest, SignStageKeepsBytesAndTreeInAgreement) {
  auto signer = SystemSigner::Create(SystemCredentials());
  ASSERT_TRUE(signer.ok());
  SignStage stage(std::shared_ptr<const SystemSigner>(std::move(*signer)));
  // Sample 01 re-encoded as UTF-16 (the test certificate's organisation).
  std::string utf16;
  {
    Document utf8 = Parse(Sample());
    xmlChar* mem = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(xml::TreeOf(utf8), &mem, &size, "UTF-16");
    ASSERT_NE(mem, nullptr);
    utf16.assign(reinterpret_cast<char*>(mem), static_cast<std::size_t>(size));
    xmlFree(mem);
  }
  ASSERT_EQ(utf16.find("<?xml"), std::string::npos) << "really UTF-16";
  Document doc = Parse(utf16);
  Report report(0, "utf16.xml");
  auto v = stage.Process(doc, report);
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(*v, Verdict::kContinue) << Dump(report);
  const std::string serialised = xml::Serialize(xml::TreeOf(doc)).value();
  EXPECT_EQ(doc.bytes, serialised);
  EXPECT_EQ(doc.bytes.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u)
      << "UTF-16 input comes out as UTF-8";
  EXPECT_TRUE(HasRule(report, "sign.signed"));
  // Serialised, parsed again, verified.
  Report verified = VerifyBytes(doc.bytes, Trusted());
  EXPECT_TRUE(Rules(verified).empty()) << Dump(verified);
}

TEST_F(SystemSignerTest, EverySignedSampleStillValidatesAgainstTheSchema) {
  validate::SchemaOptions options;
  auto entry = validate::FindSchemaEntry((SourceDir() / "schemas/cda").string());
  ASSERT_TRUE(entry.ok());
  options.schema_file = *entry;
  for (auto engine : {validate::SchemaEngine::kLibxml2, validate::SchemaEngine::kXerces}) {
    options.engine = engine;
    auto validator = validate::LoadSchemaValidator(options);
    ASSERT_TRUE(validator.ok()) << validator.status().ToString();
    for (const auto& file : XmlFilesUnder(SourceDir() / "samples/documents/valid")) {
      Document doc = Parse(SignBytes(ReadFile(file)));
      Report report(0, file.string());
      ASSERT_TRUE((*validator)->Validate(doc, report).ok());
      EXPECT_EQ(report.Count(Severity::kError) + report.Count(Severity::kFatal), 0u)
          << file << " (" << validate::SchemaEngineName(engine) << ")\n"
          << Dump(report);
    }
  }
}

TEST_F(SystemSignerTest, WarnsWhenTheCertificateNamesAnotherOrganisation) {
  // Sample 05 is produced for an organiser; swap every organisation for a
  // stranger's so the test certificate's organisation is not named.
  std::string bytes = Sample();
  for (const char* from : {"1.2.246.10.90000011.10.0", "1.2.246.10.90000011.19.0"}) {
    std::size_t p;
    while ((p = bytes.find(from)) != std::string::npos)
      bytes.replace(p, std::strlen(from), "1.2.246.10.77777777.10.0");
  }
  auto signer = SystemSigner::Create(SystemCredentials());
  ASSERT_TRUE(signer.ok());
  SignStage stage(std::shared_ptr<const SystemSigner>(std::move(*signer)));
  Document doc = Parse(bytes);
  Report report(0, "x.xml");
  ASSERT_TRUE(stage.Process(doc, report).ok());
  EXPECT_TRUE(HasRule(report, "sign.signer-not-named")) << Dump(report);
  Report verified = VerifyBytes(doc.bytes);
  EXPECT_TRUE(HasRule(verified, "signature.signer-not-named")) << Dump(verified);
}

}  // namespace
}  // namespace kanta::crypto
