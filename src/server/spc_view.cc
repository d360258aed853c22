#include "server/spc_view.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "core/time_format.h"
#include "server/chart_marks.h"
#include "server/display_downsample.h"
#include "server/json_views.h"
#include "server/rollup_window.h"
#include "server/window_percentiles.h"
#include "spc/capability.h"
#include "spc/summary.h"

namespace llmscope::server {
namespace {

// The newest violations of the window that are listed in full; every violation of a window read
// from samples (up to kViolationMarks) is marked on its own and counted per rule in the summary
// (a window read from rollups: per display bucket, every one, chart_marks.h).
constexpr size_t kViolationsListed = 200;
constexpr size_t kViolationMarks = 20000;

// Text gathered in a buffer on the stack and appended to `out` a few kilobytes at a time: a
// column of 43,200 numbers appended one by one spent as long growing the string as formatting.
class ChunkedText {
 public:
  explicit ChunkedText(std::string& out) : out_(out) {}
  ChunkedText(const ChunkedText&) = delete;
  ChunkedText& operator=(const ChunkedText&) = delete;
  ~ChunkedText() { Flush(); }

  void Put(char c) {
    Room(1);
    buf_[used_++] = c;
  }
  void Put(std::string_view text) {
    Room(text.size());
    if (text.size() > sizeof buf_) {
      out_.append(text);
      return;
    }
    text.copy(buf_ + used_, text.size());
    used_ += text.size();
  }
  // A double in its shortest form that reads back (std::to_chars), null when not finite.
  void Number(double v) {
    if (!std::isfinite(v)) return Put("null");
    Room(kNumberChars);
    used_ = static_cast<size_t>(std::to_chars(buf_ + used_, buf_ + sizeof buf_, v).ptr - buf_);
  }
  // A whole number as its digits.
  void Integer(int64_t v) {
    Room(kNumberChars);
    used_ = static_cast<size_t>(std::to_chars(buf_ + used_, buf_ + sizeof buf_, v).ptr - buf_);
  }
  void Flush() {
    out_.append(buf_, used_);
    used_ = 0;
  }

 private:
  static constexpr size_t kNumberChars = 32;  // the longest double is 24 characters
  void Room(size_t n) {
    if (used_ + n > sizeof buf_) Flush();
  }

  std::string& out_;
  char buf_[8192];
  size_t used_ = 0;
};

// Column arrays of tens of thousands of points are written straight into the output text: a
// JSON document tree of that size costs more than the whole query.
class ColumnWriter {
 public:
  explicit ColumnWriter(std::string& out) : out_(out) {}

  template <typename Get>
  void Numbers(const char* name, size_t n, Get&& get) {
    Open(name);
    ChunkedText text(out_);
    for (size_t i = 0; i < n; ++i) {
      if (i) text.Put(',');
      const std::optional<double> v = get(i);
      text.Number(v.value_or(NAN));
    }
    text.Put(']');
  }
  // Whole numbers (ids, times in ms, 0/1) as digits: the shortest double form writes a time on
  // a whole 1,000 s as 1.76511e+12, the same number, but longer to make and to read.
  template <typename Get>
  void Integers(const char* name, size_t n, Get&& get) {
    Open(name);
    ChunkedText text(out_);
    for (size_t i = 0; i < n; ++i) {
      if (i) text.Put(',');
      text.Integer(get(i));
    }
    text.Put(']');
  }
  template <typename Get>
  void Strings(const char* name, size_t n, Get&& get) {
    Open(name);
    for (size_t i = 0; i < n; ++i) {
      if (i) out_ += ',';
      AppendJsonString(get(i));
    }
    out_ += ']';
  }
  // Times as ISO 8601 text, written digit by digit (snprintf per point costs more than the
  // rest of the column).
  template <typename Get>
  void Times(const char* name, size_t n, Get&& get) {
    Open(name);
    for (size_t i = 0; i < n; ++i) {
      if (i) out_ += ',';
      out_ += '"';
      AppendIsoUtc(out_, get(i));
      out_ += '"';
    }
    out_ += ']';
  }
  // The same string for every point (a series has one provider and model): escaped once.
  void Repeated(const char* name, size_t n, const std::string& value) {
    const std::string quoted = Json(value).dump();
    Open(name);
    for (size_t i = 0; i < n; ++i) {
      if (i) out_ += ',';
      out_ += quoted;
    }
    out_ += ']';
  }
  void Raw(const char* name, const std::string& json) {
    Key(name);
    out_ += json;
  }

 private:
  void Key(const char* name) {
    out_ += first_ ? "" : ",";
    first_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }
  void Open(const char* name) {
    Key(name);
    out_ += '[';
  }
  // A JSON string: text without quotes, backslashes or control characters (the usual case)
  // is copied as it is; anything else goes through the JSON library's escaping.
  void AppendJsonString(std::string_view text) {
    for (char c : text) {
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
        out_ += Json(std::string(text)).dump();
        return;
      }
    }
    out_ += '"';
    out_.append(text);
    out_ += '"';
  }

  std::string& out_;
  bool first_ = true;
};

// The fields of a window's samples the reply writes: a chart's columns are measures.
store::SampleFields FieldsOf(const SpcViewRequest& r) {
  return r.chart_columns_only ? store::SampleFields::kMeasures : store::SampleFields::kAll;
}

// The store's query of the window's samples (its series, or the provider's and model's).
store::SampleQuery WindowQuery(const SpcViewRequest& r) {
  store::SampleQuery q;
  q.fields = FieldsOf(r);
  if (r.series) {
    q.source = r.series->source;
  } else {
    q.provider = r.provider;
    q.model = r.model;
  }
  q.since_ms = r.since_ms;
  q.until_ms = r.until_ms;
  return q;
}

// The window's points, oldest first: from the cache when it holds them all, else the store.
// Without one series, `sources` gets each point's provider and model.
Result<ViewPoints> WindowPoints(const SpcViewRequest& r, store::Store& store,
                                const RecentSamples& recent, std::vector<SourceKey>& sources) {
  if (r.series) {
    std::optional<ViewPoints> cached =
        recent.Window(r.series->source, r.since_ms, r.until_ms, r.limit);
    if (cached) return std::move(*cached);
  }
  store::SampleQuery q = WindowQuery(r);
  q.limit = r.limit;
  q.newest_first = true;
  Result<std::vector<Sample>> fetched = store.QuerySamples(q);
  if (!fetched) return fetched.error();
  std::vector<ViewPoint> points;
  points.reserve(fetched->size());
  for (auto it = fetched->rbegin(); it != fetched->rend(); ++it) {
    // A site or profile given narrows `matching`: the provider's and model's other sources out.
    if (!r.series && !r.matching.empty() &&
        std::find(r.matching.begin(), r.matching.end(), it->source) == r.matching.end()) {
      continue;
    }
    points.push_back(ViewPoint::From(*it));
    if (!r.series) sources.push_back(std::move(it->source));
  }
  return ViewPoints(std::move(points));
}

// A point as listed, with its source when the view covers several.
struct ListedPoint {
  ViewPoint point;
  SourceKey source;
};

// The window as the reply lists it: its points (every one, or M4's display points), their
// sources (several-series views), and every value and failure of the window for the summary.
struct WindowData {
  ViewPoints points;
  std::vector<SourceKey> sources;
  std::vector<double> values;
  std::vector<uint8_t> failed;
  size_t count = 0;  // points in the window
  std::optional<DisplayBuckets> buckets;
  // Read from rollups: the window's totals (the summary's source; `values` and `failed` are
  // then empty), and which rollups ("rollup_1m", "rollup_1h"); else "samples".
  std::optional<store::RollupTotals> totals;
  const char* source = "samples";
  int64_t rollup_width_ms = 0;  // the coarsest rollup width read (CoverWindow's), when read so
};

// The metric's value of a point, where it counts: a failed call's latency does not.
std::optional<double> ValueOf(const ViewPoint& p, Metric metric);

void Count(WindowData& w, const ViewPoint& p, Metric metric) {
  ++w.count;
  w.failed.push_back(p.error ? 1 : 0);
  if (std::optional<double> v = ValueOf(p, metric)) w.values.push_back(*v);
}

// Every point of the window (max_points unset).
Result<WindowData> FullWindow(const SpcViewRequest& r, Metric metric, store::Store& store,
                              const RecentSamples& recent) {
  WindowData w;
  Result<ViewPoints> points = WindowPoints(r, store, recent, w.sources);
  if (!points) return points.error();
  w.points = std::move(*points);
  w.values.reserve(w.points.size());
  w.failed.reserve(w.points.size());
  for (size_t i = 0; i < w.points.size(); ++i) Count(w, w.points[i], metric);
  return w;
}

// The display points of the window (max_points set): from the cache when it holds the whole
// window, else read from the store in pages of kPage in id order, so memory stays
// O(max_points) plus the window's values (8 bytes a point) whatever the window's length.
// `keep_times`: sorted first times of listed violations; their points are listed as themselves.
Result<WindowData> DownsampledWindow(const SpcViewRequest& r, Metric metric, store::Store& store,
                                     const RecentSamples& recent,
                                     const std::vector<int64_t>& keep_times) {
  constexpr int64_t kPage = 20000;
  WindowData w;
  w.buckets = DisplayBuckets::For(r.since_ms, r.display_until_ms, *r.max_points, keep_times.size());
  M4Buckets<ListedPoint> m4(*w.buckets, *r.max_points);
  auto add = [&](ListedPoint&& listed) {
    Count(w, listed.point, metric);
    const int64_t t = listed.point.time_ms;
    const bool keep = std::binary_search(keep_times.begin(), keep_times.end(), t);
    const std::optional<double> value = ValueOf(listed.point, metric);
    m4.Add(std::move(listed), t, value, keep);
  };
  std::optional<ViewPoints> cached;
  if (r.series) cached = recent.Window(r.series->source, r.since_ms, r.until_ms, INT64_MAX);
  if (cached) {
    for (size_t i = 0; i < cached->size(); ++i) add(ListedPoint{(*cached)[i], {}});
  } else {
    store::SampleQuery q = WindowQuery(r);
    q.limit = kPage;
    while (true) {
      Result<std::vector<Sample>> page = store.QuerySamples(q);
      if (!page) return page.error();
      for (Sample& s : *page) {
        if (s.time_ms < r.since_ms) continue;  // a late push, met by the id-only pages below
        if (!r.series && !r.matching.empty() &&
            std::find(r.matching.begin(), r.matching.end(), s.source) == r.matching.end()) {
          continue;
        }
        ViewPoint p = ViewPoint::From(s);
        add(ListedPoint{std::move(p), r.series ? SourceKey{} : std::move(s.source)});
      }
      if (static_cast<int64_t>(page->size()) < kPage) break;
      // The next pages continue by id alone: the window's start (a search of the time index)
      // is found once, by the first page, not again for every page, which made a window's
      // read quadratic in its length (90 days: 94 s).
      q.after_id = page->back().id;
      q.since_ms = INT64_MIN;
    }
  }
  std::vector<ViewPoint> display;
  for (ListedPoint& listed : m4.Take()) {
    display.push_back(std::move(listed.point));
    if (!r.series) w.sources.push_back(std::move(listed.source));
  }
  w.points = ViewPoints(std::move(display));
  return w;
}

// A display point of a window read from rollups: a rollup's point (read whole by id once M4
// chose it), or a sample of the window's ragged ends or of a listed violation, read whole.
struct Candidate {
  store::RollupPoint at;
  std::optional<ViewPoint> point;
};

// A window read from rollups and counts: [since_ms, until_ms), where an open window (no `until`:
// the dashboard's live views) ends at the last whole hour a time can name, so that its cover by
// whole buckets and the counts' cover (widened to whole minutes) need no clamp at now or at the
// newest sample (a sample stamped ahead of this clock is in both).
struct RolledUpRange {
  int64_t since_ms = 0, until_ms = 0;
};

RolledUpRange RangeOf(const SpcViewRequest& r) {
  const int64_t open_end = store::BucketStart(INT64_MAX, store::kRollupHourMs);
  return RolledUpRange{r.since_ms, std::min(r.until_ms, open_end)};
}

// The rows of one piece of a window's cover (rollup_window.h) that `read(width_ms, since_ms,
// until_ms)` returns (rollups or violation counts): those of the piece's width, and for a piece
// of minutes the hours in place of minutes past their retention (FillFromCoarser).
template <typename Read>
auto ReadPiece(const WindowSegment& segment, Read&& read)
    -> decltype(read(segment.width_ms, segment.since_ms, segment.until_ms)) {
  auto rows = read(segment.width_ms, segment.since_ms, segment.until_ms);
  if (!rows || segment.width_ms >= store::kRollupHourMs) return rows;
  // The piece's whole hours: those starting before its end less an hour.
  auto hours =
      read(store::kRollupHourMs, segment.since_ms, segment.until_ms - store::kRollupHourMs + 1);
  if (!hours) return hours.error();
  return FillFromCoarser(std::move(*rows), *hours);
}

// The display points of a long window of one series from rollups (rollup_window.h), the
// samples read whole only for the points listed; the summary from the rollups' totals. nullopt
// when the display buckets are finer than the finest rollup or the window fits max_points (it is
// then listed whole, from the samples).
Result<std::optional<WindowData>> RollupWindow(const SpcViewRequest& r, Metric metric,
                                               store::Store& store, const RolledUpRange& range,
                                               const std::vector<int64_t>& keep_times) {
  const DisplayBuckets wanted =
      DisplayBuckets::For(r.since_ms, r.display_until_ms, *r.max_points, keep_times.size());
  const std::optional<int64_t> width = RollupWidthFor(wanted.width_ms);
  if (!width) return std::optional<WindowData>();
  WindowData w;
  w.buckets = AlignedBuckets(wanted, *width, r.display_until_ms);
  M4Buckets<Candidate> m4(*w.buckets, *r.max_points);
  auto add = [&](Candidate c, bool keep) {
    const int64_t t = c.at.time_ms;
    const std::optional<double> value = c.at.value;
    m4.Add(std::move(c), t, value, keep);
  };
  store::RollupTotals totals;
  store::Rollup ends;                       // the samples of the ragged ends, as one rollup
  std::vector<store::RollupPoint> anchors;  // every point read: rollups' and the ends' samples
  bool hourly = false;
  for (const WindowSegment& segment : CoverWindow(range.since_ms, range.until_ms, *width)) {
    if (segment.width_ms == 0) {  // less than a minute of samples
      store::SampleQuery q = WindowQuery(r);
      q.since_ms = segment.since_ms;
      q.until_ms = segment.until_ms;
      q.limit = INT64_MAX;
      Result<std::vector<Sample>> samples = store.QuerySamples(q);
      if (!samples) return samples.error();
      for (const Sample& s : *samples) {
        ViewPoint p = ViewPoint::From(s);
        const store::RollupPoint at{s.time_ms, ValueOf(p, metric), s.id};
        ends.Add(at, s.error);
        anchors.push_back(at);
        add(Candidate{at, std::move(p)}, false);
      }
      continue;
    }
    Result<std::vector<store::Rollup>> rollups =
        ReadPiece(segment, [&](int64_t width_ms, int64_t since_ms, int64_t until_ms) {
          store::RollupQuery q;
          q.width_ms = width_ms;
          q.series = SeriesKey{r.series->source, metric};
          q.since_ms = since_ms;
          q.until_ms = until_ms;
          return store.QueryRollups(q);
        });
    if (!rollups) return rollups.error();
    for (const store::Rollup& rollup : *rollups) {
      hourly = hourly || rollup.width_ms == store::kRollupHourMs;
      totals.Add(rollup);
      for (const std::optional<store::RollupPoint>& at :
           {std::optional(rollup.first), rollup.min, rollup.max, std::optional(rollup.last)}) {
        if (!at) continue;
        anchors.push_back(*at);
        add(Candidate{*at, std::nullopt}, false);
      }
    }
  }
  totals.Add(ends);
  if (totals.count <= static_cast<int64_t>(*r.max_points)) return std::optional<WindowData>();
  // The listed violations' first points: a rollup point at that time when there is one, else
  // the sample at that time (the store finds it by time, bounded on both sides).
  std::sort(anchors.begin(), anchors.end(),
            [](const store::RollupPoint& a, const store::RollupPoint& b) {
              return a.time_ms < b.time_ms;
            });
  for (int64_t t : keep_times) {
    auto after = std::upper_bound(
        anchors.begin(), anchors.end(), t,
        [](int64_t time, const store::RollupPoint& a) { return time < a.time_ms; });
    if (after != anchors.begin() && std::prev(after)->time_ms == t) {
      add(Candidate{*std::prev(after), std::nullopt}, true);
      continue;
    }
    store::SampleQuery q;
    q.source = r.series->source;
    q.since_ms = t;
    q.until_ms = t + 1;
    q.newest_first = true;
    q.limit = 1;
    q.fields = FieldsOf(r);
    Result<std::vector<Sample>> at = store.QuerySamples(q);
    if (!at) return at.error();
    if (at->empty()) continue;  // past its retention
    ViewPoint p = ViewPoint::From(at->front());
    const store::RollupPoint point{t, ValueOf(p, metric), at->front().id};
    add(Candidate{point, std::move(p)}, true);
  }

  std::vector<Candidate> chosen = m4.Take();
  std::vector<int64_t> to_read;
  for (const Candidate& c : chosen) {
    if (!c.point) to_read.push_back(c.at.id);
  }
  Result<std::vector<Sample>> read = store.SamplesWithIds(to_read, FieldsOf(r));
  if (!read) return read.error();
  std::unordered_map<int64_t, const Sample*> by_id;
  for (const Sample& s : *read) by_id.emplace(s.id, &s);
  std::unordered_set<int64_t> listed;
  std::vector<ViewPoint> display;
  for (Candidate& c : chosen) {
    if (!listed.insert(c.at.id).second) continue;  // one sample, chosen twice
    if (c.point) {
      display.push_back(std::move(*c.point));
    } else if (auto it = by_id.find(c.at.id); it != by_id.end()) {
      display.push_back(ViewPoint::From(*it->second));
    } else {  // the sample is past its retention, its rollup is not: the point as rolled up
      ViewPoint p;
      p.id = c.at.id;
      p.time_ms = c.at.time_ms;
      p.metric.fill(NAN);
      p.metric[static_cast<size_t>(metric)] = c.at.value.value_or(NAN);
      display.push_back(std::move(p));
    }
  }
  w.points = ViewPoints(std::move(display));
  w.count = static_cast<size_t>(totals.count);
  w.totals = totals;
  w.rollup_width_ms = *width;
  w.source = hourly ? "rollup_1h" : "rollup_1m";
  return std::optional<WindowData>(std::move(w));
}

// The violations a reply lists and marks: the newest of the window (newest first; the first
// kViolationsListed are listed in full), whether the window holds more than those, the chart's
// marks (oldest first) and the monitoring-phase violations per rule (the summary's).
struct WindowViolations {
  std::vector<store::ViolationMark> newest;
  bool more_than_listed = false;
  std::vector<ChartMark> marks;
  bool marks_truncated = false;
  std::array<int64_t, spc::kRuleCount> by_rule{};
};

// A window read from samples: every violation of the window (of the newest kViolationMarks) is
// marked on its own.
Status MarkEachViolation(store::Store& store, store::ViolationQuery vq, WindowViolations& out) {
  vq.limit = kViolationMarks + 1;  // one more tells whether the marks are cut
  Result<std::vector<store::ViolationMark>> found = store.QueryViolationMarks(vq);
  if (!found) return found.error();
  out.newest = std::move(*found);
  out.more_than_listed = out.newest.size() > kViolationsListed;
  out.marks_truncated = out.newest.size() > kViolationMarks;
  if (out.marks_truncated) out.newest.resize(kViolationMarks);
  for (auto v = out.newest.rbegin(); v != out.newest.rend(); ++v) {
    if (v->phase != spc::Phase::kMonitoring) continue;
    out.marks.push_back(ChartMark{v->id, v->first_time_ms, v->rule, 1});
    ++out.by_rule[static_cast<size_t>(v->rule)];
  }
  return {};
}

// The newest kViolationsListed + 1 violations of the window by id, newest first, read from a
// span at its end (until end_ms) that grows fourfold until it holds them or is the whole window:
// the marks query sorts every violation of its span by id, and 90 days hold 222,000. A
// violation whose extent ended before that span while a later-starting one was logged after it
// is the only one that could be missed.
Result<std::vector<store::ViolationMark>> NewestViolations(store::Store& store,
                                                           store::ViolationQuery vq,
                                                           int64_t end_ms) {
  const int64_t since = vq.since_ms;
  vq.limit = kViolationsListed + 1;
  for (int64_t span = store::kRollupHourMs;; span *= 4) {
    vq.since_ms = end_ms - since > span ? end_ms - span : since;
    Result<std::vector<store::ViolationMark>> found = store.QueryViolationMarks(vq);
    if (!found || static_cast<int64_t>(found->size()) >= vq.limit || vq.since_ms == since) {
      return found;
    }
  }
}

// The monitoring-phase violations of a window read from rollups per display bucket and rule,
// by onset, from the store's counts over the window's cover (rollup_window.h, hours in place of
// minutes past their retention) with its ragged ends widened to whole minutes: the marks of a
// ragged end would be a search of every violation after it (90 days back: all of them) for less
// than a minute's. `all` gets how many there are of either phase.
Result<BucketCounts> WindowBucketCounts(const SpcViewRequest& r, store::Store& store,
                                        const RolledUpRange& range, const WindowData& w,
                                        int64_t& all) {
  BucketCounts counts;
  const int64_t since = store::BucketStart(range.since_ms, store::kRollupMinuteMs);
  const int64_t until =
      store::BucketStart(range.until_ms - 1, store::kRollupMinuteMs) + store::kRollupMinuteMs;
  for (const WindowSegment& segment : CoverWindow(since, until, w.rollup_width_ms)) {
    Result<std::vector<store::ViolationCount>> found =
        ReadPiece(segment, [&](int64_t width_ms, int64_t since_ms, int64_t until_ms) {
          return store.QueryViolationCounts(
              store::ViolationCountQuery{*r.series, width_ms, since_ms, until_ms});
        });
    if (!found) return found.error();
    for (const store::ViolationCount& c : *found) {
      all += c.count;
      if (c.phase == spc::Phase::kMonitoring) {
        counts[{w.buckets->Of(c.bucket_ms), c.rule}] += c.count;
      }
    }
  }
  return counts;
}

// A series' long window from rollups (RollupWindow) with its violations per display bucket
// (chart_marks.h): the counts cover the whole window, read from a few thousand rows, and the
// newest violations are found at its end. nullopt when the window is not read from rollups.
Result<std::optional<WindowData>> RolledUpWindow(const SpcViewRequest& r, Metric metric,
                                                 store::Store& store,
                                                 const store::ViolationQuery& vq,
                                                 WindowViolations& out) {
  const size_t keep = std::min(kViolationsListed, *r.max_points / 4);
  const DisplayBuckets wanted =
      DisplayBuckets::For(r.since_ms, r.display_until_ms, *r.max_points, keep);
  if (!RollupWidthFor(wanted.width_ms)) return std::optional<WindowData>();
  Result<std::vector<store::ViolationMark>> newest =
      NewestViolations(store, vq, std::min(r.until_ms, r.display_until_ms));
  if (!newest) return newest.error();
  std::vector<int64_t> keep_times;
  for (const store::ViolationMark& v : *newest) {
    if (keep_times.size() == keep) break;
    keep_times.push_back(v.first_time_ms);
  }
  std::sort(keep_times.begin(), keep_times.end());
  const RolledUpRange range = RangeOf(r);
  Result<std::optional<WindowData>> rolled = RollupWindow(r, metric, store, range, keep_times);
  if (!rolled || !*rolled) return rolled;
  const WindowData& w = **rolled;
  int64_t all = 0;
  Result<BucketCounts> counts = WindowBucketCounts(r, store, range, w, all);
  if (!counts) return counts.error();
  for (const auto& [key, count] : *counts) out.by_rule[static_cast<size_t>(key.second)] += count;
  out.newest = std::move(*newest);
  out.more_than_listed =
      out.newest.size() > kViolationsListed || all > static_cast<int64_t>(kViolationsListed);
  const std::vector<store::ViolationMark> listed(
      out.newest.begin(),
      out.newest.begin() + static_cast<ptrdiff_t>(std::min(out.newest.size(), kViolationsListed)));
  std::vector<DisplayPoint> points;
  points.reserve(w.points.size());
  for (size_t i = 0; i < w.points.size(); ++i) {
    points.push_back(DisplayPoint{w.points[i].time_ms, ValueOf(w.points[i], metric)});
  }
  out.marks = BucketMarks(*w.buckets, std::move(*counts), listed, points);
  return rolled;
}

// The summary of a window read from rollups: count, mean, σ, min, max and error rate from the
// totals; the percentiles need every value, so they are left out (null).
spc::Summary SummaryOfTotals(const store::RollupTotals& t) {
  spc::Summary s;
  s.count = t.value_count;
  s.mean = t.Mean().value_or(0);
  s.stddev = t.StdDev().value_or(0);
  s.min = t.min.value_or(0);
  s.max = t.max.value_or(0);
  s.median = s.p50 = s.p95 = s.p99 = NAN;
  if (t.count > 0) s.error_rate = static_cast<double>(t.errors) / static_cast<double>(t.count);
  return s;
}

std::optional<double> Known(double v) {
  return std::isnan(v) ? std::nullopt : std::optional(v);
}
std::optional<double> Known(int64_t count) {
  return count < 0 ? std::nullopt : std::optional(static_cast<double>(count));
}

std::optional<double> ValueOf(const ViewPoint& p, Metric metric) {
  if (p.error && metric != Metric::kError) return std::nullopt;
  return Known(p.metric[static_cast<size_t>(metric)]);
}

}  // namespace

Result<std::string> BuildSpcView(const SpcViewRequest& r, store::Store& store,
                                 const monitor::SeriesMonitor& monitor,
                                 const RecentSamples& recent) {
  const Metric metric = r.series ? r.series->metric : r.metric;
  store::ViolationQuery vq;
  vq.series = r.series;
  vq.provider = r.provider;
  vq.model = r.model;
  vq.metric = metric;
  vq.since_ms = r.since_ms;
  vq.until_ms = r.until_ms;
  std::vector<store::StageRecord> stages;
  if (r.series) {
    Result<std::vector<store::StageRecord>> loaded = store.LoadStages(*r.series);
    if (!loaded) return loaded.error();
    stages = std::move(*loaded);
  }

  WindowViolations violations;
  std::optional<WindowData> rolled_up;
  const bool from_rollups = r.series && r.max_points && !r.usl && !r.lsl;
  if (from_rollups) {
    Result<std::optional<WindowData>> rolled = RolledUpWindow(r, metric, store, vq, violations);
    if (!rolled) return rolled.error();
    rolled_up = std::move(*rolled);
  }
  Result<WindowData> window = [&]() -> Result<WindowData> {
    if (rolled_up) return std::move(*rolled_up);
    if (Status s = MarkEachViolation(store, vq, violations); !s) return s.error();
    if (!r.max_points) return FullWindow(r, metric, store, recent);
    // The newest listed violations' points, at most a quarter of the display points (the marks
    // show every violation wherever its point is).
    const size_t keep = std::min(kViolationsListed, *r.max_points / 4);
    std::vector<int64_t> keep_times;
    for (const store::ViolationMark& v : violations.newest) {
      if (keep_times.size() == keep) break;
      keep_times.push_back(v.first_time_ms);
    }
    std::sort(keep_times.begin(), keep_times.end());
    return DownsampledWindow(r, metric, store, recent, keep_times);
  }();
  if (!window) return window.error();
  // The newest listed in full, read by id: the marks' queries read none of their wide columns.
  std::vector<store::ViolationRecord> listed_violations;
  for (const store::ViolationMark& v : violations.newest) {
    if (listed_violations.size() == kViolationsListed) break;
    Result<std::optional<store::ViolationRecord>> full = store.GetViolation(v.id);
    if (!full) return full.error();
    if (*full) listed_violations.push_back(std::move(**full));
  }
  const ViewPoints& points = window->points;
  const std::vector<SourceKey>& sources = window->sources;
  const size_t listed = points.size();

  spc::Summary summary = window->totals ? SummaryOfTotals(*window->totals)
                                        : spc::Summarize(window->values, window->failed);
  summary.firings_by_rule = violations.by_rule;
  // Read from rollups: the percentiles from the hours' sketches and the rest's samples.
  bool percentiles_sketched = false;
  if (window->totals) {
    Result<std::optional<spc::QuantileSketch>> sketch =
        WindowSketch(*r.series, r.since_ms, r.until_ms, r.display_until_ms,
                     window->totals->value_count, store, recent);
    if (!sketch) return sketch.error();
    if (*sketch && !(*sketch)->empty()) {
      percentiles_sketched = true;
      summary.p50 = summary.median = *(*sketch)->Percentile(50);
      summary.p95 = *(*sketch)->Percentile(95);
      summary.p99 = *(*sketch)->Percentile(99);
    }
  }

  const std::optional<monitor::SeriesView> view = r.series ? monitor.View(*r.series) : std::nullopt;
  const spc::ChartConfig& config = view ? view->config : monitor.ChartConfigFor(metric);
  Json chart = Json::object();
  chart["state"] = !r.series ? "several_series"
                   : !view   ? "unknown"
                             : (view->learning ? "learning" : "monitoring");
  if (!r.series) {
    Json each = Json::array();
    for (const SourceKey& source : r.matching) {
      if (std::optional<monitor::SeriesView> v = monitor.View(SeriesKey{source, metric})) {
        each.push_back(SeriesViewJson(*v));
      }
    }
    chart["series"] = std::move(each);
  }
  if (view) {
    chart["series_state"] = monitor::SeriesStateName(view->state);
    chart["alerting"] = AlarmViewJson(view->alarm);
  }
  chart["transform"] = spc::TransformName(config.transform);
  chart["baseline_size"] = config.baseline_size;
  chart["learning_points"] = view ? view->learning_points : 0;
  std::optional<spc::Stage> limits_stage;
  if (view && view->stage) {
    limits_stage = view->stage;
  } else if (view && view->provisional) {
    spc::Stage provisional;
    provisional.transform = config.transform;
    provisional.mean = view->provisional->mean;
    provisional.sigma = view->provisional->sigma;
    limits_stage = provisional;
  }
  chart["limits_provisional"] = !(view && view->stage) && limits_stage.has_value();
  Json limits = limits_stage ? LimitsJson(monitor::ShownLimits(metric, *limits_stage, config))
                             : Json(nullptr);
  Json stage_list = Json::array();
  for (const store::StageRecord& s : stages) stage_list.push_back(StageJson(s, config));
  Json violation_list = Json::array();
  for (const store::ViolationRecord& v : listed_violations) {
    violation_list.push_back(ViolationJson(v, false, r.severities));
  }
  Json capability = nullptr;
  if ((r.usl || r.lsl) && limits_stage) {
    std::vector<double> valid;
    for (double v : window->values) {
      if (spc::IsValidInput(config.transform, v)) valid.push_back(v);
    }
    Result<spc::Capability> c =
        spc::ComputeCapability(valid, *limits_stage, spc::SpecLimits{r.usl, r.lsl});
    if (!c) return c.error();
    capability = CapabilityJson(*c);
    capability["usl"] = r.usl ? Json(*r.usl) : Json(nullptr);
    capability["lsl"] = r.lsl ? Json(*r.lsl) : Json(nullptr);
    capability["spec_source"] = r.spec_source;
  }

  auto point = [&](size_t i) -> const ViewPoint& { return points[i]; };
  std::string out;
  // About what a point takes (~55 bytes with the chart's columns, ~200 with the original's).
  out.reserve(listed * (r.chart_columns_only ? 64 : 200) + 65536);
  out += '{';
  ColumnWriter w(out);
  w.Raw("series", r.series ? SeriesKeyJson(*r.series).dump() : "null");
  w.Raw("count", std::to_string(listed));
  if (window->buckets) {
    w.Raw("window_count", std::to_string(window->count));
    w.Raw("downsampled", listed < window->count ? "true" : "false");
    w.Raw("bucket_ms", std::to_string(window->buckets->width_ms));
  }
  w.Raw("source", std::string("\"") + window->source + "\"");
  // The columns a chart draws, then (unless only those were asked for) the original's text and
  // Ollama columns.
  w.Numbers("values", listed, [&](size_t i) { return ValueOf(point(i), metric); });
  w.Numbers("cpu_percents", listed, [&](size_t i) { return Known(point(i).cpu_percent); });
  w.Numbers("memory_percents", listed, [&](size_t i) { return Known(point(i).memory_percent); });
  w.Numbers("gpu_percents", listed, [&](size_t i) { return Known(point(i).gpu_percent); });
  w.Numbers("gpu_memory_percents", listed,
            [&](size_t i) { return Known(point(i).gpu_memory_percent); });
  w.Integers("ids", listed, [&](size_t i) { return point(i).id; });
  w.Integers("time_ms", listed, [&](size_t i) { return point(i).time_ms; });
  w.Integers("errors", listed, [&](size_t i) { return int64_t{point(i).error}; });
  if (!r.chart_columns_only) {
    w.Times("timestamps", listed, [&](size_t i) { return point(i).time_ms; });
    if (r.series) {
      w.Repeated("models", listed, r.series->source.model);
      w.Repeated("providers", listed, r.series->source.provider);
    } else {
      w.Strings("models", listed, [&](size_t i) { return sources[i].model; });
      w.Strings("providers", listed, [&](size_t i) { return sources[i].provider; });
    }
    w.Numbers("total_durations", listed,
              [&](size_t i) { return Known(point(i).total_duration_ms); });
    w.Numbers("eval_durations", listed, [&](size_t i) { return Known(point(i).eval_duration_ms); });
    w.Numbers("prompt_counts", listed, [&](size_t i) { return Known(point(i).prompt_eval_count); });
    w.Numbers("eval_counts", listed, [&](size_t i) { return Known(point(i).eval_count); });
    w.Strings("prompt_hashes", listed,
              [&](size_t i) -> std::string_view { return point(i).prompt_hash; });
  }
  w.Raw("chart", chart.dump());
  w.Raw("limits", limits.dump());
  w.Raw("stages", stage_list.dump());
  Json summary_json = SummaryJson(summary);
  if (percentiles_sketched) {
    summary_json["percentiles_relative_error"] = spc::QuantileSketch::kRelativeAccuracy;
  } else if (window->totals) {
    summary_json["percentiles_omitted"] = true;  // no sketch holds them
  }
  w.Raw("summary", summary_json.dump());
  w.Raw("capability", capability.dump());
  w.Raw("violations", violation_list.dump());
  // The full log, with filters and paging, is GET /api/violations.
  w.Raw("violations_truncated", violations.more_than_listed ? "true" : "false");
  // The chart's markers, oldest first: each violation's, or each display bucket's per rule with
  // its count (chart_marks.h).
  const std::vector<ChartMark>& marks = violations.marks;
  auto mark = [&](size_t i) -> const ChartMark& { return marks[i]; };
  out += ",\"violation_marks\":{";
  ColumnWriter m(out);
  m.Numbers("ids", marks.size(), [&](size_t i) -> std::optional<double> {
    if (!mark(i).id) return std::nullopt;
    return static_cast<double>(*mark(i).id);
  });
  m.Numbers("time_ms", marks.size(),
            [&](size_t i) { return std::optional<double>(mark(i).time_ms); });
  m.Strings("rules", marks.size(), [&](size_t i) { return spc::RuleName(mark(i).rule); });
  m.Strings("severities", marks.size(), [&](size_t i) {
    return alert::SeverityName(alert::SeverityOf(mark(i).rule, r.severities));
  });
  m.Numbers("counts", marks.size(), [&](size_t i) { return std::optional<double>(mark(i).count); });
  out += '}';
  w.Raw("violation_marks_truncated", violations.marks_truncated ? "true" : "false");
  out += '}';
  return out;
}

}  // namespace llmscope::server
