#include "server/dashboard_routes.h"

#include <httplib.h>

#include <charconv>
#include <chrono>
#include <sstream>

#include "core/time_format.h"
#include "server/json_views.h"
#include "store/record_csv.h"
#include "spc/p_chart.h"

namespace llmscope::server {
namespace {

using httplib::Request;
using httplib::Response;

constexpr int64_t kMaxWindowSamples = 500000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Reply(Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

void ReplyError(Response& res, const Error& e) {
  Reply(res, e.code == "storage_error" ? 503 : 400, ErrorJson(e.code, e.message));
}

Error BadParameter(const std::string& message) {
  return Error{"invalid_parameter", message};
}

// A numeric parameter within [lo, hi]; `fallback` when absent.
template <typename T>
Result<T> Bounded(const Request& req, const char* name, T fallback, T lo, T hi) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  T v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !(v >= lo && v <= hi)) {
    std::ostringstream m;
    m << name << ": '" << text << "' is not a number in " << lo << ".." << hi;
    return BadParameter(m.str());
  }
  return v;
}

// The samples a route reads: a source (provider and model required) or filters, and a window
// from `hours` (default 24) or `since` / `until` (ISO 8601).
Result<store::SampleQuery> WindowQuery(const Request& req, bool need_source) {
  store::SampleQuery q;
  auto param = [&](const char* name) {
    return req.has_param(name) ? req.get_param_value(name) : std::string();
  };
  if (need_source || req.has_param("site") || req.has_param("profile")) {
    if (!req.has_param("provider") || !req.has_param("model")) {
      return BadParameter("provider and model name the series");
    }
    q.source = SourceKey{param("provider"), param("model"), param("site"), param("profile")};
  } else {
    if (req.has_param("provider")) q.provider = param("provider");
    if (req.has_param("model")) q.model = param("model");
  }
  Result<double> hours = Bounded<double>(req, "hours", 24, 1e-6, 24 * 366);
  if (!hours) return hours.error();
  q.since_ms = NowMs() - static_cast<int64_t>(*hours * 3600000.0);
  for (const char* name : {"since", "until"}) {
    if (!req.has_param(name)) continue;
    std::optional<int64_t> t = ParseIsoUtc(param(name));
    if (!t) return BadParameter(std::string(name) + ": not an ISO 8601 time");
    (std::string_view(name) == "since" ? q.since_ms : q.until_ms) = *t;
  }
  if (q.since_ms >= q.until_ms) return BadParameter("since must be before until");
  Result<int64_t> limit = Bounded<int64_t>(req, "limit", 100000, 1, kMaxWindowSamples);
  if (!limit) return limit.error();
  q.limit = *limit;
  return q;
}

// The newest `limit` samples of the window, oldest first.
Result<std::vector<Sample>> NewestOfWindow(store::Store& store, store::SampleQuery q) {
  q.newest_first = true;
  Result<std::vector<Sample>> found = store.QuerySamples(q);
  if (!found) return found.error();
  std::reverse(found->begin(), found->end());
  return found;
}

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

Result<Json> PChartView(const Request& req, store::Store& store,
                        const monitor::SeriesMonitor& monitor) {
  Result<store::SampleQuery> q = WindowQuery(req, true);
  if (!q) return q.error();
  if (!req.has_param("limit")) q->limit = kMaxWindowSamples;
  spc::PChartConfig config;
  Result<int> n = Bounded<int>(req, "subgroup", config.subgroup_size, 2, 10000);
  if (!n) return n.error();
  Result<int> baseline =
      Bounded<int>(req, "baseline_subgroups", config.baseline_subgroups, 1, 1000);
  if (!baseline) return baseline.error();
  config.subgroup_size = *n;
  config.baseline_subgroups = *baseline;
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

std::string SamplesCsv(const std::vector<Sample>& samples) {
  std::ostringstream csv;
  csv << store::kSamplesCsvHeader;
  store::WriteSampleCsvRows(csv, samples);
  return csv.str();
}

}  // namespace

void AddDashboardRoutes(httplib::Server& server, store::Store& store,
                        const monitor::SeriesMonitor& monitor) {
  server.Get("/api/stats/pchart", [&store, &monitor](const Request& req, Response& res) {
    Result<Json> view = PChartView(req, store, monitor);
    if (!view) return ReplyError(res, view.error());
    Reply(res, 200, *view);
  });

  server.Get("/api/export/samples", [&store](const Request& req, Response& res) {
    Result<store::SampleQuery> q = WindowQuery(req, false);
    if (!q) return ReplyError(res, q.error());
    Result<std::vector<Sample>> samples = NewestOfWindow(store, *q);
    if (!samples) return ReplyError(res, samples.error());
    res.set_header("Content-Disposition", "attachment; filename=\"llmscope-samples.csv\"");
    res.set_content(SamplesCsv(*samples), "text/csv");
  });
}

}  // namespace llmscope::server
