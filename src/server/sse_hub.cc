#include "server/sse_hub.h"

#include <algorithm>

namespace llmscope::server {

SseHub::SseHub(size_t max_clients) : max_clients_(max_clients) {}

std::shared_ptr<Subscription> SseHub::Subscribe() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_ || subs_.size() >= max_clients_) return nullptr;
  std::shared_ptr<Subscription> s(new Subscription(this));
  subs_.push_back(s.get());
  return s;
}

void SseHub::Broadcast(std::span<const http::StreamData> frames) {
  if (frames.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (Subscription* s : subs_) {
    if (s->stream_ && !s->stream_->Push(frames)) {
      s->stream_.reset();
      ++dropped_;
    }
  }
}

void SseHub::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
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

void Subscription::Attach(std::shared_ptr<http::EventStream> stream) {
  std::lock_guard<std::mutex> lock(hub_->mu_);
  stream_ = std::move(stream);
}

Subscription::~Subscription() {
  hub_->Remove(this);
}

}  // namespace llmscope::server
