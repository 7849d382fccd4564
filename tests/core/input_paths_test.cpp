#include "core/input_paths.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace kanta {
namespace {

TEST(InputPathsTest, WalksFoldersRecursivelyInByteOrderSkippingHiddenEntries) {
  testing::TempDir t;
  for (const char* f : {"b/2.xml", "b/10.xml", "a.xml", "B.xml", ".hidden/x.xml", "c/.x.xml"}) {
    testing::WriteFile(t.path() / f, "<x/>");
  }
  Result<std::vector<std::string>> r = ExpandInputPaths({t.path().string(), "-"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::string base = t.path().string() + "/";
  std::vector<std::string> want = {base + "B.xml", base + "a.xml", base + "b/10.xml",
                                   base + "b/2.xml", "-"};
  EXPECT_EQ(*r, want);
}

TEST(InputPathsTest, MissingPathIsNotFound) {
  Result<std::vector<std::string>> r = ExpandInputPaths({"/nonexistent/kanta/x.xml"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/kanta/x.xml"), std::string::npos);
}

}  // namespace
}  // namespace kanta
