#include "probe/providers/anthropic_provider.h"

#include <cstdlib>
#include <exception>
#include <vector>

#include "probe/providers/call_support.h"
#include "probe/stream_parsers.h"

namespace llmscope::probe {
namespace {

using internal::json;

// The state of one streamed reply, event by event.
struct StreamState {
  bool done = false;
  std::string error_kind, error_message;
  std::optional<net::SteadyTime> first_token;
  std::optional<int64_t> tokens_in, tokens_out;

  void OnEvent(const SseEvent& event, net::SteadyTime at) {
    if (!error_kind.empty() || done) return;
    const json j = internal::ParseJson(event.data);
    if (!j.is_object()) {
      error_kind = "malformed";
      error_message = "event data is not a JSON object";
      return;
    }
    const std::string_view type = internal::StringAt(j, "type").value_or(event.event);
    if (type == "message_start") {
      const json* message = internal::Member(j, "message");
      const json* usage = message != nullptr ? internal::Member(*message, "usage") : nullptr;
      if (usage == nullptr) {
        error_kind = "malformed";
        error_message = "message_start without message.usage";
        return;
      }
      tokens_in = internal::IntAt(*usage, "input_tokens");
      tokens_out = internal::IntAt(*usage, "output_tokens");
    } else if (type == "content_block_delta") {
      const json* delta = internal::Member(j, "delta");
      if (delta != nullptr && internal::StringAt(*delta, "type") == "text_delta") {
        const auto text = internal::StringAt(*delta, "text");
        if (text && !text->empty() && !first_token) first_token = at;
      }
    } else if (type == "message_delta") {
      if (const json* usage = internal::Member(j, "usage")) {
        if (auto out = internal::IntAt(*usage, "output_tokens")) tokens_out = out;
        if (auto in = internal::IntAt(*usage, "input_tokens")) tokens_in = in;
      }
    } else if (type == "message_stop") {
      done = true;
    } else if (type == "error") {
      const json* e = internal::Member(j, "error");
      error_kind = internal::StreamErrorKind(
          e != nullptr ? internal::StringAt(*e, "type").value_or("") : "");
      error_message = "error event: " + internal::ErrorMessageOf(j);
    }
    // ping, content_block_start, content_block_stop and future event types carry nothing to
    // measure.
  }
};

}  // namespace

AnthropicProvider::AnthropicProvider(const Target& target, const PriceTable& prices)
    : target_(target), prices_(prices) {
  if (!target_.key_env.empty()) {
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
    sample.tokens_in = internal::IntAt(*usage, "input_tokens");
    sample.tokens_out = internal::IntAt(*usage, "output_tokens");
    internal::Finish(sample, response, std::nullopt, prices_);
    return sample;
  }

  StreamState state;
  const net::HttpResponse response =
      internal::StreamSse(http_, request, target_, key_, "message_stop", state, sample);
  if (sample.error) return sample;
  sample.tokens_in = state.tokens_in;
  sample.tokens_out = state.tokens_out;
  internal::Finish(sample, response, state.first_token, prices_);
  return sample;
}

}  // namespace llmscope::probe
