// The defences of the signature stage: signature wrapping, references to the
// wrong element, signatures that cover nothing of the body, duplicate IDs,
// missing certificates, broken SignatureValues, and XSLT that may not reach
// outside the document. Also the older transform chains Kanta documents use.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "crypto/kanta_signature.h"
#include "crypto/signature_stage.h"
#include "crypto_test_support.h"
#include "resign.h"
#include "test_support.h"
#include "xml/xml_tree.h"

namespace kanta::crypto {
namespace {

using namespace kanta::testing;

constexpr const char* kBodyId = "OID1.2.246.10.90000011.91.2019.100001.2";

std::string SignedSample() {
  static const std::string bytes = SignBytes(Sample());
  return bytes;
}

// The body element's text, start tag to end tag.
std::string BodyText(const std::string& doc) {
  const std::size_t start = doc.find("<structuredBody");
  const std::size_t end = doc.find("</structuredBody>") + std::strlen("</structuredBody>");
  EXPECT_NE(start, std::string::npos);
  return doc.substr(start, end - start);
}

const Finding* Find(const Report& r, const std::string& rule) {
  for (const Finding& f : r.findings()) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

TEST(SignatureDefencesTest, SignedBodyMovedIntoProductAndForgedBodyInItsPlace) {
  const std::string signed_doc = SignedSample();
  const std::string original = BodyText(signed_doc);
  // The forged body has no ID; the signed one hides in an hl7fi:product
  // (an any-content wildcard), where its digest still matches.
  std::string attacked =
      ReplaceOnce(signed_doc, original,
                  "<structuredBody><component><section><title>Forged</title></section></component>"
                  "</structuredBody>");
  attacked =
      ReplaceOnce(attacked, "<hl7fi:signatureCollection>",
                  "<hl7fi:product>" + original + "</hl7fi:product><hl7fi:signatureCollection>");
  Report report = VerifyBytes(attacked, Trusted());
  const std::vector<std::string> rules = Rules(report);
  EXPECT_EQ(std::count(rules.begin(), rules.end(), "signature.wrapping"), 2) << Dump(report);
  EXPECT_TRUE(HasRule(report, "signature.body-not-covered")) << Dump(report);
  EXPECT_FALSE(HasRule(report, "signature.verified"));
  const Finding* second_body = Find(report, "signature.wrapping");
  EXPECT_NE(second_body->location.xpath.find("hl7fi:product/structuredBody"), std::string::npos)
      << second_body->location.xpath;
}

TEST(SignatureDefencesTest, ForgedBodyWithTheSameIdIsADuplicateId) {
  const std::string signed_doc = SignedSample();
  const std::string original = BodyText(signed_doc);
  std::string attacked = ReplaceOnce(
      signed_doc, original,
      std::string("<structuredBody ID=\"") + kBodyId +
          "\"><component><section><title>Forged</title></section></component></structuredBody>");
  attacked =
      ReplaceOnce(attacked, "<hl7fi:signatureCollection>",
                  "<hl7fi:product>" + original + "</hl7fi:product><hl7fi:signatureCollection>");
  Report report = VerifyBytes(attacked, Trusted());
  EXPECT_TRUE(HasRule(report, "signature.duplicate-id")) << Dump(report);
  EXPECT_TRUE(HasRule(report, "signature.reference-unresolved")) << Dump(report);
  EXPECT_FALSE(HasRule(report, "signature.verified"));
}

TEST(SignatureDefencesTest, ReferenceToAnotherElementThanTheBodyIsRefused) {
  // A valid signature whose second reference names a section of the body.
  const std::string bytes = Resign(SignedSample(), [](xmlDoc*, xmlNode* ds) {
    xmlSetProp(NthReference(ds, 2), BAD_CAST "URI", BAD_CAST "#s1");
  });
  Report report = VerifyBytes(bytes, Trusted());
  const Finding* f = Find(report, "signature.wrapping");
  ASSERT_NE(f, nullptr) << Dump(report);
  EXPECT_NE(f->message.find("Reference 2 URI=\"#s1\" resolves to"), std::string::npos)
      << f->message;
  EXPECT_NE(f->message.find("/section"), std::string::npos) << f->message;
  EXPECT_TRUE(HasRule(report, "signature.body-not-covered"));
}

TEST(SignatureDefencesTest, SignatureCoveringNothingOfTheBodyIsRefused) {
  const std::string bytes = Resign(SignedSample(), [](xmlDoc*, xmlNode* ds) {
    xmlNode* second = NthReference(ds, 2);
    xmlUnlinkNode(second);
    xmlFreeNode(second);
  });
  Report report = VerifyBytes(bytes, Trusted());
  EXPECT_EQ(Rules(report), std::vector<std::string>{"signature.body-not-covered"}) << Dump(report);
}

TEST(SignatureDefencesTest, DuplicateIdAnywhereInTheDocumentIsRefused) {
  // The header is not signed, yet one duplicated ID anywhere is enough.
  const std::string bytes = ReplaceOnce(SignedSample(), "<realmCode ", "<realmCode ID=\"s1\" ");
  Report report = VerifyBytes(bytes, Trusted());
  EXPECT_EQ(Rules(report), std::vector<std::string>{"signature.duplicate-id"}) << Dump(report);
  const Finding* f = Find(report, "signature.duplicate-id");
  EXPECT_NE(f->message.find("\"s1\" is used 2 times"), std::string::npos) << f->message;
  EXPECT_FALSE(HasRule(report, "signature.verified"));
}

TEST(SignatureDefencesTest, MissingCertificateIsRefused) {
  Document doc = Parse(SignedSample());
  const std::string signed_doc = SignedSample();
  const std::size_t start = signed_doc.find("<X509Data>");
  const std::size_t end = signed_doc.find("</X509Data>") + std::strlen("</X509Data>");
  ASSERT_NE(start, std::string::npos);
  std::string no_cert = signed_doc;
  no_cert.erase(start, end - start);
  Report report = VerifyBytes(no_cert, Trusted());
  EXPECT_EQ(Rules(report), std::vector<std::string>{"signature.no-certificate"}) << Dump(report);

  // A subject name is not a certificate: the key is never looked up by it.
  std::string by_name = signed_doc;
  by_name.replace(start, end - start,
                  "<X509Data><X509SubjectName>CN=kanta-pipeline test system</X509SubjectName>"
                  "</X509Data>");
  EXPECT_EQ(Rules(VerifyBytes(by_name, Trusted())),
            std::vector<std::string>{"signature.no-certificate"});
}

TEST(SignatureDefencesTest, EmptyOrTruncatedSignatureValueIsRefused) {
  const std::string signed_doc = SignedSample();
  const std::size_t start = signed_doc.find("<SignatureValue>") + std::strlen("<SignatureValue>");
  const std::size_t end = signed_doc.find("</SignatureValue>");
  std::string empty = signed_doc;
  empty.erase(start, end - start);
  Report r1 = VerifyBytes(empty, Trusted());
  EXPECT_EQ(Rules(r1), std::vector<std::string>{"signature.value-malformed"}) << Dump(r1);
  EXPECT_NE(Find(r1, "signature.value-malformed")->message.find("empty"), std::string::npos);

  // Half the value, still valid base64.
  std::string value = signed_doc.substr(start, end - start);
  value.erase(std::remove(value.begin(), value.end(), '\n'), value.end());
  std::string truncated = signed_doc;
  truncated.replace(start, end - start, value.substr(0, 172));
  Report r2 = VerifyBytes(truncated, Trusted());
  EXPECT_EQ(Rules(r2), std::vector<std::string>{"signature.value-malformed"}) << Dump(r2);
  EXPECT_NE(Find(r2, "signature.value-malformed")->message.find("truncated"), std::string::npos)
      << Find(r2, "signature.value-malformed")->message;

  std::string garbage = signed_doc;
  garbage.replace(start, end - start, "not*base64");
  EXPECT_EQ(Rules(VerifyBytes(garbage, Trusted())),
            std::vector<std::string>{"signature.value-malformed"});
}

TEST(SignatureDefencesTest, ExternalReferenceIsRefused) {
  const std::string bytes = ReplaceOnce(SignedSample(), std::string("URI=\"#") + kBodyId + "\"",
                                        "URI=\"file:///etc/hostname\"");
  Report report = VerifyBytes(bytes, Trusted());
  EXPECT_EQ(Rules(report), std::vector<std::string>{"signature.reference-uri"}) << Dump(report);
}

// The chain of the older professional signatures: URI="" with
// enveloped-signature, a normalising XSLT, XPath Filter 2.0, inclusive c14n.
std::string LegacyReference(const std::string& filter, const std::string& extra_xslt = "") {
  return std::string(
             "<Reference xmlns=\"http://www.w3.org/2000/09/xmldsig#\" URI=\"\"><Transforms>"
             "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>"
             "<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\">"
             "<xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" "
             "version=\"1.0\">") +
         extra_xslt +
         "<xsl:template match=\"*|@*|comment()\"><xsl:copy>"
         "<xsl:apply-templates select=\"*|@*|text()|comment()\"/></xsl:copy></xsl:template>"
         "<xsl:template match=\"text()\"><xsl:value-of select=\"normalize-space(.)\"/>"
         "</xsl:template></xsl:stylesheet></Transform>"
         "<Transform Algorithm=\"http://www.w3.org/2002/06/xmldsig-filter2\">"
         "<dsig-xpath:XPath xmlns:dsig-xpath=\"http://www.w3.org/2002/06/xmldsig-filter2\" "
         "Filter=\"intersect\">" +
         filter +
         "</dsig-xpath:XPath></Transform>"
         "<Transform Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>"
         "</Transforms><DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/>"
         "<DigestValue/></Reference>";
}

TEST(LegacyChainsTest, XsltAndFilter2ChainVerifiesAndSurvivesReindentation) {
  const std::string bytes = Resign(SignedSample(), [](xmlDoc*, xmlNode* ds) {
    SetAlgorithms(ds, "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
                  "http://www.w3.org/2000/09/xmldsig#sha1");
    ReplaceWithXml(NthReference(ds, 2),
                   LegacyReference(std::string("//*[@ID=\"") + kBodyId + "\"]"));
  });
  Report report = VerifyBytes(bytes, Trusted());
  EXPECT_EQ(Rules(report), std::vector<std::string>{"signature.sha1"}) << Dump(report);
  EXPECT_TRUE(HasRule(report, "signature.verified"));
  // Re-indenting the body leaves the normalised digest intact.
  const std::string reindented =
      ReplaceOnce(bytes, "<title>Tulotilanne 1</title>", "<title>\n   Tulotilanne 1   </title>");
  EXPECT_EQ(Rules(VerifyBytes(reindented, Trusted())), std::vector<std::string>{"signature.sha1"});
  // A real change does not.
  const std::string changed = ReplaceOnce(bytes, "Tulotilanne 1", "Tulotilanne 9");
  EXPECT_TRUE(HasRule(VerifyBytes(changed, Trusted()), "signature.reference-digest"));
}

TEST(LegacyChainsTest, WholeDocumentXPathReferenceToTheBodyVerifies) {
  // The older Kanta system signature: URI="" with an XPath transform.
  const std::string bytes = Resign(SignedSample(), [](xmlDoc*, xmlNode* ds) {
    ReplaceWithXml(
        NthReference(ds, 2),
        "<Reference xmlns=\"http://www.w3.org/2000/09/xmldsig#\" URI=\"\"><Transforms>"
        "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
        "<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">"
        "<XPath xmlns:hl7=\"urn:hl7-org:v3\">ancestor-or-self::hl7:structuredBody</XPath>"
        "</Transform></Transforms>"
        "<DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><DigestValue/>"
        "</Reference>");
  });
  Report report = VerifyBytes(bytes, Trusted());
  EXPECT_TRUE(Rules(report).empty()) << Dump(report);
  EXPECT_TRUE(HasRule(report, "signature.verified"));
  // The same chain selecting nothing of the body covers nothing of it.
  const std::string nothing = Resign(bytes, [](xmlDoc*, xmlNode* ds) {
    xmlNode* xpath =
        xml::FirstChild(xml::FirstChild(xml::FirstChild(NthReference(ds, 2), kDsigNs, "Transforms"),
                                        kDsigNs, "Transform")
                            ->next,
                        kDsigNs, "XPath");
    ASSERT_NE(xpath, nullptr);
    xmlNodeSetContent(xpath, BAD_CAST "ancestor-or-self::hl7:realmCode");
  });
  Report none = VerifyBytes(nothing, Trusted());
  EXPECT_EQ(Rules(none), std::vector<std::string>{"signature.body-not-covered"}) << Dump(none);
}

TEST(XsltSecurityTest, XsltTransformCannotReadFiles) {
  TempDir t;
  const std::string secret = "kanta-secret-" + std::to_string(::getpid());
  WriteFile(t.path() / "secret.txt", secret);
  const std::string path = (t.path() / "secret.txt").string();
  // Signing the document runs the transform too; verification must not read
  // the file either way. Start from a valid signature and swap the chain in.
  Document doc = Parse(SignedSample());
  std::string bytes = SignedSample();
  const std::size_t start = bytes.find("<Reference URI=\"#" + std::string(kBodyId));
  const std::size_t end = bytes.find("</Reference>", start) + std::strlen("</Reference>");
  ASSERT_NE(start, std::string::npos);
  for (const std::string& xslt :
       {"<xsl:variable name=\"leak\" select=\"document('" + path + "')\"/>",
        "<xsl:include href=\"" + path + "\"/>"}) {
    std::string attacked = bytes;
    attacked.replace(start, end - start,
                     LegacyReference(std::string("//*[@ID=\"") + kBodyId + "\"]", xslt));
    SignatureOptions options = Trusted();
    options.explain_dir = (t.path() / "explain").string();
    Report report = VerifyBytes(attacked, options);
    EXPECT_FALSE(HasRule(report, "signature.verified")) << Dump(report);
    for (const Finding& f : report.findings()) {
      EXPECT_EQ(f.message.find(secret), std::string::npos) << f.message;
    }
    for (const auto& e : std::filesystem::directory_iterator(t.path() / "explain")) {
      EXPECT_EQ(ReadFile(e.path()).find(secret), std::string::npos) << e.path();
    }
  }
  // document() on a file or on the network must fail for the security
  // reason, not run.
  for (const std::string& target : {path, std::string("http://127.0.0.1:9/leak.xml")}) {
    std::string attacked = bytes;
    attacked.replace(start, end - start,
                     LegacyReference(std::string("//*[@ID=\"") + kBodyId + "\"]",
                                     "<xsl:template match=\"/\"><xsl:copy-of select=\"document('" +
                                         target + "')\"/></xsl:template>"));
    Report report = VerifyBytes(attacked, Trusted());
    const Finding* failed = Find(report, "signature.reference-failed");
    ASSERT_NE(failed, nullptr) << target << "\n" << Dump(report);
    EXPECT_NE(failed->message.find("denied"), std::string::npos) << failed->message;
  }
}

}  // namespace
}  // namespace kanta::crypto
