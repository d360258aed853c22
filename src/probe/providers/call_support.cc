#include "probe/providers/call_support.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/clock.h"
#include "probe/stream_states.h"

namespace llmscope::probe::internal {
namespace {

// At least 1 ms: 0 would mean "no timeout" to libcurl.
std::chrono::milliseconds ToMs(double seconds) {
  return std::chrono::milliseconds(std::max<int64_t>(1, static_cast<int64_t>(seconds * 1000.0)));
}

}  // namespace

Sample StartSample(const Target& target, const PromptProfile& profile) {
  Sample s;
  s.time_ms = SystemNowMs();
  s.source = SourceKey{target.provider, target.model, target.site, profile.name};
  uint64_t h = 14695981039346656037ull;
  for (const unsigned char c : profile.prompt) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  s.prompt_hash = hex;
  return s;
}

net::HttpTimeouts TimeoutsOf(const Target& target) {
  return net::HttpTimeouts{ToMs(target.connect_timeout_s), ToMs(target.first_byte_timeout_s),
                           ToMs(target.timeout_s)};
}

std::string JoinUrl(std::string_view base_url, std::string_view path) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  return std::string(base_url) + std::string(path);
}

void Fail(Sample& sample, std::string_view kind, std::string message) {
  sample.error = true;
  sample.error_kind = std::string(kind);
  sample.error_message = std::move(message);
}

bool FailOnHttpError(const net::HttpResponse& response, std::string_view secret, Sample& sample) {
  switch (response.error) {
    case net::TransportError::kNone:
      break;
    case net::TransportError::kTimeout:
      Fail(sample, "timeout", Redacted(response.error_message, secret));
      return true;
    case net::TransportError::kReset:
    case net::TransportError::kOther:
      Fail(sample, response.status != 0 ? "truncated" : "refused",
           std::string(net::TransportErrorName(response.error)) + ": " +
               Redacted(response.error_message, secret));
      return true;
    case net::TransportError::kTooLarge:
      Fail(sample, "malformed", response.error_message);
      return true;
    case net::TransportError::kRefused:
    case net::TransportError::kDns:
    case net::TransportError::kTls:
      Fail(sample, "refused",
           std::string(net::TransportErrorName(response.error)) + ": " +
               Redacted(response.error_message, secret));
      return true;
  }
  const int status = response.status;
  if (status >= 200 && status < 300) return false;
  std::string message = "HTTP " + std::to_string(status);
  if (status == 429) {
    message += " (Retry-After: " + response.Header("retry-after").value_or("none") + ")";
  }
  const std::string detail = ErrorMessageOf(ParseJson(response.body));
  if (!detail.empty()) message += ": " + detail;
  message = Redacted(message, secret);
  const std::string_view kind = HttpErrorKind(status);
  Fail(sample, kind, kind == "malformed" ? "unexpected " + message : std::move(message));
  return true;
}

void HintMissingKey(const net::HttpResponse& response, std::string_view key,
                    std::string_view key_env, Sample& sample) {
  if (key.empty() && !key_env.empty() && (response.status == 401 || response.status == 403)) {
    sample.error_message += " (environment variable " + std::string(key_env) + " is not set)";
  }
}

std::string_view StreamErrorKind(std::string_view type) {
  if (type.find("rate_limit") != std::string_view::npos) return "http_429";
  if (type.find("invalid_request") != std::string_view::npos ||
      type.find("authentication") != std::string_view::npos ||
      type.find("permission") != std::string_view::npos ||
      type.find("not_found") != std::string_view::npos) {
    return "http_4xx";
  }
  return "http_5xx";
}

void Finish(Sample& sample, const net::HttpResponse& response,
            std::optional<net::SteadyTime> first_token, const PriceTable& prices) {
  SetTimesAndCost(sample, response.start, response.last_byte.value_or(response.start),
                  first_token, prices);
}

json ParseJson(std::string_view text) {
  return json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

const json* Member(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::optional<std::string_view> StringAt(const json& j, std::string_view key) {
  const json* v = Member(j, key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_ref<const std::string&>());
}

std::optional<int64_t> IntAt(const json& j, std::string_view key) {
  const json* v = Member(j, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (d >= 0 && d < 9.2e18) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::string ErrorMessageOf(const json& j) {
  if (const json* e = Member(j, "error")) {
    if (e->is_string()) return e->get<std::string>();
    if (auto m = StringAt(*e, "message")) return std::string(*m);
  }
  if (auto m = StringAt(j, "message")) return std::string(*m);
  return "";
}

std::string Redacted(std::string_view text, std::string_view secret) {
  std::string out(text);
  if (!secret.empty()) {
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
      out.replace(at, secret.size(), "[redacted]");
      at += 10;
    }
  }
  if (out.size() > 300) {
    size_t n = 300;
    while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
    out.resize(n);
  }
  return out;
}

}  // namespace llmscope::probe::internal
