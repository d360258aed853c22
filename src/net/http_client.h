// HttpClient: one HTTP/1.1 exchange at a time on libcurl, for the probe's provider calls and the
// alert sinks.
//
// Contract:
// - One easy handle (and its connection cache) is reused for every call of one client, so calls
//   to the same host keep the connection alive. Not thread-safe: one client per target.
// - TLS peers are verified; proxy settings come from the environment (libcurl's default).
// - Three timeouts: connect, first byte (request start → first byte of the response, header or
//   body) and total. All times come from std::chrono::steady_clock.
// - Send() never throws. A transport failure comes back as a classified TransportError with a
//   message; an HTTP error status is not a transport failure (status carries it).
// - With an on_chunk callback, the body of a 2xx response goes to the callback chunk by chunk
//   with the time each chunk arrived, and body stays empty; any other status is buffered in body.
//   Buffered bodies are capped (kMaxBodyBytes): beyond it the call fails with kTooLarge.
// - Nothing is logged; header values (keys) never appear in any message.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmscope::net {

using SteadyTime = std::chrono::steady_clock::time_point;

enum class TransportError {
  kNone,
  kRefused,   // connection refused or host unreachable
  kTimeout,   // connect, first-byte or total timeout
  kReset,     // connection reset, or the body ended before its announced end
  kDns,       // the host name did not resolve
  kTls,       // TLS handshake or certificate failure
  kTooLarge,  // buffered body over kMaxBodyBytes
  kOther,
};

// "none", "refused", "timeout", "reset", "dns", "tls", "too_large", "other".
std::string_view TransportErrorName(TransportError e);

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds first_byte{30000};
  std::chrono::milliseconds total{120000};
};

struct HttpResponse {
  int status = 0;                                            // 0 when no status line arrived
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;  // buffered body (see the contract for streaming)
  SteadyTime start;  // just before the request was handed to the transport
  std::optional<SteadyTime> first_byte, last_byte;
  TransportError error = TransportError::kNone;
  std::string error_message;  // "" when error is kNone

  // The value of the first header with this (case-insensitive) name.
  std::optional<std::string> Header(std::string_view name) const;
};

// Receives a body chunk of a 2xx response and the time it arrived.
using ChunkCallback = std::function<void(std::string_view chunk, SteadyTime at)>;

class HttpClient {
 public:
  static constexpr size_t kMaxBodyBytes = 16u << 20;

  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs the request. on_chunk may be empty (the body is then buffered).
  HttpResponse Send(const HttpRequest& request, const HttpTimeouts& timeouts,
                    const ChunkCallback& on_chunk = {});

 private:
  void* easy_ = nullptr;   // CURL*
  void* multi_ = nullptr;  // CURLM*
};

}  // namespace llmscope::net
