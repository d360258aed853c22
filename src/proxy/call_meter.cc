#include "proxy/call_meter.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "probe/stream_parsers.h"
#include "probe/stream_states.h"
#include "proxy/content_decoder.h"

namespace llmscope::proxy {
namespace {

using nlohmann::json;

json ParseJson(std::string_view text) {
  return json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

std::string ModelOf(const json& j) {
  const auto it = j.is_object() ? j.find("model") : j.end();
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

// The reply as read so far: one reader per kind of body.
struct CallMeter::Reading {
  std::string provider, model, app;
  Api api = Api::kOther;
  int64_t start_wall_ms = 0;
  net::SteadyTime start;
  int status = 0;
  enum class Body { kWhole, kSse, kNdjson } body = Body::kWhole;

  std::unique_ptr<ContentDecoder> decoder;  // null: the reply is not compressed
  std::string decoded;
  std::string whole;  // a whole reply, up to kMaxReadBodyBytes
  bool whole_overflowed = false;

  probe::SseParser sse;
  std::vector<probe::SseEvent> events;
  probe::LineSplitter splitter;
  std::vector<std::string> lines;
  net::SteadyTime last_chunk{};
  probe::OpenAiChatStreamState openai_chat;
  probe::OpenAiResponsesStreamState openai_responses;
  probe::AnthropicStreamState anthropic;
  probe::OllamaStreamState ollama;

  void OnEvents(net::SteadyTime at) {
    for (const probe::SseEvent& e : events) {
      if (api == Api::kOpenAiChat) openai_chat.OnEvent(e, at);
      if (api == Api::kOpenAiResponses) openai_responses.OnEvent(e, at);
      if (api == Api::kAnthropicMessages) anthropic.OnEvent(e, at);
    }
  }
  void OnLines(net::SteadyTime at) {
    if (api != Api::kOllamaGenerate && api != Api::kOllamaChat) return;
    for (const std::string& line : lines) ollama.OnLine(line, at);
  }

  // The stream state's verdict and measures, copied into the sample.
  template <typename State>
  void TakeStream(const State& state, std::string_view terminal, Sample& s,
                  std::optional<net::SteadyTime>& first_token) const {
    first_token = state.first_token;
    if (!state.error_kind.empty()) {
      s.error = true;
      s.error_kind = state.error_kind;
      s.error_message = state.error_message.substr(0, 300);
    } else if (!state.done) {
      s.error = true;
      s.error_kind = "truncated";
      s.error_message = "stream ended without " + std::string(terminal);
    }
  }
};

CallMeter::CallMeter(std::string provider, Api api, std::string_view request_body, std::string app,
                     int64_t start_wall_ms, net::SteadyTime start)
    : reading_(std::make_unique<Reading>()) {
  Reading& r = *reading_;
  r.provider = std::move(provider);
  r.api = api;
  r.app = std::move(app);
  r.start_wall_ms = start_wall_ms;
  r.start = start;
  if (api != Api::kOther) r.model = ModelOf(ParseJson(request_body));
  r.ollama.chat = api == Api::kOllamaChat;
}

CallMeter::~CallMeter() = default;
CallMeter::CallMeter(CallMeter&&) noexcept = default;
CallMeter& CallMeter::operator=(CallMeter&&) noexcept = default;

void CallMeter::OnReplyHead(int status, std::string_view content_type,
                            std::string_view content_encoding) {
  Reading& r = *reading_;
  r.status = status;
  r.decoder = ContentDecoder::For(content_encoding);
  if (StartsWithNoCase(content_type, "text/event-stream")) {
    r.body = Reading::Body::kSse;
  } else if (StartsWithNoCase(content_type, "application/x-ndjson")) {
    r.body = Reading::Body::kNdjson;
  }
}

void CallMeter::OnReplyBody(std::string_view bytes, net::SteadyTime at) {
  Reading& r = *reading_;
  if (bytes.empty() || r.api == Api::kOther) return;
  r.last_chunk = at;
  if (r.decoder) {
    r.decoded.clear();
    if (!r.decoder->Feed(bytes, r.decoded) || r.decoded.empty()) return;
    bytes = r.decoded;
  }
  switch (r.body) {
    case Reading::Body::kWhole:
      if (r.whole_overflowed) return;
      if (r.whole.size() + bytes.size() > kMaxReadBodyBytes) {
        r.whole_overflowed = true;
        std::string().swap(r.whole);
        return;
      }
      r.whole.append(bytes);
      return;
    case Reading::Body::kSse:
      r.events.clear();
      r.sse.Feed(bytes, r.events);
      r.OnEvents(at);
      return;
    case Reading::Body::kNdjson:
      r.lines.clear();
      r.splitter.Feed(bytes, r.lines);
      r.OnLines(at);
      return;
  }
}

Sample CallMeter::Finish(const Ending& ending, const probe::PriceTable& prices) {
  Reading& r = *reading_;
  Sample s;
  s.time_ms = r.start_wall_ms;
  s.source.provider = r.provider;
  s.source.profile = r.app.empty() ? "proxy" : r.app;
  std::optional<net::SteadyTime> first_token;
  const bool ok_status = r.status >= 200 && r.status < 300;

  if (!ending.error_kind.empty() && (r.status == 0 || ok_status)) {
    s.error = true;
    s.error_kind = ending.error_kind;
    s.error_message = ending.error_message.substr(0, 300);
  } else if (!ok_status) {
    s.error = true;
    s.error_kind = std::string(probe::HttpErrorKind(r.status));
    s.error_message = "HTTP " + std::to_string(r.status);
  } else if (r.decoder && r.decoder->failed()) {
    // A compressed reply this meter cannot decode: timed, not read.
  } else if (r.api != Api::kOther && r.body == Reading::Body::kWhole) {
    if (!r.whole_overflowed) {
      const json j = ParseJson(r.whole);
      if (!j.is_object()) {
        s.error = true;
        s.error_kind = "malformed";
        s.error_message = "reply is not JSON";
      } else {
        if (r.model.empty()) r.model = ModelOf(j);
        if (r.api == Api::kOllamaGenerate || r.api == Api::kOllamaChat) {
          probe::TakeOllamaFinal(j, s);
        } else {
          probe::TakeReplyUsage(j, s);
        }
      }
    }
  } else if (r.body == Reading::Body::kSse) {
    if (r.sse.overflowed()) {
      s.error = true;
      s.error_kind = "malformed";
      s.error_message = "stream line over the size limit";
    } else if (r.api == Api::kOpenAiChat) {
      r.TakeStream(r.openai_chat, "data: [DONE]", s, first_token);
      s.tokens_in = r.openai_chat.tokens_in;
      s.tokens_out = r.openai_chat.tokens_out ? r.openai_chat.tokens_out
                                              : std::optional(r.openai_chat.content_chunks);
    } else if (r.api == Api::kOpenAiResponses) {
      r.TakeStream(r.openai_responses, "response.completed", s, first_token);
      s.tokens_in = r.openai_responses.tokens_in;
      s.tokens_out = r.openai_responses.tokens_out;
    } else if (r.api == Api::kAnthropicMessages) {
      r.TakeStream(r.anthropic, "message_stop", s, first_token);
      s.tokens_in = r.anthropic.tokens_in;
      s.tokens_out = r.anthropic.tokens_out;
    }
  } else if (r.body == Reading::Body::kNdjson &&
             (r.api == Api::kOllamaGenerate || r.api == Api::kOllamaChat)) {
    if (!r.ollama.done && !r.splitter.overflowed()) {
      r.lines.clear();
      r.splitter.Finish(r.lines);
      r.OnLines(r.last_chunk);
    }
    if (r.splitter.overflowed()) {
      s.error = true;
      s.error_kind = "malformed";
      s.error_message = "stream line over the size limit";
    } else {
      r.TakeStream(r.ollama, "a line with done: true", s, first_token);
      if (r.ollama.done) probe::TakeOllamaFinal(r.ollama.final_line, s);
    }
  }
  // A stream cut short by the upstream or the client is named by how it ended, not by what the
  // stream reader missed.
  if (!ending.error_kind.empty() && ok_status) {
    s.error = true;
    s.error_kind = ending.error_kind;
    s.error_message = ending.error_message.substr(0, 300);
  }
  s.source.model = r.model.empty() ? "unknown" : r.model;
  probe::SetTimesAndCost(s, r.start, ending.at, first_token, prices);
  return s;
}

}  // namespace llmscope::proxy
