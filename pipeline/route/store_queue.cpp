#include "route/store_queue.h"

#include <vector>

#include "core/thread_name.h"

namespace kanta::route {

StoreQueue::StoreQueue(std::shared_ptr<archive::Archive> archive, Options options)
    : archive_(std::move(archive)), options_(options), thread_([this] {
        NameThisThread("kanta-store");
        Run();
      }) {}

StoreQueue::~StoreQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_.notify_all();
  thread_.join();
}

StoreQueue::Outcome StoreQueue::Submit(std::shared_ptr<const archive::StoreRequest> request) {
  Item item{std::move(request), {}};
  Outcome outcome = item.promise.get_future().share();
  bool wake = false;
  {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return queue_.size() < options_.max_queued; });
    queue_.push_back(std::move(item));
    // The writer needs waking only to start a batch or to take a full one;
    // waking it for every document costs more than the wait saves.
    wake = queue_.size() == 1 || queue_.size() == options_.max_batch;
  }
  if (wake) work_.notify_one();
  return outcome;
}

const Result<archive::StoreOutcome>& StoreQueue::Wait(const Outcome& outcome) {
  if (outcome.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    {
      std::lock_guard lock(mu_);
      urgent_ = true;
    }
    work_.notify_one();
  }
  return outcome.get();
}

std::size_t StoreQueue::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

std::size_t StoreQueue::documents() const {
  std::lock_guard lock(mu_);
  return documents_;
}

void StoreQueue::Run() {
  for (;;) {
    std::vector<Item> batch;
    {
      std::unique_lock lock(mu_);
      work_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything is stored
      // Let the batch fill, unless someone is waiting for it already.
      work_.wait_for(lock, options_.linger, [&] {
        return queue_.size() >= options_.max_batch || urgent_ || stopping_;
      });
      urgent_ = false;
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    space_.notify_all();
    std::vector<const archive::StoreRequest*> requests;
    requests.reserve(batch.size());
    for (const Item& item : batch) requests.push_back(item.request.get());
    Result<std::vector<archive::StoreOutcome>> outcomes = archive_->StoreBatch(requests);
    {
      std::lock_guard lock(mu_);
      ++batches_;
      documents_ += batch.size();
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (outcomes.ok()) {
        batch[i].promise.set_value((*outcomes)[i]);
      } else {
        batch[i].promise.set_value(outcomes.status());
      }
    }
  }
}

}  // namespace kanta::route
