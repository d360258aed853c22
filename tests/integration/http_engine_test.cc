// The HTTP engine (http/server.h) on 127.0.0.1, driven with raw bytes: requests that could be
// read two ways (request smuggling: Content-Length with Transfer-Encoding, two Content-Lengths, a
// folded header line, a bare CR), oversized and endless headers, bodies beyond the limit or
// slower than their deadline, pipelined requests and pipelined garbage, too many connections from
// one address. Each bad one gets its 4xx JSON error and a closed connection, and the server keeps
// answering. Streams: a viewer that stops reading is dropped without holding up the others, and
// Stop() ends every stream with its last event. Asynchronous routes: a reply completed later from
// another thread keeps pipelined replies in order, survives its client leaving, is awaited by
// Stop(), and a completion dropped unsent answers 500. Deadlines are set short here so that the test
// does not wait; what is checked is the behaviour, not the time.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/router.h"
#include "http/server.h"
#include "support/raw_http.h"

namespace llmscope::http {
namespace {

using std::chrono::milliseconds;
using testing::RawConnection;

constexpr milliseconds kWait{5000};  // at most, for a reply that should come

class EngineTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options) {
    options.port = 0;
    router_.Get("/ping", [](const Request&, Response& res) { res.set_content("pong", "text/plain"); });
    router_.Post("/echo", [](const Request& req, Response& res) {
      res.set_content(req.body, "text/plain");
    });
    router_.Get(R"(/items/(\d+))", [](const Request& req, Response& res) {
      res.set_content(req.matches[1] + " " + req.get_header_value("x-CASE"), "text/plain");
    });
    router_.Get("/stream", [this](const Request&, Response& res) {
      StreamReply reply;
      reply.first = "hello\n";
      reply.last = "bye\n";
      reply.max_queued = 8;
      reply.opened = [this](std::shared_ptr<EventStream> s) {
        std::lock_guard lock(mu_);
        streams_.push_back(std::move(s));
      };
      res.set_stream("text/event-stream", std::move(reply));
    });
    // Holds its responder until the test completes it (Complete).
    router_.PostAsync("/later", [this](const Request& req, std::shared_ptr<Responder> responder) {
      std::lock_guard lock(mu_);
      held_.push_back({req.body, std::move(responder)});
    });
    router_.PostAsync("/dropped", [](const Request&, std::shared_ptr<Responder>) {});
    server_ = std::make_unique<Server>(std::move(options), router_);
    Result<int> port = server_->Bind();
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = *port;
    serving_ = std::thread([this] { server_->Serve(); });
  }
  void TearDown() override { StopServer(); }
  void StopServer() {
    if (!serving_.joinable()) return;
    server_->Stop();
    serving_.join();
  }

  // Sends `bytes` on a new connection; everything the server sent until it closed.
  std::string Exchange(const std::string& bytes, bool* closed = nullptr) {
    RawConnection c(port_);
    EXPECT_TRUE(c.connected());
    c.Send(bytes);
    std::string got = c.ReadUntilClosed(kWait);
    if (closed) *closed = c.ClosedByPeer();
    return got;
  }
  // The server still answers a good request.
  void ExpectAlive() {
    const std::string got = Exchange("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(testing::ParseRawResponse(got).status, 200) << got;
  }
  // `bytes` gets `status` with a JSON error, and the connection is closed.
  void ExpectRefused(const std::string& bytes, int status) {
    bool closed = false;
    const std::string got = Exchange(bytes, &closed);
    const testing::RawResponse r = testing::ParseRawResponse(got);
    EXPECT_EQ(r.status, status) << got;
    EXPECT_EQ(r.content_type, "application/json") << got;
    EXPECT_NE(r.body.find("\"error\""), std::string::npos) << got;
    EXPECT_TRUE(closed) << "the connection stays open after " << status;
    ExpectAlive();
  }
  size_t Streams() {
    std::lock_guard lock(mu_);
    return streams_.size();
  }
  // Pushes `data` (one shared piece) to every stream; how many took it.
  size_t PushAll(const std::string& data) {
    return PushAll(std::vector<StreamData>{StreamData(data)});
  }
  // Pushes `pieces`, in one push, to every stream; how many took them.
  size_t PushAll(const std::vector<StreamData>& pieces) {
    std::lock_guard lock(mu_);
    size_t took = 0;
    for (auto& s : streams_) took += s->Push(pieces) ? 1 : 0;
    return took;
  }

  size_t Held() {
    std::lock_guard lock(mu_);
    return held_.size();
  }
  // Waits until `n` asynchronous requests are held.
  void AwaitHeld(size_t n) {
    for (int i = 0; i < 500 && Held() < n; ++i) std::this_thread::sleep_for(milliseconds(10));
    ASSERT_EQ(Held(), n);
  }
  // Answers the oldest held request with "later:" and its body, from a thread of the test's.
  void CompleteOldest() {
    std::pair<std::string, std::shared_ptr<Responder>> oldest;
    {
      std::lock_guard lock(mu_);
      oldest = std::move(held_.front());
      held_.erase(held_.begin());
    }
    std::thread([&oldest] {
      Response res;
      res.set_content("later:" + oldest.first, "text/plain");
      oldest.second->Send(std::move(res));
      oldest.second.reset();
    }).join();
  }

  Router router_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread serving_;
  std::mutex mu_;
  std::vector<std::shared_ptr<EventStream>> streams_;
  std::vector<std::pair<std::string, std::shared_ptr<Responder>>> held_;
};

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(EngineTest, RoutesCapturesAndHeadersWithoutRegardToCase) {
  Start({});
  const std::string got =
      Exchange("GET /items/42 HTTP/1.1\r\nHost: x\r\nX-Case: yes\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(testing::ParseRawResponse(got).body, "42 yes");
}

TEST_F(EngineTest, UnknownRoutesAndMethodsGetJsonErrors) {
  Start({});
  const std::string missing =
      Exchange("GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(testing::ParseRawResponse(missing).status, 404);
  EXPECT_NE(missing.find("not_found"), std::string::npos);
  const std::string wrong =
      Exchange("DELETE /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(testing::ParseRawResponse(wrong).status, 405);
  EXPECT_NE(wrong.find("Allow: GET"), std::string::npos) << wrong;
}

TEST_F(EngineTest, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  Start({});
  const std::string got = Exchange(
      "GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
      "GET /items/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(Count(got, "HTTP/1.1 200 OK"), 3u) << got;
  const size_t one = got.find("\r\n\r\n1 ");
  const size_t hello = got.find("hello");
  const size_t two = got.find("\r\n\r\n2 ");
  EXPECT_TRUE(one < hello && hello < two) << got;
}

TEST_F(EngineTest, AnAsynchronousReplyKeepsPipelinedRepliesInOrder) {
  ServerOptions two_io_threads;
  two_io_threads.io_threads = 2;
  Start(two_io_threads);
  RawConnection c(port_);
  ASSERT_TRUE(c.Send(
      "GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /items/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  AwaitHeld(1);
  CompleteOldest();
  const std::string got = c.ReadUntilClosed(kWait);
  EXPECT_EQ(Count(got, "HTTP/1.1 200 OK"), 3u) << got;
  const size_t one = got.find("\r\n\r\n1 ");
  const size_t later = got.find("later:abc");
  const size_t two = got.find("\r\n\r\n2 ");
  EXPECT_TRUE(one < later && later != std::string::npos && later < two) << got;
}

TEST_F(EngineTest, AnAsynchronousReplyToAClientThatLeftIsDropped) {
  Start({});
  {
    RawConnection c(port_);
    ASSERT_TRUE(c.Send("POST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\ngone"));
    AwaitHeld(1);
  }  // the client closes before its reply
  CompleteOldest();
  ExpectAlive();
}

TEST_F(EngineTest, AnAsynchronousCompletionReleasedUnsentAnswers500) {
  Start({});
  const std::string got = Exchange(
      "POST /dropped HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  const testing::RawResponse r = testing::ParseRawResponse(got);
  EXPECT_EQ(r.status, 500) << got;
  EXPECT_NE(r.body.find("\"internal\""), std::string::npos) << got;
}

TEST_F(EngineTest, ThePreRoutingHooksHeadersReachAnAsynchronousReply) {
  router_.SetPreRouting([](const Request&, Response& res) {
    res.set_header("X-Hook", "yes");
    return false;
  });
  Start({});
  RawConnection c(port_);
  ASSERT_TRUE(c.Send(
      "POST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nh"));
  AwaitHeld(1);
  CompleteOldest();
  const std::string got = c.ReadUntilClosed(kWait);
  EXPECT_NE(got.find("X-Hook: yes"), std::string::npos) << got;
  EXPECT_NE(got.find("later:h"), std::string::npos) << got;
}

TEST_F(EngineTest, StopAnswersAnAsynchronousRequestInFlightBeforeServeReturns) {
  Start({});
  RawConnection c(port_);
  ASSERT_TRUE(c.Send("POST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"));
  AwaitHeld(1);
  server_->Stop();
  CompleteOldest();
  serving_.join();
  const std::string got = c.ReadUntilClosed(kWait);
  EXPECT_EQ(testing::ParseRawResponse(got).status, 200) << got;
  EXPECT_NE(got.find("later:ok"), std::string::npos) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(EngineTest, ChunkedBodiesAreRead) {
  Start({});
  const std::string got = Exchange(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  EXPECT_EQ(testing::ParseRawResponse(got).body, "abcde");
}

TEST_F(EngineTest, ContentLengthWithTransferEncodingIsRefused) {
  Start({});
  ExpectRefused(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\n",
      400);
  ExpectRefused(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
      "0\r\n\r\n",
      400);
  ExpectRefused("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabcd", 400);
}

TEST_F(EngineTest, TwoContentLengthsAreRefusedEvenWhenEqual) {
  Start({});
  ExpectRefused(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
      400);
  ExpectRefused(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd", 400);
  ExpectRefused("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4, 4\r\n\r\nabcd", 400);
}

TEST_F(EngineTest, FoldedHeaderLinesAndBareCarriageReturnsAreRefused) {
  Start({});
  ExpectRefused("GET /ping HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n b\r\n\r\n", 400);
  ExpectRefused("GET /ping HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n\tb\r\n\r\n", 400);
  ExpectRefused("GET /ping HTTP/1.1\r\nHost: x\rX-Bad: 1\r\n\r\n", 400);
  ExpectRefused("GET /ping HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n", 400);
}

TEST_F(EngineTest, OversizedHeadersAndTooManyHeaderFieldsAreRefused) {
  ServerOptions o;
  o.max_header_bytes = 4096;
  o.max_header_count = 20;
  Start(o);
  ExpectRefused("GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n",
                431);
  std::string many = "GET /ping HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 30; ++i) many += "X-F" + std::to_string(i) + ": 1\r\n";
  ExpectRefused(many + "\r\n", 431);
  // Headers that never end: refused once they pass the limit, without waiting for the end.
  std::string endless = "GET /ping HTTP/1.1\r\nHost: x\r\n";
  while (endless.size() < 6000) endless += "X-More: 1\r\n";
  ExpectRefused(endless, 431);
}

TEST_F(EngineTest, HeadersSlowerThanTheirDeadlineGet408) {
  ServerOptions o;
  o.header_deadline = milliseconds(300);
  Start(o);
  ExpectRefused("GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ", 408);
}

// A connection's deadline moved later is re-armed by the wait that expires first (server.cc
// SetDeadline): the idle timeout set after a reply still closes the connection, and a header
// deadline earlier than the armed idle one still answers 408.
TEST_F(EngineTest, AKeepAliveConnectionIdleAfterAReplyIsClosed) {
  ServerOptions o;
  o.header_deadline = milliseconds(200);  // armed first; the idle deadline comes later
  o.idle_timeout = milliseconds(600);
  Start(o);
  RawConnection c(port_);
  ASSERT_TRUE(c.Send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string got = c.ReadUntilClosed(kWait);
  EXPECT_EQ(Count(got, "HTTP/1.1 200 OK"), 1u) << got;
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(EngineTest, ASecondRequestSlowerThanItsHeaderDeadlineGets408) {
  ServerOptions o;
  o.header_deadline = milliseconds(300);  // earlier than the idle deadline armed before it
  Start(o);
  RawConnection c(port_);
  ASSERT_TRUE(c.Send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  // Past the first request's header deadline: its wait has expired and re-armed for idle.
  std::this_thread::sleep_for(milliseconds(500));
  ASSERT_TRUE(c.Send("GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  const std::string got = c.ReadUntilClosed(kWait);
  EXPECT_EQ(Count(got, "HTTP/1.1 200 OK"), 1u) << got;
  EXPECT_NE(got.find("HTTP/1.1 408"), std::string::npos) << got;
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(EngineTest, BodiesSlowerThanTheirDeadlineGet408) {
  ServerOptions o;
  o.body_deadline = milliseconds(300);
  Start(o);
  ExpectRefused("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part", 408);
}

TEST_F(EngineTest, ABodyBeyondTheLimitIsRefusedFromItsContentLengthAlone) {
  ServerOptions o;
  o.max_body_bytes = 1000;
  Start(o);
  // Only the headers are sent: the 413 comes without the body.
  ExpectRefused("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", 413);
  ExpectRefused(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" +
          std::string(2000, 'a') + "\r\n0\r\n\r\n",
      413);
}

TEST_F(EngineTest, PipelinedGarbageGets400AfterTheGoodRequestsBeforeIt) {
  Start({});
  bool closed = false;
  const std::string got = Exchange(
      "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n\x01\x02garbage \xff\r\n\r\n"
      "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n",
      &closed);
  EXPECT_EQ(got.find("HTTP/1.1 200 OK"), 0u) << got;
  EXPECT_NE(got.find("HTTP/1.1 400 Bad Request"), std::string::npos) << got;
  EXPECT_EQ(Count(got, "pong"), 1u) << got;
  EXPECT_TRUE(closed);
  ExpectAlive();
}

TEST_F(EngineTest, ConnectionsBeyondThePerAddressCapGet429) {
  ServerOptions o;
  o.max_connections_per_address = 2;
  Start(o);
  RawConnection a(port_), b(port_);
  ASSERT_TRUE(a.Send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(b.Send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  bool closed = false;
  const std::string third = Exchange("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
  EXPECT_EQ(testing::ParseRawResponse(third).status, 429) << third;
  EXPECT_TRUE(closed);
  // The two held connections still work (keep-alive).
  EXPECT_TRUE(a.Send("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(Count(a.ReadUntilClosed(kWait), "pong"), 2u);
}

TEST_F(EngineTest, AStreamThatIsNotReadIsDroppedAndTheOthersKeepTheirData) {
  Start({});
  RawConnection reader(port_), stalled(port_);
  ASSERT_TRUE(reader.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(stalled.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (int i = 0; i < 500 && Streams() < 2; ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_EQ(Streams(), 2u);
  // 64 KB pushes: the stalled viewer's socket buffers fill, then its queue of 8, and it is
  // dropped; the reader reads all along, and each push waits until the reader has its bytes, so
  // a slow machine cannot make the reader fall behind as well.
  std::atomic<bool> reading{true};
  std::atomic<size_t> received{0};
  std::string read;
  std::thread drain([&] {
    while (reading) {
      read += reader.ReadUntilClosed(milliseconds(5));
      received = read.size();
    }
  });
  const std::string big(64 * 1024, 'x');
  size_t pushes = 0;
  for (; pushes < 2000 && PushAll(big) == 2; ++pushes) {
    const size_t want = (pushes + 1) * big.size();
    for (int i = 0; i < 1000 && received < want; ++i) std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_LT(pushes, 2000u) << "the stalled stream was never dropped";
  EXPECT_EQ(PushAll("after\n"), 1u);  // the reader's stream is still open
  std::this_thread::sleep_for(milliseconds(300));
  reading = false;
  drain.join();
  EXPECT_NE(read.find("after\n"), std::string::npos);
  ExpectAlive();
}

TEST_F(EngineTest, PiecesPushedTogetherArriveInOrderEachAsAChunkAndTooManyDropTheStream) {
  Start({});
  RawConnection viewer(port_);
  ASSERT_TRUE(viewer.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (int i = 0; i < 500 && Streams() < 1; ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_EQ(Streams(), 1u);
  auto piece = [](const std::string& text) { return StreamData(text); };
  EXPECT_EQ(PushAll({piece("one\n"), piece("two\n"), piece("three\n")}), 1u);
  std::string got;
  for (int i = 0; i < 100 && got.find("three\n\r\n") == std::string::npos; ++i) {
    got += viewer.ReadUntilClosed(milliseconds(50));
  }
  EXPECT_NE(got.find("6\r\nhello\n\r\n4\r\none\n\r\n4\r\ntwo\n\r\n6\r\nthree\n\r\n"),
            std::string::npos)
      << got;
  // More pieces in one push than the queue holds (8): the stream is dropped.
  EXPECT_EQ(PushAll(std::vector<StreamData>(9, piece("x\n"))), 0u);
  viewer.ReadUntilClosed(kWait);
  EXPECT_TRUE(viewer.ClosedByPeer());
  ExpectAlive();
}

TEST_F(EngineTest, StopEndsStreamsWithTheirLastDataAndFinishesRequests) {
  Start({});
  RawConnection viewer(port_);
  ASSERT_TRUE(viewer.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (int i = 0; i < 500 && Streams() < 1; ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_EQ(Streams(), 1u);
  EXPECT_EQ(PushAll("event one\n"), 1u);
  StopServer();
  const std::string got = viewer.ReadUntilClosed(kWait);
  EXPECT_TRUE(viewer.ClosedByPeer());
  const size_t hello = got.find("hello\n");
  const size_t one = got.find("event one\n");
  const size_t bye = got.find("bye\n");
  EXPECT_TRUE(hello != std::string::npos && hello < one && one < bye) << got;
  EXPECT_NE(got.find("0\r\n\r\n", bye), std::string::npos) << "no final chunk";
  EXPECT_EQ(PushAll("late\n"), 0u);
}

}  // namespace
}  // namespace llmscope::http
