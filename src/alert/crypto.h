// The two bits of cryptography alerting needs, on OpenSSL's libcrypto: the webhook signature
// (HMAC-SHA256, lower-case hex) and Base64 (for MIME parts and encoded e-mail headers). Pure.
#pragma once

#include <string>
#include <string_view>

namespace llmscope::alert {

// Lower-case hex of HMAC-SHA256(key, message): 64 characters.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// Standard Base64 with padding, no line breaks.
std::string Base64(std::string_view data);

}  // namespace llmscope::alert
