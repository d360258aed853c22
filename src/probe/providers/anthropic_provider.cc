#include "probe/providers/anthropic_provider.h"

#include <cstdlib>
#include <exception>
#include <vector>

#include "probe/providers/call_support.h"
#include "probe/stream_parsers.h"
#include "probe/stream_states.h"

namespace llmscope::probe {
using internal::json;

AnthropicProvider::AnthropicProvider(const Target& target, const PriceTable& prices)
    : target_(target), prices_(prices) {
  if (!target_.api_key.empty()) {
    key_ = target_.api_key;
  } else if (!target_.key_env.empty()) {
    if (const char* key = std::getenv(target_.key_env.c_str())) key_ = key;
  }
}

Sample AnthropicProvider::Call(const PromptProfile& profile) {
  return internal::Guarded(target_, profile, [&] { return CallUnguarded(profile); });
}

Sample AnthropicProvider::CallUnguarded(const PromptProfile& profile) {
  Sample sample = internal::StartSample(target_, profile);
  const json body = {{"model", target_.model},
                     {"max_tokens", profile.max_tokens},
                     {"messages", json::array({{{"role", "user"}, {"content", profile.prompt}}})},
                     {"stream", target_.stream}};
  net::HttpRequest request;
  request.url = internal::JoinUrl(target_.base_url, "/v1/messages");
  request.headers = {{"Content-Type", "application/json"}, {"anthropic-version", kApiVersion}};
  if (target_.stream) request.headers.emplace_back("Accept", "text/event-stream");
  if (!key_.empty()) request.headers.emplace_back("x-api-key", key_);
  request.body = body.dump(-1, ' ', false, json::error_handler_t::replace);

  if (!target_.stream) {
    const net::HttpResponse response = http_.Send(request, internal::TimeoutsOf(target_));
    if (internal::FailOnHttpError(response, key_, sample)) {
      internal::HintMissingKey(response, key_, target_.key_env, sample);
      return sample;
    }
    const json j = internal::ParseJson(response.body);
    const json* content = internal::Member(j, "content");
    const json* usage = internal::Member(j, "usage");
    if (content == nullptr || !content->is_array() || usage == nullptr) {
      internal::Fail(sample, "malformed",
                     j.is_discarded() ? "reply is not JSON" : "reply without content or usage");
      return sample;
    }
    TakeReplyUsage(j, sample);
    internal::Finish(sample, response, std::nullopt, prices_);
    return sample;
  }

  AnthropicStreamState state;
  const net::HttpResponse response =
      internal::StreamSse(http_, request, target_, key_, "message_stop", state, sample);
  if (sample.error) return sample;
  sample.tokens_in = state.tokens_in;
  sample.tokens_out = state.tokens_out;
  internal::Finish(sample, response, state.first_token, prices_);
  return sample;
}

}  // namespace llmscope::probe
