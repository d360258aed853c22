#include "server/spc_view.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/time_format.h"
#include "server/display_downsample.h"
#include "server/json_views.h"
#include "spc/capability.h"
#include "spc/summary.h"

namespace llmscope::server {
namespace {

// The newest violations of the window that are listed, and counted per rule in the summary.
constexpr size_t kViolationsListed = 200;

// Column arrays of tens of thousands of points are written straight into the output text: a
// JSON document tree of that size costs more than the whole query.
class ColumnWriter {
 public:
  explicit ColumnWriter(std::string& out) : out_(out) {}

  template <typename Get>
  void Numbers(const char* name, size_t n, Get&& get) {
    Open(name);
    for (size_t i = 0; i < n; ++i) {
      if (i) out_ += ',';
      std::optional<double> v = get(i);
      if (v && std::isfinite(*v)) {
        char buf[32];
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, *v);
        out_.append(buf, p);
      } else {
        out_ += "null";
      }
    }
    out_ += ']';
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

// The window's points, oldest first: from the cache when it holds them all, else the store.
// Without one series, `sources` gets each point's provider and model.
Result<std::vector<ViewPoint>> WindowPoints(const SpcViewRequest& r, store::Store& store,
                                            const RecentSamples& recent,
                                            std::vector<SourceKey>& sources) {
  if (r.series) {
    std::optional<std::vector<ViewPoint>> cached =
        recent.Window(r.series->source, r.since_ms, r.until_ms, r.limit);
    if (cached) return std::move(*cached);
  }
  store::SampleQuery q;
  if (r.series) {
    q.source = r.series->source;
  } else {
    q.provider = r.provider;
    q.model = r.model;
  }
  q.since_ms = r.since_ms;
  q.until_ms = r.until_ms;
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
  return points;
}

std::optional<double> Known(double v) {
  return std::isnan(v) ? std::nullopt : std::optional(v);
}
std::optional<double> Known(int64_t count) {
  return count < 0 ? std::nullopt : std::optional(static_cast<double>(count));
}

}  // namespace

Result<std::string> BuildSpcView(const SpcViewRequest& r, store::Store& store,
                                 const monitor::SeriesMonitor& monitor,
                                 const RecentSamples& recent) {
  const Metric metric = r.series ? r.series->metric : r.metric;
  std::vector<SourceKey> sources;
  Result<std::vector<ViewPoint>> window = WindowPoints(r, store, recent, sources);
  if (!window) return window.error();
  const std::vector<ViewPoint>& points = *window;
  const size_t n = points.size();
  // The metric's value at point i, where it counts: a failed call's latency does not.
  auto value = [&](size_t i) -> std::optional<double> {
    const ViewPoint& p = points[i];
    if (p.error && metric != Metric::kError) return std::nullopt;
    return Known(p.metric[static_cast<size_t>(metric)]);
  };

  std::vector<double> values;
  std::vector<uint8_t> failed;
  values.reserve(n);
  failed.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    failed.push_back(points[i].error ? 1 : 0);
    if (std::optional<double> v = value(i)) values.push_back(*v);
  }

  store::ViolationQuery vq;
  vq.series = r.series;
  vq.provider = r.provider;
  vq.model = r.model;
  vq.metric = metric;
  vq.since_ms = r.since_ms;
  vq.until_ms = r.until_ms;
  vq.limit = kViolationsListed + 1;  // one more tells whether the list is cut
  vq.context = store::ViolationQuery::Context::kNone;
  Result<std::vector<store::ViolationRecord>> violations = store.QueryViolations(vq);
  if (!violations) return violations.error();
  std::vector<store::StageRecord> stages;
  if (r.series) {
    Result<std::vector<store::StageRecord>> loaded = store.LoadStages(*r.series);
    if (!loaded) return loaded.error();
    stages = std::move(*loaded);
  }

  spc::Summary summary = spc::Summarize(values, failed);
  for (const store::ViolationRecord& v : *violations) {
    if (v.phase == spc::Phase::kMonitoring) ++summary.firings_by_rule[static_cast<size_t>(v.rule)];
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
  for (const store::ViolationRecord& v : *violations) {
    if (violation_list.size() == kViolationsListed) break;
    violation_list.push_back(ViolationJson(v, false, r.severities));
  }
  Json capability = nullptr;
  if ((r.usl || r.lsl) && limits_stage) {
    std::vector<double> valid;
    for (double v : values) {
      if (spc::IsValidInput(config.transform, v)) valid.push_back(v);
    }
    Result<spc::Capability> c =
        spc::ComputeCapability(valid, *limits_stage, spc::SpecLimits{r.usl, r.lsl});
    if (!c) return c.error();
    capability = CapabilityJson(*c);
  }

  // The points listed: every one, or the display points of max_points.
  std::vector<size_t> shown;
  DisplayPoints display;
  if (r.max_points) {
    std::vector<int64_t> times(n);
    std::vector<std::optional<double>> shown_values(n);
    for (size_t i = 0; i < n; ++i) {
      times[i] = points[i].time_ms;
      shown_values[i] = value(i);
    }
    std::vector<size_t> keep;
    for (const store::ViolationRecord& v : *violations) {
      auto at = std::lower_bound(times.begin(), times.end(), v.first_time_ms);
      if (at != times.end() && *at == v.first_time_ms) keep.push_back(at - times.begin());
    }
    display = M4Downsample(times, shown_values, r.since_ms, r.until_ms, *r.max_points, keep);
    shown = std::move(display.indices);
  } else {
    shown.resize(n);
    for (size_t i = 0; i < n; ++i) shown[i] = i;
  }
  const size_t listed = shown.size();
  auto point = [&](size_t k) -> const ViewPoint& { return points[shown[k]]; };

  std::string out;
  out.reserve(listed * 200 + 4096);
  out += '{';
  ColumnWriter w(out);
  w.Raw("series", r.series ? SeriesKeyJson(*r.series).dump() : "null");
  w.Raw("count", std::to_string(listed));
  if (r.max_points) {
    w.Raw("window_count", std::to_string(n));
    w.Raw("downsampled", display.downsampled ? "true" : "false");
    w.Raw("bucket_ms", std::to_string(display.bucket_ms));
  }
  // The columns a chart draws, then (unless only those were asked for) the original's text and
  // Ollama columns.
  w.Numbers("values", listed, [&](size_t k) { return value(shown[k]); });
  w.Numbers("cpu_percents", listed, [&](size_t i) { return Known(point(i).cpu_percent); });
  w.Numbers("memory_percents", listed, [&](size_t i) { return Known(point(i).memory_percent); });
  w.Numbers("gpu_percents", listed, [&](size_t i) { return Known(point(i).gpu_percent); });
  w.Numbers("gpu_memory_percents", listed,
            [&](size_t i) { return Known(point(i).gpu_memory_percent); });
  w.Numbers("ids", listed, [&](size_t i) { return Known(point(i).id); });
  w.Numbers("time_ms", listed, [&](size_t i) { return Known(point(i).time_ms); });
  w.Numbers("errors", listed, [&](size_t i) { return std::optional<double>(point(i).error); });
  if (!r.chart_columns_only) {
    w.Times("timestamps", listed, [&](size_t i) { return point(i).time_ms; });
    if (r.series) {
      w.Repeated("models", listed, r.series->source.model);
      w.Repeated("providers", listed, r.series->source.provider);
    } else {
      w.Strings("models", listed, [&](size_t i) { return sources[shown[i]].model; });
      w.Strings("providers", listed, [&](size_t i) { return sources[shown[i]].provider; });
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
  w.Raw("summary", SummaryJson(summary).dump());
  w.Raw("capability", capability.dump());
  w.Raw("violations", violation_list.dump());
  // The full log, with filters and paging, is GET /api/violations.
  w.Raw("violations_truncated", violations->size() > kViolationsListed ? "true" : "false");
  out += '}';
  return out;
}

}  // namespace llmscope::server
