// Which points of a window a line chart of `max_points` needs: M4 (Jugel, Jerzak, Hackenbroich
// and Markl, "M4: A Visualization-Oriented Time Series Data Aggregation", VLDB 2014). The window
// is cut into equal time buckets, one per pixel column; of each bucket the first, last, smallest
// and largest point are kept. A line through those draws the same pixels at that width as a line
// through every point (the min and max give each column's vertical extent, the first and last
// the lines into the neighbouring columns), which averaging or picking every n-th point cannot
// promise: they erase the spikes a control chart exists to show.
//
// Pure: no I/O, no clock. Points are given in time order; a point without a value (a failed
// call) is never a bucket's min or max but can be its first or last. Points in `keep` (those
// carrying a violation) are kept as themselves besides the four. The buckets are as many as fit
// max_points with the kept points counted first (at least one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace llmscope::server {

struct DisplayPoints {
  std::vector<size_t> indices;  // into the input, increasing
  bool downsampled = false;     // false: every point fits max_points and all are listed
  int64_t bucket_ms = 0;        // the bucket width when downsampled
};

// `time_ms` and `values` have one entry per point (time order); the window is
// [since_ms, until_ms). `keep` lists indices to keep (any order, duplicates allowed).
// max_points ≥ 4.
DisplayPoints M4Downsample(std::span<const int64_t> time_ms,
                           std::span<const std::optional<double>> values, int64_t since_ms,
                           int64_t until_ms, size_t max_points, std::span<const size_t> keep);

}  // namespace llmscope::server
