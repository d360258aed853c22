// ProxyServer: the OpenAI-, Anthropic- and Ollama-compatible proxy (docs/design.md "Proxy").
// It listens on its own plain-HTTP address and forwards each request by the first segment of its
// path to a named upstream (UpstreamRoutes), over HTTP or HTTPS (the system's CAs, SNI), and
// relays the reply as it arrives: status, headers and body bytes unchanged, a streamed reply
// (SSE, NDJSON) chunk by chunk, never buffered whole. Hop-by-hop headers and the X-LLMscope-*
// headers are not passed on (forwarded_headers.h); keys pass through to the upstream and are
// never stored or logged.
//
// Each call to a known API (upstream_routes.h's Api, not kOther) is measured (CallMeter) and its
// sample handed to the sink once the call is over, whatever happened: the upstream refused,
// timed out, failed (429, 5xx), broke off mid-reply (the client gets what came so far, then the
// connection closes), or the client left mid-reply (the upstream request is cancelled).
// Requests the proxy answers itself get a JSON error: 404 no such upstream, 401 the proxy key is
// missing or wrong (X-LLMscope-Key, when a key is required), 413 request body over the limit,
// 400 a request that is not HTTP, 502 the upstream could not be reached, 504 it did not answer
// in time.
//
// Event-driven: one I/O thread serves every connection (no thread per call). A client's
// keep-alive connection keeps its upstream connection for the next request to the same upstream.
// Start() binds and runs; Stop() (or the destructor) ends every call in progress without samples
// and joins the thread. Thread-safe: port() and Stop() may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/result.h"
#include "probe/price_table.h"
#include "proxy/sample_sink.h"
#include "proxy/upstream_routes.h"

namespace llmscope::proxy {

struct ProxyOptions {
  std::string host = "127.0.0.1";
  int port = 8090;  // 0: any free port (port() says which)
  UpstreamRoutes routes;
  std::string required_key;  // "" : no key required; else X-LLMscope-Key must equal it
  probe::PriceTable prices;
  std::chrono::milliseconds connect_timeout{10'000};
  // An upstream that sends nothing for this long (no status line, or no byte mid-reply): the
  // call fails with "timeout".
  std::chrono::milliseconds upstream_idle_timeout{300'000};
  size_t request_body_limit = 32u << 20;
};

class ProxyServer {
 public:
  // Binds host:port and starts serving. `sink` must outlive the server. Errors: "listen".
  static Result<std::unique_ptr<ProxyServer>> Start(ProxyOptions options, SampleSink& sink);
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  int port() const;
  void Stop();

 private:
  struct Impl;
  explicit ProxyServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmscope::proxy
