// The [alerts] section of the config: the documented shape parses into AlertConfig; mistakes are
// reported with their key and never with a secret.
#include <gtest/gtest.h>

#include "app/config.h"
#include "support/temp_dir.h"

namespace llmscope::app {
namespace {

using llmscope::testing::TempDir;

Result<Config> Load(const std::string& toml) {
  TempDir dir("llmscope-config");
  return LoadConfig(dir.Write("c.toml", toml), [](const std::string&) { return std::nullopt; });
}

std::string ErrorOf(const std::string& toml) {
  Result<Config> c = Load(toml);
  return c.ok() ? "(no error)" : c.error().message;
}

const char* kSinks = R"(
[[alerts.sinks]]
name = "hook"
type = "webhook"
url = "http://127.0.0.1:9000/hook"
secret_env = "HOOK_SECRET"
rate_per_minute = 6
burst = 2

[[alerts.sinks]]
name = "mail"
type = "email"
url = "smtps://mail.example.com:465"
from = "LLMscope <a@example.com>"
to = "ops@example.com"
username = "u"
password_env = "SMTP_PASSWORD"
)";

TEST(AlertConfigToml, TheDocumentedShapeParses) {
  Result<Config> c = Load(std::string(R"(
[alerts]
public_url = "https://scope.example.com"
max_attempts = 5
backoff_base_s = 0.5
backoff_cap_s = 30
severity = { EWMA = "critical", r4 = "warning" }

[[alerts.routes]]
match = { provider = "openai", rule = ["R1", "R2"], severity = "critical", metric = ["e2e_ms"] }
sinks = ["hook", "mail"]

[[alerts.routes]]
sinks = ["hook"]

[[alerts.mute]]
name = "nights"
match = { model = "gpt-4o" }
days = ["mon", "sun"]
from = "22:00"
to = "06:30"

[[alerts.mute]]
start = "2026-12-24T22:00:00Z"
end = 2026-12-25T06:00:00Z
)") + kSinks);
  ASSERT_TRUE(c.ok()) << c.error().message;
  const alert::AlertConfig& a = c->alerts;
  EXPECT_EQ(a.public_url, "https://scope.example.com");
  EXPECT_EQ(a.max_attempts, 5);
  EXPECT_EQ(a.backoff_base_ms, 500);
  EXPECT_EQ(a.backoff_cap_ms, 30000);
  EXPECT_EQ(a.severities.at(spc::Rule::kEwma), alert::Severity::kCritical);
  EXPECT_EQ(a.severities.at(spc::Rule::kR4), alert::Severity::kWarning);
  ASSERT_EQ(a.sinks.size(), 2u);
  EXPECT_EQ(a.sinks[0].type, alert::SinkType::kWebhook);
  EXPECT_EQ(a.sinks[0].secret_env, "HOOK_SECRET");
  EXPECT_EQ(a.sinks[0].rate_per_minute, 6);
  EXPECT_EQ(a.sinks[0].burst, 2);
  EXPECT_EQ(a.sinks[1].to, (std::vector<std::string>{"ops@example.com"}));
  ASSERT_EQ(a.routes.size(), 2u);
  EXPECT_EQ(a.routes[0].match.providers, (std::vector<std::string>{"openai"}));
  EXPECT_EQ(a.routes[0].match.rules, (std::vector<spc::Rule>{spc::Rule::kR1, spc::Rule::kR2}));
  EXPECT_EQ(a.routes[0].match.severities,
            (std::vector<alert::Severity>{alert::Severity::kCritical}));
  EXPECT_EQ(a.routes[0].match.metrics, (std::vector<Metric>{Metric::kE2eMs}));
  EXPECT_TRUE(a.routes[1].match.providers.empty());
  ASSERT_EQ(a.mutes.size(), 2u);
  EXPECT_EQ(a.mutes[0].days, (1 << 0) | (1 << 6));
  EXPECT_EQ(a.mutes[0].start_minute, 22 * 60);
  EXPECT_EQ(a.mutes[0].end_minute, 6 * 60 + 30);
  EXPECT_EQ(a.mutes[1].start_ms, 1798149600000);  // 2026-12-24T22:00:00Z
  EXPECT_EQ(a.mutes[1].end_ms, 1798178400000);
}

TEST(AlertConfigToml, MistakesNameTheirKey) {
  EXPECT_NE(ErrorOf(std::string(kSinks) + "[[alerts.routes]]\nsinks = [\"pager\"]\n")
                .find("alerts.routes[0].sinks: no sink is named 'pager'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[alerts.sinks]]\nname = \"x\"\ntype = \"sms\"\n")
                .find("alerts.sinks[0].type: 'sms'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[alerts.sinks]]\nname = \"x\"\ntype = \"webhook\"\nurl = \"ftp://h/\"\n")
                .find("alerts.sinks[0].url: must start with http:// or https://"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[alerts.sinks]]\nname = \"p\"\ntype = \"pagerduty\"\n")
                .find("alerts.sinks[0].routing_key_env: required"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[alerts.routes]]\nmatch = { rule = \"R9\" }\nsinks = []\n")
                .find("alerts.routes[0].match.rule: unknown rule 'R9'"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf("[[alerts.mute]]\ndays = [\"someday\"]\n").find("alerts.mute[0].days: 'someday'"),
      std::string::npos);
  EXPECT_NE(ErrorOf("[[alerts.mute]]\ndays = [\"mon\"]\nfrom = \"25:00\"\nto = \"01:00\"\n")
                .find("alerts.mute[0].from: '25:00' is not HH:MM"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf("[alerts]\nseverity = { R1 = \"urgent\" }\n").find("alerts.severity.R1: 'urgent'"),
      std::string::npos);
  EXPECT_NE(ErrorOf("[alerts]\ncolour = 1\n").find("alerts.colour: unknown key"),
            std::string::npos);
  // A secret written into the file is refused, and not repeated.
  const std::string e =
      ErrorOf("[[alerts.sinks]]\nname = \"m\"\ntype = \"email\"\npassword = \"hunter2-secret\"\n");
  EXPECT_NE(e.find("alerts.sinks[0].password: secrets are not written in the config"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find("hunter2-secret"), std::string::npos);
}

TEST(AlertConfigToml, SecretsComeFromTheEnvironmentOnly) {
  Result<Config> c = Load(kSinks);
  ASSERT_TRUE(c.ok()) << c.error().message;
  const alert::SinkConfig& mail = c->alerts.sinks[1];
  Result<alert::SinkSecrets> missing =
      alert::ResolveSinkSecrets(mail, [](const std::string&) { return std::nullopt; });
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("SMTP_PASSWORD is not set"), std::string::npos);
  Result<alert::SinkSecrets> found =
      alert::ResolveSinkSecrets(mail, [](const std::string& n) -> std::optional<std::string> {
        if (n == "SMTP_PASSWORD") return "pw";
        return std::nullopt;
      });
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->password, "pw");
  EXPECT_EQ(found->url, "smtps://mail.example.com:465");
}

}  // namespace
}  // namespace llmscope::app
