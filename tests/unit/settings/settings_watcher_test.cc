// SettingsWatcher on a real SQLite store: listeners hear of the settings at start, of a change
// made through another store on the same file (another server), and of a Poke at once.
#include "settings/settings_watcher.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "store/sqlite/sqlite_store.h"

namespace llmscope::settings {
namespace {

using namespace std::chrono_literals;

class SettingsWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "llmscope_watch_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto a = store::SqliteStore::Open(dir_ + "/db.sqlite");
    auto b = store::SqliteStore::Open(dir_ + "/db.sqlite");
    ASSERT_TRUE(a.ok() && b.ok());
    mine_ = std::move(*a);
    other_ = std::move(*b);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static store::SettingWrite Write(std::string id) {
    store::SettingWrite w;
    w.kind = "target";
    w.id = std::move(id);
    w.body = "{}";
    w.actor = "t";
    return w;
  }

  // Waits (bounded) until `count` reaches `want`.
  static bool WaitFor(const std::atomic<int>& count, int want, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (count.load() < want) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  std::string dir_;
  std::unique_ptr<store::SqliteStore> mine_, other_;
};

TEST_F(SettingsWatcherTest, HearsTheStartAChangeByAnotherServerAndAPoke) {
  SettingsWatcher watcher(*mine_, 50ms);
  std::atomic<int> heard{0};
  watcher.Subscribe([&] { ++heard; });
  watcher.Start();
  ASSERT_TRUE(WaitFor(heard, 1, 10s));  // the settings stored before start

  ASSERT_TRUE(other_->PutSetting(Write("a")).ok());
  ASSERT_TRUE(WaitFor(heard, 2, 10s));

  // No change: no news, over several polls.
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(heard.load(), 2);
  watcher.Stop();
}

TEST_F(SettingsWatcherTest, APokeChecksWithoutWaitingForThePoll) {
  SettingsWatcher watcher(*mine_, std::chrono::hours(1));
  std::atomic<int> heard{0};
  watcher.Subscribe([&] { ++heard; });
  watcher.Start();
  ASSERT_TRUE(WaitFor(heard, 1, 10s));
  ASSERT_TRUE(mine_->PutSetting(Write("b")).ok());
  watcher.Poke();
  EXPECT_TRUE(WaitFor(heard, 2, 10s));  // an hour's poll would never get here in time
  EXPECT_EQ(watcher.changes_seen(), 2);
}

}  // namespace
}  // namespace llmscope::settings
