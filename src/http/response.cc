#include "http/response.h"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

namespace llmscope::http {

StreamData::StreamData(std::string_view data) {
  std::array<char, 16> hex{};
  const auto end = std::to_chars(hex.begin(), hex.end(), data.size(), 16).ptr;
  chunk_ = std::make_shared<const std::string>(
      std::string(hex.begin(), end).append("\r\n").append(data).append("\r\n"));
}

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
