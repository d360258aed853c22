// Which points of a window a line chart of `max_points` needs: M4 (Jugel, Jerzak, Hackenbroich
// and Markl, "M4: A Visualization-Oriented Time Series Data Aggregation", VLDB 2014). The window
// is cut into equal time buckets, one per pixel column; of each bucket the first, last, smallest
// and largest point are kept. A line through those draws the same pixels at that width as a line
// through every point (the min and max give each column's vertical extent, the first and last
// the lines into the neighbouring columns), which averaging or picking every n-th point cannot
// promise: they erase the spikes a control chart exists to show.
//
// M4Buckets takes the points one at a time in any order (a store's pages in id order, where a
// late push arrives out of time order). A window of at most max_points points is listed whole;
// beyond that it holds four per bucket plus the kept ones, so a window of millions of points
// costs O(max_points) memory. Pure: no I/O, no clock.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace llmscope::server {

// The bucketing of [since_ms, until_ms) for at most `max_points` display points, `kept` of them
// reserved for points kept as themselves: as many buckets of four as fit (at least one).
struct DisplayBuckets {
  int64_t since_ms = 0;
  int64_t width_ms = 1;
  size_t count = 1;

  static DisplayBuckets For(int64_t since_ms, int64_t until_ms, size_t max_points, size_t kept);
  // The bucket of a time in the window (times outside are clamped to the first or last).
  size_t Of(int64_t time_ms) const;
};

// Point: any copyable type (the caller's point with what it lists).
template <typename Point>
class M4Buckets {
 public:
  // Until more than `max_points` points were added, all of them are held and listed: a window
  // that fits is shown whole.
  M4Buckets(DisplayBuckets buckets, size_t max_points)
      : buckets_(buckets), max_points_(max_points) {}

  // A point at `time_ms`; `value` is null for a point without one (a failed call: never a
  // bucket's min or max, but it can be its first or last). `keep`: listed whatever its rank.
  void Add(Point point, int64_t time_ms, std::optional<double> value, bool keep = false) {
    Entry e{std::move(point), time_ms, value, next_seq_++, keep};
    if (!bucketed_) {
      all_.push_back(std::move(e));
      if (all_.size() <= max_points_) return;
      bucketed_ = true;
      slots_.resize(buckets_.count);
      std::vector<Entry> held = std::move(all_);
      all_.clear();
      for (Entry& h : held) Place(std::move(h));
      return;
    }
    Place(std::move(e));
  }

  // Whether more than max_points points came, so only the buckets' four and the kept are listed.
  bool bucketed() const { return bucketed_; }

  // The listed points in time order (ties in arrival order), each once.
  std::vector<Point> Take() {
    std::vector<Entry> all = std::move(all_);  // the kept ones, or every point when not bucketed
    for (Slot& s : slots_) {
      for (std::optional<Entry>* e : {&s.first, &s.min, &s.max, &s.last}) {
        if (*e) all.push_back(std::move(**e));
      }
    }
    std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) {
      return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.seq < b.seq;
    });
    std::vector<Point> out;
    out.reserve(all.size());
    for (size_t i = 0; i < all.size(); ++i) {
      if (i > 0 && all[i].seq == all[i - 1].seq) continue;
      out.push_back(std::move(all[i].point));
    }
    return out;
  }

 private:
  struct Entry {
    Point point;
    int64_t time_ms;
    std::optional<double> value;
    uint64_t seq;  // arrival order: one point's copies compare equal
    bool keep;
  };
  struct Slot {
    std::optional<Entry> first, last, min, max;
  };

  void Place(Entry e) {
    if (e.keep) all_.push_back(e);
    Slot& s = slots_[buckets_.Of(e.time_ms)];
    if (!s.first || e.time_ms < s.first->time_ms) s.first = e;
    if (!s.last || e.time_ms >= s.last->time_ms) s.last = e;
    if (e.value && (!s.min || *e.value < *s.min->value)) s.min = e;
    if (e.value && (!s.max || *e.value > *s.max->value)) s.max = e;
  }

  DisplayBuckets buckets_;
  size_t max_points_;
  bool bucketed_ = false;
  std::vector<Entry> all_;  // every point until bucketed, then the kept ones
  std::vector<Slot> slots_;
  uint64_t next_seq_ = 0;
};

}  // namespace llmscope::server
