// OpenAiProvider: POST {base_url}/v1/chat/completions (or {base_url}/chat/completions when the
// base URL already ends in /v1), for provider "openai" and "openai-compatible" (vLLM, llama.cpp
// server, LM Studio, TGI). One user message with the profile's prompt and max_tokens.
//
// Streamed: SSE chunks `data: {...}` with choices[0].delta.content, usage from the final chunk
// (stream_options.include_usage = true), ended by `data: [DONE]`; TTFT is the arrival of the
// first chunk with non-empty content (not the role-only first chunk). A server that sends no
// usage chunk gets tokens_out = the number of content chunks and no tokens_in.
// Not streamed: choices[0].message and usage. Authorization: Bearer <key> when target.api_key or the environment
// variable target.key_env is set (read once, at construction); without it the header is left
// out (the usual case for openai-compatible servers). The Provider contract applies.
#pragma once

#include <string>

#include "net/http_client.h"
#include "probe/price_table.h"
#include "probe/provider.h"

namespace llmscope::probe {

class OpenAiProvider : public Provider {
 public:
  OpenAiProvider(const Target& target, const PriceTable& prices);
  Sample Call(const PromptProfile& profile) override;

 private:
  Sample CallUnguarded(const PromptProfile& profile);

  Target target_;
  PriceTable prices_;
  std::string key_;
  std::string url_;
  net::HttpClient http_;
};

}  // namespace llmscope::probe
