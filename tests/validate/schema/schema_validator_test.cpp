#include "validate/schema/schema_validator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "formats/parse_stage.h"
#include "test_support.h"
#include "xml/xml_tree.h"

namespace kanta::validate {
namespace {

namespace fs = std::filesystem;

// Parses bytes into a Document the way the pipeline does (archive messages
// are unwrapped). Returns false when the bytes are not a parsable CDA.
bool MakeDocument(const std::string& bytes, Document& doc) {
  doc.bytes = bytes;
  doc.loaded = true;
  Report r;
  Result<Verdict> v = formats::ParseStage(xml::ParseLimits{}).Process(doc, r);
  return v.ok() && *v == Verdict::kContinue;
}

struct Verdicts {
  bool valid = false;
  Report report;
};

Verdicts Check(const SchemaValidator& v, const Document& doc) {
  Verdicts out;
  Status s = v.Validate(doc, out.report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  out.valid = out.report.outcome() == Outcome::kValid;
  return out;
}

// Both engines, loaded once for the whole suite (as the program does).
class SchemaEnginesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (testing::CorpusDir().empty()) return;
    const std::string xsd = (testing::CorpusDir() / "kanta/schemas/CDA_Fi.xsd").string();
    for (SchemaEngine e : {SchemaEngine::kLibxml2, SchemaEngine::kXerces}) {
      SchemaOptions o;
      o.engine = e;
      o.schema_file = xsd;
      Result<std::unique_ptr<SchemaValidator>> v = LoadSchemaValidator(o);
      ASSERT_TRUE(v.ok()) << v.status().ToString();
      (e == SchemaEngine::kLibxml2 ? libxml2_ : xerces_) = std::move(*v).release();
    }
  }
  static void TearDownTestSuite() {
    delete libxml2_;
    delete xerces_;
    libxml2_ = xerces_ = nullptr;
  }
  void SetUp() override { KANTA_REQUIRE_CORPUS(); }

  static std::vector<fs::path> KantaDocuments() {
    auto files = testing::XmlFilesUnder(testing::CorpusDir() / "kanta/documents");
    files.push_back(testing::CorpusDir() / "kanta/messages/RCMR_IN100016FI01.xml");
    return files;
  }

  static SchemaValidator* libxml2_;
  static SchemaValidator* xerces_;
};
SchemaValidator* SchemaEnginesTest::libxml2_ = nullptr;
SchemaValidator* SchemaEnginesTest::xerces_ = nullptr;

TEST_F(SchemaEnginesTest, EveryKantaDocumentIsValidWithBothEngines) {
  const auto files = KantaDocuments();
  ASSERT_GT(files.size(), 60u);
  for (const fs::path& f : files) {
    Document doc;
    ASSERT_TRUE(MakeDocument(testing::ReadFile(f), doc)) << f;
    for (SchemaValidator* v : {libxml2_, xerces_}) {
      Verdicts r = Check(*v, doc);
      EXPECT_TRUE(r.valid) << f << " with " << SchemaEngineName(v->engine()) << ": "
                           << (r.report.findings().empty() ? ""
                                                           : r.report.findings()[0].message);
    }
  }
}

TEST_F(SchemaEnginesTest, EnginesAgreeOnEveryWholeCdaInTheCorpus) {
  std::vector<fs::path> files = KantaDocuments();
  for (const char* sub : {"c-cda", "cda-core/examples"}) {
    for (auto& f : testing::XmlFilesUnder(testing::CorpusDir() / sub)) files.push_back(f);
  }
  std::size_t whole = 0, valid = 0;
  for (const fs::path& f : files) {
    Document doc;
    if (!MakeDocument(testing::ReadFile(f), doc)) continue;  // fragments, other roots
    ++whole;
    const bool a = Check(*libxml2_, doc).valid;
    const bool b = Check(*xerces_, doc).valid;
    EXPECT_EQ(a, b) << f;
    valid += a ? 1 : 0;
  }
  EXPECT_GT(whole, 100u);
  std::cout << "[ info ] engines agree on " << whole << " whole CDA documents (" << valid
            << " valid against CDA_Fi.xsd)\n";
}

// One mutation of a document; both engines must call the result invalid.
struct Mutation {
  const char* name;
  const char* from;
  const char* to;
};

TEST_F(SchemaEnginesTest, MutatedKantaDocumentsAreInvalidForBothEngines) {
  const std::vector<Mutation> mutations = {
      {"required element removed", "<typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>", ""},
      // Together with the removal below, this swaps realmCode and typeId.
      {"siblings swapped", "<typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>",
       "<typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/><realmCode code=\"FI\"/>"},
      {"bad attribute value", "<versionNumber value=\"1\"/>", "<versionNumber value=\"one\"/>"},
      {"unknown element", "<languageCode code=\"fi\"/>", "<languageCode code=\"fi\"/><colour/>"},
      {"bad classCode", "<ClinicalDocument ", "<ClinicalDocument classCode=\"XYZ\" "},
  };
  const fs::path f = testing::CorpusDir() / "kanta/documents/Esim_OSVA_Omakannasta.xml";
  const std::string original = testing::ReadFile(f);
  for (const Mutation& m : mutations) {
    std::string bytes = original;
    const std::size_t at = bytes.find(m.from);
    ASSERT_NE(at, std::string::npos) << m.name;
    bytes.replace(at, std::strlen(m.from), m.to);
    if (std::string_view(m.name) == "siblings swapped") {
      const std::string first = "<realmCode code=\"FI\"/>";
      bytes.erase(bytes.find(first), first.size());
    }
    Document doc;
    ASSERT_TRUE(MakeDocument(bytes, doc)) << m.name;
    Verdicts a = Check(*libxml2_, doc);
    Verdicts b = Check(*xerces_, doc);
    EXPECT_FALSE(a.valid) << m.name << " (libxml2)";
    EXPECT_FALSE(b.valid) << m.name << " (xerces)";
    for (Verdicts* v : {&a, &b}) {
      ASSERT_FALSE(v->report.findings().empty());
      const Finding& first = v->report.findings()[0];
      EXPECT_EQ(first.stage, "schema");
      EXPECT_GT(first.location.line, 0) << m.name;
      EXPECT_EQ(first.location.xpath.rfind("/ClinicalDocument", 0), 0u)
          << m.name << ": " << first.location.xpath;
    }
  }
  // Breaking well-formedness stops the document before the schema stage.
  Document broken;
  EXPECT_FALSE(MakeDocument(original.substr(0, original.size() / 2), broken));
}

TEST_F(SchemaEnginesTest, BothEnginesPointAtTheOffendingElement) {
  std::string bytes = testing::ReadFile(testing::CorpusDir() /
                                        "kanta/documents/Esim_OSVA_Omakannasta.xml");
  // libxml2 stops checking a parent's content at its first unexpected child,
  // so the bad attribute comes first.
  const std::string from = "<versionNumber value=\"1\"/>";
  bytes.replace(bytes.find(from), from.size(), "<versionNumber value=\"x\"/><colour/>");
  Document doc;
  ASSERT_TRUE(MakeDocument(bytes, doc));
  for (SchemaValidator* v : {libxml2_, xerces_}) {
    Verdicts r = Check(*v, doc);
    std::vector<std::string> paths;
    for (const Finding& f : r.report.findings()) paths.push_back(f.location.xpath);
    EXPECT_NE(std::find(paths.begin(), paths.end(), "/ClinicalDocument/versionNumber"),
              paths.end()) << SchemaEngineName(v->engine()) << ": " << ::testing::PrintToString(paths);
    EXPECT_NE(std::find(paths.begin(), paths.end(), "/ClinicalDocument/colour"), paths.end())
        << SchemaEngineName(v->engine()) << ": " << ::testing::PrintToString(paths);
  }
}

TEST(FindSchemaEntryTest, PrefersCdaFiOverCdaAndShallowOverDeep) {
  testing::TempDir t;
  testing::WriteFile(t.path() / "deep/er/CDA_Fi.xsd", "x");
  testing::WriteFile(t.path() / "cda.xsd", "x");
  testing::WriteFile(t.path() / "sub/cda_fi.XSD", "x");
  Result<std::string> r = FindSchemaEntry(t.path().string());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (t.path() / "sub/cda_fi.XSD").string());
  EXPECT_EQ(*FindSchemaEntry((t.path() / "cda.xsd").string()), (t.path() / "cda.xsd").string());
  EXPECT_EQ(FindSchemaEntry((t.path() / "nope").string()).status().code(), StatusCode::kNotFound);
}

TEST(LoadSchemaValidatorTest, BrokenSchemaIsAConfigurationErrorForBothEngines) {
  testing::TempDir t;
  testing::WriteFile(t.path() / "bad.xsd",
                     "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>"
                     "<xs:element name='a' type='nosuch'/></xs:schema>");
  for (SchemaEngine e : {SchemaEngine::kLibxml2, SchemaEngine::kXerces}) {
    SchemaOptions o;
    o.engine = e;
    o.schema_file = (t.path() / "bad.xsd").string();
    Result<std::unique_ptr<SchemaValidator>> v = LoadSchemaValidator(o);
    ASSERT_FALSE(v.ok()) << SchemaEngineName(e);
    EXPECT_NE(v.status().message().find("bad.xsd"), std::string::npos);
  }
}

}  // namespace
}  // namespace kanta::validate
