// Which compression a response may use. cpp-httplib (Debian's 0.11, built with brotli and zlib)
// compresses JSON and text with brotli whenever the client offers "br", as every browser does,
// at brotli's default quality 11: the 5 MB SPC view of 43,200 points then takes ~13 s to
// compress on this machine, against ~0.1 s with gzip. OfferGzipNotBrotli removes "br" from the
// request's Accept-Encoding, so such clients get gzip (or no compression) instead.
#pragma once

#include <string>

namespace httplib {
struct Request;
}

namespace llmscope::server {

// The Accept-Encoding value without its "br" entries ("gzip, deflate, br" -> "gzip, deflate").
std::string WithoutBrotli(const std::string& accept_encoding);

// Rewrites the request's Accept-Encoding headers with WithoutBrotli. Call before routing (the
// library picks the encoding from the request when it writes the response).
void OfferGzipNotBrotli(httplib::Request& req);

}  // namespace llmscope::server
