#include "probe/providers/ollama_provider.h"

#include <exception>
#include <vector>

#include "probe/providers/call_support.h"
#include "probe/stream_parsers.h"
#include "probe/stream_states.h"

namespace llmscope::probe {
using internal::json;

OllamaProvider::OllamaProvider(const Target& target, const PriceTable& prices)
    : target_(target), prices_(prices), chat_(target.ollama_api == "chat") {}

Sample OllamaProvider::Call(const PromptProfile& profile) {
  return internal::Guarded(target_, profile, [&] { return CallUnguarded(profile); });
}

Sample OllamaProvider::CallUnguarded(const PromptProfile& profile) {
  Sample sample = internal::StartSample(target_, profile);
  json body = {{"model", target_.model},
               {"stream", target_.stream},
               {"options", {{"num_predict", profile.max_tokens}}}};
  if (chat_) {
    body["messages"] = json::array({{{"role", "user"}, {"content", profile.prompt}}});
  } else {
    body["prompt"] = profile.prompt;
  }
  net::HttpRequest request;
  request.url = internal::JoinUrl(target_.base_url, chat_ ? "/api/chat" : "/api/generate");
  request.headers = {{"Content-Type", "application/json"}};
  request.body = body.dump(-1, ' ', false, json::error_handler_t::replace);

  if (!target_.stream) {
    const net::HttpResponse response = http_.Send(request, internal::TimeoutsOf(target_));
    if (internal::FailOnHttpError(response, "", sample)) return sample;
    const json j = internal::ParseJson(response.body);
    const json* done = internal::Member(j, "done");
    if (!OllamaReplyText(j, chat_) || done == nullptr || !done->is_boolean() || !done->get<bool>()) {
      internal::Fail(sample, "malformed",
                     j.is_discarded() ? "reply is not JSON" : "reply without content or done");
      return sample;
    }
    TakeOllamaFinal(j, sample);
    internal::Finish(sample, response, std::nullopt, prices_);
    return sample;
  }

  LineSplitter splitter;
  OllamaStreamState state;
  state.chat = chat_;
  std::vector<std::string> lines;
  net::SteadyTime last_chunk{};
  const net::HttpResponse response = http_.Send(request, internal::TimeoutsOf(target_),
                                                [&](std::string_view chunk, net::SteadyTime at) {
                                                  lines.clear();
                                                  splitter.Feed(chunk, lines);
                                                  for (const std::string& line : lines)
                                                    state.OnLine(line, at);
                                                  last_chunk = at;
                                                });
  if (!state.done && response.error == net::TransportError::kNone && !splitter.overflowed()) {
    lines.clear();
    splitter.Finish(lines);
    for (const std::string& line : lines) state.OnLine(line, last_chunk);
  }
  if (!state.done && internal::FailOnHttpError(response, "", sample)) return sample;
  if (splitter.overflowed()) {
    internal::Fail(sample, "malformed", "stream line over the size limit");
  } else if (!state.error_kind.empty()) {
    internal::Fail(sample, state.error_kind, state.error_message);
  } else if (!state.done) {
    internal::Fail(sample, "truncated", "stream ended without a line with done: true");
  }
  if (sample.error) return sample;
  TakeOllamaFinal(state.final_line, sample);
  internal::Finish(sample, response, state.first_token, prices_);
  return sample;
}

}  // namespace llmscope::probe
