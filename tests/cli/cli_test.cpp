// End-to-end tests of the kanta-pipeline program: exit codes, report
// formats, and the catalogue of hostile inputs in one batch.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "cli_support.h"
#include "test_support.h"

namespace kanta {
namespace {

namespace fs = std::filesystem;
using testing::ByName;
using testing::Cli;
using testing::CliRun;
using testing::ParseJson;
using testing::Rules;
using testing::Samples;
using testing::SchemaDir;
using Poco::JSON::Array;
using Poco::JSON::Object;

// Prepends "validate --schema-dir DIR" to `args`.
std::vector<std::string> Validate(std::vector<std::string> args) {
  args.insert(args.begin(), {"validate", "--schema-dir", SchemaDir()});
  return args;
}

TEST(CliTest, HelpAndVersionExitZero) {
  CliRun help = Cli({"validate", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--schema-engine"), std::string::npos);
  CliRun version = Cli({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("kanta-pipeline"), std::string::npos);
  EXPECT_NE(version.out.find("allocator: "), std::string::npos) << version.out;
}

TEST(CliTest, UsageAndConfigurationErrorsExitTwo) {
  EXPECT_EQ(Cli({"validate"}).exit_code, 2) << "no path";
  EXPECT_EQ(Cli({"validate", "--jobs", "x", "a.xml"}).exit_code, 2);
  EXPECT_EQ(Cli({"validate", "--format", "pdf", "a.xml"}).exit_code, 2);
  EXPECT_EQ(Cli({"frobnicate"}).exit_code, 2);
  CliRun missing = Cli({"validate", "/nonexistent/doc.xml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("/nonexistent/doc.xml"), std::string::npos);
  CliRun schema = Cli({"validate", "--schema-dir", "/nonexistent", Samples().string()});
  EXPECT_EQ(schema.exit_code, 2);
  EXPECT_NE(schema.err.find("schema"), std::string::npos);
}

TEST(CliTest, ValidSamplesPassWithBothEnginesAndExitZero) {
  REQUIRE_SCHEMA();
  for (const char* engine : {"libxml2", "xerces"}) {
    CliRun r = Cli(Validate({"--schema-engine", engine, "--format", "json",
                 (Samples() / "documents/valid").string(), (Samples() / "messages").string()}));
    EXPECT_EQ(r.exit_code, 0) << engine << "\n" << r.out << r.err;
    Object::Ptr report = ParseJson(r.out);
    Object::Ptr summary = report->getObject("summary");
    EXPECT_GE(summary->getValue<int>("documents"), 5);
    EXPECT_EQ(summary->getValue<int>("valid"), summary->getValue<int>("documents"));
  }
}

TEST(CliTest, InvalidSamplesExitOneWithAFindingEach) {
  REQUIRE_SCHEMA();
  CliRun r = Cli(Validate({"--format", "json", (Samples() / "documents/invalid").string()}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto docs = ByName(ParseJson(r.out));
  ASSERT_FALSE(docs.empty());
  for (const auto& [name, doc] : docs) {
    EXPECT_NE(doc->getValue<std::string>("verdict"), "valid") << name;
    EXPECT_FALSE(Rules(doc).empty()) << name;
  }
}

TEST(CliTest, ArchiveMessageIsUnwrappedAndReportedWithItsId) {
  REQUIRE_SCHEMA();
  CliRun r = Cli(Validate({"--format", "json", (Samples() / "messages").string()}));
  auto report = ParseJson(r.out);
  Array::Ptr docs = report->getArray("documents");
  ASSERT_GE(docs->size(), 1u);
  Object::Ptr d = docs->getObject(0);
  EXPECT_EQ(d->getValue<std::string>("kind"), "archive-message");
  Object::Ptr envelope = d->getObject("envelope");
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->getValue<std::string>("kind").rfind("RCMR_IN", 0), 0u);
  EXPECT_FALSE(envelope->getValue<std::string>("id").empty());
  EXPECT_FALSE(d->getValue<std::string>("id").empty());
}

TEST(CliTest, ReadsStandardInput) {
  REQUIRE_SCHEMA();
  const auto valid = testing::XmlFilesUnder(Samples() / "documents/valid");
  ASSERT_FALSE(valid.empty());
  CliRun r = Cli(Validate({"--format", "json", "-"}), testing::ReadFile(valid.front()));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(ByName(ParseJson(r.out)).count("-"), 1u);
}

TEST(CliTest, WritesJunitAndHtmlReportsToAFile) {
  REQUIRE_SCHEMA();
  testing::TempDir t;
  for (const char* format : {"junit", "html"}) {
    const fs::path out = t.path() / (std::string("report.") + format);
    CliRun r = Cli(Validate({"--format", format, "--out", out.string(),
                 (Samples() / "documents").string()}));
    EXPECT_EQ(r.exit_code, 1);
    const std::string text = testing::ReadFile(out);
    EXPECT_NE(text.find(format == std::string("junit") ? "<testcase" : "<html"),
              std::string::npos);
  }
}

TEST(CliTest, BundledRulesRunByDefaultAndCanBeReplaced) {
  REQUIRE_SCHEMA();
  testing::TempDir t;
  // A valid sample with the wrong realm: schema-valid, but KANTA-HDR-001 fires.
  const auto valid = testing::XmlFilesUnder(Samples() / "documents/valid");
  std::string doc = testing::ReadFile(valid.front());
  doc.replace(doc.find("<realmCode code=\"FI\"/>"), 22, "<realmCode code=\"SE\"/>");
  testing::WriteFile(t.path() / "se.xml", doc);
  CliRun r = Cli(Validate({"--format", "json", (t.path() / "se.xml").string()}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("KANTA-HDR-001"), std::string::npos);
  CliRun off = Cli(Validate({"--no-default-rules", "--format", "json", (t.path() / "se.xml").string()}));
  EXPECT_EQ(off.exit_code, 0) << off.out;
  // A rule set of one's own, with a phase.
  testing::WriteFile(t.path() / "own.sch",
                     "<schema xmlns='http://purl.oclc.org/dsdl/schematron'><ns prefix='h' uri='urn:hl7-org:v3'/>"
                     "<phase id='strict'><active pattern='p'/></phase>"
                     "<pattern id='p'><rule context='h:title'><assert id='OWN-1' test='false()'>always</assert></rule></pattern>"
                     "</schema>");
  CliRun own = Cli(Validate({"--no-default-rules", "--rules", (t.path() / "own.sch").string(),
                             "--phase", "strict", "--format", "svrl", (t.path() / "se.xml").string()}));
  EXPECT_EQ(own.exit_code, 1);
  EXPECT_NE(own.out.find("<svrl:failed-assert id=\"OWN-1\""), std::string::npos) << own.out;
  // A broken rule set is a configuration error.
  testing::WriteFile(t.path() / "bad.sch",
                     "<schema xmlns='http://purl.oclc.org/dsdl/schematron' queryBinding='xslt2'/>");
  EXPECT_EQ(Cli(Validate({"--rules", (t.path() / "bad.sch").string(), (t.path() / "se.xml").string()})).exit_code, 2);
}

// The hostile-input catalogue: each input is refused with the named rule,
// quickly, and the valid document after them is still validated.
TEST(CliTest, HostileInputsAreRefusedAndTheBatchGoesOn) {
  REQUIRE_SCHEMA();
  testing::TempDir t;
  const fs::path d = t.path();
  auto put = [&](const std::string& name, const std::string& bytes) {
    testing::WriteFile(d / name, bytes);
  };
  put("01-empty.xml", "");
  put("02-binary.xml", std::string("\x7F" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0", 18));
  put("03-truncated.xml", "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><id root=\"1.2");
  put("04-invalid-utf8.xml",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ClinicalDocument xmlns=\"urn:hl7-org:v3\">"
      "<title>\xFF\xFE bad</title></ClinicalDocument>");
  put("05-wrong-root.xml", "<Patient xmlns=\"urn:hl7-org:v3\"/>");
  put("06-no-namespace.xml", "<ClinicalDocument><id root=\"1.2\"/></ClinicalDocument>");
  {
    std::ofstream big(d / "07-120mb.xml", std::ios::binary);
    big << "<r>";
    const std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 120; ++i) big << chunk;
    big << "</r>";
  }
  std::string deep;
  for (int i = 0; i < 20000; ++i) deep += "<a>";
  for (int i = 0; i < 20000; ++i) deep += "</a>";
  put("08-deep.xml", deep);
  std::string laughs = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY l0 \"ha\">";
  for (int i = 1; i < 10; ++i) {
    laughs += "<!ENTITY l" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) laughs += "&l" + std::to_string(i - 1) + ";";
    laughs += "\">";
  }
  put("09-billion-laughs.xml", laughs + "]><l>&l9;</l>");
  put("10-quadratic.xml", "<!DOCTYPE q [<!ENTITY a \"" + std::string(50000, 'a') + "\">]><q>" +
                              [] { std::string s; for (int i = 0; i < 50000; ++i) s += "&a;"; return s; }() +
                              "</q>");
  put("11-xxe-passwd.xml", "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>");
  put("12-external-dtd.xml", "<!DOCTYPE r SYSTEM \"http://127.0.0.1:9/x.dtd\"><r/>");
  put("13-parameter-entity.xml",
      "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/p.dtd\"> %p;]><r/>");
  put("14-xinclude.xml",
      "<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
      "<xi:include href=\"file:///etc/passwd\" parse=\"text\"/></ClinicalDocument>");
  std::string attrs = "<r";
  for (int i = 0; i < 200000; ++i) attrs += " a" + std::to_string(i) + "=\"1\"";
  put("15-200k-attributes.xml", attrs + "/>");
  put("16-fhir.json", "{\"resourceType\": \"Patient\", \"id\": \"x\"}");
  put("17-text.txt", "just some text\n");
  const auto valid = testing::XmlFilesUnder(Samples() / "documents/valid");
  ASSERT_FALSE(valid.empty());
  put("99-valid.xml", testing::ReadFile(valid.front()));

  CliRun r = Cli(Validate({"--jobs", "2", "--format", "json", d.string()}));
  ASSERT_NE(r.exit_code, 124) << "the run hung";
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.find("root:x:0"), std::string::npos) << "/etc/passwd leaked";
  auto docs = ByName(ParseJson(r.out));
  const std::map<std::string, std::string> expected = {
      {"01-empty.xml", "intake.empty"},
      {"02-binary.xml", "intake.binary"},
      {"03-truncated.xml", "xml.not-well-formed"},
      {"04-invalid-utf8.xml", "xml.not-well-formed"},
      {"05-wrong-root.xml", "intake.unknown-kind"},
      {"06-no-namespace.xml", "intake.unknown-kind"},
      {"07-120mb.xml", "intake.size-limit"},
      {"08-deep.xml", "xml.depth-limit"},
      {"09-billion-laughs.xml", "xml.dtd-forbidden"},
      {"10-quadratic.xml", "xml.dtd-forbidden"},
      {"11-xxe-passwd.xml", "xml.dtd-forbidden"},
      {"12-external-dtd.xml", "xml.dtd-forbidden"},
      {"13-parameter-entity.xml", "xml.dtd-forbidden"},
      {"14-xinclude.xml", "xml.xinclude-ignored"},
      {"15-200k-attributes.xml", "xml.attribute-limit"},
      {"16-fhir.json", "intake.fhir-not-supported"},
      {"17-text.txt", "intake.unknown-kind"},
  };
  for (const auto& [name, rule] : expected) {
    ASSERT_EQ(docs.count(name), 1u) << name;
    const auto rules = Rules(docs[name]);
    EXPECT_NE(std::find(rules.begin(), rules.end(), rule), rules.end())
        << name << " lacks " << rule << "; has " << ::testing::PrintToString(rules);
    EXPECT_NE(docs[name]->getValue<std::string>("verdict"), "valid") << name;
    EXPECT_LT(docs[name]->getValue<double>("elapsedMs"), 5000.0) << name;
  }
  EXPECT_EQ(docs["16-fhir.json"]->getValue<std::string>("verdict"), "error");
  EXPECT_EQ(docs["99-valid.xml"]->getValue<std::string>("verdict"), "valid");
}

}  // namespace
}  // namespace kanta
