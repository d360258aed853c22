#include "probe/providers/openai_provider.h"

#include <cstdlib>
#include <exception>
#include <vector>

#include "probe/providers/call_support.h"
#include "probe/stream_parsers.h"
#include "probe/stream_states.h"

namespace llmscope::probe {
using internal::json;

OpenAiProvider::OpenAiProvider(const Target& target, const PriceTable& prices)
    : target_(target), prices_(prices) {
  if (!target_.api_key.empty()) {
    key_ = target_.api_key;
  } else if (!target_.key_env.empty()) {
    if (const char* key = std::getenv(target_.key_env.c_str())) key_ = key;
  }
  std::string_view base = target_.base_url;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  url_ =
      internal::JoinUrl(base, base.ends_with("/v1") ? "/chat/completions" : "/v1/chat/completions");
}

Sample OpenAiProvider::Call(const PromptProfile& profile) {
  return internal::Guarded(target_, profile, [&] { return CallUnguarded(profile); });
}

Sample OpenAiProvider::CallUnguarded(const PromptProfile& profile) {
  Sample sample = internal::StartSample(target_, profile);
  json body = {{"model", target_.model},
               {"messages", json::array({{{"role", "user"}, {"content", profile.prompt}}})},
               {"max_tokens", profile.max_tokens},
               {"stream", target_.stream}};
  if (target_.stream) body["stream_options"] = {{"include_usage", true}};
  net::HttpRequest request;
  request.url = url_;
  request.headers = {{"Content-Type", "application/json"}};
  if (target_.stream) request.headers.emplace_back("Accept", "text/event-stream");
  if (!key_.empty()) request.headers.emplace_back("Authorization", "Bearer " + key_);
  request.body = body.dump(-1, ' ', false, json::error_handler_t::replace);

  if (!target_.stream) {
    const net::HttpResponse response = http_.Send(request, internal::TimeoutsOf(target_));
    if (internal::FailOnHttpError(response, key_, sample)) {
      internal::HintMissingKey(response, key_, target_.key_env, sample);
      return sample;
    }
    const json j = internal::ParseJson(response.body);
    const json* choices = internal::Member(j, "choices");
    if (choices == nullptr || !choices->is_array() || choices->empty() ||
        internal::Member((*choices)[0], "message") == nullptr) {
      internal::Fail(sample, "malformed",
                     j.is_discarded() ? "reply is not JSON" : "reply without choices[0].message");
      return sample;
    }
    TakeReplyUsage(j, sample);
    internal::Finish(sample, response, std::nullopt, prices_);
    return sample;
  }

  OpenAiChatStreamState state;
  const net::HttpResponse response =
      internal::StreamSse(http_, request, target_, key_, "data: [DONE]", state, sample);
  if (sample.error) return sample;
  sample.tokens_in = state.tokens_in;
  sample.tokens_out = state.tokens_out ? state.tokens_out : state.content_chunks;
  internal::Finish(sample, response, state.first_token, prices_);
  return sample;
}

}  // namespace llmscope::probe
