// OllamaProvider: POST {base_url}/api/generate (prompt) or /api/chat (one user message), as
// target.ollama_api says, with options.num_predict = the profile's max_tokens.
//
// Streamed: NDJSON lines with "response" (generate) or "message.content" (chat); the last line
// has done = true and Ollama's counts and durations (nanoseconds; stored in ms). A stream that
// ends without it is truncated; a line with "error" fails the call. TTFT is the arrival of the
// first line with non-empty content. Not streamed: one JSON object with the same final fields.
// tokens_in = prompt_eval_count, tokens_out = eval_count, tokens_per_s = Ollama's eval rate
// (eval_count / eval_duration). No key. The Provider contract applies.
#pragma once

#include <string>

#include "net/http_client.h"
#include "probe/price_table.h"
#include "probe/provider.h"

namespace llmscope::probe {

class OllamaProvider : public Provider {
 public:
  OllamaProvider(const Target& target, const PriceTable& prices);
  Sample Call(const PromptProfile& profile) override;

 private:
  Sample CallUnguarded(const PromptProfile& profile);

  Target target_;
  PriceTable prices_;
  bool chat_;
  net::HttpClient http_;
};

}  // namespace llmscope::probe
