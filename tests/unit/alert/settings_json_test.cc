// The JSON of the alerting settings (alert/alert_settings_json.h): fields named in errors, a
// Slack URL treated as a secret, stored bodies round-tripping with their sealed secrets, and views
// that never hold a secret.
#include <gtest/gtest.h>

#include "alert/alert_settings_json.h"

namespace llmscope::alert {
namespace {

using Json = nlohmann::json;

TEST(SettingsJson, ASlackUrlIsASecretAndAViewNeverShowsOne) {
  Result<SinkRequest> r = ParseSinkRequest(
      Json{{"name", "team"}, {"type", "slack"}, {"url", "https://hooks/x/sekret"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->config.url.empty());
  EXPECT_EQ(r->secrets.url, "https://hooks/x/sekret");
  const Json view = SinkView(r->config, StoredSecrets{true, false, false, false});
  EXPECT_EQ(view["url_set"], true);
  EXPECT_EQ(view.dump().find("sekret"), std::string::npos);
}

TEST(SettingsJson, AStoredBodyKeepsItsSealedSecretsAndFields) {
  StoredSink sink;
  sink.config.name = "hook";
  sink.config.type = SinkType::kWebhook;
  sink.config.url = "http://127.0.0.1:9/h";
  sink.config.timeout_s = 3;
  sink.sealed.secret = "v1:sealed";
  Result<StoredSink> back = ParseSinkBody(SinkBody(sink));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->config.url, sink.config.url);
  EXPECT_EQ(back->config.timeout_s, 3);
  EXPECT_EQ(back->sealed.secret, "v1:sealed");
  EXPECT_FALSE(back->sealed.url);
}

TEST(SettingsJson, MistakesNameTheirField) {
  auto message = [](const Result<SinkRequest>& r) { return r ? "" : r.error().message; };
  EXPECT_EQ(message(ParseSinkRequest(Json{{"type", "fax"}})).rfind("type:", 0), 0u);
  EXPECT_EQ(message(ParseSinkRequest(Json{{"type", "webhook"}, {"burst", 0}})).rfind("burst:", 0),
            0u);
  EXPECT_EQ(message(ParseSinkRequest(Json{{"type", "slack"}, {"secret", "s"}})).rfind("secret:", 0),
            0u);
  Result<MuteWindow> mute =
      ParseMuteJson(Json{{"name", "n"}, {"days", {"mon"}}, {"from", "25:00"}});
  ASSERT_FALSE(mute);
  EXPECT_EQ(mute.error().message.rfind("from:", 0), 0u);
  Result<NamedRoute> route = ParseRouteJson(Json{{"name", "r"}, {"sinks", Json::array()}});
  ASSERT_FALSE(route);
  EXPECT_EQ(route.error().message.rfind("sinks:", 0), 0u);
}

TEST(SettingsJson, AWeeklyMuteWindowRoundTrips) {
  Result<MuteWindow> m = ParseMuteJson(Json{{"name", "nights"},
                                            {"match", {{"provider", {"openai"}}}},
                                            {"days", {"mon", "fri"}},
                                            {"from", "22:00"},
                                            {"to", "06:30"}});
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(ValidateMute(*m, ""));
  const Json j = MuteJson(*m);
  EXPECT_EQ(j["days"], Json({"mon", "fri"}));
  EXPECT_EQ(j["from"], "22:00");
  EXPECT_EQ(j["to"], "06:30");
  EXPECT_EQ(j["match"]["provider"], Json({"openai"}));
}

}  // namespace
}  // namespace llmscope::alert
