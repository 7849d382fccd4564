#include "xml/structure_guard.h"

#include <gtest/gtest.h>

#include <string>

namespace kanta::xml {
namespace {

using Problem = GuardResult::Problem;

std::string TagWithAttributes(int n) {
  std::string s = "<r";
  for (int i = 0; i < n; ++i) s += " a" + std::to_string(i) + "='v'";
  return s + "/>";
}

std::string Utf16Le(const std::string& ascii) {
  std::string out = "\xFF\xFE";
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

TEST(StructureGuardTest, AcceptsAnElementAtTheAttributeLimit) {
  EXPECT_EQ(ScanStructure(TagWithAttributes(256), GuardLimits{256}).problem, Problem::kNone);
}

TEST(StructureGuardTest, RefusesOneAttributeOverTheLimitWithItsLine) {
  const GuardResult r = ScanStructure("<a>\n<b/>\n" + TagWithAttributes(257) + "</a>", GuardLimits{256});
  EXPECT_EQ(r.problem, Problem::kAttributes);
  EXPECT_EQ(r.line, 3);
  EXPECT_EQ(r.value, 257u);
}

TEST(StructureGuardTest, CountsOnlyEqualsSignsOutsideQuotes) {
  // 300 '=' inside one attribute value: one attribute.
  const std::string doc = "<r a='" + std::string(300, '=') + "' b=\"" + std::string(300, '=') + "\"/>";
  EXPECT_EQ(ScanStructure(doc, GuardLimits{256}).problem, Problem::kNone);
}

TEST(StructureGuardTest, IgnoresEqualsSignsInTextCommentsCdataAndInstructions) {
  const std::string many(1000, '=');
  const std::string doc = "<?pi " + many + "?><r><!-- " + many + " --><![CDATA[" + many + "]]>" +
                          many + "<e a='1'>" + many + "</e></r>";
  EXPECT_EQ(ScanStructure(doc, GuardLimits{256}).problem, Problem::kNone);
}

TEST(StructureGuardTest, ExaminesALongTagWithQuotedGreaterThanSigns) {
  // '>' inside a value does not end the tag: the attributes after it count.
  std::string doc = "<r x='>'";
  for (int i = 0; i < 300; ++i) doc += " a" + std::to_string(i) + "='>'";
  doc += "/>";
  EXPECT_EQ(ScanStructure(doc, GuardLimits{256}).problem, Problem::kAttributes);
}

TEST(StructureGuardTest, RefusesDoctypeWithItsLineButNotInsideCommentsOrCdata) {
  EXPECT_EQ(ScanStructure("<?xml version='1.0'?>\n<!DOCTYPE r>\n<r/>", {}).line, 2);
  EXPECT_EQ(ScanStructure("<?xml version='1.0'?>\n<!DOCTYPE r>\n<r/>", {}).problem, Problem::kDoctype);
  EXPECT_EQ(ScanStructure("<!-- <!DOCTYPE x> --><r><![CDATA[<!DOCTYPE y>]]></r>", {}).problem,
            Problem::kNone);
  EXPECT_EQ(ScanStructure("<?pi <!DOCTYPE x> ?><r/>", {}).problem, Problem::kNone);
}

TEST(StructureGuardTest, ScansUtf16) {
  EXPECT_EQ(ScanStructure(Utf16Le("<!DOCTYPE r><r/>"), {}).problem, Problem::kDoctype);
  EXPECT_EQ(ScanStructure(Utf16Le(TagWithAttributes(300)), GuardLimits{256}).problem,
            Problem::kAttributes);
  EXPECT_EQ(ScanStructure(Utf16Le(TagWithAttributes(200)), GuardLimits{256}).problem,
            Problem::kNone);
}

TEST(StructureGuardTest, ExaminesStartTagsWhoseNameIsNotAscii) {
  std::string doc = "<r><\xC3\xA4";  // <ä
  for (int i = 0; i < 300; ++i) doc += " a" + std::to_string(i) + "='v'";
  doc += "/></r>";
  EXPECT_EQ(ScanStructure(doc, GuardLimits{256}).problem, Problem::kAttributes);
}

TEST(StructureGuardTest, SkipsAUtf8ByteOrderMark) {
  EXPECT_EQ(ScanStructure("\xEF\xBB\xBF<!DOCTYPE r><r/>", {}).problem, Problem::kDoctype);
}

}  // namespace
}  // namespace kanta::xml
