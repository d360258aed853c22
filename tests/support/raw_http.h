// Raw HTTP over a TCP socket to 127.0.0.1, for requests no HTTP client library will send:
// invalid bytes, lying Content-Length, partial requests held open (slow-loris).
#pragma once

#include <chrono>
#include <string>

namespace llmscope::testing {

// One TCP connection to 127.0.0.1:port; closed on scope exit.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Writes all of `bytes`; false when the peer is gone.
  bool Send(const std::string& bytes);
  // Ends our side of the stream (shutdown SHUT_WR): the server sees end of file.
  void HalfClose();
  // Reads until the server closes the connection or `timeout` passes; what came.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout);
  // Whether the server has closed the connection (reads end of file without waiting).
  bool ClosedByPeer();

 private:
  int fd_ = -1;
};

// An HTTP/1.1 response as it came over the wire (Content-Length bodies only).
struct RawResponse {
  int status = 0;  // 0: no status line came
  std::string content_type;
  std::string body;
};
RawResponse ParseRawResponse(const std::string& bytes);

}  // namespace llmscope::testing
