#include "core/pipeline.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace kanta {
namespace {

// A stage that returns a fixed verdict (or throws) and records that it ran.
class ScriptedStage final : public Stage {
 public:
  ScriptedStage(std::string name, Verdict verdict, bool throws = false)
      : name_(std::move(name)), verdict_(verdict), throws_(throws) {}
  std::string_view name() const override { return name_; }
  Result<Verdict> Process(Document& doc, Report& report) const override {
    if (throws_) throw std::runtime_error("boom");
    doc.facts.id += name_ + ";";
    report.Add(Severity::kInfo, name_, "ran", "ran");
    return verdict_;
  }

 private:
  std::string name_;
  Verdict verdict_;
  bool throws_;
};

TEST(PipelineTest, StopsAtTheFirstStageThatRejects) {
  Pipeline p;
  p.Add(std::make_unique<ScriptedStage>("a", Verdict::kContinue));
  p.Add(std::make_unique<ScriptedStage>("b", Verdict::kReject));
  p.Add(std::make_unique<ScriptedStage>("c", Verdict::kContinue));
  Document doc;
  Report report;
  EXPECT_EQ(p.Run(doc, report), Verdict::kReject);
  EXPECT_EQ(report.stopped_at, "b");
  EXPECT_EQ(report.facts.id, "a;b;");
}

TEST(PipelineTest, FinalStagesRunAfterARejectionAndSeeWhereItStopped) {
  Pipeline p;
  p.Add(std::make_unique<ScriptedStage>("a", Verdict::kReject));
  p.Add(std::make_unique<ScriptedStage>("b", Verdict::kContinue));
  p.AddFinal(std::make_unique<ScriptedStage>("route", Verdict::kContinue));
  Document doc;
  Report report;
  EXPECT_EQ(p.Run(doc, report), Verdict::kReject);
  EXPECT_EQ(report.stopped_at, "a");
  EXPECT_EQ(report.facts.id, "a;route;");
}

TEST(PipelineTest, FinalStagesRunAfterAStageFailsToRun) {
  Pipeline p;
  p.Add(std::make_unique<ScriptedStage>("a", Verdict::kContinue, /*throws=*/true));
  p.AddFinal(std::make_unique<ScriptedStage>("route", Verdict::kQuarantine));
  Document doc;
  Report report;
  EXPECT_EQ(p.Run(doc, report), Verdict::kQuarantine);
  EXPECT_FALSE(report.internal_error().ok());
  EXPECT_EQ(report.stopped_at, "a");
  EXPECT_EQ(report.facts.id, "route;");
  EXPECT_EQ(report.outcome(), Outcome::kError);
}

TEST(PipelineTest, DecisionIsCopiedIntoTheReport) {
  Pipeline p;
  p.Add(std::make_unique<ScriptedStage>("a", Verdict::kContinue));
  Document doc;
  doc.decision = Decision{};
  doc.decision->custodian = "1.2.3";
  Report report;
  p.Run(doc, report);
  ASSERT_TRUE(report.decision.has_value());
  EXPECT_EQ(report.decision->custodian, "1.2.3");
  EXPECT_EQ(ActionName(report.decision->action), "pending");
}

}  // namespace
}  // namespace kanta
