#include "formats/detect.h"

#include <gtest/gtest.h>

namespace kanta::formats {
namespace {

TEST(SniffBytesTest, RecognisesFhirJsonAndItsResourceType) {
  Sniffed s = SniffBytes("\xEF\xBB\xBF  {\n \"id\": \"x\",\n \"resourceType\" : \"Patient\"}");
  EXPECT_EQ(s.family, Sniffed::Family::kJson);
  EXPECT_EQ(s.kind, DocumentKind::kFhirJson);
  EXPECT_EQ(s.detail, "Patient");
}

TEST(SniffBytesTest, JsonWithoutResourceTypeIsOtherJson) {
  EXPECT_EQ(SniffBytes("[1,2]").kind, DocumentKind::kOtherJson);
}

TEST(SniffBytesTest, TellsXmlTextBinaryAndEmptyApart) {
  EXPECT_EQ(SniffBytes("  \n<r/>").family, Sniffed::Family::kXml);
  EXPECT_EQ(SniffBytes(std::string("\xFF\xFE<\0r\0", 6)).family, Sniffed::Family::kXml);
  EXPECT_EQ(SniffBytes("hello world").family, Sniffed::Family::kText);
  EXPECT_EQ(SniffBytes(std::string("\x7F" "ELF\x02\x01\x01\0\0", 9)).family,
            Sniffed::Family::kBinary);
  EXPECT_EQ(SniffBytes(" \n\t").family, Sniffed::Family::kEmpty);
  EXPECT_EQ(SniffBytes("").family, Sniffed::Family::kEmpty);
}

}  // namespace
}  // namespace kanta::formats
