#include "server/series_settings_routes.h"

#include <optional>
#include <string>

#include "http/router.h"
#include "server/http_reply.h"
#include "server/json_views.h"
#include "server/query_params.h"
#include "server/series_path.h"
#include "settings/series_overrides.h"
#include "settings/series_slo.h"
#include "spc/rule.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

const std::string kKind(settings::kSeriesOverrideKind);
constexpr char kActor[] = "api-key";

Json ConfigJson(const monitor::SeriesConfig& c) {
  return Json{{"baseline", c.chart.baseline_size},
              {"transform", spc::TransformName(c.chart.transform)},
              {"rules", spc::FormatRuleList(c.chart.rules)},
              {"false_alerts_per_30d", c.alarm.budget.false_alerts_per_30d}};
}

// The stored override of the series, parsed; nullopt when none (or one that no longer parses).
struct StoredOverride {
  std::optional<store::SettingRecord> record;
  settings::SeriesOverride fields;
};

Result<StoredOverride> ReadOverride(store::Store& store, const SeriesKey& key,
                                    const monitor::SeriesConfig& file) {
  Result<std::optional<store::SettingRecord>> stored =
      store.GetSetting(kKind, settings::SeriesSettingId(key));
  if (!stored) return stored.error();
  StoredOverride out;
  out.record = *stored;
  if (*stored) {
    Result<settings::SeriesOverrideEdit> edit =
        settings::ParseSeriesOverrideBody((*stored)->body, key.metric, file);
    if (edit) out.fields = edit->fields;
  }
  return out;
}

Json SettingsJson(const SeriesKey& key, const StoredOverride& stored,
                  const monitor::SeriesConfig& file,
                  const std::optional<monitor::SeriesView>& view) {
  const settings::SeriesOverride& o = stored.fields;
  auto source = [](bool overridden) { return overridden ? "override" : "config"; };
  Json j{{"series", SeriesKeyJson(key)},
         {"effective", ConfigJson(settings::ApplyOverride(o, file))},
         {"source",
          {{"baseline", source(o.baseline.has_value())},
           {"transform", source(o.transform.has_value())},
           {"rules", source(o.rules.has_value())},
           {"false_alerts_per_30d", source(o.false_alerts_per_30d.has_value())}}},
         {"config", ConfigJson(file)},
         {"override", nullptr},
         {"stage", nullptr},
         {"version", nullptr},
         {"updated_ms", nullptr},
         {"updated_by", nullptr}};
  if (stored.record) {
    j["override"] = Json::parse(stored.record->body, nullptr, false);
    j["version"] = stored.record->version;
    j["updated_ms"] = stored.record->updated_ms;
    j["updated_by"] = stored.record->updated_by;
  }
  if (view) {
    j["stage"] = Json{{"number", view->stage ? Json(view->stage->number) : Json(nullptr)},
                      {"baseline", view->baseline_size},
                      {"transform", spc::TransformName(view->config.transform)},
                      {"learning", view->learning}};
  }
  return j;
}

// What `next` would change in the limits of the series' current stage: {field: {from, to}}.
Json LimitChanges(const std::optional<monitor::SeriesView>& view,
                  const monitor::SeriesConfig& next) {
  Json changes = Json::object();
  if (!view) return changes;  // no stage yet: its first takes the override
  if (view->baseline_size != next.chart.baseline_size) {
    changes["baseline"] = Json{{"from", view->baseline_size}, {"to", next.chart.baseline_size}};
  }
  if (view->config.transform != next.chart.transform) {
    changes["transform"] = Json{{"from", spc::TransformName(view->config.transform)},
                                {"to", spc::TransformName(next.chart.transform)}};
  }
  return changes;
}

Result<bool> NewStageConfirmed(const Request& req) {
  Result<std::optional<bool>> confirmed = QueryParams(req.params).Flag("new_stage");
  if (!confirmed) return confirmed.error();
  return confirmed->value_or(false);
}

void SendConfirmNewStage(Response& res, const Json& changes) {
  std::string fields;
  for (const auto& [field, change] : changes.items()) {
    fields += (fields.empty() ? "" : ", ") + field + " " + change["from"].dump() + " → " +
              change["to"].dump();
  }
  SendJson(res, HttpStatusOf("confirm_new_stage"),
           Json{{"error",
                 {{"code", "confirm_new_stage"},
                  {"message", "this changes the limits (" + fields +
                                  "): send it again with ?new_stage=true to start a new stage"}}},
                {"changes", changes}});
}

// After a saved change: the monitor takes it, and a confirmed change of the limits starts the
// series' new stage; then the reply.
void Apply(Response& res, int status, monitor::SeriesMonitor& monitor, store::Store& store,
           const SeriesKey& key, bool start_stage, int64_t now_ms) {
  if (Status s = ReloadSeriesOverrides(store, monitor); !s) return SendError(res, s.error());
  std::optional<store::StageRecord> started;
  if (start_stage) {
    Result<store::StageRecord> stage = monitor.StartNewStage(key, std::nullopt, now_ms);
    if (!stage) return SendError(res, stage.error());
    started = *stage;
  }
  if (status == 204) {
    res.status = 204;
    return;
  }
  const monitor::SeriesConfig file = monitor.MetricConfig(key.metric);
  Result<StoredOverride> stored = ReadOverride(store, key, file);
  if (!stored) return SendError(res, stored.error());
  Json j = SettingsJson(key, *stored, file, monitor.View(key));
  if (started) j["new_stage"] = StageJson(*started, monitor.ChartConfigFor(key.metric));
  SendJson(res, status, j);
}

Result<SeriesKey> SettingsSeries(const Request& req) {
  Result<SeriesKey> key = SeriesFromPath(req, "settings");
  if (!key) return key;
  if (key->metric == Metric::kError) {
    return Error{"invalid_field",
                 "metric: the error series (a p-chart of calls) takes no overrides"};
  }
  return key;
}

}  // namespace

Status ReloadSeriesOverrides(store::Store& store, monitor::SeriesMonitor& monitor) {
  Result<std::vector<store::SettingRecord>> stored = store.ListSettings(kKind);
  if (!stored) return stored.error();
  monitor.Configure(
      settings::SeriesConfigsOf(*stored, [&monitor](Metric m) { return monitor.MetricConfig(m); }));
  return {};
}

void RegisterSeriesSettingsRoutes(http::Router& router, monitor::SeriesMonitor& monitor,
                                  store::Store& store, const Clock& clock) {
  constexpr const char* kPattern = R"(/api/series/(.+)/settings)";
  router.Get(kPattern, [&monitor, &store](const Request& req, Response& res) {
    Result<SeriesKey> key = SettingsSeries(req);
    if (!key) return SendError(res, key.error());
    const monitor::SeriesConfig file = monitor.MetricConfig(key->metric);
    Result<StoredOverride> stored = ReadOverride(store, *key, file);
    if (!stored) return SendError(res, stored.error());
    SendJson(res, 200, SettingsJson(*key, *stored, file, monitor.View(*key)));
  });

  router.Put(kPattern, [&monitor, &store, clock](const Request& req, Response& res) {
    Result<SeriesKey> key = SettingsSeries(req);
    if (!key) return SendError(res, key.error());
    Result<bool> confirmed = NewStageConfirmed(req);
    if (!confirmed) return SendError(res, confirmed.error());
    Result<std::optional<int64_t>> if_match =
        IfMatchVersion(req.has_header("If-Match") ? std::optional(req.get_header_value("If-Match"))
                                                  : std::nullopt);
    if (!if_match) return SendError(res, if_match.error());
    const monitor::SeriesConfig file = monitor.MetricConfig(key->metric);
    Result<settings::SeriesOverrideEdit> edit =
        settings::ParseSeriesOverrideBody(req.body, key->metric, file);
    if (!edit) return SendError(res, edit.error());
    const Json changes =
        LimitChanges(monitor.View(*key), settings::ApplyOverride(edit->fields, file));
    if (!changes.empty() && !*confirmed) return SendConfirmNewStage(res, changes);
    store::SettingWrite write;
    write.kind = kKind;
    write.id = settings::SeriesSettingId(*key);
    write.body = settings::SeriesOverrideBody(edit->fields);
    write.actor = kActor;
    write.now_ms = clock();
    write.expected_version = edit->version ? edit->version : *if_match;
    Result<store::SettingRecord> saved = store.PutSetting(write);
    if (!saved) return SendError(res, saved.error());
    Apply(res, 200, monitor, store, *key, !changes.empty(), write.now_ms);
  });

  router.Delete(kPattern, [&monitor, &store, clock](const Request& req, Response& res) {
    Result<SeriesKey> key = SettingsSeries(req);
    if (!key) return SendError(res, key.error());
    Result<bool> confirmed = NewStageConfirmed(req);
    if (!confirmed) return SendError(res, confirmed.error());
    const Json changes = LimitChanges(monitor.View(*key), monitor.MetricConfig(key->metric));
    Result<std::optional<store::SettingRecord>> stored =
        store.GetSetting(kKind, settings::SeriesSettingId(*key));
    if (!stored) return SendError(res, stored.error());
    if (!*stored) {
      return SendError(res, Error{"not_found", "no overrides are set for " + SeriesId(*key)});
    }
    if (!changes.empty() && !*confirmed) return SendConfirmNewStage(res, changes);
    const int64_t now = clock();
    if (Status s = store.DeleteSetting(kKind, settings::SeriesSettingId(*key), kActor, now); !s) {
      return SendError(res, s.error());
    }
    Apply(res, 204, monitor, store, *key, !changes.empty(), now);
  });
}

}  // namespace llmscope::server
