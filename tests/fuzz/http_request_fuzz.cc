// Fuzzes the HTTP engine's request reader (http/request_reader.h): the bytes a client sends on one
// connection. The first byte gives the size of the pieces the rest arrives in. Properties: the
// reader never crashes; it reads the same requests, announcements and refusal status from the
// pieces as from the bytes at once (but for a malformed chunked body, refused or awaited
// differently; request_reader.h); a refusal has a documented status and code; a request
// it gives stays within the limits and could be read only one way (one Content-Length, never with
// a Transfer-Encoding, no line break within a header).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "http/request_reader.h"

namespace {

using llmscope::http::ReadRequest;
using llmscope::http::RequestLimits;
using llmscope::http::RequestReader;
using Step = RequestReader::Step;

// Small, so that the fuzzer reaches every limit.
constexpr RequestLimits kLimits{.max_header_bytes = 512, .max_header_count = 8,
                                .max_body_bytes = 1024};

void CheckRequest(const ReadRequest& read) {
  const auto& req = read.request;
  FUZZ_CHECK(req.body.size() <= kLimits.max_body_bytes);
  FUZZ_CHECK(req.headers.size() <= kLimits.max_header_count);
  FUZZ_CHECK(req.headers.count("Content-Length") <= 1);
  FUZZ_CHECK(!(req.has_header("Content-Length") && req.has_header("Transfer-Encoding")));
  for (const auto& [name, value] : req.headers) {
    FUZZ_CHECK(name.find_first_of("\r\n") == std::string::npos);
    FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos);
  }
}

void CheckRefusal(const llmscope::http::Refusal& refusal) {
  FUZZ_CHECK((refusal.status == 400 && refusal.code == "bad_request") ||
             (refusal.status == 413 && refusal.code == "body_too_large") ||
             (refusal.status == 431 && refusal.code == "header_too_large"));
  FUZZ_CHECK(!refusal.message.empty());
}

// Everything the reader says about `bytes` fed `piece` bytes at a time, as text.
std::string Read(std::string_view bytes, size_t piece) {
  RequestReader reader(kLimits);
  std::string out;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    const std::string_view part = bytes.substr(at, piece);
    const auto room = reader.Prepare(part.size());
    std::memcpy(room.data(), part.data(), part.size());
    reader.Commit(part.size());
    for (Step step = reader.Next(); step != Step::kNeedMore; step = reader.Next()) {
      if (step == Step::kRefused) {
        CheckRefusal(reader.refusal());
        FUZZ_CHECK(reader.Next() == Step::kRefused);
        // Not the message: a request with two faults may be refused for either, as the
        // bytes arrive (request_reader.h).
        return out + "refused " + std::to_string(reader.refusal().status) + "\n";
      }
      if (step == Step::kBodyFollows) {
        FUZZ_CHECK(reader.body_deadline_bytes() <= kLimits.max_body_bytes);
        out += "announced body " + std::to_string(reader.body_deadline_bytes()) +
               (reader.expects_continue() ? " continue\n" : "\n");
        continue;
      }
      const ReadRequest read = reader.Take();
      CheckRequest(read);
      const auto& req = read.request;
      out += req.method + " " + req.path + (read.keep_alive ? " keep-alive\n" : " close\n");
      for (const auto& [name, value] : req.params) out += "param " + name + "=" + value + "\n";
      for (const auto& [name, value] : req.headers) out += "header " + name + ": " + value + "\n";
      out += "content " + req.body + "\n";
    }
  }
  return out;
}

// `out` (Read's) without its closing refusal, if any.
std::string_view WithoutRefusal(std::string_view out) {
  const size_t last_line = out.empty() ? 0 : out.rfind('\n', out.size() - 2) + 1;
  return out.substr(last_line).starts_with("refused ") ? out.substr(0, last_line) : out;
}

// Beast may refuse a malformed chunked body at once from some splits, and from others wait for
// more bytes or refuse it as too large (request_reader.h): the two read the same up to that
// body's announcement, and nothing after it.
bool DifferOnlyInAChunkedBody(std::string_view a, std::string_view b) {
  const std::string_view read = WithoutRefusal(a);
  if (read != WithoutRefusal(b) || read.empty()) return false;
  const size_t last_line = read.rfind('\n', read.size() - 2) + 1;
  return read.substr(last_line).starts_with("announced body ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t piece = size_t{data[0]} % 64 + 1;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string whole = Read(bytes, bytes.size() + 1);
  const std::string pieces = Read(bytes, piece);
  FUZZ_CHECK(whole == pieces || DifferOnlyInAChunkedBody(whole, pieces));
  return 0;
}
