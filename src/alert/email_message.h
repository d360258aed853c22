// The e-mail of an alert: a subject, a plain-text part and an HTML part (names HTML-escaped),
// and the RFC 5322 / MIME message that carries them as multipart/alternative. The Message-ID is
// derived from the delivery's idempotency key, so a repeated send is recognisably the same
// message. Pure: the date is an argument.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_facts.h"

namespace llmscope::alert {

struct EmailContent {
  std::string subject;  // UTF-8; encoded as an RFC 2047 word in the message when not ASCII
  std::string text;     // the plain-text part
  std::string html;     // the HTML part
};

// &, <, >, " and ' as HTML entities.
std::string HtmlEscape(std::string_view text);

EmailContent RenderEmail(const AlertFacts& facts);

struct MimeHeaders {
  std::string from;
  std::vector<std::string> to;
  std::string idempotency_key;  // → Message-ID and the MIME boundary
  int64_t date_ms = 0;
};

// "<llmscope.KEY@DOMAIN>": KEY with characters outside [A-Za-z0-9.-] as '.', DOMAIN the part of
// `from` after '@'.
std::string MessageIdFor(std::string_view idempotency_key, std::string_view from);

// The whole message, CRLF line endings: From, To, Subject, Date, Message-ID, MIME-Version,
// X-LLMscope-Idempotency-Key, and a multipart/alternative body with the text part first, both
// UTF-8 in Base64 lines of 76 characters.
std::string BuildMimeMessage(const MimeHeaders& headers, const EmailContent& content);

}  // namespace llmscope::alert
