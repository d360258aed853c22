#include "server/http_reply.h"

#include "http/router.h"

#include <utility>

namespace llmscope::server {
namespace {

constexpr std::pair<std::string_view, int> kStatusOfCode[] = {
    {"bad_request", 400},       {"invalid_json", 400},           {"invalid_field", 400},
    {"invalid_parameter", 400}, {"invalid_spec", 400},           {"invalid_value", 400},
    {"unknown_field", 400},     {"missing_field", 400},          {"batch_too_large", 400},
    {"too_few_points", 400},    {"unauthorized", 401},           {"not_found", 404},
    {"conflict", 409},          {"confirm_new_stage", 409},      {"body_too_large", 413},         {"unsupported_media_type", 415},
    {"internal", 500},          {"provider_unreachable", 502},
    {"storage_error", 503},     {"too_many_streams", 503},
};

}  // namespace

void SendJson(http::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

int HttpStatusOf(std::string_view code) {
  for (const auto& [known, status] : kStatusOfCode) {
    if (code == known) return status;
  }
  return 500;
}

void SendError(http::Response& res, const Error& e) {
  SendJson(res, HttpStatusOf(e.code), ErrorJson(e.code, e.message));
}

}  // namespace llmscope::server
