#include "probe/stream_states.h"

#include <chrono>

#include "probe/providers/call_support.h"

namespace llmscope::probe {
namespace {

using internal::json;

std::optional<double> NsToMs(const json& j, std::string_view key) {
  const auto ns = internal::IntAt(j, key);
  if (!ns) return std::nullopt;
  return static_cast<double>(*ns) / 1e6;
}

double Ms(net::SteadyTime from, net::SteadyTime to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace

void OpenAiChatStreamState::OnEvent(const SseEvent& event, net::SteadyTime at) {
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
    error_kind = internal::StreamErrorKind(
        type != nullptr && type->is_string() ? type->get_ref<const std::string&>() : std::string());
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

void OpenAiResponsesStreamState::OnEvent(const SseEvent& event, net::SteadyTime at) {
  if (!error_kind.empty() || done) return;
  const json j = internal::ParseJson(event.data);
  if (!j.is_object()) {
    error_kind = "malformed";
    error_message = "event data is not a JSON object";
    return;
  }
  const std::string_view type = internal::StringAt(j, "type").value_or(event.event);
  if (type == "response.output_text.delta") {
    const auto delta = internal::StringAt(j, "delta");
    if (delta && !delta->empty() && !first_token) first_token = at;
  } else if (type == "response.completed" || type == "response.incomplete") {
    const json* response = internal::Member(j, "response");
    const json* usage = response != nullptr ? internal::Member(*response, "usage") : nullptr;
    if (usage != nullptr) {
      tokens_in = internal::IntAt(*usage, "input_tokens");
      tokens_out = internal::IntAt(*usage, "output_tokens");
    }
    done = true;
  } else if (type == "response.failed" || type == "error") {
    const json* response = internal::Member(j, "response");
    const json* e = response != nullptr ? internal::Member(*response, "error") : nullptr;
    const json& holder = e != nullptr ? *response : j;
    const json* code = internal::Member(e != nullptr ? *e : j, "code");
    error_kind = internal::StreamErrorKind(
        code != nullptr && code->is_string() ? code->get_ref<const std::string&>() : std::string());
    error_message = "error in stream: " + internal::ErrorMessageOf(holder);
  }
}

void AnthropicStreamState::OnEvent(const SseEvent& event, net::SteadyTime at) {
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
    error_kind =
        internal::StreamErrorKind(e != nullptr ? internal::StringAt(*e, "type").value_or("") : "");
    error_message = "error event: " + internal::ErrorMessageOf(j);
  }
  // ping, content_block_start, content_block_stop and future event types carry nothing to
  // measure.
}

void OllamaStreamState::OnLine(const std::string& line, net::SteadyTime at) {
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
  const auto content = OllamaReplyText(j, chat);
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

std::optional<std::string_view> OllamaReplyText(const json& j, bool chat) {
  if (!chat) return internal::StringAt(j, "response");
  const json* message = internal::Member(j, "message");
  if (message == nullptr) return std::nullopt;
  return internal::StringAt(*message, "content");
}

void TakeOllamaFinal(const json& j, Sample& sample) {
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

void TakeReplyUsage(const json& reply, Sample& sample) {
  const json* usage = internal::Member(reply, "usage");
  if (usage == nullptr) return;
  if (internal::Member(*usage, "prompt_tokens") != nullptr ||
      internal::Member(*usage, "completion_tokens") != nullptr) {
    sample.tokens_in = internal::IntAt(*usage, "prompt_tokens");
    sample.tokens_out = internal::IntAt(*usage, "completion_tokens");
  } else {
    sample.tokens_in = internal::IntAt(*usage, "input_tokens");
    sample.tokens_out = internal::IntAt(*usage, "output_tokens");
  }
}

std::string_view HttpErrorKind(int status) {
  if (status == 429) return "http_429";
  if (status >= 400 && status < 500) return "http_4xx";
  if (status >= 500) return "http_5xx";
  return "malformed";
}

void SetTimesAndCost(Sample& sample, net::SteadyTime start, net::SteadyTime last_byte,
                     std::optional<net::SteadyTime> first_token, const PriceTable& prices) {
  const double e2e = Ms(start, last_byte);
  sample.e2e_ms = e2e;
  if (first_token) {
    const double ttft = Ms(start, *first_token);
    sample.ttft_ms = ttft;
    if (sample.tokens_out) {
      const int64_t n = *sample.tokens_out;
      if (n > 1) sample.tpot_ms = (e2e - ttft) / static_cast<double>(n - 1);
      if (!sample.tokens_per_s && e2e > ttft) {
        sample.tokens_per_s = static_cast<double>(n) / ((e2e - ttft) / 1000.0);
      }
    }
  }
  if (sample.tokens_in && sample.tokens_out) {
    sample.cost_usd = prices.Cost(sample.source.provider, sample.source.model, *sample.tokens_in,
                                  *sample.tokens_out);
  }
}

}  // namespace llmscope::probe
