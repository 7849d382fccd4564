#include "report/report_writer.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>

#include <sstream>

#include "report/escape.h"

namespace kanta::report {
namespace {

const std::string kNasty = "quote\" back\\slash <tag> & amp 'apos' tab\t nl\n ctl\x01 bad\xFF\xFE end";

std::vector<Report> SampleReports() {
  std::vector<Report> out;
  Report valid(0, "batch/valid.xml");
  valid.kind = DocumentKind::kCda;
  valid.facts.id = "1.2.246.10.1.1";
  valid.facts.register_code = "2";
  out.push_back(std::move(valid));

  Report invalid(1, "batch/" + kNasty + ".xml");
  invalid.kind = DocumentKind::kArchiveMessage;
  invalid.envelope = {"RCMR_IN100002FI01", "1.2.3^4"};
  invalid.Add(Severity::kError, "schema", "schema.validity", "bad " + kNasty,
              Location{"/ClinicalDocument/title", 12, 7});
  invalid.Add(Severity::kWarning, "parse", "xml.parser-warning", "careful");
  out.push_back(std::move(invalid));

  Report error(2, "batch/patient.json");
  error.kind = DocumentKind::kFhirJson;
  error.Add(Severity::kError, "intake", "intake.fhir-not-supported", "not yet");
  error.MarkUnprocessable();
  out.push_back(std::move(error));
  return out;
}

std::string Render(ReportFormat format, WriterOptions options = {}, std::string interrupted = "") {
  std::ostringstream out;
  auto writer = MakeReportWriter(format, out, options);
  EXPECT_TRUE(writer.ok());
  RunInfo run{"validate", "0.1.0", "2026-11-22T12:00:00Z", {{"schema", "x.xsd"}}};
  (*writer)->Begin(run);
  BatchTotals totals;
  for (Report& r : SampleReports()) {
    ++totals.documents;
    switch (r.outcome()) {
      case Outcome::kValid: ++totals.valid; break;
      case Outcome::kInvalid: ++totals.invalid; break;
      case Outcome::kError: ++totals.errors; break;
    }
    (*writer)->Accept(std::move(r));
  }
  totals.interrupted = std::move(interrupted);
  EXPECT_TRUE((*writer)->Finish(totals, 1234.5).ok());
  return out.str();
}

bool WellFormedXml(const std::string& text, bool html) {
  xmlDocPtr doc = html ? nullptr : xmlReadMemory(text.data(), static_cast<int>(text.size()),
                                                 "r.xml", nullptr, XML_PARSE_NONET);
  if (html) {
    // The HTML report is XHTML-clean apart from its DOCTYPE line.
    const std::string body = text.substr(text.find("<html"));
    doc = xmlReadMemory(body.data(), static_cast<int>(body.size()), "r.html", nullptr,
                        XML_PARSE_NONET);
  }
  const bool ok = doc != nullptr;
  xmlFreeDoc(doc);
  return ok;
}

TEST(JsonWriterTest, WritesTheDocumentedVersionedStructure) {
  const std::string text = Render(ReportFormat::kJson);
  Poco::JSON::Parser parser;
  auto root = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(root->getValue<std::string>("format"), "kanta-pipeline-report");
  EXPECT_EQ(root->getValue<int>("version"), 1);
  EXPECT_EQ(root->getValue<std::string>("command"), "validate");
  auto docs = root->getArray("documents");
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_EQ(docs->getObject(0)->getValue<std::string>("verdict"), "valid");
  EXPECT_EQ(docs->getObject(0)->getObject("register")->getValue<std::string>("code"), "2");
  auto invalid = docs->getObject(1);
  EXPECT_EQ(invalid->getValue<std::string>("verdict"), "invalid");
  EXPECT_EQ(invalid->getValue<std::string>("kind"), "archive-message");
  EXPECT_EQ(invalid->getObject("envelope")->getValue<std::string>("id"), "1.2.3^4");
  auto finding = invalid->getArray("findings")->getObject(0);
  EXPECT_EQ(finding->getValue<std::string>("rule"), "schema.validity");
  EXPECT_EQ(finding->getObject("location")->getValue<int>("line"), 12);
  EXPECT_EQ(finding->getObject("location")->getValue<std::string>("xpath"), "/ClinicalDocument/title");
  // Escaping round-trips, with the invalid bytes replaced by U+FFFD.
  EXPECT_EQ(finding->getValue<std::string>("message"),
            "bad quote\" back\\slash <tag> & amp 'apos' tab\t nl\n ctl\x01 bad\xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_EQ(docs->getObject(2)->getValue<std::string>("verdict"), "error");
  auto summary = root->getObject("summary");
  EXPECT_EQ(summary->getValue<int>("documents"), 3);
  EXPECT_EQ(summary->getValue<int>("valid"), 1);
  EXPECT_EQ(summary->getValue<int>("invalid"), 1);
  EXPECT_EQ(summary->getValue<int>("errors"), 1);
}

TEST(JsonWriterTest, EmptyBatchIsValidJson) {
  std::ostringstream out;
  auto w = MakeReportWriter(ReportFormat::kJson, out);
  (*w)->Begin(RunInfo{"validate", "0.1.0", "", {}});
  ASSERT_TRUE((*w)->Finish(BatchTotals{}, 0).ok());
  Poco::JSON::Parser parser;
  auto root = parser.parse(out.str()).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(root->getArray("documents")->size(), 0u);
}

TEST(JunitWriterTest, OneTestcasePerDocumentWithFailuresAndTotals) {
  const std::string text = Render(ReportFormat::kJunit);
  EXPECT_TRUE(WellFormedXml(text, false)) << text;
  EXPECT_NE(text.find("tests=\"3\" failures=\"1\" errors=\"1\""), std::string::npos);
  std::size_t cases = 0;
  for (std::size_t p = 0; (p = text.find("<testcase ", p)) != std::string::npos; ++p) ++cases;
  EXPECT_EQ(cases, 3u);
  EXPECT_NE(text.find("<failure type=\"invalid\""), std::string::npos);
  EXPECT_NE(text.find("<error type=\"error\""), std::string::npos);
  EXPECT_NE(text.find("&lt;tag&gt; &amp; amp"), std::string::npos);
  EXPECT_EQ(text.find('\x01'), std::string::npos) << "control character not removed";
}

TEST(HtmlWriterTest, SelfContainedAndEscaped) {
  const std::string text = Render(ReportFormat::kHtml);
  EXPECT_TRUE(WellFormedXml(text, true));
  EXPECT_EQ(text.find("<script src"), std::string::npos);
  EXPECT_EQ(text.find("<link"), std::string::npos);
  EXPECT_NE(text.find("&lt;tag&gt;"), std::string::npos);
  EXPECT_EQ(text.find("<tag>"), std::string::npos);
  EXPECT_NE(text.find("<b>3</b>documents"), std::string::npos);
}

TEST(TextWriterTest, OneLinePerFindingAndPerDocument) {
  const std::string text = Render(ReportFormat::kText);
  EXPECT_NE(text.find("batch/valid.xml: valid\n"), std::string::npos);
  EXPECT_NE(text.find(":12:7: error [schema/schema.validity] bad quote"), std::string::npos);
  EXPECT_NE(text.find("(at /ClinicalDocument/title)"), std::string::npos);
  EXPECT_NE(text.find(": invalid (1 error, 1 warning) in RCMR_IN100002FI01 1.2.3^4"),
            std::string::npos);
  EXPECT_NE(text.find("batch/patient.json: error (1 error)"), std::string::npos);
  EXPECT_NE(text.find("3 documents: 1 valid, 1 invalid, 1 errors (1.23 s)"), std::string::npos);
  EXPECT_EQ(text.find("\033["), std::string::npos) << "no colours unless asked";
}

TEST(TextWriterTest, QuietOmitsValidDocuments) {
  WriterOptions quiet;
  quiet.show_valid = false;
  const std::string text = Render(ReportFormat::kText, quiet);
  EXPECT_EQ(text.find("batch/valid.xml"), std::string::npos);
  EXPECT_NE(text.find("batch/patient.json: error"), std::string::npos);
}

// A batch a signal ended early says so in every format a person or a CI
// server reads, and stays well-formed; a batch that ran to its end does not.
TEST(ReportWriterTest, AnInterruptedBatchSaysSoAndStaysWellFormed) {
  Poco::JSON::Parser parser;
  auto summary = [&](const std::string& text) {
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>()->getObject("summary");
  };
  EXPECT_EQ(summary(Render(ReportFormat::kJson, {}, "SIGINT"))->getValue<std::string>("interrupted"),
            "SIGINT");
  EXPECT_FALSE(summary(Render(ReportFormat::kJson))->has("interrupted"));

  const std::string junit = Render(ReportFormat::kJunit, {}, "SIGTERM");
  EXPECT_TRUE(WellFormedXml(junit, false)) << junit;
  EXPECT_NE(junit.find("<property name=\"interrupted\" value=\"SIGTERM\"/>"), std::string::npos);
  EXPECT_EQ(Render(ReportFormat::kJunit).find("interrupted"), std::string::npos);

  const std::string html = Render(ReportFormat::kHtml, {}, "SIGINT");
  EXPECT_TRUE(WellFormedXml(html, true));
  EXPECT_NE(html.find("Interrupted (SIGINT)"), std::string::npos);
  EXPECT_EQ(Render(ReportFormat::kHtml).find("Interrupted ("), std::string::npos);

  const std::string text = Render(ReportFormat::kText, {}, "SIGINT");
  EXPECT_NE(text.find("3 documents: 1 valid, 1 invalid, 1 errors (1.23 s)\n"
                      "interrupted (SIGINT): the rest of the batch was not processed\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(Render(ReportFormat::kText).find("interrupted"), std::string::npos);
}

TEST(SvrlWriterTest, WritesRuleFindingsAsFailedAssertsAndReports) {
  std::ostringstream out;
  auto w = MakeReportWriter(ReportFormat::kSvrl, out);
  (*w)->Begin(RunInfo{"validate", "0.1.0", "", {}});
  Report r(0, "a.xml");
  Finding assert_failed;
  assert_failed.severity = Severity::kError;
  assert_failed.stage = "rules";
  assert_failed.rule = "KANTA-HDR-001";
  assert_failed.message = "realm <FI>";
  assert_failed.location.xpath = "/ClinicalDocument";
  assert_failed.test = "cda:realmCode/@code = 'FI'";
  r.Add(assert_failed);
  Finding report = assert_failed;
  report.rule = "KANTA-OSVA-018";
  report.severity = Severity::kInfo;
  report.report = true;
  r.Add(report);
  r.Add(Severity::kError, "schema", "schema.validity", "not a rule finding");
  (*w)->Accept(std::move(r));
  BatchTotals t;
  t.documents = 1;
  ASSERT_TRUE((*w)->Finish(t, 0).ok());
  const std::string text = out.str();
  EXPECT_TRUE(WellFormedXml(text, false)) << text;
  EXPECT_NE(text.find("<svrl:schematron-output"), std::string::npos);
  EXPECT_EQ(text.find("svrl-batch"), std::string::npos) << "one document: plain SVRL";
  EXPECT_NE(text.find("<svrl:failed-assert id=\"KANTA-HDR-001\" role=\"error\" location=\"/ClinicalDocument\""),
            std::string::npos);
  EXPECT_NE(text.find("<svrl:successful-report id=\"KANTA-OSVA-018\" role=\"info\""), std::string::npos);
  EXPECT_NE(text.find("realm &lt;FI&gt;"), std::string::npos);
  EXPECT_EQ(text.find("schema.validity"), std::string::npos);
}

TEST(EscapeTest, JsonEscapesControlsAndReplacesInvalidUtf8) {
  EXPECT_EQ(JsonString("a\x02\"\xC3\xA4\xC3"), "\"a\\u0002\\\"\xC3\xA4\xEF\xBF\xBD\"");
  EXPECT_EQ(XmlEscaped("<a b='c'>&\x0B"), "&lt;a b=&#39;c&#39;&gt;&amp;");
}

TEST(ReportFormatTest, ParsesKnownNamesOnly) {
  EXPECT_EQ(*ParseReportFormat("junit"), ReportFormat::kJunit);
  EXPECT_FALSE(ParseReportFormat("pdf").ok());
}

}  // namespace
}  // namespace kanta::report
