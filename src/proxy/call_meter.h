// CallMeter: measures one proxied call from what passes through the proxy, and makes its sample
// (docs/design.md "Proxy"). Pure: the caller hands it the request, the reply's status line and
// body bytes with the time each arrived, and how the exchange ended; no I/O, no clock.
//
// The sample: source (provider of the upstream, model from the request's "model" or else the
// reply's ("unknown" when neither says), site "", profile = the X-LLMscope-App value or "proxy");
// time_ms the wall-clock start; e2e_ms from the request fully received to the reply's last byte;
// for a streamed reply (SSE or NDJSON) ttft_ms to the first content token and tpot_ms, read by the
// probe's stream states (probe/stream_states.h) so they mean what they mean for probes; token
// counts from the reply's usage; cost_usd from the price table; the error kind of a non-2xx status,
// a transport failure, an in-stream error, or a stream cut short. Prompts and completions are read,
// never kept: the sample holds no text of either.
//
// Memory is bounded whatever the reply: a whole (not streamed) reply is kept for its usage only
// up to kMaxReadBodyBytes (beyond, its tokens are not counted); stream lines are bounded by the
// stream parsers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/sample.h"
#include "net/http_client.h"
#include "probe/price_table.h"
#include "proxy/upstream_routes.h"

namespace llmscope::proxy {

inline constexpr size_t kMaxReadBodyBytes = 8u << 20;

class CallMeter {
 public:
  // `request_body` is read for its "model" now and not kept. `app` is the X-LLMscope-App value
  // ("" when absent).
  CallMeter(std::string provider, Api api, std::string_view request_body, std::string app,
            int64_t start_wall_ms, net::SteadyTime start);
  ~CallMeter();
  CallMeter(CallMeter&&) noexcept;
  CallMeter& operator=(CallMeter&&) noexcept;

  // The reply's status, Content-Type (text/event-stream: SSE; application/x-ndjson: NDJSON) and
  // Content-Encoding (gzip, deflate and br are decoded to be read; another is timed, not read).
  void OnReplyHead(int status, std::string_view content_type, std::string_view content_encoding);
  // A piece of the reply body (decoded from any chunked framing), as it arrived.
  void OnReplyBody(std::string_view bytes, net::SteadyTime at);

  // How the exchange ended, for Finish.
  struct Ending {
    net::SteadyTime at;      // the reply's last byte, or when the failure was seen
    std::string error_kind;  // "" when the whole reply was relayed; else refused, timeout,
                             // truncated (the upstream broke off), cancelled (the client left)
    std::string error_message;
  };
  Sample Finish(const Ending& ending, const probe::PriceTable& prices);

 private:
  struct Reading;
  std::unique_ptr<Reading> reading_;
};

}  // namespace llmscope::proxy
