// Which points of a window a line chart of `max_points` needs: M4 (Jugel, Jerzak, Hackenbroich
// and Markl, "M4: A Visualization-Oriented Time Series Data Aggregation", VLDB 2014). The window
// is cut into equal time buckets, one per pixel column; of each bucket the first, last, smallest
// and largest point are kept. A line through those draws the same pixels at that width as a line
// through every point (the min and max give each column's vertical extent, the first and last
// the lines into the neighbouring columns), which averaging or picking every n-th point cannot
// promise: they erase the spikes a control chart exists to show.
//
// M4Buckets takes the points one at a time in any order (a store's pages in id order, where a
// late push arrives out of time order) and holds at most four per bucket plus the kept ones, so
// a window of millions of points costs O(max_points) memory. Pure: no I/O, no clock.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
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
  explicit M4Buckets(DisplayBuckets buckets) : buckets_(buckets), slots_(buckets.count) {}

  // A point at `time_ms`; `value` is null for a point without one (a failed call: never a
  // bucket's min or max, but it can be its first or last). `keep`: listed whatever its rank.
  void Add(const Point& point, int64_t time_ms, std::optional<double> value, bool keep = false) {
    const Entry e{point, time_ms, value, next_seq_++};
    if (keep) kept_.push_back(e);
    Slot& s = slots_[buckets_.Of(time_ms)];
    if (!s.first || time_ms < s.first->time_ms) s.first = e;
    if (!s.last || time_ms >= s.last->time_ms) s.last = e;
    if (value && (!s.min || *value < *s.min->value)) s.min = e;
    if (value && (!s.max || *value > *s.max->value)) s.max = e;
  }

  // The listed points in time order (ties in arrival order), each once.
  std::vector<Point> Take() {
    std::vector<Entry> all = std::move(kept_);
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
  };
  struct Slot {
    std::optional<Entry> first, last, min, max;
  };
  DisplayBuckets buckets_;
  std::vector<Slot> slots_;
  std::vector<Entry> kept_;
  uint64_t next_seq_ = 0;
};

}  // namespace llmscope::server
