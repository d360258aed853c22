// Incremental parsers for streamed provider replies: Server-Sent Events (OpenAI, Anthropic) and
// newline-delimited JSON (Ollama). Pure: bytes in, complete events or lines out; no I/O.
//
// Both accept the body in chunks split anywhere (inside a line, between \r and \n) and give the
// same result as for the whole body at once. A line longer than kMaxLineBytes sets overflowed()
// and the parser drops input from then on, so no reply can exhaust memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace llmscope::probe {

inline constexpr size_t kMaxLineBytes = 4u << 20;

// One dispatched SSE event (WHATWG HTML "Server-sent events" parsing): `event` is the value of
// the last event: field ("" when none), `data` the data: lines joined by "\n".
struct SseEvent {
  std::string event;
  std::string data;
};

// Lines end with \r\n, \n or \r; a blank line dispatches the event being built (only if it has
// data); lines starting with ':' are comments; one space after the colon is dropped; id: and
// retry: are accepted and ignored. An event not closed by a blank line at the end of the stream
// is not dispatched.
class SseParser {
 public:
  // Appends the events completed by `bytes` to `out`.
  void Feed(std::string_view bytes, std::vector<SseEvent>& out);
  bool overflowed() const { return overflowed_; }

 private:
  void Line(std::string_view line, std::vector<SseEvent>& out);

  std::string line_;
  bool after_cr_ = false;  // the previous byte was a \r ending a line; a \n next is part of it
  bool overflowed_ = false;
  SseEvent current_;
  bool has_data_ = false;
};

// Splits a byte stream at \n; strips a trailing \r; skips blank lines.
class LineSplitter {
 public:
  // Appends the lines completed by `bytes` to `out`.
  void Feed(std::string_view bytes, std::vector<std::string>& out);
  // At the end of the stream: appends a last line that had no final newline, if any.
  void Finish(std::vector<std::string>& out);
  bool overflowed() const { return overflowed_; }

 private:
  void Emit(std::vector<std::string>& out);

  std::string line_;
  bool overflowed_ = false;
};

}  // namespace llmscope::probe
