// Request bodies sent with a Content-Encoding (OTLP exporters gzip theirs): the body inflated, with
// the inflated size bounded, so a small "zip bomb" never fills memory. Pure: bytes in, bytes out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace llmscope::http {

// Whether DecodeRequestBody reads `content_encoding`: empty, "identity", "gzip" or "deflate"
// (zlib format, or raw deflate as some clients send it), in any case.
bool RequestEncodingKnown(std::string_view content_encoding);

// `body` decoded from `content_encoding` (RequestEncodingKnown). Errors: "body_too_large" when
// the decoded bytes pass `limit` (decoding stops there), "invalid_encoding" when the bytes do not
// decode or end early, "unsupported_encoding" for any other encoding.
Result<std::string> DecodeRequestBody(std::string_view body, std::string_view content_encoding,
                                      size_t limit);

}  // namespace llmscope::http
