// Which compression a response may use. cpp-httplib (Debian's 0.11, built with brotli and zlib)
// compresses JSON and text with brotli whenever the client offers "br", as every browser does,
// at brotli's default quality 11: the 5 MB SPC view of 43,200 points then took ~13 s to compress
// on this machine, against ~0.1 s with gzip. And on the loopback interface (the default
// install: the dashboard on the same host) any compression costs more than it saves: the 2 MB
// chart view reached Chromium in ~0.2 s uncompressed against ~0.45 s gzipped.
#pragma once

#include <string>

namespace httplib {
struct Request;
}

namespace llmscope::server {

// The Accept-Encoding the server acts on: "" (no compression) for a client on a loopback
// address, else the client's list without its "br" entries ("gzip, deflate, br" -> "gzip,
// deflate").
std::string AcceptedEncoding(const std::string& accept_encoding, const std::string& remote_addr);

// Rewrites the request's Accept-Encoding headers with AcceptedEncoding. Call before routing (the
// library picks the encoding from the request when it writes the response).
void LimitResponseEncoding(httplib::Request& req);

}  // namespace llmscope::server
