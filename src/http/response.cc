#include "http/response.h"

#include <nlohmann/json.hpp>

namespace llmscope::http {

void Response::set_header(std::string_view name, std::string_view value) {
  headers.erase(std::string(name));
  headers.emplace(name, value);
}

void Response::set_content(std::string content, std::string_view content_type) {
  body = std::move(content);
  set_header("Content-Type", content_type);
}

void Response::set_content(const char* data, size_t size, std::string_view content_type) {
  set_content(std::string(data, size), content_type);
}

void Response::set_stream(std::string_view content_type, StreamReply reply) {
  body.clear();
  set_header("Content-Type", content_type);
  stream = std::move(reply);
}

void SetErrorReply(Response& res, int status, std::string_view code, std::string_view message) {
  res.status = status;
  const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

}  // namespace llmscope::http
