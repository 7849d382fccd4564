#include "core/batch_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace kanta {
namespace {

// Counts documents alive at once, to check the bound on work in flight.
std::atomic<int> g_alive{0};
std::atomic<int> g_max_alive{0};

struct Tracked : ParsedTree {
  Tracked() {
    const int now = ++g_alive;
    int seen = g_max_alive.load();
    while (now > seen && !g_max_alive.compare_exchange_weak(seen, now)) {
    }
  }
  ~Tracked() override { --g_alive; }
};

class CountingSource final : public DocumentSource {
 public:
  explicit CountingSource(int n) : n_(n) {}
  std::optional<Document> Next() override {
    if (i_ >= n_) return std::nullopt;
    Document d;
    d.source = "doc-" + std::to_string(i_++);
    d.tree = std::make_unique<Tracked>();
    return d;
  }

 private:
  int n_;
  int i_ = 0;
};

// Marks documents whose number is divisible by 3 invalid, sleeps a little on
// even ones so workers finish out of order.
class JudgeStage final : public Stage {
 public:
  std::string_view name() const override { return "judge"; }
  Result<Verdict> Process(Document& doc, Report& report) const override {
    const int n = std::stoi(doc.source.substr(4));
    if (n % 2 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    if (n % 3 == 0) report.Add(Severity::kError, name(), "test.div3", "divisible by 3");
    if (n == 7) throw std::runtime_error("boom");
    if (n == 11) return Internal("stage broke");
    return Verdict::kContinue;
  }
};

class CollectingSink final : public ReportSink {
 public:
  void Accept(Report r) override { reports.push_back(std::move(r)); }
  std::vector<Report> reports;
};

TEST(BatchRunnerTest, EmitsReportsInInputOrderWithManyWorkers) {
  Pipeline p;
  p.Add(std::make_unique<JudgeStage>());
  BatchRunner runner(p, BatchOptions{4, 8});
  CountingSource source(300);
  CollectingSink sink;
  BatchTotals totals = runner.Run(source, sink);
  ASSERT_EQ(sink.reports.size(), 300u);
  for (std::size_t i = 0; i < sink.reports.size(); ++i) {
    EXPECT_EQ(sink.reports[i].index(), i);
    EXPECT_EQ(sink.reports[i].path(), "doc-" + std::to_string(i));
  }
  EXPECT_EQ(totals.documents, 300u);
  EXPECT_EQ(totals.errors, 2u);  // 7 threw, 11 failed to run
  EXPECT_EQ(totals.internal_errors, 2u);
  EXPECT_EQ(totals.invalid, 100u);  // multiples of 3 in 0..299; neither 7 nor 11 is one
  EXPECT_EQ(totals.valid, 300u - 100u - 2u);
}

TEST(BatchRunnerTest, KeepsDocumentsInFlightWithinTheBound) {
  g_max_alive = 0;
  Pipeline p;
  p.Add(std::make_unique<JudgeStage>());
  BatchRunner runner(p, BatchOptions{2, 5});
  CountingSource source(500);
  CollectingSink sink;
  runner.Run(source, sink);
  EXPECT_EQ(sink.reports.size(), 500u);
  // Documents exist only while a worker processes them.
  EXPECT_LE(g_max_alive.load(), 5);
  EXPECT_EQ(g_alive.load(), 0);
}

TEST(BatchRunnerTest, ThrowingStageBecomesAnInternalErrorNotACrash) {
  Pipeline p;
  p.Add(std::make_unique<JudgeStage>());
  BatchRunner runner(p, BatchOptions{1, 0});
  CountingSource source(8);
  CollectingSink sink;
  runner.Run(source, sink);
  const Report& r = sink.reports[7];
  EXPECT_EQ(r.outcome(), Outcome::kError);
  EXPECT_EQ(r.stopped_at, "judge");
  ASSERT_FALSE(r.findings().empty());
  EXPECT_EQ(r.findings().back().rule, "internal.stage-failed");
  EXPECT_NE(r.findings().back().message.find("boom"), std::string::npos);
}

// Leaves a completion that marks even documents invalid, records the order
// completions ran in, and how many were waiting at most.
std::mutex g_completion_mu;
std::vector<std::size_t> g_completed;
std::atomic<int> g_pending{0};
std::atomic<int> g_max_pending{0};

class DeferringStage final : public Stage {
 public:
  std::string_view name() const override { return "defer"; }
  Result<Verdict> Process(Document& doc, Report& report) const override {
    struct Finish final : Completion {
      explicit Finish(int number) : n(number) {}
      void Complete(Report& r) override {
        --g_pending;
        if (n % 2 == 0) r.Add(Severity::kError, "defer", "test.even", "even");
        std::lock_guard lock(g_completion_mu);
        g_completed.push_back(r.index());
      }
      int n;
    };
    const int now = ++g_pending;
    int seen = g_max_pending.load();
    while (now > seen && !g_max_pending.compare_exchange_weak(seen, now)) {
    }
    report.completion = std::make_shared<Finish>(std::stoi(doc.source.substr(4)));
    return Verdict::kContinue;
  }
};

TEST(BatchRunnerTest, CompletionsRunInInputOrderBeforeCountingAndLetWorkOverlap) {
  for (std::size_t jobs : {1u, 3u}) {
    g_completed.clear();
    g_max_pending = 0;
    Pipeline p;
    p.Add(std::make_unique<DeferringStage>());
    BatchRunner runner(p, BatchOptions{jobs, 6});
    CountingSource source(100);
    CollectingSink sink;
    const BatchTotals totals = runner.Run(source, sink);
    EXPECT_EQ(totals.invalid, 50u) << "completions ran before counting";
    ASSERT_EQ(g_completed.size(), 100u);
    for (std::size_t i = 0; i < 100; ++i) EXPECT_EQ(g_completed[i], i);
    for (const Report& r : sink.reports) EXPECT_EQ(r.completion, nullptr);
    EXPECT_GT(g_max_pending.load(), 1) << "documents go on while completions wait";
    EXPECT_LE(g_max_pending.load(), 7);
    EXPECT_EQ(g_pending.load(), 0);
  }
}

// Every other document leaves a completion; each records how many
// documents had been processed when it ran.
std::atomic<int> g_processed{0};
std::vector<std::pair<std::size_t, int>> g_completed_at;  // guarded by g_completion_mu

class EveryOtherCompletesStage final : public Stage {
 public:
  std::string_view name() const override { return "every-other"; }
  Result<Verdict> Process(Document& doc, Report& report) const override {
    ++g_processed;
    struct Note final : Completion {
      void Complete(Report& r) override {
        std::lock_guard lock(g_completion_mu);
        g_completed_at.emplace_back(r.index(), g_processed.load());
      }
    };
    if (std::stoi(doc.source.substr(4)) % 2 == 0) report.completion = std::make_shared<Note>();
    return Verdict::kContinue;
  }
};

TEST(BatchRunnerTest, HoldsCompletionsBackWhileLaterDocumentsGoOn) {
  // A completion waits for work the document started (a batched store);
  // run at once, it would wait for work that had no time to be done. Reports
  // without a completion must not force the held ones out either.
  constexpr int kDocuments = 200;
  for (std::size_t jobs : {1u, 2u}) {
    g_processed = 0;
    g_completed_at.clear();
    Pipeline p;
    p.Add(std::make_unique<EveryOtherCompletesStage>());
    BatchRunner runner(p, BatchOptions{jobs, 16, /*hold_completions=*/true});
    CountingSource source(kDocuments);
    CollectingSink sink;
    EXPECT_EQ(runner.Run(source, sink).documents, static_cast<std::size_t>(kDocuments));
    ASSERT_EQ(g_completed_at.size(), static_cast<std::size_t>(kDocuments / 2));
    for (const auto& [index, processed] : g_completed_at) {
      const int at_least = std::min<int>(kDocuments, static_cast<int>(index) + 5);
      EXPECT_GE(processed, at_least) << "jobs " << jobs << ": document " << index
                                     << " completed while only " << processed << " were processed";
    }
    ASSERT_EQ(sink.reports.size(), static_cast<std::size_t>(kDocuments));
    for (int i = 0; i < kDocuments; ++i) EXPECT_EQ(sink.reports[i].index(), static_cast<std::size_t>(i));
  }
}

// The first document is much the slowest: the others finish and wait, the
// bound stops the workers, and everything still comes out in order.
class SlowFirstStage final : public Stage {
 public:
  std::string_view name() const override { return "slow-first"; }
  Result<Verdict> Process(Document& doc, Report&) const override {
    if (doc.source == "doc-0") std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return Verdict::kContinue;
  }
};

class ThreadCheckingSink final : public ReportSink {
 public:
  void Accept(Report r) override {
    if (std::this_thread::get_id() != caller) ++foreign;
    order.push_back(r.index());
  }
  std::thread::id caller = std::this_thread::get_id();
  int foreign = 0;
  std::vector<std::size_t> order;
};

TEST(BatchRunnerTest, HandsReportsOnInOrderOnTheCallingThreadWhenTheFirstIsSlowest) {
  Pipeline p;
  p.Add(std::make_unique<SlowFirstStage>());
  BatchRunner runner(p, BatchOptions{2, 3});
  CountingSource source(40);
  ThreadCheckingSink sink;
  EXPECT_EQ(runner.Run(source, sink).documents, 40u);
  EXPECT_EQ(sink.foreign, 0);
  ASSERT_EQ(sink.order.size(), 40u);
  for (std::size_t i = 0; i < sink.order.size(); ++i) EXPECT_EQ(sink.order[i], i);
}

TEST(BatchRunnerTest, EmptyBatchEndsAtOnce) {
  Pipeline p;
  BatchRunner runner(p, BatchOptions{3, 0});
  CountingSource source(0);
  CollectingSink sink;
  EXPECT_EQ(runner.Run(source, sink).documents, 0u);
}

}  // namespace
}  // namespace kanta
