#include "server/spc_view.h"

#include <charconv>
#include <cmath>

#include "core/time_format.h"
#include "server/json_views.h"
#include "spc/capability.h"
#include "spc/summary.h"

namespace llmscope::server {
namespace {

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
      out_ += Json(get(i)).dump();
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
  std::string& out_;
  bool first_ = true;
};

std::optional<double> AsDouble(const std::optional<int64_t>& v) {
  return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
}

}  // namespace

Result<std::string> BuildSpcView(const SpcViewRequest& r, store::Store& store,
                                 const monitor::SeriesMonitor& monitor) {
  store::SampleQuery q;
  q.source = r.key.source;
  q.since_ms = r.since_ms;
  q.until_ms = r.until_ms;
  q.limit = r.limit;
  q.newest_first = true;
  Result<std::vector<Sample>> fetched = store.QuerySamples(q);
  if (!fetched) return fetched.error();
  std::vector<Sample> samples(std::make_move_iterator(fetched->rbegin()),
                              std::make_move_iterator(fetched->rend()));
  const size_t n = samples.size();
  const Metric metric = r.key.metric;

  std::vector<double> values;
  std::vector<uint8_t> failed;
  values.reserve(n);
  failed.reserve(n);
  for (const Sample& s : samples) {
    failed.push_back(s.error ? 1 : 0);
    std::optional<double> v = s.value(metric);
    if (v && (!s.error || metric == Metric::kError)) values.push_back(*v);
  }

  store::ViolationQuery vq;
  vq.series = r.key;
  vq.since_ms = r.since_ms;
  vq.until_ms = r.until_ms;
  vq.limit = 10000;
  Result<std::vector<store::ViolationRecord>> violations = store.QueryViolations(vq);
  if (!violations) return violations.error();
  Result<std::vector<store::StageRecord>> stages = store.LoadStages(r.key);
  if (!stages) return stages.error();

  spc::Summary summary = spc::Summarize(values, failed);
  for (const store::ViolationRecord& v : *violations) {
    if (v.phase == spc::Phase::kMonitoring) ++summary.firings_by_rule[static_cast<size_t>(v.rule)];
  }

  const std::optional<monitor::SeriesView> view = monitor.View(r.key);
  const spc::ChartConfig& config = view ? view->config : monitor.ChartConfigFor(metric);
  Json chart = Json::object();
  chart["state"] = !view ? "unknown" : (view->learning ? "learning" : "monitoring");
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
  Json limits = limits_stage ? LimitsJson(spc::OriginalUnitLimits(*limits_stage,
                                                                  config.rules.r1_sigma,
                                                                  config.non_negative_metric))
                             : Json(nullptr);
  Json stage_list = Json::array();
  for (const store::StageRecord& s : *stages) stage_list.push_back(StageJson(s, config));
  Json violation_list = Json::array();
  for (const store::ViolationRecord& v : *violations) violation_list.push_back(ViolationJson(v, false));
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

  std::string out;
  out.reserve(n * 200 + 4096);
  out += '{';
  ColumnWriter w(out);
  w.Raw("series", SeriesKeyJson(r.key).dump());
  w.Raw("count", std::to_string(n));
  w.Strings("timestamps", n, [&](size_t i) { return FormatIsoUtc(samples[i].time_ms); });
  w.Numbers("values", n, [&](size_t i) -> std::optional<double> {
    return samples[i].error && metric != Metric::kError ? std::nullopt : samples[i].value(metric);
  });
  w.Repeated("models", n, r.key.source.model);
  w.Repeated("providers", n, r.key.source.provider);
  w.Numbers("total_durations", n, [&](size_t i) { return samples[i].total_duration_ms; });
  w.Numbers("eval_durations", n, [&](size_t i) { return samples[i].eval_duration_ms; });
  w.Numbers("prompt_counts", n, [&](size_t i) { return AsDouble(samples[i].prompt_eval_count); });
  w.Numbers("eval_counts", n, [&](size_t i) { return AsDouble(samples[i].eval_count); });
  w.Numbers("cpu_percents", n, [&](size_t i) { return samples[i].telemetry.cpu_percent; });
  w.Numbers("memory_percents", n, [&](size_t i) { return samples[i].telemetry.memory_percent; });
  w.Numbers("gpu_percents", n, [&](size_t i) { return samples[i].telemetry.gpu_percent; });
  w.Numbers("gpu_memory_percents", n,
            [&](size_t i) { return samples[i].telemetry.gpu_memory_percent; });
  w.Strings("prompt_hashes", n, [&](size_t i) { return samples[i].prompt_hash; });
  w.Numbers("ids", n, [&](size_t i) { return std::optional(static_cast<double>(samples[i].id)); });
  w.Numbers("time_ms", n,
            [&](size_t i) { return std::optional(static_cast<double>(samples[i].time_ms)); });
  w.Numbers("errors", n, [&](size_t i) { return std::optional<double>(failed[i]); });
  w.Raw("chart", chart.dump());
  w.Raw("limits", limits.dump());
  w.Raw("stages", stage_list.dump());
  w.Raw("summary", SummaryJson(summary).dump());
  w.Raw("capability", capability.dump());
  w.Raw("violations", violation_list.dump());
  out += '}';
  return out;
}

}  // namespace llmscope::server
