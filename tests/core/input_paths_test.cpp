#include "core/input_paths.h"

#include <gtest/gtest.h>

#include <filesystem>

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

TEST(InputPathsTest, TheWalkListsAFolderOnlyWhenItReachesIt) {
  testing::TempDir t;
  testing::WriteFile(t.path() / "a/1.xml", "<x/>");
  testing::WriteFile(t.path() / "b/1.xml", "<x/>");
  Result<InputWalk> walk = InputWalk::Start({t.path().string()});
  ASSERT_TRUE(walk.ok()) << walk.status().ToString();
  const std::string base = t.path().string() + "/";
  EXPECT_EQ(walk->Next(), base + "a/1.xml");
  // Files added to a folder the walk has not reached yet are found; the
  // walk holds no list of the whole batch.
  testing::WriteFile(t.path() / "b/0.xml", "<x/>");
  EXPECT_EQ(walk->Next(), base + "b/0.xml");
  EXPECT_EQ(walk->Next(), base + "b/1.xml");
  EXPECT_EQ(walk->Next(), std::nullopt);
  EXPECT_EQ(walk->Next(), std::nullopt);
  // Rewinding walks the folders again, as they are now.
  std::filesystem::remove_all(t.path() / "b");
  testing::WriteFile(t.path() / "c/1.xml", "<x/>");
  walk->Rewind();
  EXPECT_EQ(walk->Next(), base + "a/1.xml");
  EXPECT_EQ(walk->Next(), base + "c/1.xml");
  EXPECT_EQ(walk->Next(), std::nullopt);
  EXPECT_TRUE(walk->folder_error().ok());
}

TEST(InputPathsTest, AFolderThatCannotBeListedIsReturnedAsAnInput) {
  // A folder that is gone by the time the walk reaches it stands for the
  // folder that cannot be read (tests run as root, who can read any).
  testing::TempDir t;
  testing::WriteFile(t.path() / "a/1.xml", "<x/>");
  testing::WriteFile(t.path() / "b/1.xml", "<x/>");
  testing::WriteFile(t.path() / "c.xml", "<x/>");
  Result<InputWalk> walk = InputWalk::Start({t.path().string()});
  ASSERT_TRUE(walk.ok()) << walk.status().ToString();
  const std::string base = t.path().string() + "/";
  EXPECT_EQ(walk->Next(), base + "a/1.xml");
  std::filesystem::remove_all(t.path() / "b");
  EXPECT_EQ(walk->Next(), base + "b");  // reading it fails like any unreadable input
  EXPECT_EQ(walk->Next(), base + "c.xml");
  EXPECT_EQ(walk->Next(), std::nullopt);
  EXPECT_EQ(walk->folder_error().code(), StatusCode::kUnavailable);
  EXPECT_NE(walk->folder_error().message().find(base + "b"), std::string::npos);
}

}  // namespace
}  // namespace kanta
