// The models a provider offers, for the target form's model picker (docs/design.md "Settings"):
// Ollama's GET {base_url}/api/tags, OpenAI and OpenAI-compatible servers' GET {base_url}/v1/models
// (Authorization: Bearer <key> when a key is given), Anthropic's GET {base_url}/v1/models
// (x-api-key, anthropic-version). Bounded: 3 s to connect, 5 s in all. The key is never put in
// a message. Errors ("provider_unreachable", "invalid_field") are in words for the form.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace llmscope::targets {

// The model names in a reply body of `provider`'s list route, sorted; pure.
// "provider_unreachable" when the body is not such a list.
Result<std::vector<std::string>> ParseModelList(std::string_view provider, std::string_view body);

// Asks the provider. `base_url` "" means the provider's default (as for a target); "simulated"
// lists its one model. "invalid_field" (provider, base_url) before any call.
Result<std::vector<std::string>> ListProviderModels(const std::string& provider,
                                                    const std::string& base_url,
                                                    const std::string& key);

}  // namespace llmscope::targets
