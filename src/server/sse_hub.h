// SseHub: fan-out of Server-Sent Events frames to the open /api/stream connections.
//
// Each open stream is an http::EventStream: a bounded queue that its connection drains with no
// thread waiting on it. A client too slow to drain its queue is dropped by the engine (its
// stream ends; the dashboard reconnects and refetches), and the hub forgets it, so a stuck
// reader never holds more than its queue nor slows the broadcasting thread. The number of
// streams is capped, so that viewers' memory stays bounded. A frame is encoded once and shared,
// read-only, by every stream's queue (http::StreamData), and a batch of frames reaches each
// stream in one push, so a viewer's connection is woken once per batch (docs/design.md
// "HTTP engine").
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "http/response.h"

namespace llmscope::server {

class SseHub;

// One place among the hub's streams; releasing the last reference frees it.
class Subscription {
 public:
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // From now on `stream` gets every broadcast frame.
  void Attach(std::shared_ptr<http::EventStream> stream);

 private:
  friend class SseHub;
  explicit Subscription(SseHub* hub) : hub_(hub) {}
  SseHub* hub_;
  std::shared_ptr<http::EventStream> stream_;  // guarded by hub_->mu_
};

class SseHub {
 public:
  explicit SseHub(size_t max_clients);

  // A new subscription, or nullptr when max_clients are open or the hub is closed.
  std::shared_ptr<Subscription> Subscribe();
  // Queues `frames` (each a complete "event: …\ndata: …\n\n" block), in order, for every
  // attached stream.
  void Broadcast(std::span<const http::StreamData> frames);
  // Refuses new streams (server shutdown; the server ends the open ones).
  void Close();
  size_t clients() const;
  // Streams that ended while frames were broadcast to them (dropped for falling behind).
  size_t dropped() const;

  // "event: NAME\ndata: JSON\n\n"
  static std::string Frame(const std::string& event, const std::string& data);

 private:
  friend class Subscription;
  void Remove(Subscription* s);

  const size_t max_clients_;
  mutable std::mutex mu_;
  std::vector<Subscription*> subs_;
  bool closed_ = false;
  size_t dropped_ = 0;
};

}  // namespace llmscope::server
