// How a downsampled window is read from rollups (store/rollups.h) instead of samples
// (docs/design.md "Rollups"): which rollup width a display bucket allows, the display buckets
// aligned to it, and the cover of a window by whole rollup buckets, coarsest first, with raw
// samples only at its ragged ends.
//
// M4 over display buckets that are unions of whole rollup buckets keeps exactly the points M4
// over the samples keeps (a display bucket's first, last, min and max are its rollup buckets'
// first of the firsts, last of the lasts, min of the mins, max of the maxes), so the chart is the
// same. Pure: no I/O, no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "server/display_downsample.h"
#include "store/rollups.h"
#include "store/violation_counts.h"

namespace llmscope::server {

// The coarsest rollup width (store::kRollupWidthsMs) no wider than a display bucket of
// `display_width_ms`; none when the display bucket is narrower than the finest rollup.
std::optional<int64_t> RollupWidthFor(int64_t display_width_ms);

// `buckets` made unions of whole rollup buckets of `width_ms`: its start moved back to a bucket
// edge, its width rounded up to a multiple of width_ms, as many as cover [start, until_ms) (at
// most as many as before, so no more display points).
DisplayBuckets AlignedBuckets(const DisplayBuckets& buckets, int64_t width_ms, int64_t until_ms);

// A piece of a window: [since_ms, until_ms) read from the rollups of width_ms (whole buckets),
// or from the samples when width_ms is 0.
struct WindowSegment {
  int64_t since_ms = 0, until_ms = 0;
  int64_t width_ms = 0;

  friend bool operator==(const WindowSegment&, const WindowSegment&) = default;
};

// [since_ms, until_ms) as whole rollup buckets of the widths up to `max_width_ms` (coarsest
// where one fits) and samples at the ends, in time order; empty pieces left out.
std::vector<WindowSegment> CoverWindow(int64_t since_ms, int64_t until_ms, int64_t max_width_ms);

// The rows of a piece read at a fine width (`fine`: rollups or violation counts of one series),
// with each coarse bucket (`coarse`: the piece's whole coarse buckets, read at the coarser width)
// whose fine rows count less than its own put in their place: fine rows are kept for less time
// than coarse ones ([store] rollup_minute_days, rollup_hour_days; the counts as long as the
// rollups of their width), so an old window shows its hours, not a gap. A bucket's count is the
// sum of its rows' (one rollup, or one count per rule and phase). Both in bucket order (as the
// stores return them); so is the result, the rows of one bucket in their order. Row: store::Rollup
// or store::ViolationCount.
template <typename Row>
std::vector<Row> FillFromCoarser(std::vector<Row> fine, const std::vector<Row>& coarse);

}  // namespace llmscope::server
