#include "server/sse_hub.h"

#include <algorithm>

namespace llmscope::server {

SseHub::SseHub(size_t max_clients, size_t max_queued_frames)
    : max_clients_(max_clients), max_queued_(max_queued_frames) {}

std::shared_ptr<Subscription> SseHub::Subscribe() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_ || subs_.size() >= max_clients_) return nullptr;
  std::shared_ptr<Subscription> s(new Subscription(this));
  subs_.push_back(s.get());
  return s;
}

void SseHub::Broadcast(const std::string& frame) {
  std::lock_guard<std::mutex> lock(mu_);
  for (Subscription* s : subs_) {
    if (s->closed_) continue;
    if (s->queue_.size() >= max_queued_) {
      s->closed_ = true;  // too slow: drop it rather than buffer without bound
      s->queue_.clear();
      ++dropped_;
      continue;
    }
    s->queue_.push_back(frame);
  }
  cv_.notify_all();
}

void SseHub::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (Subscription* s : subs_) s->closed_ = true;
  cv_.notify_all();
}

size_t SseHub::clients() const {
  std::lock_guard<std::mutex> lock(mu_);
  return subs_.size();
}

size_t SseHub::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void SseHub::Remove(Subscription* s) {
  std::lock_guard<std::mutex> lock(mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
}

std::string SseHub::Frame(const std::string& event, const std::string& data) {
  return "event: " + event + "\ndata: " + data + "\n\n";
}

std::optional<std::string> Subscription::Next(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(hub_->mu_);
  hub_->cv_.wait_for(lock, timeout, [&] { return closed_ || !queue_.empty(); });
  if (closed_) return std::nullopt;
  if (queue_.empty()) return std::string();
  std::string out;
  // Send what is queued in one write.
  while (!queue_.empty()) {
    out += queue_.front();
    queue_.pop_front();
  }
  return out;
}

Subscription::~Subscription() {
  hub_->Remove(this);
}

}  // namespace llmscope::server
