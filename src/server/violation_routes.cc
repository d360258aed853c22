#include "server/violation_routes.h"

#include "http/router.h"

#include <sstream>

#include "server/alert_routes.h"
#include "server/http_reply.h"
#include "server/json_views.h"
#include "server/query_params.h"
#include "store/record_csv.h"
#include "store/record_fields.h"

namespace llmscope::server {
namespace {

using http::Request;
using http::Response;

// The filters shared by the list and the CSV export (see the header).
Result<store::ViolationQuery> ViolationFilters(const QueryParams& p,
                                               const alert::SeverityOverrides& severities,
                                               int64_t now_ms) {
  store::ViolationQuery q;
  q.context = store::ViolationQuery::Context::kNone;  // the list shows none of it
  q.provider = p.Text("provider");
  q.model = p.Text("model");
  Result<std::optional<Metric>> metric = p.Metric("metric");
  if (!metric) return metric.error();
  q.metric = *metric;
  Result<std::optional<spc::Rule>> rule =
      p.Named("rule", spc::ParseRuleName, "R1..R8, EWMA, CUSUM, SHIFT, JUMP, ERRORS");
  if (!rule) return rule.error();
  q.rule = *rule;
  Result<std::optional<std::vector<alert::Severity>>> wanted =
      p.CommaList("severity", alert::ParseSeverity, "critical, warning, info");
  if (!wanted) return wanted.error();
  if (*wanted) q.rules = alert::RulesOfSeverity(**wanted, severities);
  Result<std::optional<store::ViolationStatus>> status =
      p.Named("status", store::ParseViolationStatus, "open, acknowledged, resolved");
  if (!status) return status.error();
  q.status = *status;
  Result<std::optional<spc::Phase>> phase =
      p.Named("phase", store::record_fields::ParsePhase, "baseline, monitoring");
  if (!phase) return phase.error();
  q.phase = *phase;
  Result<std::optional<int64_t>> since = p.Time("since");
  if (!since) return since.error();
  Result<std::optional<int64_t>> until = p.Time("until");
  if (!until) return until.error();
  Result<std::optional<double>> hours = p.Optional<double>("hours");
  if (!hours) return hours.error();
  Result<std::optional<int64_t>> limit = p.InRange<int64_t>("limit", 1, 100000);
  if (!limit) return limit.error();
  q.since_ms = since->value_or(q.since_ms);
  q.until_ms = until->value_or(q.until_ms);
  if (*hours) q.since_ms = now_ms - static_cast<int64_t>(**hours * 3600000.0);
  q.limit = limit->value_or(q.limit);
  return q;
}

// Who changes a violation's status: the body's "by", "acknowledged_by" or "resolved_by" (the
// last one given), or "api".
Result<std::string> StatusAuthor(const std::string& text) {
  std::string by = "api";
  if (text.empty()) return by;
  const Json body = Json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error{"invalid_json", "the body must be a JSON object"};
  }
  for (const char* k : {"by", "acknowledged_by", "resolved_by"}) {
    if (!body.contains(k)) continue;
    if (!body[k].is_string() || body[k].get<std::string>().size() > 200) {
      return Error{"invalid_field", std::string(k) + ": a name (<= 200 bytes)"};
    }
    by = body[k].get<std::string>();
  }
  return by;
}

Result<Json> ViolationWithDeliveries(store::Store& store, int64_t id,
                                     const alert::SeverityOverrides& severities) {
  Result<std::optional<store::ViolationRecord>> v = store.GetViolation(id);
  if (!v) return v.error();
  if (!v->has_value()) return Error{"not_found", "no such violation"};
  Json out = ViolationJson(**v, true, severities);
  Result<Json> deliveries = DeliveriesJson(store, id);
  if (!deliveries) return deliveries.error();
  out["deliveries"] = std::move(*deliveries);
  return out;
}

std::string ViolationsCsv(const std::vector<store::ViolationRecord>& violations) {
  std::ostringstream csv;
  csv << store::kViolationsCsvHeader;
  store::WriteViolationCsvRows(csv, violations);
  return csv.str();
}

}  // namespace

void RegisterViolationRoutes(http::Router& router, monitor::SeriesMonitor& monitor,
                             store::Store& store, const alert::SeverityOverrides& severities,
                             const Clock& clock) {
  router.Get("/api/violations", [&store, severities, clock](const Request& req, Response& res) {
    Result<store::ViolationQuery> q =
        ViolationFilters(QueryParams(req.params), severities, clock());
    if (!q) return SendError(res, q.error());
    Result<std::vector<store::ViolationRecord>> found = store.QueryViolations(*q);
    if (!found) return SendError(res, found.error());
    Json list = Json::array();
    for (const store::ViolationRecord& v : *found) {
      list.push_back(ViolationJson(v, false, severities));
    }
    SendJson(res, 200, Json{{"violations", list}, {"count", list.size()}});
  });

  router.Get(
      R"(/api/violations/(\d{1,18}))", [&store, severities](const Request& req, Response& res) {
        Result<Json> v = ViolationWithDeliveries(store, std::stoll(req.matches[1]), severities);
        if (!v) return SendError(res, v.error());
        SendJson(res, 200, *v);
      });

  auto workflow = [&monitor, severities, clock](store::ViolationStatus status) {
    return [&monitor, severities, clock, status](const Request& req, Response& res) {
      Result<std::string> by = StatusAuthor(req.body);
      if (!by) return SendError(res, by.error());
      Result<store::ViolationRecord> v =
          monitor.SetViolationStatus(std::stoll(req.matches[1]), status, *by, clock());
      if (!v) return SendError(res, v.error());
      SendJson(res, 200, ViolationJson(*v, false, severities));
    };
  };
  router.Post(R"(/api/violations/(\d{1,18})/acknowledge)",
              workflow(store::ViolationStatus::kAcknowledged));
  router.Post(R"(/api/violations/(\d{1,18})/resolve)", workflow(store::ViolationStatus::kResolved));

  router.Get(
      "/api/export/violations", [&store, severities, clock](const Request& req, Response& res) {
        const QueryParams params(req.params);
        Result<store::ViolationQuery> q = ViolationFilters(params, severities, clock());
        if (!q) return SendError(res, q.error());
        // Each row carries the telemetry at the violation's first point, and only that.
        q->context = store::ViolationQuery::Context::kTelemetry;
        if (!params.Has("limit")) q->limit = 100000;
        Result<std::vector<store::ViolationRecord>> found = store.QueryViolations(*q);
        if (!found) return SendError(res, found.error());
        res.set_header("Content-Disposition", "attachment; filename=\"llmscope-violations.csv\"");
        res.set_content(ViolationsCsv(*found), "text/csv");
      });
}

}  // namespace llmscope::server
