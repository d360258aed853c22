#include "fakes/fake_provider_server.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <utility>

#include "fakes/fake_model_lists.h"

namespace llmscope::testing {
namespace {

using json = nlohmann::json;
using Api = FakeProviderServer::Api;
using Clock = std::chrono::steady_clock;

std::string TokenText(int i) {
  return "tok" + std::to_string(i) + " ";
}

std::string Sse(const std::string& event, const json& data) {
  std::string out;
  if (!event.empty()) out += "event: " + event + "\n";
  return out + "data: " + data.dump() + "\n\n";
}

json OllamaFinal(Api api, const std::string& model, const Script& s, const std::string& text) {
  json j = {{"model", model},
            {"created_at", "2026-11-23T00:00:00Z"},
            {"done", true},
            {"done_reason", "stop"},
            {"total_duration", kFakeTotalNs},
            {"load_duration", kFakeLoadNs},
            {"prompt_eval_count", s.prompt_tokens},
            {"prompt_eval_duration", kFakePromptEvalNs},
            {"eval_count", s.tokens},
            {"eval_duration", kFakeEvalNsPerToken * s.tokens}};
  if (api == Api::kOllamaChat) {
    j["message"] = {{"role", "assistant"}, {"content", text}};
  } else {
    j["response"] = text;
  }
  return j;
}

// The streamed pieces of one reply in a wire format.
struct Wire {
  Api api;
  std::string model;
  Script script;
  bool include_usage = false;

  std::string Head() const {
    switch (api) {
      case Api::kOpenAi:
        return Sse("",
                   {{"id", "chatcmpl-fake"},
                    {"object", "chat.completion.chunk"},
                    {"created", 0},
                    {"model", model},
                    {"choices", json::array({{{"index", 0},
                                              {"delta", {{"role", "assistant"}, {"content", ""}}},
                                              {"finish_reason", nullptr}}})}});
      case Api::kAnthropic:
        return Sse("message_start",
                   {{"type", "message_start"},
                    {"message",
                     {{"id", "msg_fake"},
                      {"type", "message"},
                      {"role", "assistant"},
                      {"content", json::array()},
                      {"model", model},
                      {"stop_reason", nullptr},
                      {"stop_sequence", nullptr},
                      {"usage",
                       {{"input_tokens", script.prompt_tokens}, {"output_tokens", 1}}}}}}) +
               Sse("content_block_start", {{"type", "content_block_start"},
                                           {"index", 0},
                                           {"content_block", {{"type", "text"}, {"text", ""}}}}) +
               Sse("ping", {{"type", "ping"}});
      default:
        return "";
    }
  }

  std::string Token(int i) const {
    switch (api) {
      case Api::kOpenAi:
        return Sse("", {{"id", "chatcmpl-fake"},
                        {"object", "chat.completion.chunk"},
                        {"created", 0},
                        {"model", model},
                        {"choices", json::array({{{"index", 0},
                                                  {"delta", {{"content", TokenText(i)}}},
                                                  {"finish_reason", nullptr}}})}});
      case Api::kAnthropic:
        return Sse("content_block_delta",
                   {{"type", "content_block_delta"},
                    {"index", 0},
                    {"delta", {{"type", "text_delta"}, {"text", TokenText(i)}}}});
      case Api::kOllamaChat:
        return json({{"model", model},
                     {"created_at", "2026-11-23T00:00:00Z"},
                     {"message", {{"role", "assistant"}, {"content", TokenText(i)}}},
                     {"done", false}})
                   .dump() +
               "\n";
      case Api::kOllamaGenerate:
        return json({{"model", model},
                     {"created_at", "2026-11-23T00:00:00Z"},
                     {"response", TokenText(i)},
                     {"done", false}})
                   .dump() +
               "\n";
    }
    return "";
  }

  // What follows the last token, up to but not including the terminal event.
  std::string Tail() const {
    switch (api) {
      case Api::kOpenAi: {
        std::string out = Sse(
            "", {{"id", "chatcmpl-fake"},
                 {"object", "chat.completion.chunk"},
                 {"created", 0},
                 {"model", model},
                 {"choices",
                  json::array(
                      {{{"index", 0}, {"delta", json::object()}, {"finish_reason", "stop"}}})}});
        if (include_usage) {
          out += Sse("", {{"id", "chatcmpl-fake"},
                          {"object", "chat.completion.chunk"},
                          {"created", 0},
                          {"model", model},
                          {"choices", json::array()},
                          {"usage",
                           {{"prompt_tokens", script.prompt_tokens},
                            {"completion_tokens", script.tokens},
                            {"total_tokens", script.prompt_tokens + script.tokens}}}});
        }
        return out;
      }
      case Api::kAnthropic:
        return Sse("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}) +
               Sse("message_delta",
                   {{"type", "message_delta"},
                    {"delta", {{"stop_reason", "end_turn"}, {"stop_sequence", nullptr}}},
                    {"usage", {{"output_tokens", script.tokens}}}});
      default:
        return "";
    }
  }

  std::string Terminal() const {
    switch (api) {
      case Api::kOpenAi:
        return "data: [DONE]\n\n";
      case Api::kAnthropic:
        return Sse("message_stop", {{"type", "message_stop"}});
      default:
        return OllamaFinal(api, model, script, "").dump() + "\n";
    }
  }

  std::string Malformed() const {
    switch (api) {
      case Api::kOpenAi:
        return "data: {\"choices\": [oops\n\n";
      case Api::kAnthropic:
        return "event: content_block_delta\ndata: {\"type\": oops\n\n";
      default:
        return "{\"response\": oops\n";
    }
  }

  std::string StreamError() const {
    switch (api) {
      case Api::kOpenAi:
        return Sse("", {{"error", {{"type", "server_error"}, {"message", "overloaded"}}}});
      case Api::kAnthropic:
        return Sse("error", {{"type", "error"},
                             {"error", {{"type", "overloaded_error"}, {"message", "Overloaded"}}}});
      default:
        return json({{"error", "overloaded"}}).dump() + "\n";
    }
  }

  std::string Whole() const {
    std::string text;
    for (int i = 0; i < script.tokens; ++i) text += TokenText(i);
    switch (api) {
      case Api::kOpenAi:
        return json({{"id", "chatcmpl-fake"},
                     {"object", "chat.completion"},
                     {"created", 0},
                     {"model", model},
                     {"choices",
                      json::array({{{"index", 0},
                                    {"message", {{"role", "assistant"}, {"content", text}}},
                                    {"finish_reason", "stop"}}})},
                     {"usage",
                      {{"prompt_tokens", script.prompt_tokens},
                       {"completion_tokens", script.tokens},
                       {"total_tokens", script.prompt_tokens + script.tokens}}}})
            .dump();
      case Api::kAnthropic:
        return json({{"id", "msg_fake"},
                     {"type", "message"},
                     {"role", "assistant"},
                     {"model", model},
                     {"content", json::array({{{"type", "text"}, {"text", text}}})},
                     {"stop_reason", "end_turn"},
                     {"stop_sequence", nullptr},
                     {"usage",
                      {{"input_tokens", script.prompt_tokens}, {"output_tokens", script.tokens}}}})
            .dump();
      default:
        return OllamaFinal(api, model, script, text).dump();
    }
  }

  std::string ErrorBody(const std::string& type, const std::string& message) const {
    if (api == Api::kOllamaChat || api == Api::kOllamaGenerate) {
      return json({{"error", message}}).dump();
    }
    return json({{"type", "error"}, {"error", {{"type", type}, {"message", message}}}}).dump();
  }
};

}  // namespace

std::string RecordedRequest::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        })) {
      return v;
    }
  }
  return "";
}

FakeProviderServer::FakeProviderServer() = default;

FakeProviderServer::~FakeProviderServer() {
  Stop();
}

bool FakeProviderServer::Start(int port) {
  Stop();
  server_ = std::make_unique<httplib::Server>();
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_max_count(100000);
  server_->set_keep_alive_timeout(1);  // bounds Stop() while a client keeps a connection
  const auto route = [this](Api api) {
    return
        [this, api](const httplib::Request& req, httplib::Response& res) { Handle(api, req, res); };
  };
  server_->Post("/api/generate", route(Api::kOllamaGenerate));
  server_->Post("/api/chat", route(Api::kOllamaChat));
  server_->Post("/v1/chat/completions", route(Api::kOpenAi));
  server_->Post("/v1/messages", route(Api::kAnthropic));
  AddModelListRoutes(*server_);
  if (port == 0 && port_ != 0) port = port_;
  if (port == 0) {
    port = server_->bind_to_any_port("127.0.0.1");
    if (port <= 0) return false;
  } else if (!server_->bind_to_port("127.0.0.1", port)) {
    return false;
  }
  port_ = port;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return true;
}

void FakeProviderServer::Stop() {
  if (!server_) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

void FakeProviderServer::SetScript(const Script& script) {
  std::lock_guard lock(mu_);
  default_script_ = script;
}

void FakeProviderServer::PushScript(const Script& script) {
  std::lock_guard lock(mu_);
  queued_.push_back(script);
}

std::vector<RecordedRequest> FakeProviderServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

RecordedRequest FakeProviderServer::last_request() const {
  std::lock_guard lock(mu_);
  return requests_.empty() ? RecordedRequest{} : requests_.back();
}

void FakeProviderServer::MarkSent(size_t index, double RecordedRequest::*field,
                                  Clock::time_point t0) {
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  std::lock_guard lock(mu_);
  requests_[index].*field = ms;
}

Script FakeProviderServer::NextScript() {
  std::lock_guard lock(mu_);
  if (queued_.empty()) return default_script_;
  Script s = queued_.front();
  queued_.pop_front();
  return s;
}

bool FakeProviderServer::SleepUntil(Clock::time_point until) {
  std::unique_lock lock(mu_);
  return !cv_.wait_until(lock, until, [this] { return stopping_; });
}

void FakeProviderServer::Handle(Api api, const httplib::Request& req, httplib::Response& res) {
  const Clock::time_point t0 = Clock::now();
  size_t index = 0;
  {
    std::lock_guard lock(mu_);
    index = requests_.size();
    requests_.push_back(
        RecordedRequest{req.method, req.path, req.body, req.headers, req.remote_port});
  }
  const Script script = NextScript();
  const json body = json::parse(req.body, nullptr, false);
  const bool ollama = api == Api::kOllamaGenerate || api == Api::kOllamaChat;
  bool stream = ollama;
  Wire wire{api, "fake-model", script};
  if (body.is_object()) {
    if (body.contains("stream") && body["stream"].is_boolean()) stream = body["stream"].get<bool>();
    if (body.contains("model") && body["model"].is_string()) wire.model = body["model"];
    wire.include_usage = body.contains("stream_options") && body["stream_options"].is_object() &&
                         body["stream_options"].value("include_usage", false);
  }
  if (!SleepUntil(t0 + script.header_delay)) return;
  if (script.fault == Fault::kHttp429) {
    res.status = 429;
    res.set_header("Retry-After", std::to_string(script.retry_after_s));
    res.set_content(wire.ErrorBody("rate_limit_error", "rate limited by the fake"),
                    "application/json");
    return;
  }
  if (script.fault == Fault::kHttp500) {
    res.status = 500;
    res.set_content(wire.ErrorBody("api_error", "internal error in the fake"), "application/json");
    return;
  }
  const auto token_time = [t0, script](int i) {
    return t0 + script.first_token_delay + i * script.per_token_delay;
  };
  const Clock::time_point last_time = token_time(std::max(0, script.tokens - 1));

  if (!stream) {
    if (!SleepUntil(last_time)) return;
    std::string whole = script.fault == Fault::kMalformed ? wire.Malformed() : wire.Whole();
    if (script.fault == Fault::kReset || script.fault == Fault::kNeverEnds) {
      // The announced length is never delivered: half the body then a close, or nothing more.
      const size_t length = whole.size();
      res.set_content_provider(
          length, "application/json",
          [this, whole, fault = script.fault](size_t offset, size_t, httplib::DataSink& sink) {
            if (offset == 0 && fault == Fault::kReset) {
              sink.write(whole.data(), whole.size() / 2);
              return false;
            }
            while (sink.is_writable() && SleepUntil(Clock::now() + std::chrono::milliseconds(20))) {
            }
            return false;
          });
      return;
    }
    MarkSent(index, &RecordedRequest::first_token_sent_ms, t0);
    if (script.padding_bytes > 0) {
      const std::string head = "{\"padding\":\"";
      const std::string tail = "\"," + whole.substr(1);
      const size_t length = head.size() + script.padding_bytes + tail.size();
      res.set_content_provider(
          length, "application/json",
          [this, head, tail, length, index, t0](size_t offset, size_t, httplib::DataSink& sink) {
            const std::string piece(64 * 1024, 'x');
            if (offset == 0) return sink.write(head.data(), head.size());
            const size_t padding_end = length - tail.size();
            if (offset < padding_end) {
              return sink.write(piece.data(), std::min(piece.size(), padding_end - offset));
            }
            MarkSent(index, &RecordedRequest::last_byte_sent_ms, t0);
            return sink.write(tail.data(), tail.size());
          });
      return;
    }
    MarkSent(index, &RecordedRequest::last_byte_sent_ms, t0);
    res.set_content(whole, "application/json");
    return;
  }

  res.set_chunked_content_provider(
      ollama ? "application/x-ndjson" : "text/event-stream",
      [this, wire, script, token_time, index, t0](size_t, httplib::DataSink& sink) {
        const auto send = [&sink](const std::string& s) {
          return s.empty() || sink.write(s.data(), s.size());
        };
        if (!send(wire.Head())) return false;
        if (script.fault == Fault::kMalformed) {
          if (!SleepUntil(token_time(0)) || !send(wire.Malformed())) return false;
          sink.done();
          return true;
        }
        for (int i = 0; i < script.tokens; ++i) {
          if (!SleepUntil(token_time(i))) return false;
          if (script.fault == Fault::kReset && i == script.tokens / 2) return false;
          if (i == 0) MarkSent(index, &RecordedRequest::first_token_sent_ms, t0);
          if (!send(wire.Token(i))) return false;
          if (script.fault == Fault::kStreamError) {
            if (!send(wire.StreamError())) return false;
            sink.done();
            return true;
          }
        }
        if (script.fault == Fault::kNeverEnds) {
          const auto gap = std::max(script.per_token_delay, std::chrono::milliseconds(20));
          for (int i = script.tokens;; ++i) {
            if (!SleepUntil(Clock::now() + gap) || !send(wire.Token(i))) return false;
          }
        }
        MarkSent(index, &RecordedRequest::last_byte_sent_ms, t0);
        if (!send(wire.Tail() + (script.fault == Fault::kTruncated ? "" : wire.Terminal()))) {
          return false;
        }
        sink.done();
        return true;
      });
}

}  // namespace llmscope::testing
