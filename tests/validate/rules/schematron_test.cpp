#include "validate/rules/schematron.h"

#include <gtest/gtest.h>
#include <libxml/xpathInternals.h>

#include <algorithm>

#include "test_support.h"
#include "xml/secure_parser.h"
#include "xml/xml_ptr.h"

namespace kanta::validate::rules {
namespace {

constexpr char kHead[] =
    "<schema xmlns='http://purl.oclc.org/dsdl/schematron' queryBinding='xslt1'>"
    "<ns prefix='h' uri='urn:hl7-org:v3'/>";

constexpr char kDoc[] =
    "<ClinicalDocument xmlns='urn:hl7-org:v3'>\n"
    "  <id root='1.2.3'/>\n"
    "  <title>Otsikko</title>\n"
    "  <component><section><code code='A'/><entry><observation classCode='OBS'><code code='x'/>"
    "</observation></entry></section></component>\n"
    "  <component><section><code code='B'/></section></component>\n"
    "</ClinicalDocument>\n";

class SchematronTest : public ::testing::Test {
 protected:
  // Writes `body` (inside the schema element) and loads it.
  Result<std::unique_ptr<CompiledSchematron>> Load(const std::string& body,
                                                   const std::string& attrs = "",
                                                   SchematronOptions options = {}) {
    std::string text = kHead;
    if (!attrs.empty()) text.insert(text.find("queryBinding"), attrs + " ");
    text += body + "</schema>";
    testing::WriteFile(dir_.path() / "s.sch", text);
    return CompiledSchematron::Load((dir_.path() / "s.sch").string(), options);
  }
  // Loads `body`, runs it on `doc` and returns the findings.
  std::vector<Finding> Run(const std::string& body, const std::string& doc = kDoc,
                           SchematronOptions options = {}) {
    auto s = Load(body, "", options);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return {};
    Report parse_report;
    auto tree = xml::SecureParser().Parse(doc, "d", "parse", parse_report);
    EXPECT_TRUE(tree.ok() && *tree);
    Report r;
    EXPECT_TRUE((*s)->Validate((*tree)->doc(), r).ok());
    return r.findings();
  }
  static std::vector<std::string> Ids(const std::vector<Finding>& f) {
    std::vector<std::string> out;
    for (const auto& x : f) out.push_back(x.rule);
    return out;
  }
  testing::TempDir dir_;
};

TEST_F(SchematronTest, FailedAssertAndSuccessfulReportBecomeFindings) {
  auto f = Run("<pattern><rule context='h:ClinicalDocument'>"
               "<assert id='A1' test='h:setId'>no setId</assert>"
               "<assert id='A2' test='h:id'>never</assert>"
               "<report id='R1' test='h:title'>has a title</report>"
               "</rule></pattern>");
  EXPECT_EQ(Ids(f), (std::vector<std::string>{"A1", "R1"}));
  EXPECT_EQ(f[0].message, "no setId");
  EXPECT_EQ(f[0].stage, "rules");
  EXPECT_EQ(f[0].location.xpath, "/ClinicalDocument");
  EXPECT_EQ(f[0].location.line, 1);
}

TEST_F(SchematronTest, WithinAPatternTheFirstMatchingRuleClaimsTheNode) {
  auto f = Run("<pattern>"
               "<rule context='h:section[h:code/@code=\"A\"]'><assert id='first' test='false()'>a</assert></rule>"
               "<rule context='h:section'><assert id='second' test='false()'>b</assert></rule>"
               "</pattern>"
               "<pattern><rule context='h:section'><assert id='other' test='false()'>c</assert></rule></pattern>");
  // Section A: first rule only; section B: second rule; the other pattern sees both.
  EXPECT_EQ(Ids(f), (std::vector<std::string>{"first", "second", "other", "other"}));
  EXPECT_EQ(f[0].location.xpath, "/ClinicalDocument/component[1]/section");
}

TEST_F(SchematronTest, LetsAtSchemaPatternAndRuleLevel) {
  auto f = Run("<let name='doc' value='/h:ClinicalDocument'/>"
               "<pattern><let name='n' value='count($doc/h:component)'/>"
               "<rule context='h:section'><let name='c' value='string(h:code/@code)'/>"
               "<report id='L' test='true()'>section <value-of select='$c'/> of <value-of select='$n'/></report>"
               "</rule></pattern>");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].message, "section A of 2");
  EXPECT_EQ(f[1].message, "section B of 2");
}

TEST_F(SchematronTest, AbstractRulesAreAddedByExtends) {
  auto f = Run("<pattern>"
               "<rule abstract='true' id='has-code'><assert id='C' test='h:code/@code=\"Z\"'>code <value-of select='h:code/@code'/></assert></rule>"
               "<rule context='h:section'><extends rule='has-code'/><assert id='T' test='h:title'>no title</assert></rule>"
               "</pattern>");
  EXPECT_EQ(Ids(f), (std::vector<std::string>{"C", "T", "C", "T"}));
  EXPECT_EQ(f[0].message, "code A");
}

// Parameters are put into attribute values (context, test, select, ...), as
// the standard says; message text is left alone, so messages use value-of.
TEST_F(SchematronTest, AbstractPatternsAreInstantiatedWithParams) {
  auto f = Run("<pattern abstract='true' id='present'>"
               "<rule context='$parent'><assert id='$rule' test='$child'><name/> lacks "
               "<value-of select=\"'$child'\"/></assert></rule></pattern>"
               "<pattern is-a='present' id='p1'><param name='parent' value='h:ClinicalDocument'/>"
               "<param name='child' value='h:setId'/><param name='rule' value='P-1'/></pattern>"
               "<pattern is-a='present' id='p2'><param name='parent' value='h:section'/>"
               "<param name='child' value='h:entry'/><param name='rule' value='P-2'/></pattern>");
  EXPECT_EQ(Ids(f), (std::vector<std::string>{"P-1", "P-2"}));
  EXPECT_EQ(f[0].message, "ClinicalDocument lacks h:setId");
  EXPECT_EQ(f[1].location.xpath, "/ClinicalDocument/component[2]/section");
}

TEST_F(SchematronTest, PhasesSelectPatternsAndDefaultPhaseApplies) {
  const std::string body =
      "<phase id='one'><active pattern='a'/></phase><phase id='two'><active pattern='b'/></phase>"
      "<pattern id='a'><rule context='h:title'><report id='A' test='true()'>a</report></rule></pattern>"
      "<pattern id='b'><rule context='h:title'><report id='B' test='true()'>b</report></rule></pattern>";
  EXPECT_EQ(Ids(Run(body)), (std::vector<std::string>{"A", "B"}));
  SchematronOptions two;
  two.phase = "two";
  EXPECT_EQ(Ids(Run(body, kDoc, two)), (std::vector<std::string>{"B"}));
  SchematronOptions all;
  all.phase = "#ALL";
  auto s = Load(body, "defaultPhase='one'");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->rule_count(), 1u);
  SchematronOptions nosuch;
  nosuch.phase = "three";
  EXPECT_FALSE(Load(body, "", nosuch).ok());
}

TEST_F(SchematronTest, IncludeBringsInAPatternFromAnotherFile) {
  testing::WriteFile(dir_.path() / "part.sch",
                     "<pattern xmlns='http://purl.oclc.org/dsdl/schematron'><rule context='h:title'>"
                     "<report id='INC' test='true()'>included</report></rule></pattern>");
  EXPECT_EQ(Ids(Run("<include href='part.sch'/>")), (std::vector<std::string>{"INC"}));
}

TEST_F(SchematronTest, DiagnosticsAreAppendedToTheMessage) {
  auto f = Run("<pattern><rule context='h:title'><assert id='D' test='false()' diagnostics='d1'>"
               "bad title</assert></rule></pattern>"
               "<diagnostics><diagnostic id='d1'>It was '<value-of select='.'/>'.</diagnostic></diagnostics>");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message, "bad title It was 'Otsikko'.");
}

TEST_F(SchematronTest, RoleAndFlagSetTheSeverity) {
  auto f = Run("<pattern><rule context='h:title'>"
               "<report id='F' role='fatal' test='true()'>f</report>"
               "<report id='W' role='WARNING' test='true()'>w</report>"
               "<report id='I' flag='info' test='true()'>i</report>"
               "<report id='E' test='true()'>e</report>"
               "</rule></pattern>");
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].severity, Severity::kFatal);
  EXPECT_EQ(f[1].severity, Severity::kWarning);
  EXPECT_EQ(f[2].severity, Severity::kInfo);
  EXPECT_EQ(f[3].severity, Severity::kError);
}

TEST_F(SchematronTest, IdFallsBackToRuleThenGenerated) {
  auto f = Run("<pattern id='pat'><rule id='RULE' context='h:title'><report test='true()'>x</report></rule>"
               "<rule context='h:id'><report test='true()'>y</report></rule></pattern>"
               "<pattern><rule context='h:id'><report test='true()'>z</report></rule></pattern>");
  EXPECT_EQ(Ids(f), (std::vector<std::string>{"RULE", "pat", "sch:2.1.1"}));
}

TEST_F(SchematronTest, CurrentReturnsTheRuleContextAndUnionContextsWork) {
  auto f = Run("<pattern><rule context='h:title | h:id'>"
               "<report id='U' test='count(/h:ClinicalDocument/*[name() = name(current())]) = 1'>"
               "<name/></report></rule></pattern>"
               "<pattern><rule context='@root'><report id='ATTR' test='. = \"1.2.3\"'>root</report></rule></pattern>");
  EXPECT_EQ(Ids(f), (std::vector<std::string>{"U", "U", "ATTR"}));
  EXPECT_EQ(f[0].message, "id");  // document order: id before title
}

TEST_F(SchematronTest, NamesTheUnsupportedFunctionHoweverTheCallIsWritten) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      // expression, the function named in the error ("" when it loads)
      {"fn:count(.) = 1", "fn:count"},
      {"count (h:id) = 1", ""},
      {"2*count(h:id) > 0", ""},
      {"ancestor::h:x or current-dateTime() = ''", "current-dateTime"},
      {"string-length(.) > format-number(1, '0')", "format-number"},
      {"child::text() = 'x' and self::node() and not(processing-instruction())", ""},
      {"h:code[@code = 'matches(']", ""},
      {"key('k', .)", "key"},
      {"1 -matches(., 'a')", "matches"},
      {"h:foo(.)", "h:foo"},
      {"(1) and (2)", ""},
      {"concat('a', \"b(\") != substring-before(., 'x')", ""},
  };
  for (const auto& [expr, function] : cases) {
    std::string quoted;
    for (char c : expr) quoted += c == '\'' ? std::string("&apos;") : std::string(1, c);
    auto s = Load("<pattern><rule context='h:title'><assert test='" + quoted + "'>m</assert></rule></pattern>");
    if (function.empty()) {
      EXPECT_TRUE(s.ok()) << expr << ": " << s.status().ToString();
    } else {
      ASSERT_FALSE(s.ok()) << expr;
      EXPECT_NE(s.status().message().find("uses the function " + function + "()"), std::string::npos)
          << expr << ": " << s.status().message();
    }
  }
}

TEST_F(SchematronTest, RefusesUnsupportedBindingsFunctionsAndBadXPath) {
  testing::WriteFile(dir_.path() / "x2.sch",
                     "<schema xmlns='http://purl.oclc.org/dsdl/schematron' queryBinding='xslt2'/>");
  auto b = CompiledSchematron::Load((dir_.path() / "x2.sch").string());
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("xslt2"), std::string::npos);

  auto fn = Load("<pattern><rule context='h:title'><assert test='matches(., \"a\")'>m</assert></rule></pattern>");
  ASSERT_FALSE(fn.ok());
  EXPECT_NE(fn.status().message().find("matches()"), std::string::npos);

  auto bad = Load("<pattern><rule context='h:title'><assert test='h:code[@code='>m</assert></rule></pattern>");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("does not compile"), std::string::npos);

  auto ext = Load("<pattern><rule context='h:title'><extends rule='nope'/></rule></pattern>");
  EXPECT_FALSE(ext.ok());
}

TEST_F(SchematronTest, DocumentReadsOnlyFilesNextToTheSchema) {
  testing::WriteFile(dir_.path() / "codes.xml", "<codes><c v='A'/></codes>");
  auto f = Run("<pattern><rule context='h:section'>"
               "<assert id='V' test='h:code/@code = document(\"codes.xml\")/codes/c/@v'>unknown</assert>"
               "</rule></pattern>");
  EXPECT_EQ(Ids(f), (std::vector<std::string>{"V"}));  // B is not in codes.xml

  for (const char* where : {"http://127.0.0.1:9/x.xml", "/etc/passwd", "../x.xml"}) {
    auto s = Load(std::string("<pattern><rule context='h:title'><assert test='document(\"") + where +
                  "\")'>x</assert></rule></pattern>");
    EXPECT_FALSE(s.ok()) << where;
  }
  auto dynamic = Load("<pattern><rule context='h:title'><assert test='document(string(.))'>x</assert></rule></pattern>");
  EXPECT_FALSE(dynamic.ok());
}

TEST_F(SchematronTest, MissingDocumentTurnsItsAssertsIntoOneWarning) {
  auto f = Run("<pattern><rule context='h:section'>"
               "<assert id='V1' test='document(\"voc.xml\")//x'>a</assert>"
               "<assert id='V2' test='count(document(\"voc.xml\")//y) = 1'>b</assert>"
               "<assert id='OK' test='h:code'>c</assert>"
               "</rule></pattern>");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule, "rules.document-missing");
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  EXPECT_NE(f[0].message.find("2 assertions"), std::string::npos);
  EXPECT_NE(f[0].message.find("voc.xml"), std::string::npos);
}

TEST_F(SchematronTest, ARuleWhoseChecksAllPassReportsNothingAndOneFailureIsFound) {
  auto pass = Run("<pattern><rule context='h:section'>"
                  "<assert id='A' test='h:code'>a</assert><assert id='B' test='true()'>b</assert>"
                  "<report id='C' test='h:nothing'>c</report></rule></pattern>");
  EXPECT_TRUE(pass.empty()) << ::testing::PrintToString(Ids(pass));
  auto one = Run("<pattern><rule context='h:section'>"
                 "<assert id='A' test='h:code'>a</assert>"
                 "<assert id='B' test='h:entry'>no entry</assert>"
                 "<report id='C' test='h:code/@code = \"B\"'>section B</report></rule></pattern>");
  EXPECT_EQ(Ids(one), (std::vector<std::string>{"B", "C"}));
  EXPECT_EQ(one[0].location.xpath, "/ClinicalDocument/component[2]/section");
}

TEST_F(SchematronTest, AnEvaluationErrorIsCountedWhenTheOtherChecksPass) {
  auto f = Run("<pattern><rule context='h:ClinicalDocument'>"
               "<assert id='A' test='h:title'>a</assert>"
               "<assert id='B' test='$undeclared = 1'>b</assert></rule></pattern>");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule, "rules.evaluation-error");
  EXPECT_NE(f[0].message.find("1 XPath evaluations"), std::string::npos) << f[0].message;
}

TEST_F(SchematronTest, AnAttributeTestedFirstNarrowsTheCandidatesExactly) {
  const std::string doc =
      "<ClinicalDocument xmlns='urn:hl7-org:v3'>"
      "<id root='1.2.3' extension='a'/><id root='1.2.3'/><id root='1&#46;2.3' extension='b'/>"
      "<id root='1.2.30' extension='c'/><id extension='d'/><id root=''/></ClinicalDocument>";
  auto f = Run("<pattern><rule context=\"h:id[@root = '1.2.3'][@extension]\">"
               "<report id='R' test='true()'><value-of select='@extension'/></report></rule></pattern>"
               "<pattern><rule context='h:id[@root = \"\"]'><report id='E' test='true()'>empty</report>"
               "</rule></pattern>",
               doc);
  ASSERT_EQ(Ids(f), (std::vector<std::string>{"R", "R", "E"}));
  EXPECT_EQ(f[0].message, "a");
  EXPECT_EQ(f[1].message, "b");
}

TEST_F(SchematronTest, AnElementWithTwoTemplateIdsOfOneRootMatchesOnce) {
  const std::string doc =
      "<ClinicalDocument xmlns='urn:hl7-org:v3'><section>"
      "<templateId root='2.16.1'/><templateId root='2.16.1' extension='2015'/></section>"
      "</ClinicalDocument>";
  auto f = Run("<pattern><rule context=\"h:section[h:templateId[@root = '2.16.1']]\">"
               "<assert id='T' test='false()'>t</assert></rule></pattern>",
               doc);
  EXPECT_EQ(Ids(f), (std::vector<std::string>{"T"}));
}

TEST_F(SchematronTest, StringOfAnAttributeLetReadsTheAttributeOrGivesEmpty) {
  const std::string doc =
      "<ClinicalDocument xmlns='urn:hl7-org:v3' xmlns:x='urn:x'>"
      "<id root='1&#46;2' x:root='no'/><id x:root='no'/><id root=''/></ClinicalDocument>";
  auto f = Run("<let name='top' value='string(@root)'/>"
               "<pattern><rule context='h:id'><let name='r' value=' string( @root ) '/>"
               "<report id='R' test='true()'>[<value-of select='$r'/>|<value-of select='$top'/>|"
               "<value-of select='string-length($r)'/>]</report></rule></pattern>",
               doc);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].message, "[1.2||3]");
  EXPECT_EQ(f[1].message, "[||0]") << "an attribute in a namespace is not @root";
  EXPECT_EQ(f[2].message, "[||0]");
}

// The engine provides its own translate() for speed; it must give libxml2's
// results on every kind of argument.
TEST_F(SchematronTest, TranslateGivesLibxml2sResults) {
  const std::vector<std::string> calls = {
      "translate('1.2.246.10', '0123456789.', '')",
      "translate('.1.02.0.', '123456789', 'nnnnnnnnn')",
      "translate('abcabc', 'aab', 'xyz')",
      "translate('abc', 'abc', 'ABCDEF')",
      "translate('abc', '', 'xyz')",
      "translate('', 'abc', 'xyz')",
      "translate('hello', 'lo', '')",
      "translate('k\xC3\xA4yt\xC3\xB6ss\xC3\xA4', 'a\xC3\xA4\xC3\xB6', 'AAO')",
      "translate('k\xC3\xA4yt\xC3\xB6', 'ky', 'KY')",
      "translate('abc', 'b', '\xC3\xA4')",
      "translate(12.5, '.', ',')",
      "translate(true(), 'rt', 'RT')",
      "translate(h:id/@root, '.', '-')",
      "translate(h:title, 'Ot', 'oT')",
      "translate(h:nothing, 'a', 'b')",
  };
  std::string body = "<pattern><rule context='h:ClinicalDocument'>";
  for (std::size_t i = 0; i < calls.size(); ++i) {
    body += "<report id='T" + std::to_string(i) + "' test='true()'>[<value-of select=\"" + calls[i] +
            "\"/>]</report>";
  }
  auto f = Run(body + "</rule></pattern>");
  ASSERT_EQ(f.size(), calls.size());
  Report parse_report;
  auto tree = xml::SecureParser().Parse(kDoc, "d", "parse", parse_report);
  ASSERT_TRUE(tree.ok() && *tree);
  xml::XPathContextPtr plain(xmlXPathNewContext((*tree)->doc()));
  xmlXPathRegisterNs(plain.get(), BAD_CAST "h", BAD_CAST "urn:hl7-org:v3");
  plain->node = (*tree)->root();
  for (std::size_t i = 0; i < calls.size(); ++i) {
    xml::XPathObjectPtr v(xmlXPathEvalExpression(BAD_CAST calls[i].c_str(), plain.get()));
    ASSERT_TRUE(v && v->type == XPATH_STRING) << calls[i];
    EXPECT_EQ(f[i].message, "[" + std::string(reinterpret_cast<const char*>(v->stringval)) + "]")
        << calls[i];
  }
}

// A context ".../descendant-or-self::*/@a/parent::*[...]" is matched by a walk
// of the subtrees; it must select what XPath selects (the same context
// spelled with attribute::a is left to XPath).
TEST_F(SchematronTest, SubtreeAttributeContextsSelectWhatXPathSelects) {
  const std::string doc =
      "<ClinicalDocument xmlns='urn:hl7-org:v3' xmlns:x='urn:x' root='top'>"
      "<id root='1'/><code x:root='ns-only'/><!-- c --><?pi x?>"
      "<author><time/><assignedAuthor><id root='2'/><id root='3' nullFlavor='NI'/>"
      "<representedOrganization root='4'><id root='5'/></representedOrganization>"
      "</assignedAuthor></author>"
      "<component><section><id root='6'/></section></component>"
      "<custodian root='7'>text<id root='8'/></custodian></ClinicalDocument>";
  const std::vector<std::string> bases = {
      "/h:ClinicalDocument/*[not(self::h:component)]",
      "/h:ClinicalDocument/descendant-or-self::*[h:id]",  // nested: subtrees overlap
      "/",
      "/h:ClinicalDocument/h:id/@root",                   // attributes hold no elements
      "/h:ClinicalDocument/h:nothing",
  };
  for (const std::string& base : bases) {
    for (const std::string& predicate : {std::string(), std::string("[not(@nullFlavor)]")}) {
      auto rule = [&](const std::string& step) {
        return "<pattern><rule context=\"" + base + "/descendant-or-self::*/" + step + "/parent::*" +
               predicate + "\"><report id='R' test='true()'><value-of select='@root'/></report>" +
               "</rule></pattern>";
      };
      auto walked = Run(rule("@root"), doc);
      auto xpath = Run(rule("attribute::root"), doc);
      ASSERT_EQ(walked.size(), xpath.size()) << base << predicate;
      for (std::size_t i = 0; i < walked.size(); ++i) {
        EXPECT_EQ(walked[i].message, xpath[i].message) << base << predicate;
        EXPECT_EQ(walked[i].location.xpath, xpath[i].location.xpath) << base << predicate;
      }
    }
  }
  // And the first base by hand: ids 1, 2, 3, 4, 5, 7, 8 (not the component's,
  // not the namespaced attribute, not ClinicalDocument's own).
  auto f = Run("<pattern><rule context=\"/h:ClinicalDocument/*[not(self::h:component)]"
               "/descendant-or-self::*/@root/parent::*\"><report id='R' test='true()'>"
               "<value-of select='@root'/></report></rule></pattern>",
               doc);
  std::string roots;
  for (const Finding& x : f) roots += x.message;
  EXPECT_EQ(roots, "1234578");
}

}  // namespace
}  // namespace kanta::validate::rules
