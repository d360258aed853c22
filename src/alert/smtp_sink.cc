#include "alert/smtp_sink.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "alert/email_message.h"

namespace llmscope::alert {
namespace {

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadMessage(char* buffer, size_t size, size_t count, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, u->data->size() - u->offset);
  u->data->copy(buffer, n, u->offset);
  u->offset += n;
  return n;
}

}  // namespace

std::string EnvelopeAddress(std::string_view a) {
  const size_t open = a.find('<');
  const size_t close = a.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    a = a.substr(open + 1, close - open - 1);
  }
  while (!a.empty() && a.front() == ' ') a.remove_prefix(1);
  while (!a.empty() && a.back() == ' ') a.remove_suffix(1);
  return std::string(a);
}

SmtpSink::SmtpSink(SinkConfig config, SinkSecrets secrets)
    : config_(std::move(config)), secrets_(std::move(secrets)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

SendResult SmtpSink::Send(const AlertFacts& facts, const std::string& idempotency_key,
                          int64_t now_ms) {
  MimeHeaders headers{config_.from, config_.to, idempotency_key, now_ms};
  const std::string message = BuildMimeMessage(headers, RenderEmail(facts));
  SendResult r;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    r.detail = "libcurl could not be initialised";
    return r;
  }
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_slist* recipients = nullptr;
  for (const std::string& to : config_.to) {
    recipients = curl_slist_append(recipients, ("<" + EnvelopeAddress(to) + ">").c_str());
  }
  const std::string from = "<" + EnvelopeAddress(config_.from) + ">";
  Upload upload{&message};
  const long timeout_ms = static_cast<long>(config_.timeout_s * 1000);
  curl_easy_setopt(curl, CURLOPT_URL, secrets_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadMessage);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 5000L));
  if (config_.starttls) curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!config_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, config_.ca_file.c_str());
  if (!config_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, secrets_.password.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  long smtp_code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &smtp_code);
  curl_slist_free_all(recipients);
  curl_easy_cleanup(curl);

  if (code == CURLE_OK) {
    r.outcome = SendResult::Outcome::kDelivered;
    r.detail = "SMTP " + std::to_string(smtp_code);
    return r;
  }
  const bool final = code == CURLE_LOGIN_DENIED || code == CURLE_USE_SSL_FAILED ||
                     (smtp_code >= 500 && smtp_code < 600);
  r.outcome = final ? SendResult::Outcome::kReject : SendResult::Outcome::kRetry;
  r.detail = "SMTP" + (smtp_code > 0 ? " " + std::to_string(smtp_code) : std::string()) + ": " +
             (error_buffer[0] != '\0' ? std::string(error_buffer) : curl_easy_strerror(code));
  r.detail = Redact(std::move(r.detail), {secrets_.url, secrets_.password});
  return r;
}

}  // namespace llmscope::alert
