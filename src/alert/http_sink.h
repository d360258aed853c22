// The HTTP sinks (Slack, webhook, PagerDuty, Alertmanager): BuildHttpAlertRequest sent with the
// probe's libcurl HttpClient (TLS verified), judged by JudgeHttpReply. A client per attempt, so
// Send is thread-safe.
#pragma once

#include "alert/alert_sink.h"

namespace llmscope::alert {

class HttpSink : public AlertSink {
 public:
  HttpSink(SinkConfig config, SinkSecrets secrets);
  SendResult Send(const AlertFacts& facts, const std::string& idempotency_key,
                  int64_t now_ms) override;

 private:
  SinkConfig config_;
  SinkSecrets secrets_;
};

}  // namespace llmscope::alert
