// Fuzzes the provider stream parsers (probe/stream_parsers.h), SSE and NDJSON, on one input: the
// first two bytes give a split point, the rest is the body. Each parser must never crash and must
// give the same events or lines for the body fed in two chunks as for the body fed at once (the
// header's contract), and no line it gives may hold a line break.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "probe/stream_parsers.h"

namespace {

using llmscope::probe::LineSplitter;
using llmscope::probe::SseEvent;
using llmscope::probe::SseParser;

std::vector<SseEvent> Sse(std::string_view a, std::string_view b) {
  SseParser p;
  std::vector<SseEvent> out;
  p.Feed(a, out);
  p.Feed(b, out);
  return out;
}

std::vector<std::string> Lines(std::string_view a, std::string_view b) {
  LineSplitter p;
  std::vector<std::string> out;
  p.Feed(a, out);
  p.Feed(b, out);
  p.Finish(out);
  return out;
}

bool SameEvents(const std::vector<SseEvent>& x, const std::vector<SseEvent>& y) {
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].event != y[i].event || x[i].data != y[i].data) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
  const size_t split = (static_cast<size_t>(data[0]) << 8 | data[1]) % (body.size() + 1);
  const std::string_view head = body.substr(0, split), tail = body.substr(split);

  const std::vector<SseEvent> whole = Sse(body, {});
  FUZZ_CHECK(SameEvents(whole, Sse(head, tail)));
  for (const SseEvent& e : whole) {
    FUZZ_CHECK(e.event.find_first_of("\r\n") == std::string::npos);
  }

  const std::vector<std::string> lines = Lines(body, {});
  FUZZ_CHECK(lines == Lines(head, tail));
  for (const std::string& line : lines) {
    FUZZ_CHECK(!line.empty() && line.find('\n') == std::string::npos);
  }
  return 0;
}
