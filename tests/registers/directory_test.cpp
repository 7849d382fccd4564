#include "registers/directory.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace kanta::registers {
namespace {

constexpr const char* kMinimal = R"({"organisations": [
  {"oid": "1.2.3.10.0", "name": "County", "kind": "public",
   "custodian": {"oid": "1.2.3.19.0", "name": "County keeper"},
   "registers": ["2"], "serviceUnits": [{"oid": "1.2.3.10.1", "name": "Unit"}]},
  {"oid": "1.2.4.10.0", "name": "Solo", "kind": "self-employed",
   "custodian": {"oid": "1.2.4.19.0", "name": "Solo", "type": "2"},
   "registers": ["10"], "connection": {"model": "joint", "host": "1.2.3.10.0"}}
]})";

TEST(OrganisationDirectoryTest, FindsOrganisationsUnitsAndCustodians) {
  auto dir = OrganisationDirectory::Parse(kMinimal, "test");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  const OrganisationDirectory& d = **dir;
  ASSERT_NE(d.Find("1.2.3.10.0"), nullptr);
  EXPECT_EQ(d.Find("1.2.3.10.1"), nullptr);  // a unit is not an organisation
  EXPECT_EQ(d.Owner("1.2.3.10.1"), d.Find("1.2.3.10.0"));
  EXPECT_EQ(d.Owner("1.2.3.10.1^local"), d.Find("1.2.3.10.0"));  // the OID part decides
  EXPECT_EQ(d.Unit("1.2.3.10.1")->name, "Unit");
  EXPECT_EQ(d.ByCustodian("1.2.4.19.0"), d.Find("1.2.4.10.0"));
  EXPECT_EQ(d.Find("1.2.3.10.0")->custodian.type, "1");  // public defaults to type 1
  EXPECT_EQ(d.Find("1.2.4.10.0")->connection.host, "1.2.3.10.0");
  EXPECT_TRUE(d.Find("1.2.3.10.0")->KeepsRegister("2", false));
  EXPECT_FALSE(d.Find("1.2.3.10.0")->KeepsRegister("2", true));
  EXPECT_TRUE(d.policy().NeedsSpecifier("4"));
  EXPECT_EQ(d.policy().client_relationship_group, "asiakkuus");
}

TEST(OrganisationDirectoryTest, ReadsThePolicy) {
  auto dir = OrganisationDirectory::Parse(
      R"({"organisations": [], "policy": {"registersNeedingSpecifier": ["4", "8"],
          "clientRelationshipGroup": "AS01", "acceptPhase1Provider": false}})",
      "test");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_TRUE((*dir)->policy().NeedsSpecifier("8"));
  EXPECT_EQ((*dir)->policy().client_relationship_group, "AS01");
  EXPECT_FALSE((*dir)->policy().accept_phase1_provider);
}

TEST(OrganisationDirectoryTest, RefusesBrokenFilesNamingTheProblem) {
  struct Case {
    const char* json;
    const char* says;
  } cases[] = {
      {"{", "not valid JSON"},
      {R"({"orgs": []})", "\"organisations\" array is missing"},
      {R"({"organisations": [{"name": "x"}]})", "\"oid\" is missing"},
      {R"({"organisations": [{"oid": "1", "name": "x", "kind": "charity",
          "custodian": {"oid": "2", "name": "y"}}]})", "expected public, private or self-employed"},
      {R"({"organisations": [{"oid": "1", "name": "x", "kind": "public"}]})",
       "\"custodian\" object is missing"},
      {R"({"organisations": [{"oid": "1", "name": "x", "kind": "public",
          "custodian": {"oid": "2", "name": "y"}, "socialWelfarePhase": 3}]})",
       "must be 1 or 2"},
      {R"({"organisations": [{"oid": "1", "name": "x", "kind": "public",
          "custodian": {"oid": "2", "name": "y"}, "connection": {"model": "joint"}}]})",
       "needs the \"host\""},
      {R"({"organisations": [{"oid": "1", "name": "x", "kind": "public",
          "custodian": {"oid": "2", "name": "y"}, "connection": {"model": "joint", "host": "9"}}]})",
       "does not list"},
      {R"({"organisations": [{"oid": "1", "name": "x", "kind": "public", "custodian": {"oid": "2", "name": "y"}},
                             {"oid": "1", "name": "z", "kind": "public", "custodian": {"oid": "3", "name": "y"}}]})",
       "listed twice"},
  };
  for (const Case& c : cases) {
    auto dir = OrganisationDirectory::Parse(c.json, "dir.json");
    ASSERT_FALSE(dir.ok()) << c.json;
    EXPECT_NE(dir.status().message().find(c.says), std::string::npos) << dir.status().message();
    EXPECT_NE(dir.status().message().find("dir.json"), std::string::npos);
  }
}

TEST(OrganisationDirectoryTest, TheBundledSampleDirectoryLoads) {
  auto dir = OrganisationDirectory::Load((testing::SourceDir() / "samples/directory.json").string());
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_GE((*dir)->organisations().size(), 8u);
}

TEST(OrganisationDirectoryTest, MissingFileIsNotFound) {
  auto dir = OrganisationDirectory::Load("/nonexistent/dir.json");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kanta::registers
