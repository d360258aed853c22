// The model lists of the fake provider server: Ollama's GET /api/tags ({"models": [{"name"}]})
// and the OpenAI/Anthropic GET /v1/models ({"data": [{"id"}]}), each naming kFakeModels.
#pragma once

#include <httplib.h>

#include <array>

namespace llmscope::testing {

inline constexpr std::array<const char*, 2> kFakeModels = {"fake-llm", "fake-llm-large"};

void AddModelListRoutes(httplib::Server& server);

}  // namespace llmscope::testing
