// The one translation unit that includes Boost.Asio (docs/design.md "HTTP engine"); Beast's
// parser is behind request_reader.h. The rest of the project sees only server.h, request.h and
// response.h.
#include "http/server.h"

#include "http/gzip.h"
#include "http/request_reader.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/status.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

namespace llmscope::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
// A connection's strand: its socket's executor (accepted on a strand of its own).
using Strand = asio::any_io_executor;

// Reads while the headers arrive are small, so that a slow client holds little memory.
constexpr size_t kHeaderReadChunk = 1024;
constexpr size_t kBodyReadChunk = size_t{16} * 1024;
// How long a closing connection is read (and discarded) after the reply, so that the client
// gets the reply rather than a reset for the bytes it sent that were not read.
constexpr std::chrono::milliseconds kLinger{1000};
// An asynchronous route's request with a body up to this size is dispatched on the I/O thread
// itself (its handler parses it there: tens of µs for one sample, ~0.1 ms at this size); a
// larger one on a handler thread, so that a big parse never holds up the other connections.
constexpr size_t kInlineBodyBytes = size_t{64} * 1024;

// "HTTP/1.1 200 OK\r\n" and the headers (the defaults unless the reply sets the same name),
// ending with the blank line.
std::string HeadText(int status, const Headers& defaults, const Headers& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " ";
  out += std::string_view(bhttp::obsolete_reason(static_cast<bhttp::status>(status)));
  out += "\r\n";
  auto add = [&out](const std::string& name, const std::string& value) {
    out.append(name).append(": ").append(value).append("\r\n");
  };
  for (const auto& [name, value] : defaults) {
    if (!headers.contains(name)) add(name, value);
  }
  for (const auto& [name, value] : headers) add(name, value);
  out += "\r\n";
  return out;
}

}  // namespace

class Session;

struct ServerCore {
  ServerCore(ServerOptions o, const Router& r)
      : options(std::move(o)),
        router(r),
        control(asio::make_strand(io)),
        acceptor(control),
        accept_retry(control),
        handlers(static_cast<size_t>(std::max(1, options.handler_threads))),
        work(asio::make_work_guard(io)),
        grace(control) {}

  void Accept();
  // Counts a new connection of `address`; false when the address has its maximum open.
  bool Admit(const std::string& address);
  // From a connection's destructor.
  void Release(const std::string& address, Session* session);
  void BeginShutdown();
  void FinishShutdown();
  // Serve() returns only once every Responder is released: a late reply must not outlive the
  // connections' I/O context.
  void ReplyOpened();
  void ReplyReleased();
  void AwaitRepliesReleased();

  const ServerOptions options;
  const Router& router;

  // Declared before the I/O context: connections still queued in it when it is destroyed
  // release themselves here.
  std::mutex mu;
  std::map<std::string, int> per_address;
  std::map<Session*, std::weak_ptr<Session>> sessions;
  bool stopping = false;
  int open_replies = 0;
  std::condition_variable replies_released;

  asio::io_context io;
  // The listener, its timers and the shutdown's steps run here, whatever the I/O threads.
  asio::strand<asio::io_context::executor_type> control;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  asio::thread_pool handlers;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  asio::steady_timer grace;
};

// The pushing side of a streamed reply: a bounded queue that its connection drains.
class StreamQueue : public EventStream {
 public:
  StreamQueue(Strand strand, std::weak_ptr<Session> session, size_t max_queued)
      : strand_(std::move(strand)), session_(std::move(session)), max_queued_(max_queued) {}
  using EventStream::Push;
  bool Push(std::span<const StreamData> data) override;

  // For the connection: what is queued, oldest first (empty when nothing is).
  std::vector<StreamData> Take();
  // Refuses further pushes (what is queued can still be taken).
  void End();

 private:
  const Strand strand_;
  const std::weak_ptr<Session> session_;
  const size_t max_queued_;
  std::mutex mu_;
  std::vector<StreamData> queue_;
  bool ended_ = false;
  bool flush_posted_ = false;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerCore& server, tcp::socket socket, std::string address, bool admitted)
      : server_(server),
        socket_(std::move(socket)),
        strand_(socket_.get_executor()),
        address_(std::move(address)),
        admitted_(admitted),
        timer_(strand_),
        reader_(RequestLimits{server.options.max_header_bytes, server.options.max_header_count,
                              server.options.max_body_bytes}) {}
  ~Session() {
    try {
      if (stream_) stream_->End();
      if (admitted_) server_.Release(address_, this);
    } catch (...) {
      // Only a mutex that cannot lock throws here; the count then stays as it was.
    }
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Strand& strand() const { return strand_; }

  // The methods below run on the connection's strand.
  void Start() {
    if (!admitted_) {
      return Fail(429, "too_many_connections", "this address has too many open connections");
    }
    AwaitRequest();
  }
  // The server is stopping (see server.h).
  void Shutdown();
  // The reply to the request being handled.
  void Reply(Response res);
  // Writes what the stream has queued, unless a write is in progress (it will, when done).
  void FlushStream();
  // The stream's client fell too far behind.
  void DropStream() { Close(); }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kStreaming, kLingering, kClosed };

  void AwaitRequest();
  void BeginRequest();
  void ReadMore();
  void Parse();
  // The header is accepted and a body follows: its deadline, and "100 Continue" if asked for.
  void AwaitBody();
  void Handle(ReadRequest read);
  void StartStream(Response res);
  void Write(std::string data);
  // Writes `frames`' chunks, then `tail`, in one gather write: the frames' bytes are shared
  // with the other streams they were pushed to, never copied (response.h).
  void WriteStream(std::vector<StreamData> frames, std::string tail);
  void OnWritten();
  void Fail(int status, std::string_view code, std::string_view message);
  // The connection's one deadline, `after` from now: what it is in, when it passes
  // (OnDeadline). Moving it later re-arms nothing: the armed wait, when it expires, re-arms itself
  // for the deadline then in force, so a keep-alive request (four deadlines: idle, header, write,
  // idle) costs no timer operation unless a deadline comes earlier than the armed one.
  void SetDeadline(std::chrono::milliseconds after);
  // No deadline while the request is handled (the armed wait then expires without effect).
  void ClearDeadline() { deadline_ = Clock::time_point::max(); }
  void ArmTimer();
  // body_deadline plus `bytes` at min_body_rate: the time to move a message of that size.
  std::chrono::milliseconds TransferDeadline(size_t bytes) const;
  void OnDeadline();
  void WatchForClose();
  void Linger();
  void Close();

  ServerCore& server_;
  tcp::socket socket_;
  const Strand strand_;
  const std::string address_;
  const bool admitted_;
  using Clock = asio::steady_timer::clock_type;
  asio::steady_timer timer_;
  uint64_t timer_generation_ = 0;  // the armed wait's; a wait of an older one does nothing
  Clock::time_point deadline_ = Clock::time_point::max();  // max: none
  bool timer_armed_ = false;
  Clock::time_point armed_until_{};  // when the armed wait expires
  RequestReader reader_;
  State state_ = State::kIdle;
  bool header_checked_ = false;
  bool timed_out_ = false;
  bool keep_alive_ = true;
  bool head_ = false;
  bool writing_ = false;
  bool close_after_write_ = false;
  std::string out_;  // the bytes being written
  // A stream's write in progress: its frames, and the buffers naming them.
  std::vector<StreamData> out_frames_;
  std::vector<asio::const_buffer> out_buffers_;
  std::optional<StreamReply> stream_reply_;
  std::optional<StreamData> stream_idle_;  // stream_reply_->idle, shared by each idle push
  std::shared_ptr<StreamQueue> stream_;
  std::string stream_tail_;  // the last event and the final chunk, once the stream ends
  bool stream_wrote_ = false;  // since the last idle tick
  std::array<char, 512> discard_{};
};

// A request's reply, sent from whichever thread completes it: posted to its connection's strand.
class PendingReply : public Responder {
 public:
  PendingReply(ServerCore& server, std::shared_ptr<Session> session, bool client_takes_gzip)
      : server_(server), session_(std::move(session)), gzip_(client_takes_gzip) {
    server_.ReplyOpened();
  }
  ~PendingReply() override {
    try {
      if (session_) {
        Response res;
        SetErrorReply(res, 500, "internal", "the request failed inside the server");
        Send(std::move(res));
      }
      server_.ReplyReleased();
    } catch (...) {
      // Only a mutex that cannot lock, or no memory for the reply, throws here.
    }
  }
  PendingReply(const PendingReply&) = delete;
  PendingReply& operator=(const PendingReply&) = delete;

  void Send(Response res) override;

 private:
  ServerCore& server_;
  std::mutex mu_;
  std::shared_ptr<Session> session_;  // until the reply is sent
  const bool gzip_;
};

// --- StreamQueue ---

bool StreamQueue::Push(std::span<const StreamData> data) {
  bool flush = false;
  {
    std::lock_guard lock(mu_);
    if (ended_) return false;
    if (queue_.size() + data.size() > max_queued_) {
      ended_ = true;
      queue_.clear();
      asio::post(strand_, [s = session_] {
        if (auto session = s.lock()) session->DropStream();
      });
      return false;
    }
    queue_.insert(queue_.end(), data.begin(), data.end());
    flush = !flush_posted_;
    flush_posted_ = true;
  }
  if (flush) {
    asio::post(strand_, [s = session_] {
      if (auto session = s.lock()) session->FlushStream();
    });
  }
  return true;
}

std::vector<StreamData> StreamQueue::Take() {
  std::vector<StreamData> taken;
  std::lock_guard lock(mu_);
  taken.swap(queue_);
  flush_posted_ = false;
  return taken;
}

void StreamQueue::End() {
  std::lock_guard lock(mu_);
  ended_ = true;
}

// --- Session: reading a request ---

void Session::AwaitRequest() {
  state_ = State::kIdle;
  if (reader_.has_buffered()) return BeginRequest();  // pipelined
  reader_.ReleaseIdleBuffer();
  SetDeadline(server_.options.idle_timeout);
  socket_.async_wait(tcp::socket::wait_read,
                     [self = shared_from_this()](const beast::error_code& ec) {
                       if (self->state_ != State::kIdle) return;
                       if (ec) return self->Close();
                       self->BeginRequest();
                     });
}

void Session::BeginRequest() {
  state_ = State::kReading;
  header_checked_ = false;
  timed_out_ = false;
  SetDeadline(server_.options.header_deadline);
  Parse();
}

void Session::ReadMore() {
  const size_t chunk = header_checked_ ? kBodyReadChunk : kHeaderReadChunk;
  const std::span<char> room = reader_.Prepare(chunk);
  socket_.async_read_some(
      asio::buffer(room.data(), room.size()),
      [self = shared_from_this()](const beast::error_code& ec, size_t n) {
        if (self->state_ != State::kReading) return;
        if (ec) {
          if (self->timed_out_) {
            return self->Fail(408, "request_timeout", "the request did not arrive in time");
          }
          return self->Close();  // the client left mid-request: nothing to answer
        }
        self->reader_.Commit(n);
        self->Parse();
      });
}

void Session::Parse() {
  switch (reader_.Next()) {
    case RequestReader::Step::kNeedMore:
      return ReadMore();
    case RequestReader::Step::kBodyFollows:
      return AwaitBody();
    case RequestReader::Step::kRequest:
      return Handle(reader_.Take());
    case RequestReader::Step::kRefused: {
      const Refusal& refusal = reader_.refusal();
      return Fail(refusal.status, refusal.code, refusal.message);
    }
  }
}

void Session::AwaitBody() {
  header_checked_ = true;
  // The body's deadline grows with its declared size (a chunked one: with the largest allowed).
  SetDeadline(TransferDeadline(reader_.body_deadline_bytes()));
  if (!reader_.expects_continue()) return Parse();
  // The client waits for this before it sends the body.
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  asio::async_write(socket_, asio::buffer(kContinue),
                    [self = shared_from_this()](const beast::error_code& ec, size_t) {
                      if (ec || self->state_ != State::kReading) return self->Close();
                      self->Parse();
                    });
}

// --- Session: answering ---

void Session::Handle(ReadRequest read) {
  state_ = State::kHandling;
  ClearDeadline();
  Request req = std::move(read.request);
  head_ = req.method == "HEAD";
  req.remote_addr = address_;
  keep_alive_ = read.keep_alive;
  auto responder = std::make_shared<PendingReply>(
      server_, shared_from_this(), ClientTakesGzip(req.get_header_value("Accept-Encoding"), address_));
  const Router& router = server_.router;
  // An asynchronous route with a small body is answered from here: no thread hand-off before
  // its handler, none waiting for its reply (docs/design.md "HTTP engine").
  if (req.body.size() <= kInlineBodyBytes && router.RoutesAsync(req)) {
    return router.Dispatch(req, std::move(responder));
  }
  asio::post(server_.handlers,
             [&router, req = std::move(req), responder = std::move(responder)]() mutable {
               router.Dispatch(req, std::move(responder));
             });
}

void PendingReply::Send(Response res) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mu_);
    session.swap(session_);
  }
  if (!session) return;  // answered already
  CompressForClient(gzip_, res);
  const Strand strand = session->strand();
  asio::post(strand, [session = std::move(session), res = std::move(res)]() mutable {
    session->Reply(std::move(res));
  });
}

void Session::Reply(Response res) {
  if (state_ != State::kHandling) return;
  if (res.stream) return StartStream(std::move(res));
  {
    std::lock_guard lock(server_.mu);
    if (server_.stopping) keep_alive_ = false;
  }
  res.set_header("Content-Length", std::to_string(res.body.size()));
  if (!keep_alive_) res.set_header("Connection", "close");
  std::string out = HeadText(res.status, server_.options.default_headers, res.headers);
  if (!head_) out += res.body;
  state_ = State::kWriting;
  close_after_write_ = !keep_alive_;
  SetDeadline(TransferDeadline(out.size()));
  Write(std::move(out));
}

void Session::Fail(int status, std::string_view code, std::string_view message) {
  Response res;
  SetErrorReply(res, status, code, message);
  res.set_header("Content-Length", std::to_string(res.body.size()));
  res.set_header("Connection", "close");
  state_ = State::kWriting;
  keep_alive_ = false;
  close_after_write_ = true;
  SetDeadline(TransferDeadline(res.body.size()));
  Write(HeadText(status, server_.options.default_headers, res.headers) + res.body);
}

void Session::Write(std::string data) {
  writing_ = true;
  out_ = std::move(data);
  asio::async_write(socket_, asio::buffer(out_),
                    [self = shared_from_this()](const beast::error_code& ec, size_t) {
                      self->writing_ = false;
                      self->out_.clear();
                      if (ec) return self->Close();
                      self->OnWritten();
                    });
}

void Session::WriteStream(std::vector<StreamData> frames, std::string tail) {
  writing_ = true;
  out_frames_ = std::move(frames);
  out_ = std::move(tail);
  out_buffers_.clear();
  for (const StreamData& frame : out_frames_) {
    out_buffers_.emplace_back(frame.chunk().data(), frame.chunk().size());
  }
  if (!out_.empty()) out_buffers_.emplace_back(out_.data(), out_.size());
  asio::async_write(socket_, out_buffers_,
                    [self = shared_from_this()](const beast::error_code& ec, size_t) {
                      self->writing_ = false;
                      self->out_.clear();
                      self->out_frames_.clear();
                      if (ec) return self->Close();
                      self->OnWritten();
                    });
}

void Session::OnWritten() {
  if (state_ == State::kStreaming) return FlushStream();
  if (state_ != State::kWriting) return;
  if (close_after_write_) return Linger();
  AwaitRequest();
}

// --- Session: streams ---

void Session::StartStream(Response res) {
  stream_reply_ = std::move(*res.stream);
  stream_idle_ = StreamData(stream_reply_->idle);
  res.headers.erase("Content-Length");
  res.set_header("Transfer-Encoding", "chunked");
  state_ = State::kStreaming;
  stream_ = std::make_shared<StreamQueue>(strand_, weak_from_this(), stream_reply_->max_queued);
  std::string head = HeadText(res.status, server_.options.default_headers, res.headers);
  if (!head_) head += StreamData(stream_reply_->first).chunk();
  Write(std::move(head));
  if (head_) {
    stream_->End();
    stream_tail_ = "0\r\n\r\n";
    close_after_write_ = true;
    return;
  }
  if (stream_reply_->opened) stream_reply_->opened(stream_);
  WatchForClose();
  SetDeadline(stream_reply_->idle_interval);
  bool stopping = false;
  {
    std::lock_guard lock(server_.mu);
    stopping = server_.stopping;
  }
  if (stopping) Shutdown();
}

void Session::FlushStream() {
  if (state_ != State::kStreaming || writing_) return;
  std::vector<StreamData> frames = stream_->Take();
  std::string tail = std::exchange(stream_tail_, "");
  if (frames.empty() && tail.empty()) {
    if (close_after_write_) Linger();
    return;
  }
  stream_wrote_ = true;
  WriteStream(std::move(frames), std::move(tail));
}

// A streaming client sends nothing more; its reads end when it leaves.
void Session::WatchForClose() {
  socket_.async_read_some(asio::buffer(discard_),
                          [self = shared_from_this()](const beast::error_code& ec, size_t) {
                            if (self->state_ != State::kStreaming) return;
                            if (ec) return self->Close();
                            self->WatchForClose();
                          });
}

// --- Session: deadlines, shutdown, closing ---

std::chrono::milliseconds Session::TransferDeadline(size_t bytes) const {
  const ServerOptions& o = server_.options;
  return o.body_deadline +
         std::chrono::milliseconds(bytes * 1000 / std::max<size_t>(1, o.min_body_rate));
}

void Session::SetDeadline(std::chrono::milliseconds after) {
  deadline_ = Clock::now() + after;
  if (timer_armed_ && armed_until_ <= deadline_) return;  // the armed wait re-arms
  ArmTimer();
}

void Session::ArmTimer() {
  timer_armed_ = true;
  armed_until_ = deadline_;
  timer_.expires_at(deadline_);  // cancels a wait armed for later
  timer_.async_wait(
      [self = shared_from_this(), generation = ++timer_generation_](const beast::error_code& ec) {
        if (generation != self->timer_generation_) return;  // re-armed or closed since
        self->timer_armed_ = false;
        if (ec || self->deadline_ == Clock::time_point::max()) return;
        if (Clock::now() < self->deadline_) return self->ArmTimer();  // moved later meanwhile
        self->OnDeadline();
      });
}

void Session::OnDeadline() {
  switch (state_) {
    case State::kIdle:
    case State::kLingering:
      return Close();
    case State::kReading: {
      timed_out_ = true;
      beast::error_code ignored;
      socket_.cancel(ignored);  // the pending read ends, and answers 408
      return;
    }
    case State::kStreaming:
      if (!stream_wrote_ && !stream_reply_->idle.empty()) stream_->Push(*stream_idle_);
      stream_wrote_ = false;
      return SetDeadline(stream_reply_->idle_interval);
    case State::kWriting:
      return Close();  // the client does not read its reply
    case State::kHandling:
    case State::kClosed:
      return;
  }
}

void Session::Shutdown() {
  switch (state_) {
    case State::kIdle:
      return Close();
    case State::kReading:
    case State::kHandling:
      keep_alive_ = false;  // answered, then closed
      return;
    case State::kWriting:
      close_after_write_ = true;
      return;
    case State::kStreaming:
      if (close_after_write_) return;
      stream_->End();
      stream_tail_ = StreamData(stream_reply_->last).chunk() + "0\r\n\r\n";
      close_after_write_ = true;
      return FlushStream();
    case State::kLingering:
    case State::kClosed:
      return;
  }
}

// Stops sending, then reads what the client still sends until it closes (or kLinger passes),
// so that the reply is not lost to a reset.
void Session::Linger() {
  state_ = State::kLingering;
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  SetDeadline(kLinger);
  socket_.async_read_some(asio::buffer(discard_),
                          [self = shared_from_this()](const beast::error_code& ec, size_t) {
                            if (self->state_ != State::kLingering) return;
                            if (ec) return self->Close();
                            self->Linger();
                          });
}

void Session::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  ++timer_generation_;
  timer_.cancel();
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (stream_) stream_->End();
}

// --- ServerCore ---

void ServerCore::Accept() {
  acceptor.async_accept(asio::make_strand(io), [this](const beast::error_code& ec,
                                                      tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors, or the like: try again shortly rather than spin.
      accept_retry.expires_after(std::chrono::milliseconds(50));
      accept_retry.async_wait([this](const beast::error_code& e) {
        if (!e) Accept();
      });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const tcp::endpoint peer = socket.remote_endpoint(ignored);
    std::string address = peer.address().to_string();
    const bool admitted = Admit(address);
    auto session = std::make_shared<Session>(*this, std::move(socket), address, admitted);
    if (admitted) {
      std::lock_guard lock(mu);
      sessions.emplace(session.get(), session);
    }
    asio::dispatch(session->strand(), [session] { session->Start(); });
    Accept();
  });
}

bool ServerCore::Admit(const std::string& address) {
  std::lock_guard lock(mu);
  int& open = per_address[address];
  if (open >= options.max_connections_per_address) return false;
  ++open;
  return true;
}

void ServerCore::Release(const std::string& address, Session* session) {
  std::lock_guard lock(mu);
  if (--per_address[address] <= 0) per_address.erase(address);
  sessions.erase(session);
  if (stopping && sessions.empty()) asio::post(control, [this] { FinishShutdown(); });
}

void ServerCore::BeginShutdown() {
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(mu);
    if (stopping) return;
    stopping = true;
    for (auto& [raw, weak] : sessions) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  beast::error_code ignored;
  acceptor.close(ignored);
  accept_retry.cancel();
  if (open.empty()) return FinishShutdown();
  for (auto& s : open) asio::post(s->strand(), [s] { s->Shutdown(); });
  grace.expires_after(options.shutdown_grace);
  grace.async_wait([this](const beast::error_code& ec) {
    if (!ec) io.stop();  // what is left is cut
  });
}

void ServerCore::FinishShutdown() {
  grace.cancel();
  work.reset();
}

void ServerCore::ReplyOpened() {
  std::lock_guard lock(mu);
  ++open_replies;
}

void ServerCore::ReplyReleased() {
  std::lock_guard lock(mu);
  if (--open_replies == 0) replies_released.notify_all();
}

void ServerCore::AwaitRepliesReleased() {
  std::unique_lock lock(mu);
  replies_released.wait(lock, [this] { return open_replies == 0; });
}

// --- Server ---

Server::Server(ServerOptions options, const Router& router)
    : core_(std::make_unique<ServerCore>(std::move(options), router)) {}

Server::~Server() = default;

Result<int> Server::Bind() {
  const ServerOptions& o = core_->options;
  const std::string where = o.host + ":" + std::to_string(o.port);
  beast::error_code ec;
  tcp::resolver resolver(core_->io);
  const auto endpoints = resolver.resolve(o.host, std::to_string(o.port),
                                          tcp::resolver::passive | tcp::resolver::numeric_service,
                                          ec);
  if (ec || endpoints.empty()) {
    return Error{"bind_failed", "cannot listen on " + where + " (not an address of this host)"};
  }
  tcp::acceptor& acceptor = core_->acceptor;
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return Error{"bind_failed", "cannot listen on " + where + " (in use, or not an address of "
                                                              "this host): " + ec.message()};
  }
  return static_cast<int>(acceptor.local_endpoint().port());
}

void Server::Serve() {
  ServerCore& core = *core_;
  core.Accept();
  std::vector<std::thread> more;
  for (int i = 1; i < core.options.io_threads; ++i) more.emplace_back([&core] { core.io.run(); });
  core.io.run();
  for (std::thread& t : more) t.join();
  core.AwaitRepliesReleased();
}

void Server::Stop() {
  asio::post(core_->control, [core = core_.get()] { core->BeginShutdown(); });
}

}  // namespace llmscope::http
