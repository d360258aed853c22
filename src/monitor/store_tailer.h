// StoreTailer: in shared mode (several servers on one database), feeds a SeriesMonitor the
// samples other servers append, by calling SeriesMonitor::CatchUp every `interval` on a thread
// of its own, until destroyed. A failed catch-up is retried at the next tick (the samples stay in
// the store; nothing is skipped) and reported to `on_error` once per run of failures.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "core/result.h"
#include "monitor/series_monitor.h"

namespace llmscope::monitor {

class StoreTailer {
 public:
  // `monitor` must outlive the tailer.
  StoreTailer(SeriesMonitor& monitor, std::chrono::milliseconds interval,
              std::function<void(const Error&)> on_error);
  // Stops the thread (a catch-up in progress finishes first).
  ~StoreTailer();
  StoreTailer(const StoreTailer&) = delete;
  StoreTailer& operator=(const StoreTailer&) = delete;

 private:
  void Run();

  SeriesMonitor& monitor_;
  std::chrono::milliseconds interval_;
  std::function<void(const Error&)> on_error_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace llmscope::monitor
