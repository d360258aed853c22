#include "alert/http_sink.h"

#include <algorithm>

#include "alert/http_alert_request.h"

namespace llmscope::alert {

HttpSink::HttpSink(SinkConfig config, SinkSecrets secrets)
    : config_(std::move(config)), secrets_(std::move(secrets)) {}

SendResult HttpSink::Send(const AlertFacts& facts, const std::string& idempotency_key,
                          int64_t now_ms) {
  const net::HttpRequest request = BuildHttpAlertRequest(config_, secrets_, facts, idempotency_key);
  const auto total = std::chrono::milliseconds(static_cast<int64_t>(config_.timeout_s * 1000));
  net::HttpTimeouts timeouts;
  timeouts.connect = std::min(total, std::chrono::milliseconds(5000));
  timeouts.first_byte = total;
  timeouts.total = total;
  net::HttpClient client;
  const net::HttpResponse reply = client.Send(request, timeouts);
  SendResult r = JudgeHttpReply(reply.status, reply.error, reply.error_message,
                                reply.Header("retry-after"), reply.body, now_ms);
  r.detail = Redact(std::move(r.detail), {secrets_.url, secrets_.secret, secrets_.routing_key});
  return r;
}

}  // namespace llmscope::alert
