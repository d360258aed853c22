#include "server/rollup_window.h"

#include <algorithm>
#include <map>
#include <set>

#include "store/rollups.h"

namespace llmscope::server {
namespace {

// The first bucket edge at or after `time_ms`.
int64_t CeilToEdge(int64_t time_ms, int64_t width_ms) {
  const int64_t floor = store::BucketStart(time_ms, width_ms);
  return floor == time_ms ? floor : floor + width_ms;
}

// Appends the cover of [since, until) by the widths from `widths` on (coarsest first).
void Cover(int64_t since, int64_t until, const std::vector<int64_t>& widths, size_t at,
           std::vector<WindowSegment>& out) {
  if (since >= until) return;
  if (at == widths.size()) {
    out.push_back(WindowSegment{since, until, 0});
    return;
  }
  const int64_t width = widths[at];
  const int64_t first_edge = CeilToEdge(since, width);
  const int64_t last_edge = store::BucketStart(until, width);
  if (first_edge >= last_edge) {
    Cover(since, until, widths, at + 1, out);
    return;
  }
  Cover(since, first_edge, widths, at + 1, out);
  out.push_back(WindowSegment{first_edge, last_edge, width});
  Cover(last_edge, until, widths, at + 1, out);
}

}  // namespace

std::optional<int64_t> RollupWidthFor(int64_t display_width_ms) {
  std::optional<int64_t> width;
  for (int64_t w : store::kRollupWidthsMs) {
    if (w <= display_width_ms) width = w;
  }
  return width;
}

DisplayBuckets AlignedBuckets(const DisplayBuckets& buckets, int64_t width_ms, int64_t until_ms) {
  DisplayBuckets aligned;
  aligned.since_ms = store::BucketStart(buckets.since_ms, width_ms);
  aligned.width_ms = CeilToEdge(buckets.width_ms, width_ms);
  const int64_t span = std::max<int64_t>(until_ms - aligned.since_ms, 1);
  const int64_t count = (span + aligned.width_ms - 1) / aligned.width_ms;
  aligned.count = std::clamp<size_t>(static_cast<size_t>(count), 1, buckets.count);
  return aligned;
}

std::vector<WindowSegment> CoverWindow(int64_t since_ms, int64_t until_ms, int64_t max_width_ms) {
  std::vector<int64_t> widths;
  for (int64_t w : store::kRollupWidthsMs) {
    if (w <= max_width_ms) widths.insert(widths.begin(), w);
  }
  std::vector<WindowSegment> out;
  Cover(since_ms, until_ms, widths, 0, out);
  return out;
}

template <typename Row>
std::vector<Row> FillFromCoarser(std::vector<Row> fine, const std::vector<Row>& coarse) {
  if (coarse.empty()) return fine;
  const int64_t width = coarse.front().width_ms;
  std::map<int64_t, int64_t> fine_counts, coarse_counts;  // per coarse bucket
  for (const Row& row : fine) fine_counts[store::BucketStart(row.bucket_ms, width)] += row.count;
  for (const Row& row : coarse) coarse_counts[row.bucket_ms] += row.count;
  std::set<int64_t> filled;
  for (const auto& [bucket, count] : coarse_counts) {
    if (count > fine_counts[bucket]) filled.insert(bucket);
  }
  // Every fine bucket kept (the usual case): the fine rows as they came, in bucket order.
  if (filled.empty()) return fine;
  std::erase_if(fine, [&](const Row& row) {
    return filled.contains(store::BucketStart(row.bucket_ms, width));
  });
  for (const Row& row : coarse) {
    if (filled.contains(row.bucket_ms)) fine.push_back(row);
  }
  std::stable_sort(fine.begin(), fine.end(),
                   [](const Row& a, const Row& b) { return a.bucket_ms < b.bucket_ms; });
  return fine;
}

template std::vector<store::Rollup> FillFromCoarser(std::vector<store::Rollup>,
                                                    const std::vector<store::Rollup>&);
template std::vector<store::ViolationCount> FillFromCoarser(
    std::vector<store::ViolationCount>, const std::vector<store::ViolationCount>&);

}  // namespace llmscope::server
