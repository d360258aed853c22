#include "server/settings_audit_routes.h"

#include <limits>

#include "core/time_format.h"
#include "http/router.h"
#include "server/http_reply.h"
#include "server/query_params.h"

namespace llmscope::server {

void RegisterSettingsAuditRoutes(http::Router& router, store::Store& store) {
  router.Get("/api/settings/audit", [&store](const http::Request& req, http::Response& res) {
    const QueryParams q(req.params);
    const std::string kind = q.Text("kind").value_or("");
    if (kind.size() > 64) {
      return SendError(res, Error{"invalid_parameter", "kind: at most 64 characters"});
    }
    Result<std::optional<int64_t>> before =
        q.InRange<int64_t>("before", 1, std::numeric_limits<int64_t>::max());
    if (!before) return SendError(res, before.error());
    Result<std::optional<int>> limit = q.InRange<int>("limit", 1, 500);
    if (!limit) return SendError(res, limit.error());
    const int n = limit->value_or(100);
    Result<std::vector<store::SettingAuditRecord>> rows =
        store.QuerySettingsAudit(kind, before->value_or(0), n);
    if (!rows) return SendError(res, rows.error());
    Json changes = Json::array();
    for (const store::SettingAuditRecord& r : *rows) {
      Json body = r.body.empty() ? Json(nullptr) : Json::parse(r.body, nullptr, false);
      if (body.is_discarded()) body = nullptr;
      changes.push_back({{"id", r.id},
                         {"time", FormatIsoUtc(r.time_ms)},
                         {"time_ms", r.time_ms},
                         {"actor", r.actor},
                         {"kind", r.kind},
                         {"item_id", r.item_id},
                         {"action", store::SettingActionName(r.action)},
                         {"version", r.version},
                         {"body", std::move(body)}});
    }
    // A full page may have more behind it.
    const Json next = static_cast<int>(rows->size()) == n ? Json(rows->back().id) : Json(nullptr);
    SendJson(res, 200, Json{{"changes", std::move(changes)}, {"next_before", next}});
  });
}

}  // namespace llmscope::server
