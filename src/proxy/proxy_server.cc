// The only file of the proxy that includes Boost.Beast and Asio (they are heavy to compile).
#include "proxy/proxy_server.h"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "proxy/call_meter.h"
#include "proxy/forwarded_headers.h"
#include "server/api_key.h"

namespace llmscope::proxy {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// A client connection with no request for this long is closed.
constexpr std::chrono::seconds kClientIdle{120};
constexpr size_t kRelayBufferBytes = size_t{16} * 1024;

using Request = http::request<http::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// A connection to one upstream, plain or TLS, kept across the requests of one client connection.
struct UpstreamConnection {
  size_t upstream = 0;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<TlsStream> tls;
  beast::flat_buffer buffer;

  beast::tcp_stream& tcp() const { return plain ? *plain : beast::get_lowest_layer(*tls); }
  void Close() {
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().socket().close(ignored);
  }
};

// How one exchange with the upstream went.
struct Exchange {
  bool replied = false;  // a status line came and was relayed; else the caller answers 502/504
  bool stale = false;    // failed before any reply: on a reused connection, try a fresh one
  bool upstream_reusable = false;
  bool client_usable = true;  // false: the client connection must close
  std::string error_kind, error_message;
  SteadyClock::time_point end;
};

std::string ErrorBody(std::string_view code, std::string_view message) {
  return nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

struct ProxyServer::Impl {
  ProxyOptions options;
  SampleSink& sink;
  asio::io_context io{1};
  asio::ssl::context tls_context{asio::ssl::context::tls_client};
  tcp::acceptor acceptor{io};
  std::thread thread;
  int port = 0;

  Impl(ProxyOptions o, SampleSink& s) : options(std::move(o)), sink(s) {
    tls_context.set_default_verify_paths();
    tls_context.set_verify_mode(asio::ssl::verify_peer);
  }

  asio::awaitable<void> Accept() {
    while (true) {
      auto [ec, socket] = co_await acceptor.async_accept(kAwait);
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) continue;  // e.g. out of file descriptors for a moment
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(io, ServeClient(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> ServeClient(beast::tcp_stream client) {
    beast::flat_buffer buffer;
    std::optional<UpstreamConnection> upstream;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.request_body_limit);
      client.expires_after(kClientIdle);
      auto [ec, n] = co_await http::async_read(client, buffer, parser, kAwait);
      client.expires_never();
      if (ec == http::error::body_limit) {
        co_await Reply(client, 413, "too_large", "the request body is over the proxy's limit",
                       false);
        break;
      }
      if (ec == http::error::end_of_stream || ec == asio::error::eof ||
          ec == beast::error::timeout || ec == asio::error::connection_reset ||
          ec == asio::error::operation_aborted) {
        break;
      }
      if (ec) {
        co_await Reply(client, 400, "bad_request", "not an HTTP request: " + ec.message(), false);
        break;
      }
      Request request = parser.release();
      const bool keep_alive = request.keep_alive();
      if (!co_await Handle(client, std::move(request), upstream, keep_alive) || !keep_alive) break;
    }
    beast::error_code ignored;
    client.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Sends the proxy's own JSON error reply. False when the client is gone.
  asio::awaitable<bool> Reply(beast::tcp_stream& client, int status, std::string_view code,
                              std::string_view message, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "application/json");
    res.body() = ErrorBody(code, message);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    auto [ec, n] = co_await http::async_write(client, res, kAwait);
    co_return !ec;
  }

  // One request: routed, checked, forwarded, measured. False when the client connection must
  // close.
  asio::awaitable<bool> Handle(beast::tcp_stream& client, Request request,
                               std::optional<UpstreamConnection>& upstream, bool keep_alive) {
    const auto start = SteadyClock::now();
    const int64_t start_wall_ms = SystemNowMs();
    const std::optional<Route> route = options.routes.Find(request.target());
    if (!route) {
      co_return co_await Reply(client, 404, "not_found",
                               "no upstream for this path: paths start with an upstream's name "
                               "(/<name>/...)",
                               keep_alive);
    }
    if (!options.required_key.empty() &&
        !server::KeysEqual(request[kProxyKeyHeader], options.required_key)) {
      co_return co_await Reply(
          client, 401, "unauthorized",
          "send the proxy key in the " + std::string(kProxyKeyHeader) + " header", keep_alive);
    }
    const Upstream& target = options.routes.upstreams()[route->upstream];
    const UpstreamUrl& url = options.routes.url(route->upstream);
    std::optional<CallMeter> meter;
    if (route->api != Api::kOther) {
      meter.emplace(target.provider, route->api, request.body(), std::string(request[kAppHeader]),
                    start_wall_ms, start);
    }

    Request out{request.method(), route->target, 11};
    const std::string connection(request[http::field::connection]);
    for (const auto& field : request) {
      const http::field name = field.name();
      if (name == http::field::host || name == http::field::content_length ||
          name == http::field::transfer_encoding || !IsForwarded(field.name_string(), connection)) {
        continue;
      }
      out.insert(field.name_string(), field.value());
    }
    const bool default_port = url.port == (url.tls ? "443" : "80");
    out.set(http::field::host, default_port ? url.host : url.host + ":" + url.port);
    out.body() = std::move(request.body());
    out.prepare_payload();
    out.keep_alive(true);

    if (upstream && upstream->upstream != route->upstream) {
      upstream->Close();
      upstream.reset();
    }
    Exchange result;
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool reused = upstream.has_value();
      if (!upstream) {
        std::string failure;
        upstream = co_await Connect(route->upstream, url, failure);
        if (!upstream) {
          result.error_kind = failure == "timeout" ? "timeout" : "refused";
          result.error_message = "cannot reach upstream " + target.name + ": " + failure;
          result.end = SteadyClock::now();
          break;
        }
      }
      if (upstream->plain) {
        result = co_await Relay(*upstream->plain, *upstream, client, out, meter, keep_alive);
      } else {
        result = co_await Relay(*upstream->tls, *upstream, client, out, meter, keep_alive);
      }
      if (!result.upstream_reusable) {
        upstream->Close();
        upstream.reset();
      }
      if (!(result.stale && reused)) break;
    }
    if (!result.replied) {
      const bool timed_out = result.error_kind == "timeout";
      result.client_usable = co_await Reply(client, timed_out ? 504 : 502,
                                            timed_out ? "upstream_timeout" : "bad_gateway",
                                            result.error_message, keep_alive);
    }
    if (meter) {
      sink.Offer(meter->Finish(
          CallMeter::Ending{result.end, result.error_kind, std::move(result.error_message)},
          options.prices));
    }
    co_return result.client_usable;
  }

  // A new connection to upstream `index`; nullopt with `failure` set when it cannot be made.
  asio::awaitable<std::optional<UpstreamConnection>> Connect(size_t index, const UpstreamUrl& url,
                                                             std::string& failure) {
    // An IP address needs no resolver (whose first use starts a thread and reads the system's
    // name service configuration).
    beast::error_code literal;
    const asio::ip::address address = asio::ip::make_address(url.host, literal);
    tcp::resolver::results_type endpoints;
    if (!literal) {
      endpoints = tcp::resolver::results_type::create(
          tcp::endpoint(address, static_cast<unsigned short>(std::stoi(url.port))), url.host,
          url.port);
    } else {
      tcp::resolver resolver(io);
      auto [rec, resolved] = co_await resolver.async_resolve(url.host, url.port, kAwait);
      if (rec) {
        failure = "cannot resolve " + url.host + ": " + rec.message();
        co_return std::nullopt;
      }
      endpoints = std::move(resolved);
    }
    UpstreamConnection c;
    c.upstream = index;
    if (url.tls) {
      c.tls = std::make_unique<TlsStream>(io, tls_context);
    } else {
      c.plain = std::make_unique<beast::tcp_stream>(io);
    }
    c.tcp().expires_after(options.connect_timeout);
    auto [cec, endpoint] = co_await c.tcp().async_connect(endpoints, kAwait);
    if (cec) {
      failure = cec == beast::error::timeout ? "timeout" : cec.message();
      co_return std::nullopt;
    }
    beast::error_code ignored;
    c.tcp().socket().set_option(tcp::no_delay(true), ignored);
    if (c.tls) {
      // SNI, and the certificate checked against the host name.
      if (SSL_set_tlsext_host_name(c.tls->native_handle(), url.host.c_str()) != 1) {
        failure = "cannot set the TLS server name";
        co_return std::nullopt;
      }
      c.tls->set_verify_callback(asio::ssl::host_name_verification(url.host));
      auto [hec] = co_await c.tls->async_handshake(asio::ssl::stream_base::client, kAwait);
      if (hec) {
        failure = hec == beast::error::timeout ? "timeout" : "TLS: " + hec.message();
        co_return std::nullopt;
      }
    }
    c.tcp().expires_never();
    co_return std::optional<UpstreamConnection>(std::move(c));
  }

  // Sends the request upstream and relays the reply to the client as it arrives.
  template <typename Stream>
  asio::awaitable<Exchange> Relay(Stream& up, UpstreamConnection& connection,
                                  beast::tcp_stream& client, Request& out,
                                  std::optional<CallMeter>& meter, bool keep_alive) {
    Exchange x;
    beast::tcp_stream& up_tcp = connection.tcp();
    up_tcp.expires_after(options.upstream_idle_timeout);
    auto [wec, wn] = co_await http::async_write(up, out, kAwait);
    if (wec) {
      x.stale = true;
      x.error_kind = wec == beast::error::timeout ? "timeout" : "refused";
      x.error_message = "sending the request upstream failed: " + wec.message();
      x.end = SteadyClock::now();
      co_return x;
    }
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    up_tcp.expires_after(options.upstream_idle_timeout);
    auto [hec, hn] = co_await http::async_read_header(up, connection.buffer, parser, kAwait);
    if (hec) {
      x.stale = hec == http::error::end_of_stream || hec == asio::error::connection_reset;
      x.error_kind = hec == beast::error::timeout ? "timeout" : "refused";
      x.error_message = "no reply from the upstream: " + hec.message();
      x.end = SteadyClock::now();
      co_return x;
    }
    x.replied = true;
    http::response<http::buffer_body>& res = parser.get();
    if (meter) {
      meter->OnReplyHead(res.result_int(), res[http::field::content_type],
                         res[http::field::content_encoding]);
    }
    const bool upstream_keep_alive = res.keep_alive();
    const std::string connection_header(res[http::field::connection]);
    std::vector<std::string> dropped;
    for (const auto& field : res) {
      if (!IsForwarded(field.name_string(), connection_header)) {
        dropped.emplace_back(field.name_string());
      }
    }
    for (const std::string& name : dropped) res.erase(name);
    res.keep_alive(keep_alive);

    std::array<char, kRelayBufferBytes> chunk{};
    http::response_serializer<http::buffer_body> serializer{res};
    auto [sec, sn] = co_await http::async_write_header(client, serializer, kAwait);
    bool client_gone = static_cast<bool>(sec);
    bool upstream_failed = false;
    while (!client_gone) {
      if (!parser.is_done()) {
        res.body().data = chunk.data();
        res.body().size = chunk.size();
        up_tcp.expires_after(options.upstream_idle_timeout);
        auto [rec, rn] = co_await http::async_read_some(up, connection.buffer, parser, kAwait);
        if (rec == http::error::need_buffer) rec = {};
        const auto at = SteadyClock::now();
        const size_t got = chunk.size() - res.body().size;
        if (meter) meter->OnReplyBody(std::string_view(chunk.data(), got), at);
        if (rec) {
          upstream_failed = true;
          x.error_kind = rec == beast::error::timeout ? "timeout" : "truncated";
          x.error_message = "the upstream broke off mid-reply: " + rec.message();
          x.end = at;
          // What came so far still reaches the client.
          if (got > 0) {
            res.body().data = chunk.data();
            res.body().size = got;
            res.body().more = true;
            co_await http::async_write(client, serializer, kAwait);
          }
          break;
        }
        if (parser.is_done()) x.end = at;
        // Nothing of the body yet (a chunk header, say): an empty write would end a chunked reply.
        if (got == 0 && !parser.is_done()) continue;
        res.body().data = chunk.data();
        res.body().size = got;
        res.body().more = !parser.is_done();
      } else {
        res.body().data = nullptr;
        res.body().size = 0;
        res.body().more = false;
      }
      auto [cec, cn] = co_await http::async_write(client, serializer, kAwait);
      if (cec == http::error::need_buffer) cec = {};
      if (cec) {
        client_gone = true;
        break;
      }
      if (serializer.is_done()) break;
    }
    up_tcp.expires_never();
    if (client_gone && !upstream_failed) {
      x.error_kind = "cancelled";
      x.error_message = "the client went away mid-reply";
      x.end = SteadyClock::now();
    }
    x.upstream_reusable = !client_gone && !upstream_failed && upstream_keep_alive;
    x.client_usable = !client_gone && !upstream_failed;
    co_return x;
  }
};

ProxyServer::ProxyServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ProxyServer::~ProxyServer() {
  Stop();
}

Result<std::unique_ptr<ProxyServer>> ProxyServer::Start(ProxyOptions options, SampleSink& sink) {
  auto impl = std::make_unique<Impl>(std::move(options), sink);
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(impl->options.host, ec);
  if (ec) {
    return Error{"listen",
                 "proxy listen address '" + impl->options.host + "' is not an IP address"};
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(impl->options.port));
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{"listen", "cannot listen on " + impl->options.host + ":" +
                               std::to_string(impl->options.port) +
                               " for the proxy: " + ec.message()};
  }
  impl->port = impl->acceptor.local_endpoint().port();
  Impl& running = *impl;
  asio::co_spawn(running.io, running.Accept(), asio::detached);
  running.thread = std::thread([&running] { running.io.run(); });
  return std::unique_ptr<ProxyServer>(new ProxyServer(std::move(impl)));
}

int ProxyServer::port() const {
  return impl_->port;
}

void ProxyServer::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace llmscope::proxy
