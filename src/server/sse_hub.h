// SseHub: fan-out of Server-Sent Events frames to the open /api/stream connections.
//
// Each connection holds a Subscription with a bounded queue. A client too slow to drain its
// queue is dropped (its stream ends; the dashboard reconnects and refetches), so a stuck reader
// never holds memory or slows ingest. The number of subscriptions is capped, because each open
// stream holds one HTTP worker thread: the cap keeps threads free for the API.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace llmscope::server {

class SseHub;

class Subscription {
 public:
  // The next frame; an empty string after `timeout` with nothing to send (the caller writes a
  // heartbeat); nullopt once the hub closed or dropped this subscription.
  std::optional<std::string> Next(std::chrono::milliseconds timeout);
  ~Subscription();

 private:
  friend class SseHub;
  explicit Subscription(SseHub* hub) : hub_(hub) {}
  SseHub* hub_;
  std::deque<std::string> queue_;  // guarded by hub_->mu_
  bool closed_ = false;
};

class SseHub {
 public:
  SseHub(size_t max_clients, size_t max_queued_frames);

  // A new subscription, or nullptr when max_clients are open or the hub is closed.
  std::shared_ptr<Subscription> Subscribe();
  // Queues `frame` (a complete "event: …\ndata: …\n\n" block) for every subscriber.
  void Broadcast(const std::string& frame);
  // Ends every stream and refuses new ones (server shutdown).
  void Close();
  size_t clients() const;
  size_t dropped() const;

  // "event: NAME\ndata: JSON\n\n"
  static std::string Frame(const std::string& event, const std::string& data);

 private:
  friend class Subscription;
  void Remove(Subscription* s);

  const size_t max_clients_, max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Subscription*> subs_;
  bool closed_ = false;
  size_t dropped_ = 0;
};

}  // namespace llmscope::server
