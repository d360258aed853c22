#include "server/price_routes.h"

#include "http/router.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/time_format.h"
#include "server/cost_report.h"
#include "server/http_reply.h"
#include "server/json_views.h"
#include "server/query_params.h"
#include "settings/price_settings.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

const std::string kKind(settings::kPriceKind);
constexpr int64_t kDefaultCostWindowMs = 30LL * 24 * 3600 * 1000;
constexpr size_t kMaxNameLength = 200;

// /api/prices/PROVIDER/MODEL: the model may hold '/'.
Result<std::pair<std::string, std::string>> PricePath(const std::string& path) {
  const size_t slash = path.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == path.size() ||
      path.size() > 2 * kMaxNameLength) {
    return Error{"not_found", "price path must be /api/prices/PROVIDER/MODEL"};
  }
  return std::make_pair(path.substr(0, slash), path.substr(slash + 1));
}

Json StoredPriceJson(const std::string& provider, const std::string& model,
                     const settings::ModelPrice& price, const store::SettingRecord& record) {
  return Json{{"provider", provider},
              {"model", model},
              {"input_usd_per_mtok", price.input_usd_per_mtok},
              {"output_usd_per_mtok", price.output_usd_per_mtok},
              {"source", "store"},
              {"set_at", FormatIsoUtc(record.updated_ms)},
              {"updated_by", record.updated_by},
              {"version", record.version}};
}

Result<std::vector<CostDimension>> CostGroup(const QueryParams& p) {
  Result<std::optional<std::vector<CostDimension>>> group =
      p.CommaList("group", ParseCostDimension, "provider, model, day");
  if (!group) return group.error();
  if (!*group || (*group)->empty()) return std::vector<CostDimension>{CostDimension::kModel};
  return **group;
}

}  // namespace

Status ReloadPrices(store::Store& store, probe::PriceTable& live) {
  Result<std::vector<store::SettingRecord>> stored = store.ListSettings(kKind);
  if (!stored) return stored.error();
  probe::PriceTable merged;
  for (const probe::PriceTable::Entry& e : probe::PriceTable::Defaults().Entries()) {
    merged.Set(e.provider, e.model, e.in_per_mtok, e.out_per_mtok);
  }
  for (const store::SettingRecord& r : *stored) {
    const auto key = settings::ParsePriceSettingId(r.id);
    Result<settings::ModelPrice> price = settings::ParsePriceBody(r.body);
    if (!key || !price) continue;
    merged.Set(key->first, key->second, price->input_usd_per_mtok, price->output_usd_per_mtok);
  }
  live.Replace(merged);
  return {};
}

void RegisterPriceRoutes(http::Router& router, store::Store& store, probe::PriceTable live,
                         const Clock& clock) {
  router.Get("/api/prices", [&store](const Request&, Response& res) {
    Result<std::vector<store::SettingRecord>> stored = store.ListSettings(kKind);
    if (!stored) return SendError(res, stored.error());
    std::map<std::pair<std::string, std::string>, Json> entries;
    for (const probe::PriceTable::Entry& e : probe::PriceTable::Defaults().Entries()) {
      entries[{e.provider, e.model}] = Json{{"provider", e.provider},
                                            {"model", e.model},
                                            {"input_usd_per_mtok", e.in_per_mtok},
                                            {"output_usd_per_mtok", e.out_per_mtok},
                                            {"source", "builtin"},
                                            {"set_at", probe::PriceTable::kDefaultsWritten}};
    }
    for (const store::SettingRecord& r : *stored) {
      const auto key = settings::ParsePriceSettingId(r.id);
      Result<settings::ModelPrice> price = settings::ParsePriceBody(r.body);
      if (!key || !price) continue;
      entries[*key] = StoredPriceJson(key->first, key->second, *price, r);
    }
    Json list = Json::array();
    for (auto& [key, entry] : entries) list.push_back(std::move(entry));
    SendJson(res, 200, Json{{"prices", std::move(list)}});
  });

  router.Put(R"(/api/prices/(.+))",
             [&store, live, clock](const Request& req, Response& res) mutable {
               Result<std::pair<std::string, std::string>> key = PricePath(req.matches[1]);
               if (!key) return SendError(res, key.error());
               Result<settings::ModelPrice> price = settings::ParsePriceBody(req.body);
               if (!price) return SendError(res, price.error());
               store::SettingWrite write;
               write.kind = kKind;
               write.id = settings::PriceSettingId(key->first, key->second);
               write.body = settings::PriceBody(*price);
               write.actor = "api-key";
               write.now_ms = clock();
               Result<store::SettingRecord> stored = store.PutSetting(write);
               if (!stored) return SendError(res, stored.error());
               if (Status s = ReloadPrices(store, live); !s) {
                 return SendError(res, s.error());
               }
               SendJson(res, 200, StoredPriceJson(key->first, key->second, *price, *stored));
             });

  router.Delete(R"(/api/prices/(.+))",
                [&store, live, clock](const Request& req, Response& res) mutable {
                  Result<std::pair<std::string, std::string>> key = PricePath(req.matches[1]);
                  if (!key) return SendError(res, key.error());
                  Status deleted = store.DeleteSetting(
                      kKind, settings::PriceSettingId(key->first, key->second), "api-key",
                      clock());
                  if (!deleted) return SendError(res, deleted.error());
                  if (Status s = ReloadPrices(store, live); !s) {
                    return SendError(res, s.error());
                  }
                  res.status = 204;
                });

  router.Get("/api/cost", [&store, clock](const Request& req, Response& res) {
    const QueryParams p(req.params);
    Result<std::vector<CostDimension>> group = CostGroup(p);
    if (!group) return SendError(res, group.error());
    Result<std::optional<int64_t>> since = p.Time("since");
    if (!since) return SendError(res, since.error());
    Result<std::optional<int64_t>> until = p.Time("until");
    if (!until) return SendError(res, until.error());
    const int64_t until_ms = until->value_or(clock());
    const int64_t since_ms = since->value_or(until_ms - kDefaultCostWindowMs);
    if (since_ms >= until_ms) {
      return SendError(res, Error{"invalid_parameter", "since must be before until"});
    }
    store::RollupQuery q;
    q.width_ms = store::kRollupHourMs;
    q.metric = Metric::kCostUsd;
    q.since_ms = since_ms - since_ms % store::kRollupHourMs;
    q.until_ms = until_ms;
    Result<std::vector<store::Rollup>> rollups = store.QueryRollups(q);
    if (!rollups) return SendError(res, rollups.error());
    Json rows = Json::array();
    for (const CostRow& r : GroupCost(*rollups, *group)) {
      rows.push_back(Json{{"provider", r.provider},
                          {"model", r.model},
                          {"day", r.day},
                          {"spend_usd", r.spend_usd},
                          {"calls", r.calls},
                          {"priced_calls", r.priced_calls},
                          {"usd_per_1000_calls", r.usd_per_1000_calls
                                                     ? Json(*r.usd_per_1000_calls)
                                                     : Json(nullptr)}});
    }
    Json names = Json::array();
    for (CostDimension d : *group) {
      names.push_back(d == CostDimension::kProvider ? "provider"
                      : d == CostDimension::kModel  ? "model"
                                                    : "day");
    }
    SendJson(res, 200,
             Json{{"since", FormatIsoUtc(q.since_ms)},
                  {"until", FormatIsoUtc(until_ms)},
                  {"group", std::move(names)},
                  {"rows", std::move(rows)}});
  });
}

}  // namespace llmscope::server
