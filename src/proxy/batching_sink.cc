#include "proxy/batching_sink.h"

#include <algorithm>
#include <utility>

namespace llmscope::proxy {

BatchingSink::BatchingSink(size_t capacity, size_t max_batch, Deliver deliver)
    : capacity_(std::max<size_t>(1, capacity)),
      max_batch_(std::max<size_t>(1, max_batch)),
      deliver_(std::move(deliver)) {
  thread_ = std::thread([this] { Run(); });
}

BatchingSink::~BatchingSink() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BatchingSink::Offer(Sample sample) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    queue_.push_back(std::move(sample));
  }
  cv_.notify_one();
}

void BatchingSink::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything delivered
    std::vector<Sample> batch;
    if (queue_.size() <= max_batch_) {
      batch.swap(queue_);
    } else {
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(max_batch_)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(max_batch_));
    }
    lock.unlock();
    const size_t n = batch.size();
    deliver_(std::move(batch));
    delivered_.fetch_add(n, std::memory_order_relaxed);
    lock.lock();
  }
}

}  // namespace llmscope::proxy
