#include "server/alert_routes.h"

#include "http/router.h"

#include <charconv>
#include <cmath>

#include "core/time_format.h"
#include "server/http_reply.h"

namespace llmscope::server {
namespace {

constexpr int64_t kMaxSilenceMs = int64_t{366} * 86400000;

Json TimeOrNull(int64_t ms) {
  return ms > 0 ? Json(FormatIsoUtc(ms)) : Json(nullptr);
}

// "90s", "30m", "2h", "1d" or a number of seconds → ms; nullopt when it is neither.
std::optional<int64_t> DurationMs(const Json& v) {
  if (v.is_number()) {
    const double s = v.get<double>();
    if (!std::isfinite(s) || s <= 0 || s > 1e9) return std::nullopt;
    return static_cast<int64_t>(s * 1000);
  }
  if (!v.is_string()) return std::nullopt;
  const std::string t = v.get<std::string>();
  if (t.size() < 2) return std::nullopt;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size() - 1, n);
  if (ec != std::errc() || p != t.data() + t.size() - 1 || n <= 0 || n > 1000000)
    return std::nullopt;
  switch (t.back()) {
    case 's':
      return n * 1000;
    case 'm':
      return n * 60000;
    case 'h':
      return n * 3600000;
    case 'd':
      return n * 86400000;
    default:
      return std::nullopt;
  }
}

// The body of POST /api/silences → a silence.
Result<store::SilenceRecord> ParseSilence(const std::string& text, int64_t now) {
  const Json body = Json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return Error{"invalid_json", "the body must be a JSON object"};
  store::SilenceRecord s;
  s.starts_ms = now;
  s.created_ms = now;
  s.created_by = "api";
  std::optional<int64_t> ends, duration;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    auto text_field = [&](std::string& out, size_t max) -> bool {
      if (!v.is_string() || v.get<std::string>().size() > max) return false;
      out = v.get<std::string>();
      return true;
    };
    if (k == "provider" || k == "model") {
      if (!text_field(k == "provider" ? s.provider : s.model, 200)) {
        return Error{"invalid_field", k + ": a string (<= 200 bytes)"};
      }
    } else if (k == "metric") {
      if (!text_field(s.metric, 50) || !ParseMetric(s.metric)) {
        return Error{"invalid_field",
                     "metric: one of e2e_ms, ttft_ms, tpot_ms, tokens_per_s, cost_usd, error"};
      }
    } else if (k == "rule") {
      std::optional<spc::Rule> rule;
      if (v.is_string()) rule = spc::ParseRuleName(v.get<std::string>());
      if (!rule) return Error{"invalid_field", "rule: one of R1..R8, EWMA, CUSUM"};
      s.rule = std::string(spc::RuleName(*rule));
    } else if (k == "created_by") {
      if (!text_field(s.created_by, 200))
        return Error{"invalid_field", "created_by: a name (<= 200 bytes)"};
    } else if (k == "comment") {
      if (!text_field(s.comment, 1000))
        return Error{"invalid_field", "comment: text (<= 1000 bytes)"};
    } else if (k == "starts_at" || k == "ends_at") {
      std::optional<int64_t> t;
      if (v.is_string()) t = ParseIsoUtc(v.get<std::string>());
      if (!t) return Error{"invalid_field", k + ": an ISO 8601 time"};
      if (k == "starts_at") {
        s.starts_ms = *t;
      } else {
        ends = t;
      }
    } else if (k == "duration") {
      duration = DurationMs(v);
      if (!duration)
        return Error{"invalid_field", "duration: seconds, or text like \"30m\", \"2h\", \"1d\""};
    } else {
      return Error{"unknown_field", k + ": expected provider, model, metric, rule, starts_at, "
                                        "ends_at, duration, created_by, comment"};
    }
  }
  if (ends.has_value() == duration.has_value()) {
    return Error{"invalid_field", "give ends_at or duration (one of them)"};
  }
  s.ends_ms = ends ? *ends : s.starts_ms + *duration;
  if (s.ends_ms <= s.starts_ms) return Error{"invalid_field", "ends_at must be after starts_at"};
  if (s.ends_ms <= now) return Error{"invalid_field", "the silence would end in the past"};
  if (s.ends_ms - std::max(s.starts_ms, now) > kMaxSilenceMs) {
    return Error{"invalid_field", "a silence lasts at most 366 days"};
  }
  return s;
}

}  // namespace

Json DeliveryJson(const store::DeliveryRecord& d) {
  const bool pending = d.state == store::DeliveryState::kPending;
  return Json{{"id", d.id},
              {"key", d.key},
              {"sink", d.sink},
              {"kind", store::DeliveryKindName(d.kind)},
              {"state", store::DeliveryStateName(d.state)},
              {"attempts", d.attempts},
              {"last_error", d.last_error.empty() ? Json(nullptr) : Json(d.last_error)},
              {"next_attempt", pending ? TimeOrNull(d.next_attempt_ms) : Json(nullptr)},
              {"delivered", d.state == store::DeliveryState::kDelivered ? TimeOrNull(d.delivered_ms)
                                                                        : Json(nullptr)},
              {"created", TimeOrNull(d.created_ms)},
              {"updated", TimeOrNull(d.updated_ms)}};
}

Result<Json> DeliveriesJson(store::Store& store, int64_t violation_id) {
  Result<std::vector<store::DeliveryRecord>> rows = store.DeliveriesOfViolation(violation_id);
  if (!rows) return rows.error();
  Json out = Json::array();
  for (const store::DeliveryRecord& d : *rows) out.push_back(DeliveryJson(d));
  return out;
}

Json SilenceJson(const store::SilenceRecord& s, int64_t now_ms) {
  auto opt = [](const std::string& v) { return v.empty() ? Json(nullptr) : Json(v); };
  return Json{{"id", s.id},
              {"provider", opt(s.provider)},
              {"model", opt(s.model)},
              {"metric", opt(s.metric)},
              {"rule", opt(s.rule)},
              {"starts_at", FormatIsoUtc(s.starts_ms)},
              {"ends_at", FormatIsoUtc(s.ends_ms)},
              {"starts_ms", s.starts_ms},
              {"ends_ms", s.ends_ms},
              {"active", s.starts_ms <= now_ms && now_ms < s.ends_ms},
              {"created_by", s.created_by},
              {"comment", s.comment},
              {"created_at", FormatIsoUtc(s.created_ms)}};
}

void RegisterAlertRoutes(http::Router& router, store::Store& store, const Clock& clock) {
  router.Post("/api/silences",
              [&store, clock](const http::Request& req, http::Response& res) {
                const int64_t now = clock();
                Result<store::SilenceRecord> silence = ParseSilence(req.body, now);
                if (!silence) return SendError(res, silence.error());
                if (Status s = store.InsertSilence(*silence); !s) return SendError(res, s.error());
                SendJson(res, 201, SilenceJson(*silence, now));
              });

  router.Get("/api/silences", [&store, clock](const http::Request&, http::Response& res) {
    const int64_t now = clock();
    Result<std::vector<store::SilenceRecord>> active = store.ActiveSilences(now);
    if (!active) return SendError(res, active.error());
    Json list = Json::array();
    for (const store::SilenceRecord& s : *active) list.push_back(SilenceJson(s, now));
    SendJson(res, 200, Json{{"silences", list}});
  });

  router.Delete(R"(/api/silences/(\d{1,18}))",
                [&store, clock](const http::Request& req, http::Response& res) {
                  const int64_t id = std::stoll(req.matches[1]);
                  if (Status s = store.ExpireSilence(id, clock()); !s) {
                    return SendError(res, s.error());
                  }
                  SendJson(res, 200, Json{{"id", id}, {"expired", true}});
                });
}

}  // namespace llmscope::server
