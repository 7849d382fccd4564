#include "core/batch_runner.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "core/thread_name.h"

namespace kanta {

BatchRunner::BatchRunner(const Pipeline& pipeline, BatchOptions options) : pipeline_(pipeline) {
  jobs_ = options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  max_in_flight_ = options.max_in_flight != 0 ? options.max_in_flight : 4 * jobs_;
  if (max_in_flight_ < jobs_) max_in_flight_ = jobs_;
  hold_limit_ = options.hold_completions ? max_in_flight_ / 2 : 0;
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
  BatchTotals totals;
  if (jobs_ == 1) {
    // One worker: run on this thread; no hand-offs, same order and output.
    // Reports with a completion wait (up to the in-flight bound) so that the
    // completions can overlap with the next documents. A report without one
    // waits its turn behind them instead of forcing them out: completing a
    // report right after its document was submitted would wait for work
    // (a batched store) that had no time to be done.
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
      waiting.push_back(std::move(report));
      while (!waiting.empty() &&
             (!waiting.front().completion || waiting.size() > max_in_flight_)) {
        emit();
      }
    }
    while (!waiting.empty()) emit();
    return totals;
  }

  // Workers take documents from the source themselves (it only names them;
  // each worker reads its own) and park finished reports in a ring indexed
  // by input position. This thread completes them and hands them to the
  // sink in order, several at a time. Threads wake each other only when
  // they must: the emitter when a run of reports is ready (or the
  // input ended, or a worker is about to wait for room), a worker when room
  // is made. On two cores every avoided wake-up is time a worker gets back.
  // Half the bound, so workers seldom find the ring full.
  const std::size_t emit_batch = std::clamp<std::size_t>(max_in_flight_ / 2, 1, 16);
  // Reports whose completion has not run yet are held back, up to
  // hold_limit_, so that what they wait for (a store, which the store queue
  // batches) is mostly done when they are completed. Completing them as
  // soon as they were ready made the emitter wait for stores submitted a
  // moment before, and the store queue commit a few documents at a time.
  std::mutex mu;
  std::condition_variable emit_ready;  // emitter: there is something to hand on
  std::condition_variable slot_free;   // workers: taken - released dropped below the bound
  std::vector<std::optional<Report>> ring(max_in_flight_);  // guarded by mu
  // Guarded by mu: documents taken from the source; reports [emitted, ready)
  // all in the ring; reports taken out of the ring; reports completed and
  // handed on (a report held for its completion still counts as in
  // flight, so released <= emitted <= ready <= taken).
  std::size_t taken = 0, ready = 0, emitted = 0, released = 0;
  bool input_done = false;          // guarded by mu
  bool emitter_waiting = false;     // guarded by mu
  std::size_t workers_waiting = 0;  // guarded by mu

  // Whether the emitter has work worth waking for; called with mu held.
  auto worth_emitting = [&] {
    // A waiting worker needs room, and the emitter holds or can take a
    // report whose release makes it.
    if (workers_waiting > 0 && taken - released >= max_in_flight_ && released < ready) return true;
    if (ready == emitted) return input_done && emitted == taken;
    return ready - emitted >= emit_batch || input_done || taken - released >= max_in_flight_;
  };

  auto work = [&] {
    NameThisThread("kanta-work");
    for (;;) {
      std::optional<Document> doc;
      {
        std::unique_lock lock(mu);
        while (!input_done && taken - released >= max_in_flight_) {
          ++workers_waiting;
          if (emitter_waiting && worth_emitting()) emit_ready.notify_one();
          slot_free.wait(lock);
          --workers_waiting;
        }
        if (input_done) return;
        // The source is called by one thread at a time, under the lock.
        doc = source.Next();
        if (!doc) {
          input_done = true;
          if (emitter_waiting) emit_ready.notify_one();
          slot_free.notify_all();
          return;
        }
        doc->index = taken++;
      }
      Report report(doc->index, doc->source);
      pipeline_.Run(*doc, report);
      doc.reset();  // free bytes and tree before taking the lock
      bool wake = false;
      {
        std::lock_guard lock(mu);
        ring[report.index() % ring.size()] = std::move(report);
        while (ready < taken && ring[ready % ring.size()].has_value()) ++ready;
        wake = emitter_waiting && worth_emitting();
      }
      if (wake) emit_ready.notify_one();
    }
  };

  std::vector<std::thread> workers;
  workers.reserve(jobs_);
  for (std::size_t i = 0; i < jobs_; ++i) workers.emplace_back(work);

  std::deque<Report> held;  // taken out of the ring, not yet handed on (emitter only)
  std::vector<Report> batch;
  for (;;) {
    bool finishing = false;
    std::size_t in_flight = 0;
    {
      std::unique_lock lock(mu);
      emitter_waiting = true;
      emit_ready.wait(lock, worth_emitting);
      emitter_waiting = false;
      for (; emitted < ready; ++emitted) {
        std::optional<Report>& slot = ring[emitted % ring.size()];
        held.push_back(std::move(*slot));
        slot.reset();
      }
      finishing = input_done && emitted == taken;
      in_flight = taken - released;
    }
    if (held.empty()) {
      if (finishing) break;  // input done and everything handed on
      continue;
    }
    // Hand on, in order: at the end everything; otherwise what is over the
    // hold limit, a run more if that would leave the workers no room, and
    // any report after those that needs no waiting.
    std::size_t must = finishing ? held.size() : held.size() - std::min(held.size(), hold_limit_);
    if (in_flight - must >= max_in_flight_) must = std::min(held.size(), must + emit_batch);
    std::size_t n = 0;
    while (n < held.size() && (n < must || !held[n].completion)) ++n;
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(held.front()));
      held.pop_front();
    }
    if (batch.empty()) continue;
    for (Report& report : batch) CompleteReport(report);
    {
      std::lock_guard lock(mu);
      released += batch.size();
      if (workers_waiting > 0) slot_free.notify_all();
    }
    for (Report& report : batch) {
      CountReport(report, totals);
      sink.Accept(std::move(report));
    }
    batch.clear();
  }
  for (auto& w : workers) w.join();
  return totals;
}

}  // namespace kanta
