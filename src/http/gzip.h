// Response compression: gzip (zlib) for remote clients that accept it, never brotli. Brotli at
// its default quality took ~13 s for the 5 MB SPC view where gzip takes ~0.1 s; and on a
// loopback address (the default install: the dashboard on the same host) any compression costs
// more than it saves: the 2 MB chart view reached Chromium in ~0.2 s uncompressed against
// ~0.45 s gzipped (docs/design.md "HTTP engine").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/response.h"

namespace llmscope::http {

// Whether a client at `remote_addr` sending `accept_encoding` gets gzip: not on a loopback
// address, and "gzip" listed without q=0.
bool ClientTakesGzip(std::string_view accept_encoding, std::string_view remote_addr);

// `data` in the gzip format; nullopt if zlib fails.
std::optional<std::string> Gzip(std::string_view data);

// Compresses `res`'s body in place when the client takes gzip (`client_takes_gzip`, from
// ClientTakesGzip) and it is worth it: a text or JSON body of 1 KB or more, not already encoded,
// not a stream. Sets Content-Encoding and Vary.
void CompressForClient(bool client_takes_gzip, Response& res);

}  // namespace llmscope::http
