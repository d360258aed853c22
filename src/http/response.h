// Response: what a route handler fills in: a status, headers and a body, or a stream.
//
// The member names follow cpp-httplib's (see request.h). The engine adds the server's default
// headers, Content-Length and Connection; a HEAD request gets the headers of its GET.
//
// A reply may also come later, from any thread, through a Responder (Router::PostAsync).
//
// A stream (set_stream) is a reply of unknown length, sent in chunks: after the headers the
// engine calls `opened` with an EventStream handle, and whoever holds it pushes data from any
// thread. No thread waits on a stream: a push only queues, and the connection's own I/O writes
// what is queued, all of it in one gather write. A client that falls `max_queued` pieces behind
// is dropped (its connection closed), so a reader that stopped never holds more than that, nor
// slows the pushing thread. A piece is encoded once and shared, never copied: one broadcast to
// many streams holds its bytes once (docs/design.md "HTTP engine").
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "http/request.h"

namespace llmscope::http {

// One piece of a stream's data, framed for the wire (an HTTP/1.1 chunk) once, then shared,
// read-only, by every stream it is pushed to. Cheap to copy.
class StreamData {
 public:
  explicit StreamData(std::string_view data);
  // The size in hex, CRLF, the data, CRLF.
  const std::string& chunk() const { return *chunk_; }

 private:
  std::shared_ptr<const std::string> chunk_;
};

// The pushing side of an open stream. Thread-safe.
class EventStream {
 public:
  virtual ~EventStream() = default;
  // Queues `data`, in order, for the client; never blocks. False once the stream has ended:
  // the client left, was dropped for falling behind, or the server is stopping.
  virtual bool Push(std::span<const StreamData> data) = 0;
  bool Push(const StreamData& data) { return Push(std::span<const StreamData>(&data, 1)); }
};

struct Response;

// The answering side of a request whose route replies later (Router::PostAsync). Thread-safe;
// the first Send is the reply, later ones are ignored. Released without a Send (every copy of
// the handle gone), the request is answered 500 "internal", so a lost completion never leaves
// its client waiting.
class Responder {
 public:
  virtual ~Responder() = default;
  virtual void Send(Response res) = 0;
};

struct StreamReply {
  // Called once, on an engine thread, when the headers and `first` are queued.
  std::function<void(std::shared_ptr<EventStream>)> opened;
  std::string first;  // sent right after the headers
  // Sent after each `idle_interval` in which nothing else was (keeps proxies from closing).
  std::string idle;
  std::chrono::milliseconds idle_interval{15000};
  std::string last;  // sent when the server stops, before it closes the stream
  size_t max_queued = 4096;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::optional<StreamReply> stream;

  // Sets `name` to `value`, replacing any earlier value.
  void set_header(std::string_view name, std::string_view value);
  void set_content(std::string content, std::string_view content_type);
  void set_content(const char* data, size_t size, std::string_view content_type);
  void set_stream(std::string_view content_type, StreamReply reply);
};

// {"error": {"code", "message"}} with `status`: the error shape of docs/design.md "HTTP API",
// for the replies the engine and the router make themselves.
void SetErrorReply(Response& res, int status, std::string_view code, std::string_view message);

}  // namespace llmscope::http
