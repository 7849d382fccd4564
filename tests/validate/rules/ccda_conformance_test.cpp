// The engine on a real third-party rule set: the HL7 C-CDA R2.1 Schematron
// (abstract rules, extends, phases, let, document()) on the C-CDA examples.
// The pinned sets were checked by reading each assert and the document (see
// docs/rules-engine.md for the reasoning).
#include <gtest/gtest.h>

#include <algorithm>

#include "formats/parse_stage.h"
#include "test_support.h"
#include "validate/rules/schematron.h"
#include "xml/xml_tree.h"

namespace kanta::validate::rules {
namespace {

namespace fs = std::filesystem;

fs::path CcdaSchema() {
  return testing::CorpusDir() / "c-cda/ccda-2.1/validation" /
         "Consolidated CDA Templates for Clinical Notes (US Realm) DSTU R2.1.sch";
}

// (assert id, XPath) of every failed assert, sorted.
std::vector<std::pair<std::string, std::string>> Failed(const CompiledSchematron& s,
                                                        const fs::path& file) {
  Document doc;
  doc.bytes = testing::ReadFile(file);
  doc.loaded = true;
  Report parse;
  EXPECT_EQ(*formats::ParseStage(xml::ParseLimits{}).Process(doc, parse), Verdict::kContinue);
  Report r;
  EXPECT_TRUE(s.Validate(xml::TreeOf(doc), r).ok());
  std::vector<std::pair<std::string, std::string>> out;
  for (const Finding& f : r.findings()) {
    if (f.rule.rfind("rules.", 0) == 0) continue;  // the voc.xml note
    out.emplace_back(f.rule, f.location.xpath);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class CcdaConformanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (testing::CorpusDir().empty()) return;
    for (const char* phase : {"#ALL", "errors"}) {
      SchematronOptions o;
      o.phase = phase;
      auto s = CompiledSchematron::Load(CcdaSchema().string(), o);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      (std::string(phase) == "#ALL" ? all_ : errors_) = s->release();
    }
  }
  static void TearDownTestSuite() {
    delete all_;
    delete errors_;
  }
  void SetUp() override { KANTA_REQUIRE_CORPUS(); }
  static fs::path Example(const char* rel) { return testing::CorpusDir() / "c-cda/examples" / rel; }
  static CompiledSchematron* all_;
  static CompiledSchematron* errors_;
};
CompiledSchematron* CcdaConformanceTest::all_ = nullptr;
CompiledSchematron* CcdaConformanceTest::errors_ = nullptr;

using Pins = std::vector<std::pair<std::string, std::string>>;

TEST_F(CcdaConformanceTest, LoadsTheWholeRuleSetWithItsAbstractRulesAndPhases) {
  EXPECT_GT(all_->rule_count(), 400u);
  EXPECT_GT(all_->assertion_count(), errors_->assertion_count());
  ASSERT_EQ(all_->load_warnings().size(), 1u);  // voc.xml is not in the corpus
  EXPECT_NE(all_->load_warnings()[0].find("voc.xml"), std::string::npos);
}

TEST_F(CcdaConformanceTest, SurgicalConsultFailsExactlyThreeHeaderShoulds) {
  const fs::path f = Example("Unstructured/CDA with Embedded Text plain/CDA_Embedded_Text_Plain_Surgical_Consult.xml");
  EXPECT_EQ(Failed(*all_, f), (Pins{{"a-1198-16820", "/ClinicalDocument"},
                                    {"a-1198-5579", "/ClinicalDocument"},
                                    {"a-1198-9965", "/ClinicalDocument"}}));
  // All three are SHOULDs, in the warnings phase.
  EXPECT_TRUE(Failed(*errors_, f).empty());
}

TEST_F(CcdaConformanceTest, EmbeddedPdfLacksTheCompatibleR11TemplateId) {
  const fs::path f = Example("Unstructured/CDA with Embedded PDF 2/CDA_with_Embedded_PDF.xml");
  EXPECT_EQ(Failed(*all_, f), (Pins{{"a-1198-5414", "/ClinicalDocument"},
                                    {"a-1198-5579", "/ClinicalDocument"},
                                    {"hasCompatibleR1.1TemplateId", "/ClinicalDocument/templateId[1]"}}));
  EXPECT_EQ(Failed(*errors_, f),
            (Pins{{"hasCompatibleR1.1TemplateId", "/ClinicalDocument/templateId[1]"}}));
}

TEST_F(CcdaConformanceTest, UnstructuredReferenceMissesUseOnSixHeaderAddresses) {
  const fs::path f = Example("Unstructured/CDA reference PDF/Unstructured_Document_reference.xml");
  EXPECT_EQ(Failed(*all_, f),
            (Pins{{"a-81-7290", "/ClinicalDocument/authenticator/assignedEntity/addr"},
                  {"a-81-7290", "/ClinicalDocument/author/assignedAuthor/addr"},
                  {"a-81-7290", "/ClinicalDocument/dataEnterer/assignedEntity/addr"},
                  {"a-81-7290", "/ClinicalDocument/informant[1]/assignedEntity/addr"},
                  {"a-81-7290", "/ClinicalDocument/legalAuthenticator/assignedEntity/addr"},
                  {"a-81-7290", "/ClinicalDocument/recordTarget/patientRole/providerOrganization/addr"}}));
}

TEST_F(CcdaConformanceTest, RunsOnEveryWholeCcdaDocumentWithoutEvaluationErrors) {
  std::size_t whole = 0;
  for (const fs::path& f : testing::XmlFilesUnder(testing::CorpusDir() / "c-cda")) {
    Document doc;
    doc.bytes = testing::ReadFile(f);
    doc.loaded = true;
    Report parse;
    auto v = formats::ParseStage(xml::ParseLimits{}).Process(doc, parse);
    if (!v.ok() || *v != Verdict::kContinue) continue;
    ++whole;
    Report r;
    ASSERT_TRUE(all_->Validate(xml::TreeOf(doc), r).ok());
    for (const Finding& x : r.findings()) {
      EXPECT_NE(x.rule, "rules.evaluation-error") << f << ": " << x.message;
    }
  }
  EXPECT_GE(whole, 20u);
}

}  // namespace
}  // namespace kanta::validate::rules
