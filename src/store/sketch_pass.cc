#include "store/sketch_pass.h"

#include <algorithm>
#include <utility>

namespace llmscope::store {

namespace {

constexpr int64_t kSamplePage = 10'000;

// The hours' samples of the source, a page at a time, into `builder`.
Result<int64_t> ReadHour(Store& store, const SourceKey& source, int64_t hour,
                         SketchHourBuilder& builder) {
  SampleQuery q;
  q.source = source;
  q.since_ms = hour;
  q.until_ms = hour + kRollupHourMs;
  q.limit = kSamplePage;
  q.fields = SampleFields::kMeasures;
  int64_t read = 0;
  while (true) {
    Result<std::vector<Sample>> page = store.QuerySamples(q);
    if (!page) return page.error();
    for (const Sample& s : *page) builder.Add(s);
    read += static_cast<int64_t>(page->size());
    if (static_cast<int64_t>(page->size()) < q.limit) return read;
    q.after_id = page->back().id;
  }
}

}  // namespace

std::vector<int64_t> HoursToSketch(const HourValueCounts& rollup_counts,
                                   const HourValueCounts& sketch_counts) {
  std::vector<int64_t> hours;
  for (const auto& [hour, counts] : rollup_counts) {
    auto it = sketch_counts.find(hour);
    const bool same = it == sketch_counts.end()
                          ? std::all_of(counts.begin(), counts.end(), [](int64_t c) { return c == 0; })
                          : it->second == counts;
    if (!same) hours.push_back(hour);
  }
  return hours;
}

Result<SketchPassResult> RunSketchPass(Store& store, int64_t since_ms, int64_t now_ms,
                                       int64_t max_hours) {
  const int64_t open_hour = BucketStart(now_ms, kRollupHourMs);
  SketchPassResult result;
  if (since_ms >= open_hour) return result;
  // One source at a time, so that what a pass holds is one source's hours, not every source's
  // (200 sources' 30 days of hour rollups would be ~30 MB).
  Result<std::vector<SourceKey>> sources = store.ListSources();
  if (!sources) return sources.error();
  for (const SourceKey& source : *sources) {
    HourValueCounts counts, sketched;
    for (size_t m = 0; m < kSketchedMetrics.size(); ++m) {
      const SeriesKey series{source, kSketchedMetrics[m]};
      RollupQuery q;
      q.width_ms = kRollupHourMs;
      q.series = series;
      q.since_ms = since_ms;
      q.until_ms = open_hour;
      Result<std::vector<Rollup>> rollups = store.QueryRollups(q);
      if (!rollups) return rollups.error();
      for (const Rollup& r : *rollups) counts[r.bucket_ms][m] = r.value_count;
      Result<std::vector<SeriesSketchHour>> hours =
          store.QuerySketchHours(series, since_ms, open_hour);
      if (!hours) return hours.error();
      for (const SeriesSketchHour& h : *hours) sketched[h.bucket_ms][m] = h.sketch.count();
    }
    std::vector<int64_t> todo = HoursToSketch(counts, sketched);
    if (todo.empty()) continue;
    SketchHourBuilder builder;
    for (int64_t hour : todo) {
      if (result.hours_built == max_hours) {
        result.complete = false;
        break;
      }
      Result<int64_t> read = ReadHour(store, source, hour, builder);
      if (!read) return read.error();
      result.samples_read += *read;
      ++result.hours_built;
    }
    if (Status s = store.PutSketchHours(builder.Take()); !s) return s.error();
    if (!result.complete) break;
  }
  return result;
}

}  // namespace llmscope::store
