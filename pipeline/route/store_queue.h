// StoreQueue: stores documents in batched transactions, on a thread of its own.
//
// Workers hand over a StoreRequest and go on with the next document; the
// queue's thread lets requests gather until `max_batch` are there, someone
// waits for an outcome (Wait), or `linger` has passed since the oldest
// arrived, and stores them with one Archive::StoreBatch: a busy ingest
// commits many documents at a time. Each submission gets an outcome that is
// ready once the batch holding it has committed (or failed): nothing may be
// reported as stored before that.
//
// Thread-safety: Submit() may be called from any number of threads. The
// destructor stores what was already submitted and then stops.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "archive/archive.h"

namespace kanta::route {

class StoreQueue {
 public:
  struct Options {
    std::size_t max_batch = 64;    // documents per transaction at most
    std::size_t max_queued = 256;  // Submit() waits while this many are queued
    std::chrono::milliseconds linger{20};  // longest wait for a batch to fill
  };
  using Outcome = std::shared_future<Result<archive::StoreOutcome>>;

  StoreQueue(std::shared_ptr<archive::Archive> archive, Options options);
  ~StoreQueue();
  StoreQueue(const StoreQueue&) = delete;
  StoreQueue& operator=(const StoreQueue&) = delete;

  // Queues `request` (waiting while the queue is full) and returns its
  // outcome. The request is shared: the caller may keep it (e.g. its bytes
  // for a quarantine) without a copy.
  Outcome Submit(std::shared_ptr<const archive::StoreRequest> request);

  // The outcome of a submission, waiting for it; asks the queue to store
  // what has gathered now rather than wait for more.
  const Result<archive::StoreOutcome>& Wait(const Outcome& outcome);

  // How many transactions and documents have been committed so far.
  std::size_t batches() const;
  std::size_t documents() const;

 private:
  struct Item {
    std::shared_ptr<const archive::StoreRequest> request;
    std::promise<Result<archive::StoreOutcome>> promise;
  };
  void Run();

  const std::shared_ptr<archive::Archive> archive_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable work_;   // items queued, or stopping
  std::condition_variable space_;  // the queue dropped below max_queued
  std::deque<Item> queue_;         // guarded by mu_
  bool stopping_ = false;          // guarded by mu_
  bool urgent_ = false;            // someone waits for an outcome; guarded by mu_
  std::size_t batches_ = 0;        // guarded by mu_
  std::size_t documents_ = 0;      // guarded by mu_
  std::thread thread_;             // last: starts after everything above exists
};

}  // namespace kanta::route
