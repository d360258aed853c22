// Beast's request parser (header-only, Debian's libboost1.81-dev) with the checks it leaves to its
// user: the project's request smuggling refusals and header field count (request_reader.h).
#include "http/request_reader.h"

#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>

namespace llmscope::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// What a scan of the header block found so far (ScanHeader).
struct HeaderScan {
  std::string_view refused;  // why the request is refused; "" when it is not
  bool complete = false;     // the blank line that ends the header has arrived
};

// Scans the header block at the start of `buffered`, from `from` on (where the last scan of the
// same, now grown, header stopped; updated), for its end and for a line break that another reader
// of the same bytes (a proxy) might read differently: a folded line (obs-fold: CRLF, then a space
// or tab), which Beast would unfold, a bare LF or a bare CR.
HeaderScan ScanHeader(std::string_view buffered, size_t& from) {
  size_t at = buffered.find_first_of("\r\n", from);
  // Each line break must be a CRLF, so what is found is a CR, at the start of one.
  for (; at != std::string_view::npos; at = buffered.find_first_of("\r\n", at + 2)) {
    if (buffered[at] == '\n') return {.refused = "a header line ends with a bare LF"};
    if (at + 1 == buffered.size()) break;
    if (buffered[at + 1] != '\n') return {.refused = "a header line holds a bare CR"};
    if (at + 2 == buffered.size()) break;
    const char next = buffered[at + 2];
    if (next == ' ' || next == '\t') return {.refused = "a header line is folded (obs-fold)"};
    if (next == '\r' && at + 3 < buffered.size() && buffered[at + 3] == '\n') {
      return {.refused = {}, .complete = true};
    }
    if (next == '\r' && at + 3 == buffered.size()) break;
  }
  // What follows the CR at `at` is still to come.
  from = at == std::string_view::npos ? buffered.size() : at;
  return {};
}

// Whether `value` is 1*DIGIT, the one form of a Content-Length that every reader reads alike.
bool IsDecimal(std::string_view value) {
  return !value.empty() && std::ranges::all_of(value, [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

struct RequestReader::Parser {
  beast::flat_buffer buffer;
  std::optional<bhttp::request_parser<bhttp::string_body>> message;
};

RequestReader::RequestReader(RequestLimits limits)
    : limits_(limits), parser_(std::make_unique<Parser>()) {}

RequestReader::~RequestReader() = default;

std::span<char> RequestReader::Prepare(size_t max_bytes) {
  const auto room = parser_->buffer.prepare(max_bytes);
  return {static_cast<char*>(room.data()), room.size()};
}

void RequestReader::Commit(size_t bytes) { parser_->buffer.commit(bytes); }

bool RequestReader::has_buffered() const { return parser_->buffer.size() > 0; }

void RequestReader::ReleaseIdleBuffer() {
  if (parser_->buffer.size() == 0) parser_->buffer.shrink_to_fit();
}

RequestReader::Step RequestReader::Next() {
  if (refused_) return Step::kRefused;
  auto& message = parser_->message;
  beast::flat_buffer& buffer = parser_->buffer;
  if (!message || message->is_done()) {
    message.emplace();
    message->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    message->body_limit(limits_.max_body_bytes);
    header_done_ = false;
    header_scanned_ = 0;
  }
  for (;;) {
    if (!header_done_) {
      // Beast is handed the header only once it is whole, so that how its bytes arrive cannot
      // change what Beast makes of it (Beast checks a partial header as far as it goes, but only
      // the first time it sees one). Scanned within the header limit only, so that what lies
      // beyond is refused as too large however the bytes arrive.
      const std::string_view buffered(static_cast<const char*>(buffer.cdata().data()),
                                      std::min(buffer.size(), limits_.max_header_bytes));
      const HeaderScan scan = ScanHeader(buffered, header_scanned_);
      if (!scan.refused.empty()) return Refuse(400, "bad_request", std::string(scan.refused));
      if (!scan.complete) {
        if (buffer.size() >= limits_.max_header_bytes) {
          return Refuse(431, "header_too_large", "the request's headers are too large");
        }
        return Step::kNeedMore;
      }
    } else if (buffer.size() == 0) {
      return Step::kNeedMore;
    }
    beast::error_code ec;
    const size_t used = message->put(buffer.cdata(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) {
      // Beast wants more of a header that has ended (a request line cut short, say): it
      // would wait for bytes that belong to the body or the next request.
      if (!message->is_header_done()) {
        return Refuse(400, "bad_request", "the request's header could not be read");
      }
      return Step::kNeedMore;
    }
    if (ec == bhttp::error::header_limit) {
      return Refuse(431, "header_too_large", "the request's headers are too large");
    }
    if (ec == bhttp::error::body_limit) {
      return Refuse(413, "body_too_large", "the request body is too large");
    }
    if (ec) return Refuse(400, "bad_request", "the request could not be read (" + ec.message() + ")");
    if (message->is_header_done() && !header_done_) {
      header_done_ = true;
      if (CheckHeader() == Step::kRefused) return Step::kRefused;
      if (!message->is_done()) return Step::kBodyFollows;
    }
    if (message->is_done()) return Step::kRequest;
    if (used == 0) return Step::kNeedMore;
  }
}

RequestReader::Step RequestReader::CheckHeader() {
  const auto& parser = *parser_->message;
  const auto& header = parser.get();
  header_field_count_ = static_cast<size_t>(std::distance(header.begin(), header.end()));
  if (header_field_count_ > limits_.max_header_count) {
    return Refuse(431, "header_too_large", "the request has too many header fields");
  }
  if (header.count(bhttp::field::content_length) > 1) {
    return Refuse(400, "bad_request", "the request has more than one Content-Length");
  }
  // Beast takes a list of equal values ("4, 4") as one, as RFC 9110 8.6 allows; a reader that
  // takes the first or the last of a list may not, so a list is refused like two fields.
  if (const auto length = header.find(bhttp::field::content_length);
      length != header.end() && !IsDecimal(length->value())) {
    return Refuse(400, "bad_request", "the request's Content-Length is not one decimal number");
  }
  if (header.count(bhttp::field::transfer_encoding) > 0 && !parser.chunked()) {
    return Refuse(400, "bad_request", "a request's Transfer-Encoding must end with chunked");
  }
  return Step::kNeedMore;
}

size_t RequestReader::body_deadline_bytes() const {
  return parser_->message->content_length().value_or(limits_.max_body_bytes);
}

bool RequestReader::expects_continue() const {
  return beast::iequals(parser_->message->get()[bhttp::field::expect], "100-continue");
}

ReadRequest RequestReader::Take() {
  auto& message = parser_->message->get();
  ReadRequest out;
  Request& req = out.request;
  req.method = std::string(message.method_string());
  const std::string_view target = message.target();
  const size_t question = target.find('?');
  req.raw_path = std::string(target.substr(0, question));
  req.path = DecodePercent(req.raw_path, false);
  if (question != std::string_view::npos) req.params = ParseQuery(target.substr(question + 1));
  // Beast appends a chunked body's trailer fields to the header's; they are dropped (RFC 9110
  // 6.5.1 lets a recipient discard them), so that no field arrives unchecked after the body.
  size_t fields = 0;
  for (const auto& field : message) {
    if (fields++ == header_field_count_) break;
    req.headers.emplace(std::string(field.name_string()), std::string(field.value()));
  }
  req.body = std::move(message.body());
  out.keep_alive = message.keep_alive();
  parser_->message.reset();
  return out;
}

const Refusal& RequestReader::refusal() const { return refusal_; }

RequestReader::Step RequestReader::Refuse(int status, std::string code, std::string message) {
  refused_ = true;
  refusal_ = {status, std::move(code), std::move(message)};
  return Step::kRefused;
}

}  // namespace llmscope::http
