// BatchingSink: a SampleSink that queues samples (bounded) and hands them in batches to a
// deliver function on a thread of its own, so a slow store never slows the proxied calls: when
// the queue is full a sample is dropped and counted (docs/design.md "Proxy").
//
// Thread-safe. Offer() never blocks on delivery. The destructor delivers what is queued, then
// stops the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "proxy/sample_sink.h"

namespace llmscope::proxy {

class BatchingSink final : public SampleSink {
 public:
  using Deliver = std::function<void(std::vector<Sample> batch)>;

  // Holds at most `capacity` samples not yet delivered; a batch is at most `max_batch` samples.
  BatchingSink(size_t capacity, size_t max_batch, Deliver deliver);
  ~BatchingSink() override;
  BatchingSink(const BatchingSink&) = delete;
  BatchingSink& operator=(const BatchingSink&) = delete;

  void Offer(Sample sample) override;

  // Samples handed to deliver, and samples dropped because the queue was full, since the start.
  uint64_t delivered() const { return delivered_.load(std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void Run();

  const size_t capacity_, max_batch_;
  const Deliver deliver_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Sample> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> delivered_{0}, dropped_{0};
  std::thread thread_;
};

}  // namespace llmscope::proxy
