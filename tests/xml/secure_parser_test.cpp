#include "xml/secure_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace kanta::xml {
namespace {

class SecureParserTest : public ::testing::Test {
 protected:
  // Parses and returns the tree (or nullptr); findings land in report_.
  std::unique_ptr<XmlTree> Parse(const std::string& bytes, ParseLimits limits = {}) {
    SecureParser parser(limits);
    Result<std::unique_ptr<XmlTree>> r = parser.Parse(bytes, "test.xml", "parse", report_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : nullptr;
  }
  const Finding* FirstFatal() const {
    for (const Finding& f : report_.findings())
      if (f.severity == Severity::kFatal) return &f;
    return nullptr;
  }
  Report report_;
};

TEST_F(SecureParserTest, ParsesWellFormedDocument) {
  auto tree = Parse("<?xml version='1.0'?>\n<a xmlns='urn:hl7-org:v3'><b x='1'/></a>");
  ASSERT_NE(tree, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(tree->root()->name), "a");
  EXPECT_TRUE(report_.findings().empty());
}

TEST_F(SecureParserTest, ReportsNotWellFormedWithLineAndColumn) {
  EXPECT_EQ(Parse("<a>\n  <b>\n</a>"), nullptr);
  const Finding* f = FirstFatal();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->rule, "xml.not-well-formed");
  EXPECT_EQ(f->location.line, 3);
  EXPECT_GT(f->location.column, 0);
  EXPECT_EQ(report_.Count(Severity::kFatal), 1u) << "one finding, not a cascade";
}

TEST_F(SecureParserTest, RefusesBillionLaughs) {
  std::string doc = "<?xml version='1.0'?>\n<!DOCTYPE lolz [\n<!ENTITY lol 'lol'>\n";
  for (int i = 1; i <= 9; ++i) {
    doc += "<!ENTITY lol" + std::to_string(i) + " '";
    for (int j = 0; j < 10; ++j) doc += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    doc += "'>\n";
  }
  doc += "]>\n<lolz>&lol9;</lolz>";
  EXPECT_EQ(Parse(doc), nullptr);
  ASSERT_NE(FirstFatal(), nullptr);
  EXPECT_EQ(FirstFatal()->rule, "xml.dtd-forbidden");
  EXPECT_EQ(FirstFatal()->location.line, 2);
}

TEST_F(SecureParserTest, RefusesExternalEntityToLocalFile) {
  EXPECT_EQ(Parse("<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><r>&x;</r>"), nullptr);
  EXPECT_EQ(FirstFatal()->rule, "xml.dtd-forbidden");
  for (const Finding& f : report_.findings()) {
    EXPECT_EQ(f.message.find("root:"), std::string::npos) << "file content leaked";
  }
}

TEST_F(SecureParserTest, RefusesExternalDtdAndParameterEntityOverHttp) {
  EXPECT_EQ(Parse("<!DOCTYPE r SYSTEM 'http://127.0.0.1:9/evil.dtd'><r/>"), nullptr);
  EXPECT_EQ(FirstFatal()->rule, "xml.dtd-forbidden");
}

TEST_F(SecureParserTest, DoctypeInsideCommentOrCdataIsNotADoctype) {
  auto tree = Parse("<!-- <!DOCTYPE x> --><r><![CDATA[<!DOCTYPE y>]]></r>");
  EXPECT_NE(tree, nullptr);
}

TEST_F(SecureParserTest, RefusesNestingBeyondTheDepthLimit) {
  std::string doc;
  for (int i = 0; i < 20000; ++i) doc += "<a>";
  for (int i = 0; i < 20000; ++i) doc += "</a>";
  EXPECT_EQ(Parse(doc), nullptr);
  EXPECT_EQ(FirstFatal()->rule, "xml.depth-limit");
  EXPECT_NE(FirstFatal()->message.find("256"), std::string::npos);
}

TEST_F(SecureParserTest, AcceptsNestingAtTheDepthLimit) {
  ParseLimits limits;
  limits.max_depth = 50;
  std::string doc;
  for (int i = 0; i < 50; ++i) doc += "<a x='>'>";
  for (int i = 0; i < 50; ++i) doc += "</a>";
  EXPECT_NE(Parse(doc, limits), nullptr);
}

TEST_F(SecureParserTest, RefusesTooManyAttributesBeforeLibxml2SeesThem) {
  std::string doc = "<r";
  for (int i = 0; i < 200000; ++i) doc += " a" + std::to_string(i) + "='v'";
  doc += "/>";
  EXPECT_EQ(Parse(doc), nullptr);
  EXPECT_EQ(FirstFatal()->rule, "xml.attribute-limit");
}

TEST_F(SecureParserTest, RefusesOversizeDocument) {
  ParseLimits limits;
  limits.max_bytes = 100;
  EXPECT_EQ(Parse("<r>" + std::string(200, 'x') + "</r>", limits), nullptr);
  EXPECT_EQ(FirstFatal()->rule, "xml.size-limit");
}

TEST_F(SecureParserTest, AcceptsUtf16WithBom) {
  const std::string text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r>\xC3\xA4</r>";
  std::string utf16 = "\xFF\xFE";  // little-endian BOM
  // Widen the ASCII part and encode U+00E4 (a-umlaut) by hand.
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) == 0xC3) {
      utf16 += '\xE4';
      utf16 += '\0';
      ++i;
      continue;
    }
    utf16 += text[i];
    utf16 += '\0';
  }
  auto tree = Parse(utf16);
  ASSERT_NE(tree, nullptr) << (report_.findings().empty() ? "" : report_.findings()[0].message);
  EXPECT_EQ(TextOf(tree->root()), "\xC3\xA4");
}

TEST_F(SecureParserTest, AcceptsUtf8Bom) {
  EXPECT_NE(Parse("\xEF\xBB\xBF<r/>"), nullptr);
}

TEST_F(SecureParserTest, RefusesInvalidUtf8) {
  EXPECT_EQ(Parse("<?xml version='1.0' encoding='UTF-8'?><r>\xC3\x28</r>"), nullptr);
  EXPECT_EQ(FirstFatal()->rule, "xml.not-well-formed");
}

TEST_F(SecureParserTest, NeverProcessesXIncludeAndSaysSo) {
  auto tree = Parse(
      "<r xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include href='/etc/passwd' "
      "parse='text'/></r>");
  ASSERT_NE(tree, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(tree->root()->children->name), "include");
  ASSERT_EQ(report_.findings().size(), 1u);
  EXPECT_EQ(report_.findings()[0].rule, "xml.xinclude-ignored");
}

TEST_F(SecureParserTest, StopsAtTheTimeLimit) {
  ParseLimits limits;
  limits.max_time = std::chrono::milliseconds(0);
  std::string doc = "<r>";
  for (int i = 0; i < 100000; ++i) doc += "<e>text</e>";
  doc += "</r>";
  EXPECT_EQ(Parse(doc, limits), nullptr);
  EXPECT_EQ(FirstFatal()->rule, "xml.time-limit");
}

TEST_F(SecureParserTest, ReportsEmptyInput) {
  EXPECT_EQ(Parse(""), nullptr);
  EXPECT_EQ(FirstFatal()->rule, "xml.empty");
}

}  // namespace
}  // namespace kanta::xml

namespace kanta::xml {
namespace {

TEST(SecureParserNamespaceTest, UndeclaredPrefixIsAnErrorButTheTreeIsKept) {
  Report report;
  SecureParser parser;
  auto tree = parser.Parse("<r><v xsi:type='CD'/></r>", "t", "parse", report);
  ASSERT_TRUE(tree.ok());
  EXPECT_NE(*tree, nullptr);
  ASSERT_EQ(report.findings().size(), 1u);
  EXPECT_EQ(report.findings()[0].rule, "xml.namespace-error");
  EXPECT_EQ(report.findings()[0].severity, Severity::kError);
}

}  // namespace
}  // namespace kanta::xml
