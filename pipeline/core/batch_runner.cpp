#include "core/batch_runner.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace kanta {

BatchRunner::BatchRunner(const Pipeline& pipeline, BatchOptions options) : pipeline_(pipeline) {
  jobs_ = options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  max_in_flight_ = options.max_in_flight != 0 ? options.max_in_flight : 4 * jobs_;
  if (max_in_flight_ < jobs_) max_in_flight_ = jobs_;
}

void CountReport(const Report& report, BatchTotals& totals) {
  ++totals.documents;
  switch (report.outcome()) {
    case Outcome::kValid: ++totals.valid; break;
    case Outcome::kInvalid: ++totals.invalid; break;
    case Outcome::kError: ++totals.errors; break;
  }
  if (!report.internal_error().ok() && report.internal_error().code() == StatusCode::kInternal) {
    ++totals.internal_errors;
  }
}

void CompleteReport(Report& report) {
  if (!report.completion) return;
  std::shared_ptr<Completion> completion = std::move(report.completion);
  report.completion.reset();
  completion->Complete(report);
}

BatchTotals BatchRunner::Run(DocumentSource& source, ReportSink& sink) const {
  if (jobs_ == 1) {
    // One worker: run on this thread; no hand-offs, same order and output.
    // Reports with a completion wait (up to the in-flight bound) so that the
    // completions can overlap with the next documents.
    BatchTotals totals;
    std::deque<Report> waiting;
    auto emit = [&] {
      Report report = std::move(waiting.front());
      waiting.pop_front();
      CompleteReport(report);
      CountReport(report, totals);
      sink.Accept(std::move(report));
    };
    std::size_t index = 0;
    while (std::optional<Document> doc = source.Next()) {
      doc->index = index++;
      Report report(doc->index, doc->source);
      pipeline_.Run(*doc, report);
      doc.reset();
      const bool pending = report.completion != nullptr;
      waiting.push_back(std::move(report));
      while (!waiting.empty() && (!pending || waiting.size() > max_in_flight_)) emit();
    }
    while (!waiting.empty()) emit();
    return totals;
  }
  // One mutex guards the work queue, the finished map and the counters; the
  // work per document (milliseconds) dwarfs the time spent holding it.
  std::mutex mu;
  std::condition_variable work_ready;   // queue has work, or input ended
  std::condition_variable report_ready; // finished has the next report
  std::condition_variable slot_free;    // in_flight dropped below the bound
  std::deque<Document> queue;
  std::map<std::size_t, Report> finished;
  std::size_t in_flight = 0;
  bool input_done = false;

  std::vector<std::thread> workers;
  workers.reserve(jobs_);
  for (std::size_t i = 0; i < jobs_; ++i) {
    workers.emplace_back([&] {
      for (;;) {
        Document doc;
        {
          std::unique_lock lock(mu);
          work_ready.wait(lock, [&] { return !queue.empty() || input_done; });
          if (queue.empty()) return;
          doc = std::move(queue.front());
          queue.pop_front();
        }
        Report report(doc.index, doc.source);
        pipeline_.Run(doc, report);
        doc = Document();  // free bytes and tree before waiting on the lock
        {
          std::lock_guard lock(mu);
          finished.emplace(report.index(), std::move(report));
        }
        report_ready.notify_one();
      }
    });
  }

  // The producer runs on its own thread so this thread can emit reports in
  // order while input is still being read.
  std::size_t produced = 0;
  std::thread producer([&] {
    for (;;) {
      {
        std::unique_lock lock(mu);
        slot_free.wait(lock, [&] { return in_flight < max_in_flight_; });
      }
      std::optional<Document> next = source.Next();
      std::lock_guard lock(mu);
      if (!next) {
        input_done = true;
        work_ready.notify_all();
        report_ready.notify_all();
        return;
      }
      next->index = produced++;
      ++in_flight;
      queue.push_back(std::move(*next));
      work_ready.notify_one();
    }
  });

  BatchTotals totals;
  std::size_t next_to_emit = 0;
  for (;;) {
    Report report;
    {
      std::unique_lock lock(mu);
      report_ready.wait(lock, [&] {
        return finished.count(next_to_emit) != 0 || (input_done && next_to_emit == produced);
      });
      auto it = finished.find(next_to_emit);
      if (it == finished.end()) break;  // input done and everything emitted
      report = std::move(it->second);
      finished.erase(it);
    }
    ++next_to_emit;
    CompleteReport(report);
    // The slot frees only now: a document waiting for its completion still
    // counts as in flight.
    {
      std::lock_guard lock(mu);
      --in_flight;
    }
    slot_free.notify_one();
    CountReport(report, totals);
    sink.Accept(std::move(report));
  }
  producer.join();
  for (auto& w : workers) w.join();
  return totals;
}

}  // namespace kanta
