#include "otlp/histogram_streams.h"

namespace llmscope::otlp {

std::optional<HistogramInterval> HistogramStreams::Difference(const std::string& key,
                                                              uint64_t start_unix_nanos,
                                                              uint64_t count, double sum) {
  std::lock_guard lock(mu_);
  auto it = last_.find(key);
  if (it == last_.end()) {
    if (last_.size() >= max_streams_ && !recency_.empty()) {
      last_.erase(recency_.back());
      recency_.pop_back();
    }
    recency_.push_front(key);
    last_.emplace(key, Point{start_unix_nanos, count, sum, recency_.begin()});
    return std::nullopt;
  }
  Point& last = it->second;
  recency_.splice(recency_.begin(), recency_, last.recency);
  const bool reset = start_unix_nanos != last.start_unix_nanos || count < last.count;
  const HistogramInterval added{count - last.count, sum - last.sum};
  last.start_unix_nanos = start_unix_nanos;
  last.count = count;
  last.sum = sum;
  if (reset) return std::nullopt;
  return added;
}

size_t HistogramStreams::size() const {
  std::lock_guard lock(mu_);
  return last_.size();
}

}  // namespace llmscope::otlp
