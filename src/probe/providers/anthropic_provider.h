// AnthropicProvider: POST {base_url}/v1/messages with x-api-key (target.api_key, else the environment variable
// target.key_env, read once at construction) and anthropic-version: 2023-06-01; one user message
// with the profile's prompt and max_tokens.
//
// Streamed: SSE events message_start (message.usage.input_tokens), content_block_start,
// content_block_delta (delta.type text_delta), message_delta (usage.output_tokens), message_stop
// (the end; without it the call is truncated), ping (ignored) and error (a failed call). TTFT is
// the arrival of the first non-empty text_delta. Not streamed: content[] and usage.
// The Provider contract applies.
#pragma once

#include <string>

#include "net/http_client.h"
#include "probe/price_table.h"
#include "probe/provider.h"

namespace llmscope::probe {

class AnthropicProvider : public Provider {
 public:
  static constexpr const char* kApiVersion = "2023-06-01";

  AnthropicProvider(const Target& target, const PriceTable& prices);
  Sample Call(const PromptProfile& profile) override;

 private:
  Sample CallUnguarded(const PromptProfile& profile);

  Target target_;
  PriceTable prices_;
  std::string key_;
  net::HttpClient http_;
};

}  // namespace llmscope::probe
