// The e-mail sink: SMTP through libcurl. smtp://host:port sends in the clear unless `starttls`
// (then STARTTLS is required: no TLS, no mail); smtps://host:port is TLS from the start. With a
// username, AUTH with the password from password_env. The message is BuildMimeMessage's
// multipart/alternative (plain text and HTML). SMTP 5xx and a denied login are final (reject);
// other failures are retried. Thread-safe (a libcurl handle per attempt).
#pragma once

#include <string>
#include <string_view>

#include "alert/alert_sink.h"

namespace llmscope::alert {

// The bare address of "Name <a@b>" or "a@b", for the SMTP envelope.
std::string EnvelopeAddress(std::string_view address);

class SmtpSink : public AlertSink {
 public:
  SmtpSink(SinkConfig config, SinkSecrets secrets);
  SendResult Send(const AlertFacts& facts, const std::string& idempotency_key,
                  int64_t now_ms) override;

 private:
  SinkConfig config_;
  SinkSecrets secrets_;
};

}  // namespace llmscope::alert
