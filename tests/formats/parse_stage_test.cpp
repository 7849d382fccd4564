#include "formats/parse_stage.h"

#include <Poco/Base64Encoder.h>
#include <gtest/gtest.h>

#include <sstream>

#include "formats/intake_stage.h"
#include "test_support.h"
#include "xml/xml_tree.h"

namespace kanta::formats {
namespace {

const char kCda[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n"
    "  <id root=\"1.2.246.10.12345678.1.1\"/>\n"
    "  <code code=\"2\" codeSystem=\"1.2.246.537.5.40150.2009\"/>\n"
    "  <effectiveTime value=\"20261122101500\"/>\n"
    "  <setId root=\"1.2.246.10.12345678.1.0\"/>\n"
    "  <versionNumber value=\"2\"/>\n"
    "  <recordTarget><patientRole><id root=\"1.2.246.21\" extension=\"010190-912H\"/>"
    "</patientRole></recordTarget>\n"
    "  <author><assignedAuthor><representedOrganization><id root=\"1.2.246.10.2\"/>"
    "</representedOrganization></assignedAuthor></author>\n"
    "  <custodian><assignedCustodian><representedCustodianOrganization>"
    "<id root=\"1.2.246.10.1\"/><name>Testikunta</name>"
    "</representedCustodianOrganization></assignedCustodian></custodian>\n"
    "</ClinicalDocument>\n";

std::string Base64(const std::string& s) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(76);
  enc << s;
  enc.close();
  return out.str();
}

std::string Message(const std::string& cda, const std::string& content_id) {
  return "<RCMR_IN100002FI01 xmlns=\"urn:hl7-org:v3\" ITSVersion=\"XML_1.0\">\n"
         "  <id root=\"1.2.246.10.12345678.9\" extension=\"42\"/>\n"
         "  <controlActProcess moodCode=\"RQO\"><subject><clinicalDocument>\n"
         "    <text mediaType=\"multipart/related\">MIME-Version: 1.0\n"
         "Content-Type: multipart/related; boundary=\"----=_Part_1\"\n\n"
         "------=_Part_1\n"
         "Content-Type: text/xml; charset=UTF-8\n"
         "Content-Transfer-Encoding: BASE64\n"
         "Content-ID: &lt;" + content_id + "&gt;\n\n" +
         Base64(cda) + "\n------=_Part_1--\n</text>\n"
         "  </clinicalDocument></subject></controlActProcess>\n"
         "</RCMR_IN100002FI01>\n";
}

class ParseStageTest : public ::testing::Test {
 protected:
  Verdict Run(const std::string& bytes) {
    doc_.source = "test.xml";
    doc_.bytes = bytes;
    doc_.loaded = true;
    Result<Verdict> v = IntakeStage(IntakeOptions{}).Process(doc_, report_);
    EXPECT_TRUE(v.ok());
    if (*v != Verdict::kContinue) return *v;
    v = ParseStage(xml::ParseLimits{}).Process(doc_, report_);
    EXPECT_TRUE(v.ok());
    return *v;
  }
  std::string FirstRule() const {
    return report_.findings().empty() ? "" : report_.findings()[0].rule;
  }
  Document doc_;
  Report report_;
};

TEST_F(ParseStageTest, ReadsHeaderFactsOfACda) {
  ASSERT_EQ(Run(kCda), Verdict::kContinue);
  EXPECT_EQ(doc_.kind, DocumentKind::kCda);
  EXPECT_EQ(doc_.facts.id, "1.2.246.10.12345678.1.1");
  EXPECT_EQ(doc_.facts.set_id, "1.2.246.10.12345678.1.0");
  EXPECT_EQ(doc_.facts.version, "2");
  EXPECT_EQ(doc_.facts.patient, "1.2.246.21^010190-912H");
  EXPECT_EQ(doc_.facts.custodian, "1.2.246.10.1");
  EXPECT_EQ(doc_.facts.custodian_name, "Testikunta");
  EXPECT_EQ(doc_.facts.producer, "1.2.246.10.2");  // no responsibleParty: the author's org
  EXPECT_EQ(doc_.facts.register_code, "2");
  EXPECT_EQ(doc_.facts.document_time, "20261122101500");
}

TEST_F(ParseStageTest, UnwrapsTheCdaFromAnArchiveMessage) {
  ASSERT_EQ(Run(Message(kCda, "1.2.246.10.12345678.1.1")), Verdict::kContinue);
  EXPECT_EQ(doc_.kind, DocumentKind::kArchiveMessage);
  EXPECT_EQ(doc_.envelope.kind, "RCMR_IN100002FI01");
  EXPECT_EQ(doc_.envelope.id, "1.2.246.10.12345678.9^42");
  EXPECT_EQ(doc_.facts.id, "1.2.246.10.12345678.1.1");
  EXPECT_EQ(doc_.bytes, kCda);
  EXPECT_TRUE(report_.findings().empty());
}

TEST_F(ParseStageTest, WarnsWhenContentIdDiffersFromDocumentId) {
  ASSERT_EQ(Run(Message(kCda, "1.2.3")), Verdict::kContinue);
  EXPECT_EQ(FirstRule(), "message.content-id-mismatch");
}

TEST_F(ParseStageTest, RefusesMessageWhosePartIsNotBase64Xml) {
  std::string m = Message(kCda, "x");
  const std::size_t at = m.find("PD94");
  ASSERT_NE(at, std::string::npos);
  m.replace(at, 4, "!!!!");
  EXPECT_EQ(Run(m), Verdict::kReject);
  EXPECT_FALSE(report_.findings().empty());
}

TEST_F(ParseStageTest, RefusesMessageWithoutMimeText) {
  EXPECT_EQ(Run("<RCMR_IN100002FI01 xmlns=\"urn:hl7-org:v3\"><id root=\"1.2\"/>"
                "</RCMR_IN100002FI01>"),
            Verdict::kReject);
  EXPECT_EQ(FirstRule(), "message.unwrap-failed");
}

TEST_F(ParseStageTest, UnwrapsTheRealKantaArchiveMessage) {
  KANTA_REQUIRE_CORPUS();
  const auto dir = testing::CorpusDir() / "kanta/messages";
  ASSERT_EQ(Run(testing::ReadFile(dir / "RCMR_IN100016FI01.xml")), Verdict::kContinue);
  EXPECT_EQ(doc_.envelope.kind, "RCMR_IN100016FI01");
  EXPECT_EQ(doc_.envelope.id, "1.2.246.537.10.15675350.10.0.13.2.1.1497502926478.473");
  EXPECT_EQ(doc_.facts.id, "1.2.246.537.10.15675350.91007.3135.2");
  EXPECT_EQ(doc_.facts.version, "2");
  EXPECT_EQ(doc_.bytes, testing::ReadFile(dir / "RCMR_IN100016FI01.embedded-CDA.xml"));
}

TEST_F(ParseStageTest, ReportsFhirXmlAsNotSupported) {
  EXPECT_EQ(Run("<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"x\"/></Patient>"),
            Verdict::kReject);
  EXPECT_EQ(FirstRule(), "intake.fhir-not-supported");
  EXPECT_EQ(report_.outcome(), Outcome::kError);
}

TEST_F(ParseStageTest, ReportsFhirJsonAsNotSupported) {
  EXPECT_EQ(Run("{\"resourceType\": \"Observation\"}"), Verdict::kReject);
  EXPECT_EQ(FirstRule(), "intake.fhir-not-supported");
  EXPECT_NE(report_.findings()[0].message.find("Observation"), std::string::npos);
}

TEST_F(ParseStageTest, NamesTheWrongRootAndTheMissingNamespace) {
  EXPECT_EQ(Run("<ClinicalDocument/>"), Verdict::kReject);
  EXPECT_NE(report_.findings()[0].message.find("no namespace"), std::string::npos);
  report_ = Report();
  EXPECT_EQ(Run("<html xmlns='http://www.w3.org/1999/xhtml'/>"), Verdict::kReject);
  EXPECT_NE(report_.findings()[0].message.find("{http://www.w3.org/1999/xhtml}html"),
            std::string::npos);
  EXPECT_EQ(report_.outcome(), Outcome::kInvalid);
}

}  // namespace
}  // namespace kanta::formats
