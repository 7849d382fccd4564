#include "registers/stamper.h"

#include <gtest/gtest.h>

#include "formats/cda/local_header.h"
#include "registers/stamp_stage.h"
#include "test_support.h"
#include "validate/schema/schema_validator.h"
#include "xml/secure_parser.h"

namespace kanta::registers {
namespace {

Document Load(const std::string& bytes) {
  Document doc;
  doc.bytes = bytes;
  doc.loaded = true;
  doc.kind = DocumentKind::kCda;
  Report report;
  auto tree = xml::SecureParser().Parse(doc.bytes, "test", "parse", report);
  EXPECT_TRUE(tree.ok() && *tree != nullptr);
  doc.tree = std::move(*tree);
  return doc;
}

xmlNode* Root(const Document& doc) { return xmlDocGetRootElement(xml::TreeOf(doc)); }

std::shared_ptr<const validate::SchemaValidator> BundledSchema(
    validate::SchemaEngine engine = validate::SchemaEngine::kLibxml2) {
  validate::SchemaOptions o;
  o.engine = engine;
  o.schema_file = (testing::SourceDir() / "schemas/cda/CDA_Fi.xsd").string();
  auto v = validate::LoadSchemaValidator(o);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return std::move(*v);
}

Decision OrganiserDecision() {
  Decision d;
  d.custodian = "1.2.246.10.90000011.19.0";
  d.custodian_name = "Pohjanmaan testihyvinvointialue";
  d.custodian_type = "1";
  d.register_code = "2";
  d.register_system = "1.2.246.537.5.40150.2009";
  d.organiser = "1.2.246.10.90000011.10.0";
  d.organiser_name = "Pohjanmaan testihyvinvointialue";
  d.basis_kind = "outsourcing-authorisation";
  return d;
}

// Names of the localHeader children, in document order.
std::vector<std::string> LocalHeaderNames(xmlNode* root) {
  std::vector<std::string> names;
  xmlNode* h = xml::FirstChild(root, xml::kHl7FiNs, "localHeader");
  for (xmlNode* c = h != nullptr ? h->children : nullptr; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) names.emplace_back(reinterpret_cast<const char*>(c->name));
  }
  return names;
}

bool InSchemaOrder(const std::vector<std::string>& names) {
  std::size_t last = 0;
  for (const std::string& n : names) {
    const auto& order = formats::cda::kLocalHeaderOrder;
    const std::size_t at = static_cast<std::size_t>(std::find(order.begin(), order.end(), n) - order.begin());
    if (at < last) return false;
    last = at;
  }
  return true;
}

TEST(StamperTest, WritesTheOrganiserRegisterInSchemaOrderAndStillValidates) {
  Document doc = Load(testing::ReadFile(testing::SourceDir() /
                                        "samples/documents/valid/05-outsourced-for-organiser.xml"));
  Report report;
  doc.decision = OrganiserDecision();
  StampStage stage(BundledSchema());
  ASSERT_TRUE(stage.Process(doc, report).ok());
  EXPECT_EQ(report.outcome(), Outcome::kValid);
  for (const Finding& f : report.findings()) EXPECT_NE(f.rule, "stamp.schema-invalid") << f.message;

  // What the header says now, read back from the serialised bytes.
  Document again = Load(doc.bytes);
  xmlNode* root = Root(again);
  const HeaderFacts facts = [&] {
    HeaderFacts f;
    xmlNode* code = xml::FirstChild(root, xml::kHl7V3Ns, "code");
    f.register_code = xml::Attribute(code, "code");
    return f;
  }();
  EXPECT_EQ(facts.register_code, "2");
  EXPECT_NE(doc.bytes.find("<hl7fi:custodianTypeCode code=\"1\" codeSystem=\"1.2.246.537.5.40172.2008\""),
            std::string::npos);
  EXPECT_NE(doc.bytes.find("displayName=\"Julkinen terveydenhuolto\""), std::string::npos);
  const std::vector<std::string> names = LocalHeaderNames(root);
  EXPECT_TRUE(InSchemaOrder(names));
  EXPECT_NE(std::find(names.begin(), names.end(), "outsourcingServiceCustomerName"), names.end());
  // The producer stays the responsible party.
  EXPECT_NE(doc.bytes.find("1.2.246.10.90000033.10.0"), std::string::npos);
}

TEST(StamperTest, ReportsOnlyWhatChanged) {
  Document doc = Load(testing::ReadFile(testing::SourceDir() /
                                        "samples/documents/valid/05-outsourced-for-organiser.xml"));
  const auto first = StampHeader(Root(doc), OrganiserDecision());
  ASSERT_FALSE(first.empty());
  bool register_changed = false;
  for (const StampChange& c : first) {
    if (c.field == "code (register)") {
      register_changed = true;
      EXPECT_EQ(c.before, "3 (1.2.246.537.5.40150.2009)");
      EXPECT_EQ(c.after, "2 (1.2.246.537.5.40150.2009)");
    }
    EXPECT_NE(c.field, "custodian/id");  // already the organiser's custodian
  }
  EXPECT_TRUE(register_changed);
  EXPECT_TRUE(StampHeader(Root(doc), OrganiserDecision()).empty());  // idempotent
}

TEST(StamperTest, WritesAndRemovesTheRegisterSpecifier) {
  Document doc = Load(testing::ReadFile(testing::SourceDir() /
                                        "samples/documents/valid/03-occupational-health-register4.xml"));
  Decision d = OrganiserDecision();
  d.register_code = "4";
  d.specifier = "1.2.246.10^7654321-9";
  d.specifier_name = "Asiakasyritys Esimerkki Oy";
  StampHeader(Root(doc), d);
  ASSERT_TRUE(xml::Serialize(xml::TreeOf(doc)).ok());
  std::string bytes = *xml::Serialize(xml::TreeOf(doc));
  EXPECT_NE(bytes.find("extension=\"7654321-9\""), std::string::npos);
  EXPECT_EQ(bytes.find("1388991-2"), std::string::npos);  // the old specifier is gone

  d.register_code = "2";
  d.specifier.clear();
  d.specifier_name.clear();
  const auto changes = StampHeader(Root(doc), d);
  bytes = *xml::Serialize(xml::TreeOf(doc));
  EXPECT_EQ(bytes.find("patientRegistrySpecifier"), std::string::npos);
  EXPECT_TRUE(InSchemaOrder(LocalHeaderNames(Root(doc))));
  bool removed = false;
  for (const StampChange& c : changes) removed |= c.field == "hl7fi:patientRegistrySpecifier" && c.after.empty();
  EXPECT_TRUE(removed);
}

TEST(StamperTest, CreatesTheLocalHeaderInItsPlaceWhenTheDocumentHasNone) {
  const std::string plain =
      "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><realmCode code=\"FI\"/>"
      "<typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>"
      "<id root=\"1.2.246.10.90000033.91.1\"/>"
      "<code code=\"3\" codeSystem=\"1.2.246.537.5.40150.2009\"/><title>T</title>"
      "<effectiveTime value=\"20260615\"/><confidentialityCode code=\"5\" codeSystem=\"1.2.246.777.5.99902.2006\"/>"
      "<recordTarget><patientRole><id root=\"1.2.246.21\" extension=\"150386-9309\"/></patientRole></recordTarget>"
      "<author><time value=\"20260615\"/><assignedAuthor><id root=\"1.2.246.21\" extension=\"010170-925B\"/>"
      "<representedOrganization><id root=\"1.2.246.10.90000033.10.0\"/></representedOrganization>"
      "</assignedAuthor></author>"
      "<custodian><assignedCustodian><representedCustodianOrganization><id root=\"1.2.246.10.90000033.19.0\"/>"
      "</representedCustodianOrganization></assignedCustodian></custodian>"
      "<componentOf><encompassingEncounter><effectiveTime value=\"20260615\"/></encompassingEncounter></componentOf>"
      "<component><structuredBody><component><section><title>S</title></section></component>"
      "</structuredBody></component></ClinicalDocument>";
  Document doc = Load(plain);
  Report report;
  doc.decision = OrganiserDecision();
  StampStage stage(BundledSchema());
  ASSERT_TRUE(stage.Process(doc, report).ok());
  for (const Finding& f : report.findings()) EXPECT_NE(f.severity, Severity::kError) << f.message;
  const std::size_t header = doc.bytes.find("<hl7fi:localHeader xmlns:hl7fi=\"urn:hl7finland\">");
  ASSERT_NE(header, std::string::npos) << doc.bytes;
  EXPECT_LT(doc.bytes.find("</componentOf>"), header);
  EXPECT_LT(header, doc.bytes.find("<component>"));
  EXPECT_NE(doc.bytes.find("<name>Pohjanmaan testihyvinvointialue</name></representedCustodianOrganization>"),
            std::string::npos);
}

TEST(StamperTest, AStampThatBreaksTheSchemaIsAnError) {
  Document doc = Load(testing::ReadFile(testing::SourceDir() /
                                        "samples/documents/valid/05-outsourced-for-organiser.xml"));
  Decision d = OrganiserDecision();
  d.custodian_type = "not a code";  // cs must not contain white space
  doc.decision = d;
  Report report;
  StampStage stage(BundledSchema());
  ASSERT_TRUE(stage.Process(doc, report).ok());
  bool found = false;
  for (const Finding& f : report.findings()) found |= f.rule == "stamp.schema-invalid";
  EXPECT_TRUE(found);
  EXPECT_EQ(report.outcome(), Outcome::kInvalid);
}

TEST(StamperTest, BothEnginesCheckTheStampedHeader) {
  for (auto engine : {validate::SchemaEngine::kLibxml2, validate::SchemaEngine::kXerces}) {
    const std::string sample = testing::ReadFile(
        testing::SourceDir() / "samples/documents/valid/05-outsourced-for-organiser.xml");
    Document good = Load(sample);
    good.decision = OrganiserDecision();
    Report ok;
    StampStage stage(BundledSchema(engine));
    ASSERT_TRUE(stage.Process(good, ok).ok());
    EXPECT_EQ(ok.outcome(), Outcome::kValid) << validate::SchemaEngineName(engine);
    Document bad = Load(sample);
    Decision d = OrganiserDecision();
    d.custodian_type = "not a code";
    bad.decision = d;
    Report broken;
    ASSERT_TRUE(stage.Process(bad, broken).ok());
    EXPECT_EQ(broken.outcome(), Outcome::kInvalid) << validate::SchemaEngineName(engine);
  }
}

TEST(StamperTest, KnowsTheHealthRegisterNames) {
  EXPECT_EQ(HealthRegisterName("4"), "Työterveyshuolto");
  EXPECT_EQ(HealthRegisterName("13"), "Arkistoasiakirjat");
  EXPECT_EQ(HealthRegisterName("5"), "");
}

}  // namespace
}  // namespace kanta::registers
