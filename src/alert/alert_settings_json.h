// The JSON of the alerting items kept as settings (docs/design.md "Settings"), kinds
// "alert_sink", "alert_route" and "alert_mute": what the API accepts, what the store keeps and
// what a GET shows. Pure: no I/O, no crypto (the caller seals and opens secrets).
//
// A sink's fields are SinkConfig's (name, type, url, url_env, secret_env, routing_key_env, from,
// to, username, password_env, starttls, ca_file, timeout_s, rate_per_minute, burst,
// send_resolved, firing_for_s) plus its write-only secrets: "secret" (webhook HMAC key),
// "routing_key" (PagerDuty), "password" (SMTP) and, for Slack, "url" (the webhook URL is itself a
// secret). A view never holds a secret: "<secret>_set": true instead. Errors are
// "invalid_field" / "unknown_field" naming the field ("url: must start with http:// ...").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert_config.h"
#include "core/result.h"

namespace llmscope::alert {

inline constexpr char kSinkKind[] = "alert_sink";
inline constexpr char kRouteKind[] = "alert_route";
inline constexpr char kMuteKind[] = "alert_mute";

// A secret's value, by which secret: url (Slack), secret, routing_key, password.
struct SinkSecretValues {
  std::optional<std::string> url, secret, routing_key, password;
};

// A sink as the API receives it: its config and the plaintext secrets given (nullopt: not given,
// so a PUT keeps the stored one; "": cleared).
struct SinkRequest {
  SinkConfig config;
  SinkSecretValues secrets;
};
Result<SinkRequest> ParseSinkRequest(const nlohmann::json& body);

// A sink as the store keeps it: its config and its secrets sealed (SecretBox text).
struct StoredSink {
  SinkConfig config;
  SinkSecretValues sealed;
};
std::string SinkBody(const StoredSink& sink);
Result<StoredSink> ParseSinkBody(const std::string& body);
StoredSecrets SecretsPresent(const SinkSecretValues& values);

// What GET shows of a sink: its fields without secrets; a Slack url given in the file is hidden
// too. `stored`: which secrets are kept sealed.
nlohmann::json SinkView(const SinkConfig& sink, const StoredSecrets& stored);

// A route with its name (the settings id; a file's routes are "file-<index>").
struct NamedRoute {
  std::string name;
  RouteConfig route;
};
// {"name", "match": {...}, "sinks": [...]}; the sinks' existence is checked by the caller.
Result<NamedRoute> ParseRouteJson(const nlohmann::json& body);
nlohmann::json RouteJson(const NamedRoute& route);

// {"name", "match", "start", "end"} (ISO 8601) or {"name", "match", "days": ["mon", ...],
// "from": "HH:MM", "to": "HH:MM"}; checked by ValidateMute.
Result<MuteWindow> ParseMuteJson(const nlohmann::json& body);
nlohmann::json MuteJson(const MuteWindow& mute);

// A match: {"provider": [...], "model": [...], "metric": [...], "rule": [...], "severity": [...]}.
Result<AlertMatch> ParseMatchJson(const nlohmann::json& match, const std::string& key);
nlohmann::json MatchJson(const AlertMatch& match);

}  // namespace llmscope::alert
