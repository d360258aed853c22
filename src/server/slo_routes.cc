#include "server/slo_routes.h"

#include "http/router.h"

#include <string>
#include <vector>

#include "server/http_reply.h"
#include "server/json_views.h"
#include "server/query_params.h"
#include "server/series_path.h"
#include "settings/series_slo.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

const std::string kKind(settings::kSloKind);

Json SloJson(const SeriesKey& key, const store::SettingRecord& record) {
  Json j = Json::parse(record.body, nullptr, false);
  if (!j.is_object()) j = Json::object();
  return Json{{"series", SeriesKeyJson(key)},
              {"usl", j.value("usl", Json(nullptr))},
              {"lsl", j.value("lsl", Json(nullptr))},
              {"version", record.version},
              {"updated_ms", record.updated_ms},
              {"updated_by", record.updated_by},
              {"source", "store"}};
}

Error NoSlo(const SeriesKey& key) {
  return Error{"not_found", "no SLO is set for " + SeriesId(key)};
}

}  // namespace

Status ReloadSlos(store::Store& store, settings::SloTable& live) {
  Result<std::vector<store::SettingRecord>> stored = store.ListSettings(kKind);
  if (!stored) return stored.error();
  live.Replace(settings::SlosOf(*stored));
  return {};
}

void RegisterSloRoutes(http::Router& router, const monitor::SeriesMonitor& monitor,
                       store::Store& store, settings::SloTable live, const Clock& clock) {
  constexpr const char* kPattern = R"(/api/series/(.+)/slo)";
  router.Get(kPattern, [&store](const Request& req, Response& res) {
    Result<SeriesKey> key = SeriesFromPath(req, "slo");
    if (!key) return SendError(res, key.error());
    Result<std::optional<store::SettingRecord>> stored =
        store.GetSetting(kKind, settings::SeriesSettingId(*key));
    if (!stored) return SendError(res, stored.error());
    if (!*stored) return SendError(res, NoSlo(*key));
    SendJson(res, 200, SloJson(*key, **stored));
  });

  router.Put(kPattern, [&monitor, &store, live, clock](const Request& req, Response& res) mutable {
    Result<SeriesKey> key = SeriesFromPath(req, "slo");
    if (!key) return SendError(res, key.error());
    const std::optional<monitor::SeriesView> view = monitor.View(*key);
    const spc::Transform transform =
        view ? view->config.transform : monitor.ChartConfigFor(key->metric).transform;
    Result<spc::SpecLimits> slo = settings::ParseSloBody(req.body, transform);
    if (!slo) return SendError(res, slo.error());
    store::SettingWrite write;
    write.kind = kKind;
    write.id = settings::SeriesSettingId(*key);
    write.body = settings::SloBody(*slo);
    write.actor = "api-key";
    write.now_ms = clock();
    Result<store::SettingRecord> stored = store.PutSetting(write);
    if (!stored) return SendError(res, stored.error());
    if (Status s = ReloadSlos(store, live); !s) return SendError(res, s.error());
    SendJson(res, 200, SloJson(*key, *stored));
  });

  router.Delete(kPattern, [&store, live, clock](const Request& req, Response& res) mutable {
    Result<SeriesKey> key = SeriesFromPath(req, "slo");
    if (!key) return SendError(res, key.error());
    Status deleted = store.DeleteSetting(kKind, settings::SeriesSettingId(*key), "api-key", clock());
    if (!deleted) {
      return SendError(res, deleted.error().code == "not_found" ? NoSlo(*key) : deleted.error());
    }
    if (Status s = ReloadSlos(store, live); !s) return SendError(res, s.error());
    res.status = 204;
  });
}

}  // namespace llmscope::server
