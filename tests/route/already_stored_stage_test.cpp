#include "route/already_stored_stage.h"

#include <gtest/gtest.h>

#include "archive/archive.h"
#include "test_support.h"

namespace kanta::route {
namespace {

constexpr char kCda[] =
    "<?xml version=\"1.0\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><id root=\"1.2.3\"/>"
    "</ClinicalDocument>\n";

class AlreadyStoredStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = archive::OpenArchive("sqlite:" + (dir_.path() / "a.sqlite").string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    archive_ = std::move(*opened);
    archive::StoreRequest r;
    r.record.id = "1.2.3";
    r.record.set_id = "1.2.3";
    r.record.version = 1;
    r.record.custodian = "1.2.246.10.1.19.0";
    r.record.register_code = "2";
    r.record.register_system = "1.2.246.537.5.40150.2009";
    r.record.basis = {"own", ""};
    r.record.input_sha256 = archive::Sha256Hex(kCda);
    r.record.run_id = "earlier-run";
    r.bytes = kCda;
    r.source = "in.xml";
    ASSERT_TRUE(archive_->Store(r).ok());
  }

  static Document Loaded(std::string bytes) {
    Document doc;
    doc.source = "in.xml";
    doc.bytes = std::move(bytes);
    doc.loaded = true;
    return doc;
  }

  testing::TempDir dir_;
  std::shared_ptr<archive::Archive> archive_;
};

TEST_F(AlreadyStoredStageTest, KnowsWhatAnEarlierRunStoredAsTheseBytes) {
  const AlreadyStoredStage stage(archive_, "this-run");
  Document doc = Loaded(kCda);
  Report report(0, doc.source);
  auto verdict = stage.Process(doc, report);
  ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
  EXPECT_EQ(*verdict, Verdict::kDone);
  ASSERT_TRUE(doc.decision.has_value());
  EXPECT_EQ(doc.decision->action, Action::kDuplicate);
  EXPECT_TRUE(doc.decision->stored_before);
  EXPECT_EQ(doc.decision->custodian, "1.2.246.10.1.19.0");
  EXPECT_EQ(doc.decision->register_code, "2");
  EXPECT_EQ(doc.facts.id, "1.2.3");
  EXPECT_EQ(doc.kind, DocumentKind::kCda);
  EXPECT_EQ(doc.input_sha256, archive::Sha256Hex(kCda));
  ASSERT_EQ(report.findings().size(), 1u);
  EXPECT_EQ(report.findings()[0].rule, "route.already-stored");
  EXPECT_NE(report.findings()[0].message.find("earlier-run"), std::string::npos);
}

TEST_F(AlreadyStoredStageTest, LeavesEverythingElseToTheLongWay) {
  // Other bytes: hashed (the fingerprint is not taken twice), not known.
  const AlreadyStoredStage stage(archive_, "this-run");
  std::string other = kCda;
  other.insert(other.find("</ClinicalDocument>"), "<title/>");
  Document changed = Loaded(other);
  Report r1(0, changed.source);
  EXPECT_EQ(*stage.Process(changed, r1), Verdict::kContinue);
  EXPECT_EQ(changed.input_sha256, archive::Sha256Hex(other));
  EXPECT_FALSE(changed.decision.has_value());
  EXPECT_TRUE(r1.findings().empty());

  // Stored by this very run: whether a repeat in the batch comes before or
  // after that commit is timing, so the long way decides it.
  const AlreadyStoredStage same_run(archive_, "earlier-run");
  Document again = Loaded(kCda);
  Report r2(0, again.source);
  EXPECT_EQ(*same_run.Process(again, r2), Verdict::kContinue);
  EXPECT_FALSE(again.decision.has_value());

  // The same bytes from another file (moved since?): the long way.
  Document moved = Loaded(kCda);
  moved.source = "moved/in.xml";
  Report r5(0, moved.source);
  EXPECT_EQ(*stage.Process(moved, r5), Verdict::kContinue);

  // Not XML, or not read: nothing to look for.
  Document json = Loaded("{\"resourceType\": \"Patient\"}");
  Report r3(0, json.source);
  EXPECT_EQ(*stage.Process(json, r3), Verdict::kContinue);
  EXPECT_TRUE(json.input_sha256.empty());
  Document unread;
  Report r4(0, "x.xml");
  EXPECT_EQ(*stage.Process(unread, r4), Verdict::kContinue);
}

}  // namespace
}  // namespace kanta::route
