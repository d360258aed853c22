#include "server/dashboard_routes.h"

#include "http/router.h"

#include "server/http_reply.h"
#include "server/json_views.h"
#include "server/query_params.h"
#include "server/sample_window.h"
#include "spc/p_chart.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

// The live p-chart's state for the source (see the header), or null.
Json LivePChart(const monitor::SeriesMonitor& monitor, const SourceKey& source) {
  const std::optional<monitor::SeriesView> v = monitor.View(SeriesKey{source, Metric::kError});
  if (!v || v->points == 0) return nullptr;
  Json limits = nullptr;
  if (v->stage) {
    const spc::Limits l = monitor::ShownLimits(Metric::kError, *v->stage, v->config);
    limits = Json{{"p_bar", v->stage->mean},
                  {"ucl", l.ucl},
                  {"lcl", l.lcl},
                  {"estimable", !v->stage->degenerate()}};
  }
  return Json{{"state", v->learning ? "learning" : "monitoring"},
              {"stage", v->stage ? Json(v->stage->number) : Json(nullptr)},
              {"calls", v->points},
              {"learning_calls", v->learning_points},
              {"baseline_calls", v->baseline_size},
              {"limits", limits}};
}

Result<Json> PChartView(const QueryParams& params, int64_t now_ms, store::Store& store,
                        const monitor::SeriesMonitor& monitor) {
  Result<store::SampleQuery> q = SampleWindow(params, true, now_ms);
  if (!q) return q.error();
  if (!params.Has("limit")) q->limit = kMaxWindowSamples;
  spc::PChartConfig config;
  Result<std::optional<int>> n = params.InRange<int>("subgroup", 2, 10000);
  if (!n) return n.error();
  Result<std::optional<int>> baseline = params.InRange<int>("baseline_subgroups", 1, 1000);
  if (!baseline) return baseline.error();
  config.subgroup_size = n->value_or(config.subgroup_size);
  config.baseline_subgroups = baseline->value_or(config.baseline_subgroups);
  Result<std::vector<Sample>> samples = NewestOfWindow(store, *q);
  if (!samples) return samples.error();

  spc::PChart chart(config);
  std::vector<spc::PChartFiring> firings;
  Json times = Json::array(), shares = Json::array(), failed_counts = Json::array();
  int64_t failed = 0;
  int failed_in_group = 0;
  for (size_t i = 0; i < samples->size(); ++i) {
    const Sample& s = (*samples)[i];
    chart.Observe(s.error, firings);
    failed += s.error ? 1 : 0;
    failed_in_group += s.error ? 1 : 0;
    if ((i + 1) % static_cast<size_t>(config.subgroup_size) == 0) {
      times.push_back(s.time_ms);
      shares.push_back(static_cast<double>(failed_in_group) / config.subgroup_size);
      failed_counts.push_back(failed_in_group);
      failed_in_group = 0;
    }
  }
  Json firing_list = Json::array();
  for (const spc::PChartFiring& f : firings) {
    firing_list.push_back(Json{{"subgroup", f.subgroup},
                               {"time_ms", (*samples)[f.last_call_index].time_ms},
                               {"p", f.p},
                               {"phase", spc::PhaseName(f.phase)}});
  }
  Json limits = nullptr;
  if (std::optional<spc::PChartLimits> l = chart.limits()) {
    limits =
        Json{{"p_bar", l->p_bar}, {"ucl", l->ucl}, {"lcl", l->lcl}, {"estimable", l->estimable}};
  }
  return Json{{"series", SeriesKeyJson(SeriesKey{*q->source, Metric::kError})},
              {"subgroup_size", config.subgroup_size},
              {"baseline_subgroups", config.baseline_subgroups},
              {"calls", samples->size()},
              {"failed", failed},
              {"pending_calls", samples->size() % config.subgroup_size},
              {"subgroups", Json{{"time_ms", times}, {"p", shares}, {"failed", failed_counts}}},
              {"limits", limits},
              {"firings", firing_list},
              {"live", LivePChart(monitor, *q->source)}};
}

}  // namespace

void RegisterDashboardRoutes(http::Router& router, store::Store& store,
                             const monitor::SeriesMonitor& monitor, const Clock& clock) {
  router.Get("/api/stats/pchart", [&store, &monitor, clock](const Request& req, Response& res) {
    Result<Json> view = PChartView(QueryParams(req.params), clock(), store, monitor);
    if (!view) return SendError(res, view.error());
    SendJson(res, 200, *view);
  });
}

}  // namespace llmscope::server
