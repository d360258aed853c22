#include "server/recent_samples.h"

#include <algorithm>
#include <utility>

namespace llmscope::server {

// Points written in order up to a capacity fixed when the block is made (the vector never
// reallocates). Only the cache writes, under its lock, after the last point written; a window
// reads the points it was handed, which no later write touches.
struct PointBlock {
  explicit PointBlock(size_t capacity) { points.reserve(capacity); }
  bool full() const { return points.size() == points.capacity(); }
  std::vector<ViewPoint> points;
};

namespace {

// A new block holds a sixteenth of what its source holds (8 to 512 points): a source of a
// few points wastes at most 7 unwritten ones, a large one at most 1/16 of what it holds.
size_t NextBlockCapacity(size_t held) {
  return std::clamp<size_t>(held / 16, 8, 512);
}

}  // namespace

ViewPoints::ViewPoints(std::vector<ViewPoint> points) {
  auto block = std::make_shared<PointBlock>(0);
  block->points = std::move(points);
  points_.reserve(block->points.size());
  for (const ViewPoint& p : block->points) points_.push_back(&p);
  blocks_.push_back(std::move(block));
}

const ViewPoint& RecentSamples::Source::oldest() const {
  return blocks.front()->points[skip];
}

const ViewPoint& RecentSamples::Source::newest() const {
  return blocks.back()->points.back();
}

void RecentSamples::Source::Push(ViewPoint point) {
  if (blocks.empty() || blocks.back()->full()) {
    blocks.push_back(std::make_shared<PointBlock>(NextBlockCapacity(size)));
  }
  blocks.back()->points.push_back(std::move(point));
  ++size;
}

void RecentSamples::Source::DropOldest(size_t n) {
  n = std::min(n, size);
  size -= n;
  skip += n;
  // Whole blocks go; the points of a block still partly held stay until the rest goes.
  while (!blocks.empty() && skip >= blocks.front()->points.size() &&
         (blocks.size() > 1 || size == 0)) {
    skip -= blocks.front()->points.size();
    blocks.pop_front();
  }
  if (blocks.empty()) skip = 0;
}

template <typename Visit>
void RecentSamples::Source::VisitNewestFirst(Visit&& visit) const {
  for (size_t b = blocks.size(); b-- > 0;) {
    const std::vector<ViewPoint>& points = blocks[b]->points;
    const size_t first = b == 0 ? skip : 0;
    for (size_t i = points.size(); i-- > first;) {
      if (!visit(points[i])) return;
    }
  }
}

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
  // Read in pages, newest first: a whole source's samples at once (616 bytes each, 50,000 a
  // source) made the start's peak memory several times what the points then held take.
  constexpr int64_t kPage = 4096;
  for (const SourceKey& key : *sources) {
    store::SampleQuery q;
    q.source = key;
    q.newest_first = true;
    q.limit = kPage;
    std::vector<ViewPoint> newest;  // newest first
    bool older = false;             // a sample older than those kept exists
    while (!older) {
      Result<std::vector<Sample>> page = store.QuerySamples(q);
      if (!page) return page.error();
      for (const Sample& s : *page) {
        if (newest.size() == each) {
          older = true;
          break;
        }
        newest.push_back(ViewPoint::From(s));
      }
      if (static_cast<int64_t>(page->size()) < kPage) break;
      q.after_id = page->back().id;  // newest first: the next page holds ids below it
    }
    Source loaded;
    loaded.evicted = older;
    for (auto it = newest.rbegin(); it != newest.rend(); ++it) loaded.Push(std::move(*it));
    std::lock_guard<std::mutex> lock(mu_);
    Source& held = sources_[key];
    total_ += loaded.size;
    total_ -= held.size;
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
    if (src.size > 0 && s->id <= src.newest().id) continue;
    src.Push(ViewPoint::From(*s));
    ++total_;
    if (src.size > per_source_) {
      src.DropOldest(1);
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
    total_ -= it->second.size;
    sources_.erase(it);
  }
}

void RecentSamples::ForgetOlderThan(int64_t cutoff_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sources_.begin(); it != sources_.end();) {
    Source& src = it->second;
    bool any_older = false;
    src.VisitNewestFirst([&](const ViewPoint& p) {
      any_older = p.time_ms < cutoff_ms;
      return !any_older;
    });
    if (any_older) {
      // Held blocks are never changed (a window may hold them): the rest goes to new ones.
      std::vector<const ViewPoint*> kept;
      src.VisitNewestFirst([&](const ViewPoint& p) {
        if (p.time_ms >= cutoff_ms) kept.push_back(&p);
        return true;
      });
      Source rebuilt;
      rebuilt.evicted = src.evicted;
      for (auto p = kept.rbegin(); p != kept.rend(); ++p) rebuilt.Push(**p);
      total_ -= src.size - rebuilt.size;
      src = std::move(rebuilt);
    }
    it = src.size == 0 ? sources_.erase(it) : std::next(it);
  }
}

void RecentSamples::EvictOverTotal() {
  while (total_ > total_limit_) {
    Source* largest = nullptr;
    for (auto& [key, src] : sources_) {
      if (!largest || src.size > largest->size) largest = &src;
    }
    // An eighth at a time: one scan of the sources per many evictions.
    const size_t n = std::max<size_t>(largest->size / 8, 1);
    largest->DropOldest(n);
    largest->evicted = true;
    total_ -= n;
  }
}

std::optional<ViewPoints> RecentSamples::Window(const SourceKey& source, int64_t since_ms,
                                                int64_t until_ms, int64_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sources_.find(source);
  if (it == sources_.end()) return ViewPoints();
  const Source& src = it->second;
  // Walk back from the newest; stop at `limit` matches. The answer is complete when the limit
  // was reached, or nothing older was ever evicted, or the oldest held point is already before
  // the window (ids follow arrival, so an evicted point could only be in the window if its time
  // were later than that of a point held — probes send in time order; late pushes from a
  // spooling remote probe are the exception, and then the store answers).
  const bool held_covers_window =
      !src.evicted || (src.size > 0 && src.oldest().time_ms < since_ms);
  // Without that, only `limit` matches could make it complete: fewer points than that are held,
  // so the walk (every held point) is skipped. A long window's older end asks this per query.
  if (!held_covers_window && limit > static_cast<int64_t>(src.size)) return std::nullopt;
  ViewPoints out;
  if (limit > 0) {
    src.VisitNewestFirst([&](const ViewPoint& p) {
      if (p.time_ms >= since_ms && p.time_ms < until_ms) out.points_.push_back(&p);
      return static_cast<int64_t>(out.points_.size()) < limit;
    });
  }
  const bool complete = held_covers_window || static_cast<int64_t>(out.points_.size()) == limit;
  if (!complete) return std::nullopt;
  std::reverse(out.points_.begin(), out.points_.end());
  out.blocks_.assign(src.blocks.begin(), src.blocks.end());
  return out;
}

}  // namespace llmscope::server
