#include "server/json_views.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "core/time_format.h"

namespace llmscope::server {
namespace {

Json Num(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}
Json Opt(const std::optional<double>& v) {
  return v ? Num(*v) : Json(nullptr);
}
Json Opt(const std::optional<int64_t>& v) {
  return v ? Json(*v) : Json(nullptr);
}

}  // namespace

Json ErrorJson(const std::string& code, const std::string& message) {
  return Json{{"error", Json{{"code", code}, {"message", message}}}};
}

Json SourceJson(const SourceKey& k) {
  return Json{
      {"provider", k.provider}, {"model", k.model}, {"site", k.site}, {"profile", k.profile}};
}

Json SeriesKeyJson(const SeriesKey& k) {
  Json j = SourceJson(k.source);
  j["metric"] = MetricName(k.metric);
  j["id"] = SeriesId(k);
  return j;
}

Json SampleJson(const Sample& s) {
  Json j{{"id", s.id},
         {"timestamp", FormatIsoUtc(s.time_ms)},
         {"time_ms", s.time_ms},
         {"provider", s.source.provider},
         {"model", s.source.model},
         {"site", s.source.site},
         {"profile", s.source.profile},
         {"e2e_ms", Opt(s.e2e_ms)},
         {"ttft_ms", Opt(s.ttft_ms)},
         {"tpot_ms", Opt(s.tpot_ms)},
         {"tokens_per_s", Opt(s.tokens_per_s)},
         {"cost_usd", Opt(s.cost_usd)},
         {"error", s.error},
         {"error_kind", s.error_kind},
         {"error_message", s.error_message},
         {"total_duration_ms", Opt(s.total_duration_ms)},
         {"load_duration_ms", Opt(s.load_duration_ms)},
         {"prompt_eval_duration_ms", Opt(s.prompt_eval_duration_ms)},
         {"eval_duration_ms", Opt(s.eval_duration_ms)},
         {"prompt_eval_count", Opt(s.prompt_eval_count)},
         {"eval_count", Opt(s.eval_count)},
         {"tokens_in", Opt(s.tokens_in)},
         {"tokens_out", Opt(s.tokens_out)},
         {"cpu_percent", Opt(s.telemetry.cpu_percent)},
         {"memory_percent", Opt(s.telemetry.memory_percent)},
         {"gpu_percent", Opt(s.telemetry.gpu_percent)},
         {"gpu_memory_percent", Opt(s.telemetry.gpu_memory_percent)},
         {"gpu_temp_c", Opt(s.telemetry.gpu_temp_c)},
         {"prompt_hash", s.prompt_hash}};
  return j;
}

Json LimitsJson(const spc::Limits& l) {
  return Json{{"cl", Num(l.center)},         {"ucl", Num(l.ucl)},
              {"lcl", Num(l.lcl)},           {"upper_2s", Num(l.upper_2s)},
              {"lower_2s", Num(l.lower_2s)}, {"upper_1s", Num(l.upper_1s)},
              {"lower_1s", Num(l.lower_1s)}};
}

Json StageJson(const store::StageRecord& r, const spc::ChartConfig& config) {
  Json j{{"number", r.stage.number},
         {"start_index", r.stage.start_index},
         {"start_time", FormatIsoUtc(r.start_time_ms)},
         {"start_time_ms", r.start_time_ms},
         {"baseline_size", r.stage.baseline_size},
         {"transform", spc::TransformName(r.stage.transform)},
         {"sigma_method", spc::SigmaMethodName(r.stage.sigma_method)},
         {"frozen", r.frozen},
         {"external_baseline", r.external_baseline}};
  if (r.frozen) {
    j["mean"] = Num(r.stage.mean);
    j["sigma"] = Num(r.stage.sigma);
    j["degenerate"] = r.stage.degenerate();
    j["limits"] = LimitsJson(monitor::ShownLimits(r.series.metric, r.stage, config));
  }
  return j;
}

Json StageWithSeriesJson(const store::StageRecord& r, const spc::ChartConfig& config) {
  Json j = StageJson(r, config);
  j["series"] = SeriesKeyJson(r.series);
  return j;
}

Json ViolationJson(const store::ViolationRecord& v, bool with_context,
                   const alert::SeverityOverrides& severities) {
  Json j{{"id", v.id},
         {"series", SeriesKeyJson(v.series)},
         {"provider", v.series.source.provider},
         {"model", v.series.source.model},
         {"metric", MetricName(v.series.metric)},
         {"rule", spc::RuleName(v.rule)},
         {"meaning", spc::RuleMeaning(v.rule)},
         {"severity", alert::SeverityName(alert::SeverityOf(v.rule, severities))},
         {"phase", spc::PhaseName(v.phase)},
         {"stage", v.stage},
         {"first_index", v.first_index},
         {"last_index", v.last_index},
         {"count", v.count},
         {"first_time", FormatIsoUtc(v.first_time_ms)},
         {"last_time", FormatIsoUtc(v.last_time_ms)},
         {"first_time_ms", v.first_time_ms},
         {"last_time_ms", v.last_time_ms},
         {"detected_time", FormatIsoUtc(v.created_ms)},
         {"detected_time_ms", v.created_ms},
         {"value", Num(v.value)},
         {"worst_value", Num(v.worst_value)},
         {"deviation_sigma", Opt(v.deviation)},
         {"mean", Num(v.mean)},
         {"sigma", Num(v.sigma)},
         {"limits", LimitsJson(v.limits)},
         {"status", store::ViolationStatusName(v.status)},
         {"status_by", v.status_by},
         {"status_time", v.status_time_ms ? Json(FormatIsoUtc(v.status_time_ms)) : Json(nullptr)}};
  if (with_context) {
    Json context = Json::parse(v.context_json, nullptr, false);
    j["context"] = context.is_discarded() ? Json(nullptr) : context;
  }
  return j;
}

namespace {

// "×1.2" for a shift detector, "+5% errors" for the error one.
std::string DetectionTarget(const monitor::AlarmView& a) {
  char text[32];
  if (a.detector == monitor::AlarmView::Detector::kErrors) {
    std::snprintf(text, sizeof text, "+%g%% errors", a.target * 100);
  } else {
    std::snprintf(text, sizeof text, "\u00d7%g", 1 + a.target);
  }
  return text;
}

}  // namespace

Json AlarmViewJson(const monitor::AlarmView& a) {
  const bool errors = a.detector == monitor::AlarmView::Detector::kErrors;
  auto ms_to_s = [](const std::optional<double>& ms) {
    return ms ? Json(*ms / 1000.0) : Json(nullptr);
  };
  return Json{{"detector", errors ? "errors" : "shift"},
              {"direction", a.direction == spc::BadDirection::kDown ? "down" : "up"},
              {"learning", a.learning},
              {"learning_progress", a.progress},
              {"learning_needed", a.needed},
              {"subgroup_size", a.subgroup_size},
              {"interval_s", ms_to_s(a.interval_ms)},
              {"budget_per_30d", a.budget_per_30d},
              {"expected_false_alerts_per_30d", Opt(a.expected_false_alerts_per_30d)},
              {"expected_degraded_per_30d", Opt(a.expected_degraded_per_30d)},
              {"design_false_alerts_per_30d", Opt(a.design_false_alerts_per_30d)},
              {"detection_delay_s", ms_to_s(a.detection_delay_ms)},
              {"detection_target", DetectionTarget(a)},
              {"statistic", Num(a.statistic)},
              {"threshold", Opt(a.threshold)},
              {"degraded_threshold", Opt(a.degraded_threshold)},
              {"baseline", Opt(a.baseline)},
              {"in_episode", a.in_episode},
              {"degraded", a.degraded}};
}

Json SeriesViewJson(const monitor::SeriesView& v) {
  Json j = SeriesKeyJson(v.key);
  j["state"] = monitor::SeriesStateName(v.state);
  j["points"] = v.points;
  j["learning_points"] = v.learning_points;
  j["baseline_size"] = v.baseline_size;
  j["open_events"] = v.open_events;
  j["transform"] = spc::TransformName(v.config.transform);
  if (v.stage) {
    j["stage"] = v.stage->number;
    j["limits"] = LimitsJson(monitor::ShownLimits(v.key.metric, *v.stage, v.config));
  }
  if (v.last) {
    j["last_value"] = Num(v.last->value);
    j["last_time"] = FormatIsoUtc(v.last->time_ms);
  }
  j["alerting"] = AlarmViewJson(v.alarm);
  return j;
}

Json SeriesListJson(const std::vector<monitor::SeriesView>& views) {
  Json list = Json::array();
  for (const monitor::SeriesView& v : views) list.push_back(SeriesViewJson(v));
  return list;
}

Json SummaryJson(const spc::Summary& s) {
  Json by_rule = Json::object();
  for (int i = 0; i < spc::kRuleCount; ++i) {
    const auto r = static_cast<spc::Rule>(i);
    by_rule[std::string(spc::RuleName(r))] = s.firings_by_rule[static_cast<size_t>(r)];
  }
  return Json{{"count", s.count},
              {"mean", Num(s.mean)},
              {"median", Num(s.median)},
              {"std", Num(s.stddev)},
              {"min", Num(s.min)},
              {"max", Num(s.max)},
              {"p50", Num(s.p50)},
              {"p95", Num(s.p95)},
              {"p99", Num(s.p99)},
              {"error_rate", Opt(s.error_rate)},
              {"violations_by_rule", by_rule}};
}

Json CapabilityJson(const spc::Capability& c) {
  return Json{{"cp", Opt(c.cp)},
              {"cpk", Opt(c.cpk)},
              {"pp", Opt(c.pp)},
              {"ppk", Opt(c.ppk)},
              {"share_beyond_spec", Num(c.share_beyond_spec)},
              {"n", c.n}};
}

}  // namespace llmscope::server
