// Server: an event-driven HTTP/1.1 server (Boost.Beast's parser on Boost.Asio) in front of a
// Router. docs/design.md "HTTP engine" explains the choices.
//
// A connection costs a socket and a few KB, never a thread: `io_threads` run every socket's I/O
// and `handler_threads` run the route handlers (which may block on the store), one request of a
// connection at a time, so keep-alive and pipelined requests are answered in order. An
// asynchronous route (Router::PostAsync) with a body up to 64 KiB is dispatched on the I/O
// thread and holds no thread until its Responder replies; a stream (Response::stream) costs no
// thread at all.
//
// Limits, each answered with the JSON error shape and a closed connection, the server staying up:
//   - the request line and headers must arrive within `header_deadline` (408), within
//     `max_header_bytes` (431) and `max_header_count` fields (431);
//   - a body within `body_deadline` plus its declared size at `min_body_rate` (408), and at most
//     `max_body_bytes`, refused (413) from its Content-Length before it is read;
//   - a request the parser cannot read, or that could be read two ways (Content-Length with
//     Transfer-Encoding, two Content-Lengths, a folded header line, a bare CR) gets 400;
//   - beyond `max_connections_per_address` open connections from one address, a new one gets
//     429 and is closed.
// A connection idle between requests for `idle_timeout` is closed.
//
// Stop() (thread-safe, e.g. from a signal thread) stops accepting, closes idle connections, lets
// requests in flight finish and answer (with "Connection: close"), sends each stream its `last`
// data and closes it; after `shutdown_grace` whatever is left is cut. Serve() then returns, once
// every Responder handed to an asynchronous route has been released.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/request.h"
#include "http/router.h"

namespace llmscope::http {

struct ServerCore;  // the engine's state (server.cc)

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  int io_threads = 1;
  int handler_threads = 16;
  size_t max_header_bytes = size_t{16} * 1024;
  size_t max_header_count = 100;
  size_t max_body_bytes = 1 << 20;
  std::chrono::milliseconds header_deadline{10000};
  std::chrono::milliseconds body_deadline{10000};
  size_t min_body_rate = size_t{64} * 1024;  // bytes/s a declared body adds to its deadline
  std::chrono::milliseconds idle_timeout{120000};
  int max_connections_per_address = 512;
  std::chrono::milliseconds shutdown_grace{10000};
  Headers default_headers;  // on every reply, the engine's own errors included
};

class Server {
 public:
  // `router` must outlive the server.
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the port (useful with port 0). "bind_failed" on error.
  Result<int> Bind();
  // Serves until Stop() has finished. Call after Bind().
  void Serve();
  // Thread-safe; returns at once (Serve returns when the shutdown is done).
  void Stop();

 private:
  std::unique_ptr<ServerCore> core_;
};

}  // namespace llmscope::http
