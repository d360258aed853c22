// RecentSamples: the newest samples of each source, kept in memory in a compact form so that
// GET /api/stats/spc over a day of points (43,200 at one every 2 s) is answered without reading
// the store. Fed with every ingested sample (through the monitor's listener) and filled from the
// store at start. A request the cache cannot answer exactly (a window older than what it holds)
// goes to the store. Thread-safe.
//
// A window is handed out without copying its points (docs/design.md "Memory"): each source's
// points lie in blocks that are never changed once a point is written (new points go after the
// last written one; eviction and retention drop or replace whole blocks), and a window shares
// the blocks its points are in, so it stays valid and unchanged whatever the cache does next.
#pragma once

#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "store/store.h"

namespace llmscope::server {

// The fields of a sample that the SPC view shows; NaN (or -1 for counts) where not measured.
struct ViewPoint {
  int64_t id = 0, time_ms = 0;
  std::array<double, kMetricCount> metric{};  // by Metric; kError is 0 or 1
  double total_duration_ms = NAN, eval_duration_ms = NAN;
  int64_t prompt_eval_count = -1, eval_count = -1;
  double cpu_percent = NAN, memory_percent = NAN, gpu_percent = NAN, gpu_memory_percent = NAN;
  bool error = false;
  std::string prompt_hash;

  static ViewPoint From(const Sample& s);
};

struct PointBlock;

// Points, oldest first: shared with the cache (RecentSamples::Window) or held by the list itself
// (read from the store). Copying a list copies its pointers, not its points.
class ViewPoints {
 public:
  ViewPoints() = default;
  explicit ViewPoints(std::vector<ViewPoint> points);

  size_t size() const { return points_.size(); }
  bool empty() const { return points_.empty(); }
  const ViewPoint& operator[](size_t i) const { return *points_[i]; }
  const ViewPoint& front() const { return *points_.front(); }
  const ViewPoint& back() const { return *points_.back(); }

 private:
  friend class RecentSamples;
  std::vector<std::shared_ptr<const PointBlock>> blocks_;  // keep the points alive
  std::vector<const ViewPoint*> points_;
};

class RecentSamples {
 public:
  // Keeps at most `per_source` samples of each source and `total` of all sources together: past
  // that, the source holding the most gives up its oldest eighth, so memory is bounded by the
  // number of sources, not by history (a view the cache cannot answer reads the store).
  RecentSamples(size_t per_source, size_t total);

  // Fills the cache with each source's newest samples from the store.
  Status Load(store::Store& store);
  // Adds samples just committed (in id order).
  void Add(const std::vector<const Sample*>& samples);
  // Drops the sources' samples (their rows were deleted from the store).
  void Forget(const std::vector<SourceKey>& sources);
  // Drops every sample older than `cutoff_ms` (retention deleted their rows from the store).
  void ForgetOlderThan(int64_t cutoff_ms);

  // The newest `limit` samples of `source` with since_ms ≤ time < until_ms, oldest first; nullopt
  // when the cache cannot be sure it holds all of them (older samples were evicted).
  std::optional<ViewPoints> Window(const SourceKey& source, int64_t since_ms, int64_t until_ms,
                                   int64_t limit) const;

 private:
  // A source's points in id order, in blocks: a block is written up to its capacity and never
  // reallocated, so points handed out stay where they are.
  struct Source {
    std::deque<std::shared_ptr<PointBlock>> blocks;
    size_t skip = 0;       // the oldest points of blocks.front() that were evicted
    size_t size = 0;       // points held
    bool evicted = false;  // older samples of this source exist outside the cache

    const ViewPoint& oldest() const;
    const ViewPoint& newest() const;
    void Push(ViewPoint point);
    void DropOldest(size_t n);
    // Calls visit(point) from the newest to the oldest until it returns false.
    template <typename Visit>
    void VisitNewestFirst(Visit&& visit) const;
  };
  // Evicts from the largest sources until at most total_limit_ points are held (mu_ held).
  void EvictOverTotal();

  const size_t per_source_;
  const size_t total_limit_;
  mutable std::mutex mu_;
  std::map<SourceKey, Source> sources_;
  size_t total_ = 0;  // points held, all sources
};

}  // namespace llmscope::server
