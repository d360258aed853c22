// RemotePush against the real `llmscope serve` (a child process on 127.0.0.1): samples submitted
// while the server is down are spooled and all arrive once it is up; a probe restart (the
// RemotePush destroyed and reopened on the same spool directory) while the server is down loses
// none; a batch the server committed whose reply was lost, resent many times and again after a
// probe restart, is stored once (the spool's ingest keys); a sample the server refuses (400) is
// dropped and counted without blocking the others; a wrong key (401) drops nothing; a 429's
// Retry-After is waited out. The probe talks to a small forwarding proxy on a fixed port, so
// "the server is down" is the proxy not listening (connection refused) while the server itself,
// which takes a new port on every start, keeps running.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "probe/remote_push.h"
#include "support/server_process.h"

namespace llmscope::probe {
namespace {

namespace fs = std::filesystem;
using llmscope::testing::ServerOptions;
using llmscope::testing::ServerProcess;
using llmscope::testing::StartServer;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr char kProvider[] = "push-test";

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "push-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string spool() const { return path_ + "/spool"; }

 private:
  std::string path_;
};

// Forwards POST /api/stats from 127.0.0.1:port() to the server while started; refuses
// connections while stopped. Throttle(n, s) answers the next n requests itself with 429 and
// Retry-After: s. LoseReplies(true) forwards each request but answers 502 in place of the
// server's reply, as if the reply were lost after the server committed; lost() counts them.
// duplicates() sums the server's "duplicates" over every reply it forwarded or lost.
class Proxy {
 public:
  explicit Proxy(int backend_port) : backend_port_(backend_port), port_(testing::PickFreePort()) {}
  ~Proxy() { Stop(); }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void Throttle(int requests, int retry_after_s) {
    retry_after_s_ = retry_after_s;
    throttle_ = requests;
  }
  void LoseReplies(bool lose) { lose_replies_ = lose; }
  int lost() const { return lost_; }
  int duplicates() const { return duplicates_; }

  bool Start() {
    server_ = std::make_unique<httplib::Server>();
    server_->set_tcp_nodelay(true);
    server_->Post("/api/stats", [this](const httplib::Request& req, httplib::Response& res) {
      if (throttle_.fetch_sub(1) > 0) {
        res.status = 429;
        res.set_header("Retry-After", std::to_string(retry_after_s_.load()));
        res.set_content(R"({"error":{"code":"rate_limited","message":"slow down"}})",
                        "application/json");
        return;
      }
      httplib::Client backend("127.0.0.1", backend_port_);
      backend.set_read_timeout(20, 0);
      httplib::Headers headers;
      if (req.has_header("Authorization")) {
        headers.emplace("Authorization", req.get_header_value("Authorization"));
      }
      auto r = backend.Post("/api/stats", headers, req.body, "application/json");
      if (!r) {
        res.status = 502;
        return;
      }
      const json reply = json::parse(r->body, nullptr, false);
      if (reply.is_object() && reply.contains("duplicates")) {
        duplicates_ += reply["duplicates"].get<int>();
      }
      if (lose_replies_) {
        ++lost_;
        res.status = 502;
        return;
      }
      res.status = r->status;
      res.set_content(r->body, "application/json");
    });
    if (!server_->bind_to_port("127.0.0.1", port_)) return false;
    // bind_to_port also listens: connections queue until the thread accepts them.
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    return true;
  }
  void Stop() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
  }

 private:
  int backend_port_;
  int port_;
  std::atomic<int> throttle_{0};
  std::atomic<int> retry_after_s_{0};
  std::atomic<bool> lose_replies_{false};
  std::atomic<int> lost_{0};
  std::atomic<int> duplicates_{0};
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

// The tokens_in of every stored sample of kProvider, with how often each is stored.
std::map<int64_t, int> StoredIndexes(const ServerProcess& server) {
  std::map<int64_t, int> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(server.db_path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) !=
      SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << server.db_path();
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  const std::string sql = "SELECT tokens_in FROM samples WHERE provider = ?";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(stmt, 1, kProvider, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW) ++out[sqlite3_column_int64(stmt, 0)];
  } else {
    ADD_FAILURE() << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

std::map<int64_t, int> Once(int64_t from, int64_t to) {
  std::map<int64_t, int> out;
  for (int64_t i = from; i < to; ++i) out[i] = 1;
  return out;
}

std::vector<Sample> Samples(int64_t from, int64_t to) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::vector<Sample> out;
  for (int64_t i = from; i < to; ++i) {
    Sample s;
    s.time_ms = now_ms - 1000 + i;
    s.source = SourceKey{kProvider, "model-a", "site-1", ""};
    s.e2e_ms = 50.0 + static_cast<double>(i);
    s.ttft_ms = 10.0;
    s.tokens_in = i;
    s.tokens_out = 20;
    s.telemetry.cpu_percent = 10;
    out.push_back(std::move(s));
  }
  return out;
}

RemotePushOptions PushOptions(const std::string& url, const std::string& key,
                              const std::string& spool_dir) {
  RemotePushOptions o;
  o.url = url;
  o.api_key = key;
  o.spool_dir = spool_dir;
  o.batch_max = 8;  // several batches per test
  o.retry_max_s = 0.3;
  return o;
}

std::unique_ptr<RemotePush> OpenPush(const RemotePushOptions& options) {
  Result<std::unique_ptr<RemotePush>> push = RemotePush::Open(options);
  EXPECT_TRUE(push.ok()) << (push.ok() ? "" : push.error().message);
  return push.ok() ? std::move(*push) : nullptr;
}

// Polls until `done` holds or 20 s pass.
bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

TEST(RemotePushTest, SpoolsWhileServerIsDownAndDeliversWhenItIsUp) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_NE(server, nullptr);
  Proxy proxy(server->port());
  TempDir dir;
  auto push = OpenPush(PushOptions(proxy.url(), server->api_key(), dir.spool()));
  ASSERT_NE(push, nullptr);

  ASSERT_TRUE(push->Submit(Samples(0, 10)).ok());
  ASSERT_TRUE(push->Submit(Samples(10, 25)).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // a few refused attempts
  RemotePush::Stats down = push->stats();
  EXPECT_EQ(down.spooled, 25);
  EXPECT_EQ(down.sent, 0);
  EXPECT_FALSE(down.server_reachable);
  EXPECT_NE(down.last_error, "");
  EXPECT_EQ(down.last_error.find(server->api_key()), std::string::npos);
  EXPECT_TRUE(StoredIndexes(*server).empty());

  ASSERT_TRUE(proxy.Start());
  ASSERT_TRUE(WaitFor([&] { return push->stats().sent == 25; })) << push->stats().last_error;
  RemotePush::Stats up = push->stats();
  EXPECT_EQ(up.spooled, 0);
  EXPECT_TRUE(up.server_reachable);
  EXPECT_EQ(up.last_error, "");
  EXPECT_EQ(StoredIndexes(*server), Once(0, 25));

  // With the server up, new samples go out at once (no waiting out a backoff).
  const auto start = Clock::now();
  ASSERT_TRUE(push->Submit(Samples(25, 30)).ok());
  ASSERT_TRUE(WaitFor([&] { return push->stats().sent == 30; }));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(StoredIndexes(*server), Once(0, 30));
  EXPECT_EQ(push->stats().dropped_oldest, 0);

  // The server goes away again mid-run, and comes back.
  proxy.Stop();
  ASSERT_TRUE(push->Submit(Samples(30, 40)).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(push->stats().spooled, 10);
  ASSERT_TRUE(proxy.Start());
  ASSERT_TRUE(WaitFor([&] { return push->stats().sent == 40; })) << push->stats().last_error;
  EXPECT_EQ(StoredIndexes(*server), Once(0, 40));
}

TEST(RemotePushTest, ProbeRestartWhileServerIsDownLosesNothing) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_NE(server, nullptr);
  Proxy proxy(server->port());
  TempDir dir;
  const RemotePushOptions options = PushOptions(proxy.url(), server->api_key(), dir.spool());
  {
    auto push = OpenPush(options);
    ASSERT_NE(push, nullptr);
    ASSERT_TRUE(push->Submit(Samples(0, 12)).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto stop_start = Clock::now();
    push->Stop();
    EXPECT_LT(Clock::now() - stop_start, std::chrono::seconds(2));  // bounded
    EXPECT_EQ(push->stats().spooled, 12);
  }
  {
    auto push = OpenPush(options);
    ASSERT_NE(push, nullptr);
    EXPECT_EQ(push->stats().spooled, 12);
    ASSERT_TRUE(push->Submit(Samples(12, 20)).ok());
    EXPECT_EQ(push->stats().spooled, 20);
  }
  ASSERT_TRUE(proxy.Start());
  auto push = OpenPush(options);
  ASSERT_NE(push, nullptr);
  ASSERT_TRUE(WaitFor([&] { return push->stats().sent == 20; })) << push->stats().last_error;
  EXPECT_EQ(push->stats().spooled, 0);
  // Nothing was sent before the server came up, so nothing is stored twice.
  EXPECT_EQ(StoredIndexes(*server), Once(0, 20));
}

TEST(RemotePushTest, LostAcknowledgementsLeaveEverySampleStoredOnce) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_NE(server, nullptr);
  Proxy proxy(server->port());
  ASSERT_TRUE(proxy.Start());
  proxy.LoseReplies(true);
  TempDir dir;
  const RemotePushOptions options = PushOptions(proxy.url(), server->api_key(), dir.spool());
  {
    auto push = OpenPush(options);
    ASSERT_NE(push, nullptr);
    ASSERT_TRUE(push->Submit(Samples(0, 20)).ok());
    // The first batch (8 samples) is committed by the server each time, and its reply lost
    // each time: the probe never acknowledges it and sends it again.
    ASSERT_TRUE(WaitFor([&] { return proxy.lost() >= 3; })) << push->stats().last_error;
    push->Stop();  // the probe goes down with the batch unacknowledged
    EXPECT_EQ(push->stats().sent, 0);
    EXPECT_EQ(push->stats().spooled, 20);
  }
  EXPECT_EQ(StoredIndexes(*server), Once(0, 8));
  EXPECT_GE(proxy.duplicates(), 16);  // the second and third sends

  // Restarted, the probe reads the batch from its spool again, with the same keys.
  proxy.LoseReplies(false);
  auto push = OpenPush(options);
  ASSERT_NE(push, nullptr);
  ASSERT_TRUE(WaitFor([&] { return push->stats().sent == 20; })) << push->stats().last_error;
  EXPECT_EQ(push->stats().spooled, 0);
  EXPECT_EQ(StoredIndexes(*server), Once(0, 20));
  EXPECT_GE(proxy.duplicates(), 24);
}

TEST(RemotePushTest, RefusedSampleIsDroppedAndCountedWithoutBlockingTheRest) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_NE(server, nullptr);
  TempDir dir;
  auto push = OpenPush(PushOptions("http://127.0.0.1:" + std::to_string(server->port()) + "/",
                                   server->api_key(), dir.spool()));
  ASSERT_NE(push, nullptr);
  std::vector<Sample> samples = Samples(0, 20);
  samples[5].telemetry.cpu_percent = 150;  // the server answers 400 invalid_field
  ASSERT_TRUE(push->Submit(samples).ok());
  ASSERT_TRUE(push->Submit(Samples(20, 30)).ok());
  ASSERT_TRUE(WaitFor([&] {
    const RemotePush::Stats s = push->stats();
    return s.sent + s.rejected == 30;
  })) << push->stats().last_error;
  const RemotePush::Stats s = push->stats();
  EXPECT_EQ(s.rejected, 1);
  EXPECT_EQ(s.sent, 29);
  EXPECT_EQ(s.spooled, 0);
  std::map<int64_t, int> expected = Once(0, 30);
  expected.erase(5);
  EXPECT_EQ(StoredIndexes(*server), expected);
}

TEST(RemotePushTest, WrongKeyDropsNothing) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_NE(server, nullptr);
  TempDir dir;
  const std::string url = "http://127.0.0.1:" + std::to_string(server->port());
  const std::string wrong_key = "wrong-key-not-to-be-logged";
  {
    auto push = OpenPush(PushOptions(url, wrong_key, dir.spool()));
    ASSERT_NE(push, nullptr);
    ASSERT_TRUE(push->Submit(Samples(0, 6)).ok());
    ASSERT_TRUE(WaitFor([&] { return push->stats().last_error.find("401") != std::string::npos; }))
        << push->stats().last_error;
    const RemotePush::Stats s = push->stats();
    EXPECT_TRUE(s.server_reachable);
    EXPECT_EQ(s.spooled, 6);
    EXPECT_EQ(s.rejected, 0);
    EXPECT_EQ(s.last_error.find(wrong_key), std::string::npos);
  }
  auto push = OpenPush(PushOptions(url, server->api_key(), dir.spool()));
  ASSERT_NE(push, nullptr);
  ASSERT_TRUE(WaitFor([&] { return push->stats().sent == 6; })) << push->stats().last_error;
  EXPECT_EQ(StoredIndexes(*server), Once(0, 6));
}

TEST(RemotePushTest, HonoursRetryAfter) {
  auto server = StartServer(LLMSCOPE_BINARY);
  ASSERT_NE(server, nullptr);
  Proxy proxy(server->port());
  ASSERT_TRUE(proxy.Start());
  proxy.Throttle(1, 2);
  TempDir dir;
  RemotePushOptions options = PushOptions(proxy.url(), server->api_key(), dir.spool());
  options.retry_max_s = 10;  // the backoff alone would wait 0.5 to 1 s
  auto push = OpenPush(options);
  ASSERT_NE(push, nullptr);
  const auto start = Clock::now();
  ASSERT_TRUE(push->Submit(Samples(0, 4)).ok());
  ASSERT_TRUE(WaitFor([&] { return push->stats().last_error.find("429") != std::string::npos; }));
  ASSERT_TRUE(WaitFor([&] { return push->stats().sent == 4; })) << push->stats().last_error;
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(1900));
  EXPECT_EQ(StoredIndexes(*server), Once(0, 4));
}

}  // namespace
}  // namespace llmscope::probe
