// What the HTTP providers share: the sample's identity and times, the HTTP and transport error
// mapping of provider.h, and null-safe reads of JSON replies (nothing here throws).
#pragma once

#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sample.h"
#include "net/http_client.h"
#include "probe/price_table.h"
#include "probe/stream_parsers.h"
#include "probe/target.h"

namespace llmscope::probe::internal {

using nlohmann::json;

// A sample for one call: source (provider, model, site, profile), time_ms = now (wall clock),
// prompt_hash = FNV-1a 64 of the prompt in hex.
Sample StartSample(const Target& target, const PromptProfile& profile);

net::HttpTimeouts TimeoutsOf(const Target& target);

// base_url without its trailing '/' followed by path.
std::string JoinUrl(std::string_view base_url, std::string_view path);

// Marks the sample failed.
void Fail(Sample& sample, std::string_view kind, std::string message);

// Marks the sample failed when the exchange failed before a usable 2xx reply: a transport error
// (refused, timeout; reset → truncated once a status arrived) or a non-2xx status (http_429 with
// its Retry-After, http_4xx, http_5xx; the reply's error message is quoted with `secret`
// redacted). Returns whether it did.
bool FailOnHttpError(const net::HttpResponse& response, std::string_view secret, Sample& sample);

// After a 401 or 403 with no key sent: says which environment variable was not set.
void HintMissingKey(const net::HttpResponse& response, std::string_view key,
                    std::string_view key_env, Sample& sample);

// The error kind of a provider's error object met inside a 2xx stream, from its type/code text:
// rate limits → http_429, invalid requests and auth → http_4xx, the rest → http_5xx.
std::string_view StreamErrorKind(std::string_view type);

// Sets e2e_ms (start → last byte), ttft_ms (start → first_token, when given), then tpot_ms and
// tokens_per_s from the provider.h formulas (tokens_per_s only if not already set), and cost_usd
// when both token counts are known and the model has a price.
void Finish(Sample& sample, const net::HttpResponse& response,
            std::optional<net::SteadyTime> first_token, const PriceTable& prices);

// Parses text as JSON; a discarded value when it is not JSON.
json ParseJson(std::string_view text);

// Member reads that are null-safe: nullptr / nullopt when j is not an object, the key is
// missing, or the value has another type.
const json* Member(const json& j, std::string_view key);
std::optional<std::string_view> StringAt(const json& j, std::string_view key);
std::optional<int64_t> IntAt(const json& j, std::string_view key);

// The message of an error object: error.message, error (a string), or message; "" otherwise.
std::string ErrorMessageOf(const json& j);

// The sample's message text: at most 300 bytes of text (cut at a UTF-8 character boundary), with
// every occurrence of secret replaced by "[redacted]".
std::string Redacted(std::string_view text, std::string_view secret);

// Runs a provider's call; an exception (a bug: nothing here should throw) becomes an error
// sample, so Provider::Call never throws.
template <typename Work>
Sample Guarded(const Target& target, const PromptProfile& profile, Work&& work) {
  try {
    return work();
  } catch (const std::exception& e) {
    Sample s = StartSample(target, profile);
    Fail(s, "malformed", std::string("internal error: ") + e.what());
    return s;
  }
}

// Sends a request whose reply streams as Server-Sent Events, feeding each event to `state` (a
// provider's parser state with OnEvent(const SseEvent&, SteadyTime) and the fields done,
// error_kind, error_message), then fails the sample for what went wrong: the exchange itself
// (FailOnHttpError), a line over the parser's limit, an error event in the stream, or a stream
// that ended before its `terminal` event.
template <typename StreamState>
net::HttpResponse StreamSse(net::HttpClient& http, const net::HttpRequest& request,
                            const Target& target, std::string_view key, std::string_view terminal,
                            StreamState& state, Sample& sample) {
  SseParser parser;
  std::vector<SseEvent> events;
  net::HttpResponse response =
      http.Send(request, TimeoutsOf(target), [&](std::string_view chunk, net::SteadyTime at) {
        events.clear();
        parser.Feed(chunk, events);
        for (const SseEvent& e : events) state.OnEvent(e, at);
      });
  if (!state.done && FailOnHttpError(response, key, sample)) {
    HintMissingKey(response, key, target.key_env, sample);
  } else if (parser.overflowed()) {
    Fail(sample, "malformed", "stream line over the size limit");
  } else if (!state.error_kind.empty()) {
    Fail(sample, state.error_kind, Redacted(state.error_message, key));
  } else if (!state.done) {
    Fail(sample, "truncated", "stream ended without " + std::string(terminal));
  }
  return response;
}

}  // namespace llmscope::probe::internal
