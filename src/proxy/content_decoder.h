// ContentDecoder: undoes a reply's Content-Encoding (gzip, deflate, br) piece by piece, so the
// call meter can read a compressed reply as it passes; the bytes relayed to the client are never
// touched. Pure: bytes in, bytes out, no I/O. An encoding it does not know, or bytes that do not
// decode, make it fail from then on (the reply is then timed but not read).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace llmscope::proxy {

class ContentDecoder {
 public:
  // The decoder of a Content-Encoding value; nullptr for none or "identity". An unknown or
  // stacked encoding gives a decoder that has failed().
  static std::unique_ptr<ContentDecoder> For(std::string_view content_encoding);

  virtual ~ContentDecoder() = default;
  // Appends what `bytes` decode to to `out`; false (and failed() from then on) on bad input.
  virtual bool Feed(std::string_view bytes, std::string& out) = 0;
  virtual bool failed() const = 0;
};

}  // namespace llmscope::proxy
