#include "xml/secure_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

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

TEST_F(SecureParserTest, AcceptsAnEmptyElementJustBelowTheDepthLimit) {
  // The limit counts open elements; an empty element opens none.
  ParseLimits limits;
  limits.max_depth = 3;
  EXPECT_NE(Parse("<a><b><c><d/></c></b></a>", limits), nullptr);
  EXPECT_EQ(Parse("<a><b><c><d></d></c></b></a>", limits), nullptr);
  EXPECT_EQ(FirstFatal()->rule, "xml.depth-limit");
}

TEST_F(SecureParserTest, DepthFindingNamesTheLineWhereTheTagStarts) {
  ParseLimits limits;
  limits.max_depth = 2;
  EXPECT_EQ(Parse("<a>\n<b>\n<c\n x='1'\n y='2'>text</c></b></a>", limits), nullptr);
  ASSERT_NE(FirstFatal(), nullptr);
  EXPECT_EQ(FirstFatal()->rule, "xml.depth-limit");
  EXPECT_EQ(FirstFatal()->location.line, 3);
}

TEST_F(SecureParserTest, XIncludeMentionedOnlyInTextIsNotAWarning) {
  auto tree = Parse("<r>see http://www.w3.org/2001/XInclude</r>");
  ASSERT_NE(tree, nullptr);
  EXPECT_TRUE(report_.findings().empty());
}

TEST_F(SecureParserTest, TreesStayIntactWhileTheThreadParsesMore) {
  auto first = Parse("<a xmlns='urn:x'><b c='d'>\xC3\xA4iti</b></a>");
  ASSERT_NE(first, nullptr);
  std::vector<std::unique_ptr<XmlTree>> others;
  for (int i = 0; i < 50; ++i) {
    others.push_back(Parse("<z" + std::to_string(i) + "><b c='other'>x</b></z" + std::to_string(i) + ">"));
    ASSERT_NE(others.back(), nullptr);
  }
  others.clear();  // freeing later trees leaves the first alone
  xmlNode* b = first->root()->children;
  EXPECT_STREQ(reinterpret_cast<const char*>(first->root()->name), "a");
  EXPECT_STREQ(reinterpret_cast<const char*>(b->name), "b");
  EXPECT_EQ(Attribute(b, "c"), "d");
  EXPECT_EQ(TextOf(b), "\xC3\xA4iti");
  // The tree can still be changed: its dictionary is alive.
  xmlNewChild(b, nullptr, BAD_CAST "added", BAD_CAST "text");
  EXPECT_EQ(TextOf(b), "\xC3\xA4ititext");
  EXPECT_STREQ(reinterpret_cast<const char*>(xmlGetLastChild(b)->name), "added");
}

TEST_F(SecureParserTest, ConsecutiveDocumentsOnAThreadShareOneDictionary) {
  auto a = Parse("<a><b/></a>");
  auto b = Parse("<a><c/></a>");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->doc()->dict, b->doc()->dict);
  // Shared names are one string.
  EXPECT_EQ(a->root()->name, b->root()->name);
}

TEST_F(SecureParserTest, ManyUniqueNamesDoNotStayInTheThreadsDictionary) {
  std::string hostile = "<r>";
  for (int i = 0; i < 100000; ++i) hostile += "<name" + std::to_string(i) + "/>";
  hostile += "</r>";
  auto big = Parse(hostile);
  ASSERT_NE(big, nullptr);
  EXPECT_GT(xmlDictSize(big->doc()->dict), 100000);
  auto next = Parse("<r/>");
  ASSERT_NE(next, nullptr);
  EXPECT_NE(next->doc()->dict, big->doc()->dict) << "the large dictionary was reused";
  EXPECT_LT(xmlDictSize(next->doc()->dict), 100);
}

TEST(SecureParserThreadTest, EachThreadParsesWithItsOwnDictionary) {
  const SecureParser parser;
  std::vector<std::unique_ptr<XmlTree>> trees(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < trees.size(); ++t) {
    threads.emplace_back([&, t] {
      Report report;
      for (int i = 0; i < 200; ++i) {
        auto r = parser.Parse("<t" + std::to_string(t) + "><e a='" + std::to_string(i) + "'/></t" +
                                  std::to_string(t) + ">",
                              "t", "parse", report);
        if (r.ok() && *r) trees[t] = std::move(*r);
      }
      ReleaseThreadParserContext();
    });
  }
  for (auto& th : threads) th.join();
  for (std::size_t t = 0; t < trees.size(); ++t) {
    ASSERT_NE(trees[t], nullptr);
    EXPECT_EQ(reinterpret_cast<const char*>(trees[t]->root()->name), "t" + std::to_string(t));
    EXPECT_EQ(Attribute(trees[t]->root()->children, "a"), "199");
    for (std::size_t u = t + 1; u < trees.size(); ++u) {
      EXPECT_NE(trees[t]->doc()->dict, trees[u]->doc()->dict);
    }
  }
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
