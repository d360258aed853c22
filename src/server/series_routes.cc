#include "server/series_routes.h"

#include "http/router.h"

#include <algorithm>
#include <utility>

#include "core/time_format.h"
#include "server/http_reply.h"
#include "server/json_views.h"
#include "server/query_params.h"
#include "server/series_path.h"
#include "server/spc_view.h"
#include "settings/slo_table.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

// GET /api/stats/spc's parameters (see the header) → the view to build.
Result<SpcViewRequest> SpcRequest(const QueryParams& p, const monitor::SeriesMonitor& monitor,
                                  int64_t now_ms) {
  SpcViewRequest r;
  Result<std::optional<Metric>> metric = p.Metric("metric");
  if (!metric) return metric.error();
  r.metric = metric->value_or(Metric::kE2eMs);
  r.provider = p.Text("provider");
  r.model = p.Text("model");
  const std::optional<std::string> site = p.Text("site"), profile = p.Text("profile");
  // The chart needs one series: provider and model with a site or a profile name it (the other
  // empty when not given), or one series matches the filters given. Provider and model alone
  // (the original's query) cover every site and profile: one match is its chart; several
  // (a model probed with several profiles) give their points in time order and their list.
  std::vector<SourceKey> matching;
  for (const monitor::SeriesView& v : monitor.ListSeries()) {
    const SourceKey& k = v.key.source;
    if (v.key.metric != Metric::kE2eMs) continue;  // each source once
    if ((r.provider && k.provider != *r.provider) || (r.model && k.model != *r.model) ||
        (site && k.site != *site) || (profile && k.profile != *profile)) {
      continue;
    }
    matching.push_back(k);
  }
  const bool names_one = r.provider && r.model && (site || profile);
  if (names_one || (r.provider && r.model && matching.empty())) {
    r.series = SeriesKey{SourceKey{*r.provider, *r.model, site.value_or(""), profile.value_or("")},
                         r.metric};
  } else if (matching.size() == 1) {
    r.series = SeriesKey{matching[0], r.metric};
  } else {
    r.matching = std::move(matching);
  }
  Result<std::optional<double>> hours = p.Optional<double>("hours");
  if (!hours) return hours.error();
  Result<std::optional<int64_t>> limit = p.InRange<int64_t>("limit", 1, 500000);
  if (!limit) return limit.error();
  Result<std::optional<double>> usl = p.Optional<double>("usl");
  if (!usl) return usl.error();
  Result<std::optional<double>> lsl = p.Optional<double>("lsl");
  if (!lsl) return lsl.error();
  const double window_hours = hours->value_or(24);
  if (!(window_hours > 0 && window_hours <= 24 * 366)) {
    return Error{"invalid_parameter", "hours: more than 0, at most 8784"};
  }
  Result<std::optional<int64_t>> since = p.Time("since");
  if (!since) return since.error();
  Result<std::optional<int64_t>> until = p.Time("until");
  if (!until) return until.error();
  Result<std::optional<int64_t>> max_points = p.InRange<int64_t>("max_points", 4, 20000);
  if (!max_points) return max_points.error();
  r.since_ms = since->value_or(now_ms - static_cast<int64_t>(window_hours * 3600000.0));
  r.until_ms = until->value_or(INT64_MAX);
  r.display_until_ms = until->value_or(now_ms);
  if (r.since_ms >= r.display_until_ms) {
    return Error{"invalid_parameter", "since must be before until (or before now)"};
  }
  if (*max_points) r.max_points = static_cast<size_t>(**max_points);
  // As the original: one point per 2 s of the window unless a limit is given.
  const double span_hours = static_cast<double>(r.display_until_ms - r.since_ms) / 3600000.0;
  r.limit = limit->value_or(std::min<int64_t>(static_cast<int64_t>(span_hours * 1800) + 1, 500000));
  r.usl = *usl;
  r.lsl = *lsl;
  const std::optional<std::string> columns = p.Text("columns");
  if (columns && *columns != "chart") {
    return Error{"invalid_parameter", "columns: only 'chart' (or leave it out)"};
  }
  r.chart_columns_only = columns.has_value();
  return r;
}

// The body of POST …/stages: empty, or {"since", "until"} (ISO 8601; until defaults to now).
// nullopt: learn from the next points.
Result<std::optional<std::pair<int64_t, int64_t>>> StageWindow(const std::string& text,
                                                               int64_t now_ms) {
  using Window = std::optional<std::pair<int64_t, int64_t>>;
  if (text.empty()) return Window();
  Json body = Json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error{"invalid_json", "the body must be a JSON object"};
  }
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() != "since" && it.key() != "until") {
      return Error{"unknown_field", it.key() + ": expected since, until"};
    }
  }
  if (!body.contains("since") && !body.contains("until")) return Window();
  std::optional<int64_t> since, until;
  if (body.contains("since") && body["since"].is_string()) {
    since = ParseIsoUtc(body["since"].get<std::string>());
  }
  if (body.contains("until") && body["until"].is_string()) {
    until = ParseIsoUtc(body["until"].get<std::string>());
  } else if (!body.contains("until")) {
    until = now_ms;
  }
  if (!since || !until || *since >= *until) {
    return Error{"invalid_field", "since and until must be ISO 8601 times with since < until"};
  }
  return Window(std::make_pair(*since, *until));
}

// Without spec limits in the request, a series' capability is judged against its stored SLO.
void UseStoredSlo(SpcViewRequest& r, const settings::SloTable& slos) {
  if (!r.series || r.usl || r.lsl) return;
  const std::optional<spc::SpecLimits> slo = slos.Find(*r.series);
  if (!slo) return;
  r.usl = slo->usl;
  r.lsl = slo->lsl;
  r.spec_source = "slo";
}

}  // namespace

void RegisterSeriesRoutes(http::Router& router, monitor::SeriesMonitor& monitor,
                          store::Store& store, const RecentSamples& recent,
                          const settings::SloTable& slos,
                          const alert::SeverityOverrides& severities, const Clock& clock) {
  router.Get("/api/stats/spc",
             [&monitor, &store, &recent, slos, severities, clock](const Request& req,
                                                                  Response& res) {
               Result<SpcViewRequest> r = SpcRequest(QueryParams(req.params), monitor, clock());
               if (!r) return SendError(res, r.error());
               UseStoredSlo(*r, slos);
               r->severities = severities;
               Result<std::string> body = BuildSpcView(*r, store, monitor, recent);
               if (!body) return SendError(res, body.error());
               res.set_content(std::move(*body), "application/json");
             });

  router.Get("/api/series", [&monitor](const Request&, Response& res) {
    SendJson(res, 200, Json{{"series", SeriesListJson(monitor.ListSeries())}});
  });

  router.Post(R"(/api/series/(.+)/stages)", [&monitor, clock](const Request& req, Response& res) {
    Result<SeriesKey> key = SeriesFromPath(req, "stages");
    if (!key) return SendError(res, key.error());
    const int64_t now = clock();
    Result<std::optional<std::pair<int64_t, int64_t>>> window = StageWindow(req.body, now);
    if (!window) return SendError(res, window.error());
    Result<store::StageRecord> stage = monitor.StartNewStage(*key, *window, now);
    if (!stage) return SendError(res, stage.error());
    SendJson(res, 201, StageWithSeriesJson(*stage, monitor.ChartConfigFor(key->metric)));
  });
}

}  // namespace llmscope::server
