#include "server/target_routes.h"

#include <cstdlib>

#include "http/router.h"
#include "server/http_reply.h"
#include "server/json_views.h"
#include "server/query_params.h"
#include "targets/provider_models.h"
#include "targets/target_json.h"

namespace llmscope::server {
namespace {

constexpr const char* kActor = "api-key";
constexpr const char* kIdPattern = "([a-z0-9-]{1,64})";

Json TargetJson(const targets::TargetEntry& e) {
  Json j = {{"id", e.id}, {"source", e.from_file ? "file" : "store"}, {"version", e.version}};
  const Json fields = targets::TargetFieldsJson(e.target);
  for (const auto& [name, value] : fields.items()) j[name] = value;
  j["key_set"] = e.key_set;
  Json state = {{"probing", e.stats.has_value()}};
  if (e.stats) {
    state["calls"] = e.stats->calls;
    state["errors"] = e.stats->errors;
    state["skipped_ticks"] = e.stats->skipped_ticks;
    state["in_flight"] = e.stats->in_flight;
  }
  j["state"] = std::move(state);
  return j;
}

void SendTarget(http::Response& res, int status, const Result<targets::TargetEntry>& e) {
  if (!e) return SendError(res, e.error());
  SendJson(res, status, TargetJson(*e));
}

void SendTestResult(http::Response& res, const Result<Sample>& sample) {
  if (!sample) return SendError(res, sample.error());
  Json j = {{"ok", !sample->error}};
  if (sample->error) {
    j["error"] = sample->error_message.empty() ? std::string("the call failed")
                                               : sample->error_message;
  }
  j["sample"] = SampleJson(*sample);
  SendJson(res, 200, j);
}

}  // namespace

void RegisterTargetRoutes(http::Router& router, targets::TargetService& targets,
                          const Clock& clock) {
  const std::string one = std::string("/api/targets/") + kIdPattern;
  router.Get("/api/targets", [&targets](const http::Request&, http::Response& res) {
    Result<std::vector<targets::TargetEntry>> list = targets.List();
    if (!list) return SendError(res, list.error());
    Json items = Json::array();
    for (const targets::TargetEntry& e : *list) items.push_back(TargetJson(e));
    SendJson(res, 200,
             Json{{"targets", std::move(items)}, {"demo_probing", targets.DemoProbing()}});
  });
  router.Post("/api/targets", [&targets, &clock](const http::Request& req, http::Response& res) {
    SendTarget(res, 201, targets.Create(req.body, kActor, clock()));
  });
  router.Post("/api/targets/test", [&targets](const http::Request& req, http::Response& res) {
    SendTestResult(res, targets.TestBody(req.body));
  });
  router.Get(one, [&targets](const http::Request& req, http::Response& res) {
    SendTarget(res, 200, targets.Get(req.matches[1]));
  });
  router.Put(one, [&targets, &clock](const http::Request& req, http::Response& res) {
    Result<std::optional<int64_t>> if_match = IfMatchVersion(
        req.has_header("If-Match") ? std::optional(req.get_header_value("If-Match"))
                                   : std::nullopt);
    if (!if_match) return SendError(res, if_match.error());
    SendTarget(res, 200, targets.Update(req.matches[1], req.body, *if_match, kActor, clock()));
  });
  router.Delete(one, [&targets, &clock](const http::Request& req, http::Response& res) {
    Status s = targets.Delete(req.matches[1], kActor, clock());
    if (!s) return SendError(res, s.error());
    res.status = 204;
  });
  router.Post(one + "/test", [&targets](const http::Request& req, http::Response& res) {
    SendTestResult(res, targets.Test(req.matches[1]));
  });
  router.Get("/api/providers/models", [](const http::Request& req, http::Response& res) {
    const QueryParams q(req.params);
    const std::optional<std::string> provider = q.Text("provider");
    if (!provider || provider->empty()) {
      return SendError(res, Error{"missing_field", "provider: required"});
    }
    std::string key;
    if (const std::optional<std::string> key_env = q.Text("key_env"); key_env && !key_env->empty()) {
      if (Status s = targets::CheckKeyEnvName(*key_env); !s) return SendError(res, s.error());
      if (const char* value = std::getenv(key_env->c_str())) key = value;
    }
    Result<std::vector<std::string>> models =
        targets::ListProviderModels(*provider, q.Text("base_url").value_or(""), key);
    if (!models) return SendError(res, models.error());
    SendJson(res, 200, Json{{"models", *models}});
  });
}

}  // namespace llmscope::server
