#include "monitor/store_tailer.h"

#include <utility>

namespace llmscope::monitor {

StoreTailer::StoreTailer(SeriesMonitor& monitor, std::chrono::milliseconds interval,
                         std::function<void(const Error&)> on_error)
    : monitor_(monitor), interval_(interval), on_error_(std::move(on_error)) {
  thread_ = std::thread([this] { Run(); });
}

StoreTailer::~StoreTailer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void StoreTailer::Run() {
  bool failing = false;  // reported once per outage, not at every tick
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    Result<int> caught_up = monitor_.CatchUp();
    if (!caught_up && !failing) on_error_(caught_up.error());
    failing = !caught_up.ok();
    lock.lock();
  }
}

}  // namespace llmscope::monitor
