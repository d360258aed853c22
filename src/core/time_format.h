// UTC timestamps as ISO 8601 text. Written by hand: g++ 12's <chrono> lacks std::chrono::parse,
// and the formats the API takes are few.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmscope {

// "2026-11-23T15:04:05.123Z".
std::string FormatIsoUtc(int64_t time_ms);
// The same text appended to `out`.
void AppendIsoUtc(std::string& out, int64_t time_ms);

// Parses "YYYY-MM-DDTHH:MM:SS" with optional fraction (any digits; milliseconds kept), 'T' or
// ' ' between date and time, and an optional "Z" or "±HH:MM" / "±HHMM" offset; no offset means
// UTC (the original LLMscope monitor sends Python's naive utcnow().isoformat()). A date alone
// ("YYYY-MM-DD") is midnight UTC. Returns milliseconds since the epoch, or nullopt.
std::optional<int64_t> ParseIsoUtc(std::string_view text);

// Parses an HTTP date in the IMF-fixdate form of RFC 9110 §5.6.7 ("Sun, 06 Nov 1994 08:49:37
// GMT"), as in a Retry-After header. Returns milliseconds since the epoch, or nullopt.
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace llmscope
