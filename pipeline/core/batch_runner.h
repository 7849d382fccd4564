// BatchRunner: streams a batch of documents through a Pipeline on N threads.
//
// Workers take documents from a DocumentSource one at a time and run the
// pipeline; reports are handed to a ReportSink one at a time, in input order,
// on the calling thread. At most `max_in_flight` documents exist at once
// (read, processing or waiting to be reported), so memory does not grow with
// the size of the batch. With one job everything runs on the calling thread. A report that carries a Completion has it run on the
// calling thread, in input order, right before it is counted and handed on.
// Such reports are held back (up to `max_in_flight` with one job; with more,
// half of it when BatchOptions::hold_completions is set) while later
// documents go on, so that the work a completion waits for (a store, which is
// batched) is mostly done when it runs.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "core/pipeline.h"

namespace kanta {

// Supplies the documents of a batch, in order. Called by one thread at a
// time (the runner serialises the calls), so it need not be thread-safe.
class DocumentSource {
 public:
  virtual ~DocumentSource() = default;
  // The next document, or nullopt at the end.
  virtual std::optional<Document> Next() = 0;
};

// Receives finished reports in input order, on the thread that called Run().
class ReportSink {
 public:
  virtual ~ReportSink() = default;
  virtual void Accept(Report report) = 0;
};

struct BatchOptions {
  std::size_t jobs = 0;           // worker threads; 0 = number of cores
  // Documents taken but not yet handed on (a document's bytes and tree
  // exist only while a worker processes it; the others are reports waiting
  // for an earlier one or for their completion). 0 = 4 * jobs.
  std::size_t max_in_flight = 0;
  // With several jobs, hold up to half of `max_in_flight` reports back before
  // running their completions: for completions that wait for batched work
  // (ingest's stores). Completions that only do work of their own (writing a
  // signed file) gain nothing from waiting. With one job reports are always
  // held up to `max_in_flight`.
  bool hold_completions = false;
};

struct BatchTotals {
  std::size_t documents = 0;
  std::size_t valid = 0;
  std::size_t invalid = 0;
  std::size_t errors = 0;
  std::size_t internal_errors = 0;  // reports with a non-OK internal status
  // Set by the caller when a signal ended the batch before its end ("SIGINT"):
  // the documents counted were finished, the rest of the batch was not.
  std::string interrupted;
};

// Adds `report` to `totals` (one document, by its outcome).
void CountReport(const Report& report, BatchTotals& totals);

// Runs and clears the report's Completion, if it has one.
void CompleteReport(Report& report);

class BatchRunner {
 public:
  BatchRunner(const Pipeline& pipeline, BatchOptions options);

  // Processes every document of `source`, hands each report to `sink`, and
  // returns the totals. Blocks until the batch is done.
  BatchTotals Run(DocumentSource& source, ReportSink& sink) const;

  std::size_t jobs() const { return jobs_; }

 private:
  const Pipeline& pipeline_;
  std::size_t jobs_;
  std::size_t max_in_flight_;
  std::size_t hold_limit_;  // reports held for their completion, with several jobs
};

}  // namespace kanta
