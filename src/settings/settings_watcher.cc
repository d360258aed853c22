#include "settings/settings_watcher.h"

#include <utility>

namespace llmscope::settings {

SettingsWatcher::SettingsWatcher(store::Store& store, std::chrono::milliseconds poll_interval)
    : store_(store), poll_interval_(poll_interval) {}

SettingsWatcher::~SettingsWatcher() { Stop(); }

void SettingsWatcher::Subscribe(std::function<void()> on_change) {
  listeners_.push_back(std::move(on_change));
}

void SettingsWatcher::Start() { thread_ = std::thread([this] { Run(); }); }

void SettingsWatcher::Poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  wake_.notify_one();
}

void SettingsWatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

int64_t SettingsWatcher::changes_seen() const {
  std::lock_guard lock(mu_);
  return changes_seen_;
}

void SettingsWatcher::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    poked_ = false;
    lock.unlock();
    // A failed read (the database is away) is retried at the next poll.
    Result<store::SettingsRevision> revision = store_.GetSettingsRevision();
    const bool changed = revision.ok() && (!last_ || *last_ != *revision);
    if (changed) {
      last_ = *revision;
      for (const std::function<void()>& listener : listeners_) listener();
    }
    lock.lock();
    if (changed) ++changes_seen_;
    wake_.wait_for(lock, poll_interval_, [this] { return poked_ || stopping_; });
  }
}

}  // namespace llmscope::settings
