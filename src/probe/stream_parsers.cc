#include "probe/stream_parsers.h"

namespace llmscope::probe {

void SseParser::Feed(std::string_view bytes, std::vector<SseEvent>& out) {
  for (const char c : bytes) {
    if (overflowed_) return;
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      Line(line_, out);
      line_.clear();
      continue;
    }
    if (line_.size() >= kMaxLineBytes) {
      overflowed_ = true;
      return;
    }
    line_.push_back(c);
  }
}

void SseParser::Line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    if (has_data_) {
      if (!current_.data.empty() && current_.data.back() == '\n') current_.data.pop_back();
      out.push_back(std::move(current_));
    }
    current_ = SseEvent{};
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // comment
  std::string_view field = line;
  std::string_view value;
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (current_.data.size() + value.size() >= kMaxLineBytes) {
      overflowed_ = true;
      return;
    }
    current_.data.append(value);
    current_.data.push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    current_.event = std::string(value);
  }
}

void LineSplitter::Feed(std::string_view bytes, std::vector<std::string>& out) {
  while (!bytes.empty() && !overflowed_) {
    const size_t nl = bytes.find('\n');
    const std::string_view part = bytes.substr(0, nl);
    if (line_.size() + part.size() > kMaxLineBytes) {
      overflowed_ = true;
      return;
    }
    line_.append(part);
    if (nl == std::string_view::npos) return;
    Emit(out);
    bytes.remove_prefix(nl + 1);
  }
}

void LineSplitter::Finish(std::vector<std::string>& out) {
  if (!overflowed_) Emit(out);
}

void LineSplitter::Emit(std::vector<std::string>& out) {
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (!line_.empty()) out.push_back(std::move(line_));
  line_.clear();
}

}  // namespace llmscope::probe
