#include "server/window_percentiles.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "store/rollups.h"
#include "store/sketch_hours.h"

namespace llmscope::server {

namespace {

constexpr int64_t kHour = store::kRollupHourMs;
constexpr int64_t kSamplePage = 20'000;
// Closed hours a window may read from the samples, for want of a matching sketch: the hour that
// closed since the last sketch pass (every 10 minutes), and one more (a late sample). More
// (a store whose first pass is still running) leave the percentiles out rather than read days
// of samples.
constexpr int kUnsketchedHoursRead = 2;

// Adds the series' values with since_ms ≤ time < until_ms to `sketch`; returns how many.
Result<int64_t> AddValues(const SeriesKey& series, int64_t since_ms, int64_t until_ms,
                          store::Store& store, const RecentSamples& recent,
                          spc::QuantileSketch& sketch) {
  const auto metric = static_cast<size_t>(series.metric);
  int64_t added = 0;
  if (std::optional<ViewPoints> cached =
          recent.Window(series.source, since_ms, until_ms, INT64_MAX)) {
    for (size_t i = 0; i < cached->size(); ++i) {
      const ViewPoint& p = (*cached)[i];
      if (p.error || std::isnan(p.metric[metric])) continue;  // a failed call has no value
      sketch.Add(p.metric[metric]);
      ++added;
    }
    return added;
  }
  store::SampleQuery q;
  q.source = series.source;
  q.since_ms = since_ms;
  q.until_ms = until_ms;
  q.limit = kSamplePage;
  q.fields = store::SampleFields::kMeasures;
  while (true) {
    Result<std::vector<Sample>> page = store.QuerySamples(q);
    if (!page) return page.error();
    for (const Sample& s : *page) {
      if (std::optional<double> v = store::RolledValue(s, series.metric)) {
        sketch.Add(*v);
        ++added;
      }
    }
    if (static_cast<int64_t>(page->size()) < q.limit) return added;
    q.after_id = page->back().id;
  }
}

}  // namespace

Result<std::optional<spc::QuantileSketch>> WindowSketch(const SeriesKey& series, int64_t since_ms,
                                                        int64_t until_ms, int64_t now_ms,
                                                        std::optional<int64_t> window_values,
                                                        store::Store& store,
                                                        const RecentSamples& recent) {
  if (!store::SketchedIndex(series.metric)) return std::optional<spc::QuantileSketch>();
  spc::QuantileSketch sketch;
  // The whole closed hours [first, last): from their sketches where those are complete.
  const int64_t first =
      store::BucketStart(std::clamp(since_ms, INT64_MIN + kHour, INT64_MAX - kHour) - 1, kHour) +
      kHour;
  const int64_t last =
      std::max(first, store::BucketStart(std::min(until_ms, now_ms), kHour));
  // The ragged ends and the open hour, from the samples.
  Result<int64_t> head = AddValues(series, since_ms, std::min(first, until_ms), store, recent,
                                   sketch);
  if (!head) return head.error();
  if (last < until_ms) {
    Result<int64_t> tail = AddValues(series, std::max(last, since_ms), until_ms, store, recent,
                                     sketch);
    if (!tail) return tail.error();
  }
  if (first < last) {
    Result<std::vector<store::SeriesSketchHour>> sketched =
        store.QuerySketchHours(series, first, last);
    if (!sketched) return sketched.error();
    if (window_values) {
      // Every hour sketched as its rollup counts it: the stored sketches are the whole answer.
      spc::QuantileSketch whole = sketch;
      for (const store::SeriesSketchHour& h : *sketched) whole.Merge(h.sketch);
      if (whole.count() == *window_values) return std::optional<spc::QuantileSketch>(whole);
    }
    store::RollupQuery q;
    q.width_ms = kHour;
    q.series = series;
    q.since_ms = first;
    q.until_ms = last;
    Result<std::vector<store::Rollup>> hours = store.QueryRollups(q);
    if (!hours) return hours.error();
    std::map<int64_t, const spc::QuantileSketch*> by_hour;
    for (const store::SeriesSketchHour& h : *sketched) by_hour[h.bucket_ms] = &h.sketch;
    int unsketched = 0;
    for (const store::Rollup& hour : *hours) {
      if (hour.value_count == 0) continue;
      auto it = by_hour.find(hour.bucket_ms);
      if (it != by_hour.end() && it->second->count() == hour.value_count) {
        sketch.Merge(*it->second);
        continue;
      }
      if (++unsketched > kUnsketchedHoursRead) return std::optional<spc::QuantileSketch>();
      Result<int64_t> read =
          AddValues(series, hour.bucket_ms, hour.bucket_ms + kHour, store, recent, sketch);
      if (!read) return read.error();
      if (*read != hour.value_count) return std::optional<spc::QuantileSketch>();
    }
  }
  return std::optional<spc::QuantileSketch>(std::move(sketch));
}

}  // namespace llmscope::server
