// The HTTP engine's request reader (http/request_reader.h) on bytes alone: pipelined requests in
// order, the same requests whether the bytes come at once or a byte at a time, the body's
// announcement, and each refusal with its status and code (request smuggling, limits, garbage).
#include "http/request_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace llmscope::http {
namespace {

using Step = RequestReader::Step;

void Feed(RequestReader& reader, std::string_view bytes) {
  const auto room = reader.Prepare(bytes.size());
  std::memcpy(room.data(), bytes.data(), bytes.size());
  reader.Commit(bytes.size());
}

// What a reader makes of `bytes` fed `piece` bytes at a time: each request as
// "METHOD path body keep-alive", "body follows", or "refused STATUS code", in order.
std::vector<std::string> Read(std::string_view bytes, size_t piece, RequestLimits limits = {}) {
  RequestReader reader(limits);
  std::vector<std::string> out;
  for (size_t at = 0; at <= bytes.size(); at += piece) {
    Feed(reader, bytes.substr(at, piece));
    for (Step step = reader.Next(); step != Step::kNeedMore; step = reader.Next()) {
      if (step == Step::kBodyFollows) {
        out.emplace_back("body follows");
      } else if (step == Step::kRefused) {
        out.push_back("refused " + std::to_string(reader.refusal().status) + " " +
                      reader.refusal().code);
        return out;
      } else {
        const ReadRequest read = reader.Take();
        out.push_back(read.request.method + " " + read.request.path + " " + read.request.body +
                      (read.keep_alive ? " keep-alive" : " close"));
      }
    }
  }
  return out;
}

std::vector<std::string> ReadAtOnce(std::string_view bytes, RequestLimits limits = {}) {
  return Read(bytes, std::max<size_t>(1, bytes.size()), limits);
}

TEST(RequestReader, ReadsPipelinedRequestsInOrderHoweverTheBytesArrive) {
  const std::string bytes =
      "GET /a%20b?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd"
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
      "GET /last HTTP/1.0\r\n\r\n";
  const std::vector<std::string> expected = {
      "GET /a b  keep-alive", "body follows", "POST /echo abcd keep-alive",
      "body follows",         "POST /echo hi keep-alive", "GET /last  close"};
  EXPECT_EQ(ReadAtOnce(bytes), expected);
  EXPECT_EQ(Read(bytes, 1), expected);
  EXPECT_EQ(Read(bytes, 7), expected);
}

TEST(RequestReader, TakeGivesTheQueryHeadersAndKeepAlive) {
  RequestReader reader({});
  Feed(reader, "GET /p?a=1&a=2&b=x+y HTTP/1.1\r\nHost: h\r\nX-Case: v\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(reader.Next(), Step::kRequest);
  const ReadRequest read = reader.Take();
  EXPECT_EQ(read.request.params.count("a"), 2u);
  EXPECT_EQ(read.request.params.find("b")->second, "x y");
  EXPECT_EQ(read.request.get_header_value("x-case"), "v");
  EXPECT_FALSE(read.keep_alive);
  EXPECT_FALSE(reader.has_buffered());
}

TEST(RequestReader, DropsAChunkedBodysTrailerFields) {
  RequestReader reader({});
  Feed(reader,
       "POST /e HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n"
       "Authorization: Bearer smuggled\r\n\r\n");
  ASSERT_EQ(reader.Next(), Step::kBodyFollows);
  ASSERT_EQ(reader.Next(), Step::kRequest);
  const Request req = reader.Take().request;
  EXPECT_EQ(req.body, "hi");
  EXPECT_EQ(req.headers.size(), 2u);
  EXPECT_FALSE(req.has_header("Authorization"));
}

TEST(RequestReader, AnnouncesABodyWithItsSizeAndExpectContinue) {
  RequestReader reader({.max_body_bytes = 5000});
  Feed(reader, "POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  ASSERT_EQ(reader.Next(), Step::kBodyFollows);
  EXPECT_EQ(reader.body_deadline_bytes(), 3u);
  EXPECT_TRUE(reader.expects_continue());
  EXPECT_EQ(reader.Next(), Step::kNeedMore);
  Feed(reader, "abc");
  ASSERT_EQ(reader.Next(), Step::kRequest);
  EXPECT_EQ(reader.Take().request.body, "abc");

  Feed(reader, "POST /e HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_EQ(reader.Next(), Step::kBodyFollows);
  EXPECT_EQ(reader.body_deadline_bytes(), 5000u);  // a chunked body: the largest allowed
  EXPECT_FALSE(reader.expects_continue());
}

TEST(RequestReader, RefusesWhatCouldBeReadTwoWays) {
  const std::vector<std::string> refused = {"refused 400 bad_request"};
  // Content-Length with Transfer-Encoding, a Transfer-Encoding not ending with chunked.
  EXPECT_EQ(ReadAtOnce("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: "
                       "chunked\r\n\r\n0\r\n\r\n"),
            refused);
  EXPECT_EQ(ReadAtOnce("POST /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
            refused);
  // Two Content-Lengths, even equal, as two fields or as a list in one.
  EXPECT_EQ(ReadAtOnce("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: "
                       "4\r\n\r\nabcd"),
            refused);
  EXPECT_EQ(ReadAtOnce("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4, 4\r\n\r\nabcd"),
            refused);
  EXPECT_EQ(ReadAtOnce("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4,4\r\n\r\nabcd"),
            refused);
  // Folded header lines, bare CRs and bare LFs, at once or a byte at a time.
  for (const std::string bytes : {"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n",
                                  "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n",
                                  "GET / HTTP/1.1\r\nHost: x\rX-Bad: 1\r\n\r\n",
                                  "GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n",
                                  "GET / HTTP/1.1\nHost: x\n\n",
                                  "GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n"}) {
    EXPECT_EQ(ReadAtOnce(bytes), refused) << bytes;
    EXPECT_EQ(Read(bytes, 1), refused) << bytes;
  }
}

TEST(RequestReader, RefusesPipelinedGarbageAfterTheGoodRequests) {
  const std::string bytes =
      "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n\x01\x02garbage \xff\r\n\r\n"
      "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::vector<std::string> expected = {"GET /ping  keep-alive", "refused 400 bad_request"};
  EXPECT_EQ(ReadAtOnce(bytes), expected);
  EXPECT_EQ(Read(bytes, 3), expected);
}

TEST(RequestReader, RefusesHeadersAndBodiesBeyondTheLimits) {
  const RequestLimits limits{.max_header_bytes = 1024, .max_header_count = 5,
                             .max_body_bytes = 100};
  const std::vector<std::string> header_too_large = {"refused 431 header_too_large"};
  EXPECT_EQ(ReadAtOnce("GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n", limits),
            header_too_large);
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 6; ++i) many += "X-F" + std::to_string(i) + ": 1\r\n";
  EXPECT_EQ(ReadAtOnce(many + "\r\n", limits), header_too_large);
  // Headers that never end are refused once they pass the limit.
  EXPECT_EQ(Read("GET / HTTP/1.1\r\n" + std::string(1100, 'a'), 100, limits), header_too_large);
  // A fold beyond the limit is refused as too large however the bytes arrive.
  const std::string late_fold = "GET / HTTP/1.1\r\nX-A: " + std::string(1100, 'a') + "\r\n b\r\n\r\n";
  EXPECT_EQ(ReadAtOnce(late_fold, limits), header_too_large);
  EXPECT_EQ(Read(late_fold, 64, limits), header_too_large);

  // 413 from the Content-Length alone, before any of the body.
  EXPECT_EQ(ReadAtOnce("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", limits),
            std::vector<std::string>{"refused 413 body_too_large"});
  EXPECT_EQ(ReadAtOnce("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n" +
                           std::string(101, 'a') + "\r\n0\r\n\r\n",
                       limits),
            (std::vector<std::string>{"body follows", "refused 413 body_too_large"}));
}

TEST(RequestReader, StaysRefusedOnceItRefused) {
  RequestReader reader({});
  Feed(reader, "NOT HTTP\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(reader.Next(), Step::kRefused);
  EXPECT_EQ(reader.Next(), Step::kRefused);
  EXPECT_NE(reader.refusal().message.find("could not be read"), std::string::npos);
}

}  // namespace
}  // namespace llmscope::http
