// SettingsWatcher: tells the features that read settings from the store (docs/design.md
// "Settings") when they changed, whether through this server or another on the same database.
// It polls Store::GetSettingsRevision every `poll_interval` on its own thread; a change made
// through this server calls Poke() so that it applies at once instead of at the next poll.
//
// Listeners run on the watcher's thread, one after another, each change once (changes that come
// together are seen as one). A listener reloads what it needs (Store::ListSettings) and must
// not block for long. The first check after Start reports a change: listeners load the settings
// stored before the server started.
//
// Thread-safety: Subscribe before Start; Poke and Stop from any thread. Stop joins the thread;
// the destructor stops.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/store.h"

namespace llmscope::settings {

class SettingsWatcher {
 public:
  SettingsWatcher(store::Store& store, std::chrono::milliseconds poll_interval);
  ~SettingsWatcher();
  SettingsWatcher(const SettingsWatcher&) = delete;
  SettingsWatcher& operator=(const SettingsWatcher&) = delete;

  void Subscribe(std::function<void()> on_change);
  void Start();
  // Checks now, without waiting for the next poll.
  void Poke();
  void Stop();

  // Changes seen (listener rounds run); for tests and /metrics.
  int64_t changes_seen() const;

 private:
  void Run();

  store::Store& store_;
  const std::chrono::milliseconds poll_interval_;
  std::vector<std::function<void()>> listeners_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool poked_ = false, stopping_ = false;
  int64_t changes_seen_ = 0;
  std::optional<store::SettingsRevision> last_;
  std::thread thread_;
};

}  // namespace llmscope::settings
