#include "server/recent_samples.h"

#include <algorithm>

namespace llmscope::server {

ViewPoint ViewPoint::From(const Sample& s) {
  ViewPoint p;
  p.id = s.id;
  p.time_ms = s.time_ms;
  for (Metric m : kAllMetrics) p.metric[static_cast<size_t>(m)] = s.value(m).value_or(NAN);
  p.total_duration_ms = s.total_duration_ms.value_or(NAN);
  p.eval_duration_ms = s.eval_duration_ms.value_or(NAN);
  p.prompt_eval_count = s.prompt_eval_count.value_or(-1);
  p.eval_count = s.eval_count.value_or(-1);
  p.cpu_percent = s.telemetry.cpu_percent.value_or(NAN);
  p.memory_percent = s.telemetry.memory_percent.value_or(NAN);
  p.gpu_percent = s.telemetry.gpu_percent.value_or(NAN);
  p.gpu_memory_percent = s.telemetry.gpu_memory_percent.value_or(NAN);
  p.error = s.error;
  p.prompt_hash = s.prompt_hash;
  return p;
}

RecentSamples::RecentSamples(size_t per_source, size_t total)
    : per_source_(per_source), total_limit_(total) {}

Status RecentSamples::Load(store::Store& store) {
  Result<std::vector<SourceKey>> sources = store.ListSources();
  if (!sources) return sources.error();
  // Each source's share of the total, so that loading never exceeds it.
  const size_t each = std::max<size_t>(
      std::min(per_source_, total_limit_ / std::max<size_t>(sources->size(), 1)), 1);
  for (const SourceKey& key : *sources) {
    store::SampleQuery q;
    q.source = key;
    q.newest_first = true;
    q.limit = static_cast<int64_t>(each) + 1;  // one more tells whether older ones exist
    Result<std::vector<Sample>> newest = store.QuerySamples(q);
    if (!newest) return newest.error();
    Source loaded;
    loaded.evicted = newest->size() > each;
    for (auto it = newest->rbegin(); it != newest->rend(); ++it) {
      if (loaded.evicted && it == newest->rbegin()) continue;  // the extra, oldest one
      loaded.points.push_back(ViewPoint::From(*it));
    }
    std::lock_guard<std::mutex> lock(mu_);
    Source& held = sources_[key];
    total_ += loaded.points.size();
    total_ -= held.points.size();
    held = std::move(loaded);
    EvictOverTotal();
  }
  return {};
}

void RecentSamples::Add(const std::vector<const Sample*>& samples) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Sample* s : samples) {
    Source& src = sources_[s->source];
    // Held already: loaded from the store after it was committed (several servers).
    if (!src.points.empty() && s->id <= src.points.back().id) continue;
    src.points.push_back(ViewPoint::From(*s));
    ++total_;
    if (src.points.size() > per_source_) {
      src.points.pop_front();
      src.evicted = true;
      --total_;
    }
  }
  EvictOverTotal();
}

void RecentSamples::Forget(const std::vector<SourceKey>& sources) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const SourceKey& key : sources) {
    auto it = sources_.find(key);
    if (it == sources_.end()) continue;
    total_ -= it->second.points.size();
    sources_.erase(it);
  }
}

void RecentSamples::ForgetOlderThan(int64_t cutoff_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sources_.begin(); it != sources_.end();) {
    const size_t dropped =
        std::erase_if(it->second.points, [&](const ViewPoint& p) { return p.time_ms < cutoff_ms; });
    total_ -= dropped;
    it = it->second.points.empty() ? sources_.erase(it) : std::next(it);
  }
}

void RecentSamples::EvictOverTotal() {
  while (total_ > total_limit_) {
    Source* largest = nullptr;
    for (auto& [key, src] : sources_) {
      if (!largest || src.points.size() > largest->points.size()) largest = &src;
    }
    // An eighth at a time: one scan of the sources per many evictions.
    const size_t n = std::max<size_t>(largest->points.size() / 8, 1);
    largest->points.erase(largest->points.begin(),
                          largest->points.begin() + static_cast<std::ptrdiff_t>(n));
    largest->evicted = true;
    total_ -= n;
  }
}

std::optional<std::vector<ViewPoint>> RecentSamples::Window(const SourceKey& source,
                                                            int64_t since_ms, int64_t until_ms,
                                                            int64_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sources_.find(source);
  if (it == sources_.end()) return std::vector<ViewPoint>();
  const std::deque<ViewPoint>& points = it->second.points;
  // Walk back from the newest; stop at `limit` matches. The answer is complete when the limit
  // was reached, or nothing older was ever evicted, or the oldest held point is already before
  // the window (ids follow arrival, so an evicted point could only be in the window if its time
  // were later than that of a point held — probes send in time order; late pushes from a
  // spooling remote probe are the exception, and then the store answers).
  std::vector<const ViewPoint*> picked;
  for (auto p = points.rbegin(); p != points.rend() && static_cast<int64_t>(picked.size()) < limit;
       ++p) {
    if (p->time_ms >= since_ms && p->time_ms < until_ms) picked.push_back(&*p);
  }
  const bool complete = static_cast<int64_t>(picked.size()) == limit || !it->second.evicted ||
                        (!points.empty() && points.front().time_ms < since_ms);
  if (!complete) return std::nullopt;
  std::vector<ViewPoint> out;
  out.reserve(picked.size());
  for (auto p = picked.rbegin(); p != picked.rend(); ++p) out.push_back(**p);
  return out;
}

}  // namespace llmscope::server
