#include "route/store_queue.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "archive_test_support.h"
#include "test_support.h"

namespace kanta::route {
namespace {

using archive::StoreOutcome;
using archive::StoreRequest;

class StoreQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = archive::OpenArchive("sqlite:" + (dir_.path() / "a.sqlite").string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    archive_ = std::move(*opened);
  }
  std::shared_ptr<const StoreRequest> Doc(int i) {
    return std::make_shared<const StoreRequest>(archive::testing::MakeTestDocument(i, 2000, "run"));
  }
  testing::TempDir dir_;
  std::shared_ptr<archive::Archive> archive_;
};

TEST_F(StoreQueueTest, StoresEverySubmissionFromManyThreadsInBatches) {
  auto queue = std::make_shared<StoreQueue>(archive_, StoreQueue::Options{});
  std::vector<std::thread> threads;
  std::vector<std::vector<StoreQueue::Outcome>> outcomes(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) outcomes[t].push_back(queue->Submit(Doc(t * 1000 + i)));
    });
  }
  for (auto& th : threads) th.join();
  for (auto& list : outcomes) {
    for (const auto& o : list) {
      const auto& r = queue->Wait(o);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(*r, StoreOutcome::kStored);
    }
  }
  EXPECT_EQ(queue->documents(), 400u);
  EXPECT_LT(queue->batches(), 400u) << "documents that arrive together are committed together";
  EXPECT_EQ(archive_->List({})->size(), 400u);
}

TEST_F(StoreQueueTest, ADuplicateInTheSameBatchIsReportedAsSuch) {
  auto queue = std::make_shared<StoreQueue>(archive_, StoreQueue::Options{});
  auto first = queue->Submit(Doc(1));
  auto again = queue->Submit(Doc(1));
  EXPECT_EQ(*queue->Wait(first), StoreOutcome::kStored);
  EXPECT_EQ(*queue->Wait(again), StoreOutcome::kDuplicate);
}

TEST_F(StoreQueueTest, WaitingDoesNotLingerAndTheDestructorStoresWhatIsQueued) {
  StoreQueue::Options options;
  options.linger = std::chrono::milliseconds(60000);  // only a waiter or a full batch flushes
  {
    auto queue = std::make_shared<StoreQueue>(archive_, options);
    const auto start = std::chrono::steady_clock::now();
    auto one = queue->Submit(Doc(1));
    EXPECT_EQ(*queue->Wait(one), StoreOutcome::kStored);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
    queue->Submit(Doc(2));  // nobody waits: stored when the queue closes
  }
  EXPECT_EQ(archive_->List({})->size(), 2u);
}

TEST_F(StoreQueueTest, AFailedBatchGivesEveryMemberTheError) {
  auto queue = std::make_shared<StoreQueue>(archive_, StoreQueue::Options{});
  auto bad = std::make_shared<StoreRequest>(archive::testing::MakeTestDocument(5, 100, "run"));
  bad->record.input_sha256.clear();
  auto outcome = queue->Submit(bad);
  const auto& r = queue->Wait(outcome);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kanta::route
