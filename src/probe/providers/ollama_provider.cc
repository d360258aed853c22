#include "probe/providers/ollama_provider.h"

#include <exception>
#include <vector>

#include "probe/providers/call_support.h"
#include "probe/stream_parsers.h"

namespace llmscope::probe {
namespace {

using internal::json;

std::optional<double> NsToMs(const json& j, std::string_view key) {
  const auto ns = internal::IntAt(j, key);
  if (!ns) return std::nullopt;
  return static_cast<double>(*ns) / 1e6;
}

// Copies Ollama's counts and durations from the final object into the sample.
void TakeFinal(const json& j, Sample& sample) {
  sample.total_duration_ms = NsToMs(j, "total_duration");
  sample.load_duration_ms = NsToMs(j, "load_duration");
  sample.prompt_eval_duration_ms = NsToMs(j, "prompt_eval_duration");
  sample.eval_duration_ms = NsToMs(j, "eval_duration");
  sample.prompt_eval_count = internal::IntAt(j, "prompt_eval_count");
  sample.eval_count = internal::IntAt(j, "eval_count");
  sample.tokens_in = sample.prompt_eval_count;
  sample.tokens_out = sample.eval_count;
  if (sample.eval_count && sample.eval_duration_ms && *sample.eval_duration_ms > 0) {
    sample.tokens_per_s =
        static_cast<double>(*sample.eval_count) / (*sample.eval_duration_ms / 1000.0);
  }
}

// The text of one reply object: "response" (generate) or "message.content" (chat).
std::optional<std::string_view> ContentOf(const json& j, bool chat) {
  if (!chat) return internal::StringAt(j, "response");
  const json* message = internal::Member(j, "message");
  if (message == nullptr) return std::nullopt;
  return internal::StringAt(*message, "content");
}

// The state of one streamed reply, line by line.
struct StreamState {
  bool chat = false;
  bool done = false;
  std::string error_kind, error_message;
  std::optional<net::SteadyTime> first_token;
  json final_line;

  void OnLine(const std::string& line, net::SteadyTime at) {
    if (!error_kind.empty() || done) return;
    json j = internal::ParseJson(line);
    if (!j.is_object()) {
      error_kind = "malformed";
      error_message = "stream line is not a JSON object";
      return;
    }
    if (internal::Member(j, "error") != nullptr) {
      error_kind = "http_5xx";
      error_message = "error in stream: " + internal::ErrorMessageOf(j);
      return;
    }
    const json* done_field = internal::Member(j, "done");
    const auto content = ContentOf(j, chat);
    if (done_field == nullptr || !done_field->is_boolean() || (!content && !*done_field)) {
      error_kind = "malformed";
      error_message = "stream line without done or content";
      return;
    }
    if (content && !content->empty() && !first_token) first_token = at;
    if (done_field->get<bool>()) {
      done = true;
      final_line = std::move(j);
    }
  }
};

}  // namespace

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
    if (!ContentOf(j, chat_) || done == nullptr || !done->is_boolean() || !done->get<bool>()) {
      internal::Fail(sample, "malformed",
                     j.is_discarded() ? "reply is not JSON" : "reply without content or done");
      return sample;
    }
    TakeFinal(j, sample);
    internal::Finish(sample, response, std::nullopt, prices_);
    return sample;
  }

  LineSplitter splitter;
  StreamState state;
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
  TakeFinal(state.final_line, sample);
  internal::Finish(sample, response, state.first_token, prices_);
  return sample;
}

}  // namespace llmscope::probe
