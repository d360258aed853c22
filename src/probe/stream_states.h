// Reading provider replies into a sample's measures. A streamed reply is read event by event: one
// state per wire format, fed the events of an SseParser or the lines of a LineSplitter with the
// time each chunk arrived; a whole reply by its usage. Pure: no I/O. The probe's providers and the
// proxy (src/proxy) both measure with these, so the first content token (TTFT), token counts,
// error kinds and the derived metrics mean the same for both (provider.h defines them).
//
// Every state stops reading at the first error or at its terminal event; `done` says the
// terminal event came, `error_kind` (provider.h's kinds) and `error_message` say what was wrong.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/sample.h"
#include "net/http_client.h"
#include "probe/price_table.h"
#include "probe/stream_parsers.h"

namespace llmscope::probe {

// OpenAI chat completions (and OpenAI-compatible servers): chunks of choices[0].delta.content,
// usage in a last chunk when stream_options.include_usage was asked, then "data: [DONE]".
struct OpenAiChatStreamState {
  bool done = false;
  std::string error_kind, error_message;
  std::optional<net::SteadyTime> first_token;
  int64_t content_chunks = 0;
  std::optional<int64_t> tokens_in, tokens_out;

  void OnEvent(const SseEvent& event, net::SteadyTime at);
};

// OpenAI responses: response.output_text.delta events carry the text, response.completed (the
// terminal event) carries response.usage; response.failed and error events are errors.
struct OpenAiResponsesStreamState {
  bool done = false;
  std::string error_kind, error_message;
  std::optional<net::SteadyTime> first_token;
  std::optional<int64_t> tokens_in, tokens_out;

  void OnEvent(const SseEvent& event, net::SteadyTime at);
};

// Anthropic messages: message_start (input usage), content_block_delta text_delta (the text),
// message_delta (output usage), message_stop (terminal), error events.
struct AnthropicStreamState {
  bool done = false;
  std::string error_kind, error_message;
  std::optional<net::SteadyTime> first_token;
  std::optional<int64_t> tokens_in, tokens_out;

  void OnEvent(const SseEvent& event, net::SteadyTime at);
};

// Ollama generate ("response") or chat ("message.content"): one JSON object per line, the last
// with done: true and Ollama's counts and durations (kept whole in final_line).
// NOLINTNEXTLINE(bugprone-exception-escape): json's noexcept move only asserts its invariant.
struct OllamaStreamState {
  bool chat = false;
  bool done = false;
  std::string error_kind, error_message;
  std::optional<net::SteadyTime> first_token;
  nlohmann::json final_line;

  void OnLine(const std::string& line, net::SteadyTime at);
};

// The text of one Ollama reply object: "response" (generate) or "message.content" (chat).
std::optional<std::string_view> OllamaReplyText(const nlohmann::json& j, bool chat);

// Copies Ollama's counts and durations from a final reply object (done: true) into the sample:
// tokens_in/out from prompt_eval_count/eval_count, tokens_per_s from its own eval rate.
void TakeOllamaFinal(const nlohmann::json& j, Sample& sample);

// Copies the token counts of a whole reply's "usage" object into the sample: prompt_tokens and
// completion_tokens (OpenAI chat), or input_tokens and output_tokens (Anthropic, OpenAI
// responses). Nothing when the reply has no usage.
void TakeReplyUsage(const nlohmann::json& reply, Sample& sample);

// The error kind of a non-2xx HTTP status: http_429, http_4xx, http_5xx; "malformed" for
// any other status that is not 2xx (an unexpected 1xx or 3xx).
std::string_view HttpErrorKind(int status);

// Sets e2e_ms (start → last_byte), ttft_ms (start → first_token, when given), then tpot_ms and
// tokens_per_s from the provider.h formulas (tokens_per_s only if not already set), and cost_usd
// when both token counts are known and the model has a price.
void SetTimesAndCost(Sample& sample, net::SteadyTime start, net::SteadyTime last_byte,
                     std::optional<net::SteadyTime> first_token, const PriceTable& prices);

}  // namespace llmscope::probe
