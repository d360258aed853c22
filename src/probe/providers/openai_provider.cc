#include "probe/providers/openai_provider.h"

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
  int64_t content_chunks = 0;
  std::optional<int64_t> tokens_in, tokens_out;

  void OnEvent(const SseEvent& event, net::SteadyTime at) {
    if (!error_kind.empty() || done) return;
    if (event.data == "[DONE]") {
      done = true;
      return;
    }
    const json j = internal::ParseJson(event.data);
    if (!j.is_object()) {
      error_kind = "malformed";
      error_message = "stream chunk is not a JSON object";
      return;
    }
    if (const json* e = internal::Member(j, "error")) {
      const json* type = internal::Member(*e, "type");
      error_kind = internal::StreamErrorKind(type != nullptr && type->is_string()
                                                 ? type->get_ref<const std::string&>()
                                                 : std::string());
      error_message = "error in stream: " + internal::ErrorMessageOf(j);
      return;
    }
    // Some servers send chunks with no choices (a usage-only chunk, filter results).
    const json* choices = internal::Member(j, "choices");
    if (choices != nullptr && !choices->is_array()) {
      error_kind = "malformed";
      error_message = "stream chunk whose choices is not an array";
      return;
    }
    if (choices != nullptr && !choices->empty()) {
      const json* delta = internal::Member((*choices)[0], "delta");
      if (delta != nullptr) {
        const auto content = internal::StringAt(*delta, "content");
        if (content && !content->empty()) {
          if (!first_token) first_token = at;
          ++content_chunks;
        }
      }
    }
    if (const json* usage = internal::Member(j, "usage")) {
      tokens_in = internal::IntAt(*usage, "prompt_tokens");
      tokens_out = internal::IntAt(*usage, "completion_tokens");
    }
  }
};

}  // namespace

OpenAiProvider::OpenAiProvider(const Target& target, const PriceTable& prices)
    : target_(target), prices_(prices) {
  if (!target_.key_env.empty()) {
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
    if (const json* usage = internal::Member(j, "usage")) {
      sample.tokens_in = internal::IntAt(*usage, "prompt_tokens");
      sample.tokens_out = internal::IntAt(*usage, "completion_tokens");
    }
    internal::Finish(sample, response, std::nullopt, prices_);
    return sample;
  }

  StreamState state;
  const net::HttpResponse response =
      internal::StreamSse(http_, request, target_, key_, "data: [DONE]", state, sample);
  if (sample.error) return sample;
  sample.tokens_in = state.tokens_in;
  sample.tokens_out = state.tokens_out ? state.tokens_out : state.content_chunks;
  internal::Finish(sample, response, state.first_token, prices_);
  return sample;
}

}  // namespace llmscope::probe
