// FakeProviderServer: an in-process HTTP server on 127.0.0.1 that speaks the Ollama
// (/api/generate, /api/chat, NDJSON), OpenAI (/v1/chat/completions, SSE with a role-only first
// chunk, a usage chunk when stream_options.include_usage is set, then [DONE]) and Anthropic
// (/v1/messages, SSE message_start … message_stop with a ping) wire formats, streamed or not as
// the request's "stream" field asks (Ollama's default: streamed).
//
// Every request follows a Script: the next queued one (PushScript), else the default
// (SetScript). Times are measured from the moment the handler got the request: token i is sent
// at first_token_delay + i × per_token_delay, the end right after the last token; a reply that is
// not streamed is sent whole at the time of the last token. Faults: 429 with Retry-After, 500,
// malformed JSON, a truncated stream (no [DONE] / message_stop / done line), a reset (the socket
// closed mid-reply), a reply that never ends (streamed: a token every per-token delay, at least
// 20 ms, until the client goes; not streamed: headers and then no body; both end at Stop()), an
// in-stream error (Anthropic's error event, OpenAI's and Ollama's error object), and headers held
// back for header_delay. A refused connection is Stop() (then Start() on the same port).
//
// Ollama's final line reports fixed durations: load 2 ms, prompt eval 3 ms, eval 10 ms per token,
// total 50 ms (in nanoseconds). It records each request (method, path, headers, body, the
// client's port, and when the first token and the last bytes actually went out). It lists its
// models too (fake_model_lists.h).
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace llmscope::testing {

enum class Fault {
  kNone,
  kHttp429,
  kHttp500,
  kMalformed,
  kTruncated,
  kReset,
  kNeverEnds,
  kStreamError,  // streamed: the API's in-stream error (an overload) after the first token
};

struct Script {
  std::chrono::milliseconds first_token_delay{0};
  std::chrono::milliseconds per_token_delay{0};
  int tokens = 5;
  int prompt_tokens = 11;
  Fault fault = Fault::kNone;
  int retry_after_s = 7;
  std::chrono::milliseconds header_delay{0};  // before anything is sent, status line included
  // Not streamed: the whole reply carries a "padding" member of this many bytes first (sent in
  // 64 KiB pieces, never held whole), for replies far larger than any real one.
  size_t padding_bytes = 0;
};

struct RecordedRequest {
  std::string method, path, body;
  httplib::Headers headers;
  int remote_port = 0;  // the client's side of the connection
  // When the fake actually wrote the first token and the reply's last bytes, in ms after it got
  // the request (the scheduled delays plus its own wake-up lateness); -1 when not written.
  double first_token_sent_ms = -1, last_byte_sent_ms = -1;
  std::string Header(const std::string& name) const;  // "" when absent
};

// Fixed Ollama durations reported in the final line, in nanoseconds.
inline constexpr int64_t kFakeLoadNs = 2'000'000;
inline constexpr int64_t kFakePromptEvalNs = 3'000'000;
inline constexpr int64_t kFakeEvalNsPerToken = 10'000'000;
inline constexpr int64_t kFakeTotalNs = 50'000'000;

class FakeProviderServer {
 public:
  FakeProviderServer();
  ~FakeProviderServer();
  FakeProviderServer(const FakeProviderServer&) = delete;
  FakeProviderServer& operator=(const FakeProviderServer&) = delete;

  // Listens on 127.0.0.1:port (0: a free port, then kept for restarts). False when it cannot.
  bool Start(int port = 0);
  // Stops listening and ends replies in progress; connections are then refused.
  void Stop();

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void SetScript(const Script& script);
  void PushScript(const Script& script);
  std::vector<RecordedRequest> requests() const;
  RecordedRequest last_request() const;  // a default one when none came yet

  // The wire format of a route.
  enum class Api { kOllamaGenerate, kOllamaChat, kOpenAi, kAnthropic };

 private:
  void Handle(Api api, const httplib::Request& req, httplib::Response& res);
  Script NextScript();
  // Waits until `until`; false when the server is stopping.
  bool SleepUntil(std::chrono::steady_clock::time_point until);
  // Sets a *_sent_ms field of request `index` to now − t0.
  void MarkSent(size_t index, double RecordedRequest::*field,
                std::chrono::steady_clock::time_point t0);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  Script default_script_;
  std::deque<Script> queued_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace llmscope::testing
