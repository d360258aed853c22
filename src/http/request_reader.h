// RequestReader: the bytes a client sends on one connection, read into requests. It is the pure
// part of the HTTP engine (server.h), free of sockets and clocks, so that it can be tested and
// fuzzed on bytes alone (tests/fuzz/http_request_fuzz.cc); docs/design.md "HTTP engine".
//
// Bytes arrive through Prepare/Commit (the socket reads straight into the reader's buffer); Next()
// reads what is buffered and says what happened:
//   - kNeedMore: nothing more until more bytes arrive;
//   - kBodyFollows: a request's header is complete and accepted and its body is still to come:
//     body_deadline_bytes() is its declared size (max_body_bytes for a chunked body), and
//     expects_continue() says that the client waits for "100 Continue" before it sends it;
//   - kRequest: a request is complete; Take() gives it, and the next Next() reads the request
//     after it (pipelined bytes stay buffered);
//   - kRefused: the request cannot be read, or could be read two ways; refusal() says why, and
//     every later Next() refuses again (the connection is to be answered and closed).
// Refusals: 431 for headers beyond max_header_bytes (even before they end) or beyond
// max_header_count fields; 413 for a body beyond max_body_bytes, from its Content-Length before
// the body is read; 400 for what the parser cannot read (a bare CR among them) and for requests
// another reader of the same bytes might split differently (request smuggling): Content-Length
// with Transfer-Encoding, a Transfer-Encoding that does not end with chunked, two Content-Lengths
// (even equal, as two fields or as a list in one), a folded header line (obs-fold), a bare LF or CR. A chunked body's trailer fields
// are read and dropped.
// How the bytes are split across Commit calls never changes what is read, nor a refusal's status
// (its message may name another fault of the same request, the first one seen), with one
// exception: Beast may refuse a malformed chunked body (a bad chunk extension, say) from some
// splits as unreadable (400), from others as too large (413) or not yet (the body's deadline then
// answers 408); no request is read after it either way.
// Not thread-safe: one connection's strand uses it.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "http/request.h"

namespace llmscope::http {

struct RequestLimits {
  size_t max_header_bytes = size_t{16} * 1024;
  size_t max_header_count = 100;
  size_t max_body_bytes = 1 << 20;
};

// A request read off the connection. `request.remote_addr` is left for the caller to set.
struct ReadRequest {
  Request request;
  bool keep_alive = true;  // false when the client asked to close (or spoke HTTP/1.0 without)
};

struct Refusal {
  int status = 400;
  std::string code;  // "bad_request", "header_too_large", "body_too_large"
  std::string message;
};

class RequestReader {
 public:
  enum class Step { kNeedMore, kBodyFollows, kRequest, kRefused };

  explicit RequestReader(RequestLimits limits);
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Room for up to `max_bytes` more bytes; Commit(n) then adds the first n written there.
  std::span<char> Prepare(size_t max_bytes);
  void Commit(size_t bytes);

  Step Next();

  // After kBodyFollows.
  size_t body_deadline_bytes() const;
  bool expects_continue() const;
  // After kRequest (once).
  ReadRequest Take();
  // After kRefused.
  const Refusal& refusal() const;

  // Bytes received and not yet read into a request (a pipelined request's, say).
  bool has_buffered() const;
  // Frees the buffer's memory when nothing is buffered (an idle connection holds none).
  void ReleaseIdleBuffer();

 private:
  struct Parser;  // Beast's parser and buffer (request_reader.cc)
  Step Refuse(int status, std::string code, std::string message);
  // Checks a complete header; kRefused, or kNeedMore when it is accepted.
  Step CheckHeader();

  const RequestLimits limits_;
  std::unique_ptr<Parser> parser_;
  bool header_done_ = false;
  size_t header_scanned_ = 0;
  size_t header_field_count_ = 0;  // the header's fields, before any trailer  // how far the header was scanned for ambiguous line breaks
  Refusal refusal_;
  bool refused_ = false;
};

}  // namespace llmscope::http
