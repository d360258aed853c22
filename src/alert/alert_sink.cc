#include "alert/alert_sink.h"

#include "alert/http_sink.h"
#include "alert/smtp_sink.h"

namespace llmscope::alert {

Result<std::unique_ptr<AlertSink>> MakeSink(const SinkConfig& config, const EnvLookup& env) {
  Result<SinkSecrets> secrets = ResolveSinkSecrets(config, env);
  if (!secrets) return secrets.error();
  return MakeSink(config, std::move(*secrets));
}

std::unique_ptr<AlertSink> MakeSink(const SinkConfig& config, SinkSecrets secrets) {
  if (config.type == SinkType::kEmail)
    return std::make_unique<SmtpSink>(config, std::move(secrets));
  return std::make_unique<HttpSink>(config, std::move(secrets));
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at)) {
      text.replace(at, s.size(), "[redacted]");
      at += 10;
    }
  }
  return text;
}

}  // namespace llmscope::alert
