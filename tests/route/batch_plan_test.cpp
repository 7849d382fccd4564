#include "route/batch_plan.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "formats/intake_stage.h"
#include "formats/parse_stage.h"
#include "test_support.h"

namespace kanta::route {
namespace {

std::string Sample(const char* path) {
  return testing::ReadFile(testing::SourceDir() / "samples" / path);
}

TEST(BatchPlanTest, TheByteScanMissesNoAuthorisation) {
  const registers::RegisterPolicy policy;
  EXPECT_TRUE(MayBeAuthorisation(Sample("authorisations/osva-patient-specific.xml"), policy));
  EXPECT_TRUE(MayBeAuthorisation(Sample("authorisations/osva-invalidated-v2.xml"), policy));
  EXPECT_TRUE(MayBeAuthorisation(Sample("social-welfare/client-relationship.xml"), policy));
  // Forms the scan cannot see into are candidates too.
  EXPECT_TRUE(MayBeAuthorisation(Sample("documents/valid/06-radiology-utf16.xml"), policy));
  EXPECT_TRUE(MayBeAuthorisation(Sample("messages/RCMR_IN100002FI01-service-event.xml"), policy));
  EXPECT_TRUE(MayBeAuthorisation("<ClinicalDocument>&#49;.2.246</ClinicalDocument>", policy));
  // What follows the body's start tag does not count; comments before it
  // cannot end the header early.
  const std::string osva = Sample("authorisations/osva-patient-specific.xml");
  const std::size_t local = osva.find("<hl7fi:localHeader>");
  ASSERT_NE(local, std::string::npos);
  std::string tricked = osva;
  tricked.insert(local, "<!-- <structuredBody> --><![CDATA[<nonXMLBody>]]>");
  EXPECT_TRUE(MayBeAuthorisation(tricked, policy));
  const std::string narrative = Sample("documents/valid/01-narrative-public-register.xml");
  std::string in_body = narrative;
  in_body.insert(in_body.find("</structuredBody>"),
                 "<!-- 1.2.246.537.6.12.2002 \"362\" -->");
  EXPECT_FALSE(MayBeAuthorisation(in_body, policy));
  // Ordinary documents are not.
  EXPECT_FALSE(MayBeAuthorisation(Sample("documents/valid/01-narrative-public-register.xml"), policy));
  EXPECT_FALSE(MayBeAuthorisation(Sample("social-welfare/homecare-visit-for-organiser.xml"), policy));
  // The client-relationship group code comes from the policy.
  registers::RegisterPolicy other;
  other.client_relationship_group = "AS01";
  EXPECT_FALSE(MayBeAuthorisation(Sample("social-welfare/client-relationship.xml"), other));
}

TEST(BatchPlanTest, AuthorisationsGoFirstWhateverTheOrder) {
  Pipeline parse;
  parse.Add(std::make_unique<formats::IntakeStage>(formats::IntakeOptions{}));
  parse.Add(std::make_unique<formats::ParseStage>(xml::ParseLimits{}));
  const std::string dir = (testing::SourceDir() / "samples").string();
  // A file that is gone by the time the plan reads it.
  testing::TempDir t;
  const std::string vanished = (t.path() / "vanished.xml").string();
  const std::vector<std::string> paths = {
      dir + "/outsourcing/01-occupational-care-for-county.xml",
      dir + "/documents/valid/06-radiology-utf16.xml",
      dir + "/authorisations/osva-patient-specific.xml",
      dir + "/messages/RCMR_IN100002FI01-service-event.xml",
      dir + "/social-welfare/client-relationship.xml",
      vanished,
  };
  for (std::size_t jobs : {1u, 2u}) {
    testing::WriteFile(vanished, "<x/>");
    Result<InputWalk> walk = InputWalk::Start(paths);
    ASSERT_TRUE(walk.ok()) << walk.status().ToString();
    std::filesystem::remove(vanished);  // left for the intake stage to report
    const BatchPlan plan = PlanBatch(*walk, parse, registers::RegisterPolicy{}, 64u << 20, jobs);
    EXPECT_EQ(plan.authorisations, (std::vector<std::string>{paths[2], paths[4]}));
    EXPECT_EQ(plan.parsed, 4u);  // two authorisations, the UTF-16 file and the message
    EXPECT_FALSE(walk->Next().has_value());  // the plan walked everything
  }
}

TEST(BatchPlanTest, AHeaderLongerThanTheFirstReadIsReadToItsEnd) {
  // The plan reads a file's head only (8 KiB first, more while the header
  // goes on); an authorisation whose markers sit 70 KiB in (behind a long
  // comment) must still be found.
  Pipeline parse;
  parse.Add(std::make_unique<formats::IntakeStage>(formats::IntakeOptions{}));
  parse.Add(std::make_unique<formats::ParseStage>(xml::ParseLimits{}));
  std::string bytes = Sample("authorisations/osva-patient-specific.xml");
  const std::size_t root_end = bytes.find('>', bytes.find("<ClinicalDocument"));
  ASSERT_NE(root_end, std::string::npos);
  bytes.insert(root_end + 1, "\n<!--" + std::string(70 * 1024, 'x') + "-->");
  testing::TempDir dir;
  const std::string padded = (dir.path() / "padded-osva.xml").string();
  testing::WriteFile(padded, bytes);
  const std::string plain =
      (testing::SourceDir() / "samples/outsourcing/01-occupational-care-for-county.xml").string();
  Result<InputWalk> walk = InputWalk::Start({plain, padded});
  ASSERT_TRUE(walk.ok()) << walk.status().ToString();
  const BatchPlan plan = PlanBatch(*walk, parse, registers::RegisterPolicy{}, 64u << 20, 1);
  EXPECT_EQ(plan.authorisations, std::vector<std::string>{padded});
}

TEST(BatchPlanTest, AStopEndsTheWalkEarly) {
  // Interrupted ingest (a signal) asks the plan to stop: it walks no further.
  Pipeline parse;
  parse.Add(std::make_unique<formats::IntakeStage>(formats::IntakeOptions{}));
  parse.Add(std::make_unique<formats::ParseStage>(xml::ParseLimits{}));
  const std::string dir = (testing::SourceDir() / "samples").string();
  const std::vector<std::string> paths = {dir + "/authorisations/osva-patient-specific.xml",
                                          dir + "/social-welfare/client-relationship.xml",
                                          dir + "/outsourcing/01-occupational-care-for-county.xml"};
  Result<InputWalk> walk = InputWalk::Start(paths);
  ASSERT_TRUE(walk.ok()) << walk.status().ToString();
  int asked = 0;
  const BatchPlan plan = PlanBatch(*walk, parse, registers::RegisterPolicy{}, 64u << 20, 1,
                                   [&] { return ++asked > 1; });
  EXPECT_EQ(plan.authorisations, std::vector<std::string>{paths[0]});  // the one taken before
  EXPECT_EQ(walk->Next(), paths[1]);  // the walk stopped where it was
}

}  // namespace
}  // namespace kanta::route
