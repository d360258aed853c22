// SecretBox: seals the secrets kept in the store's settings (API keys of targets, sinks' URLs
// and keys) with AES-256-GCM under a 32-byte key that lives outside the store: a file, mode
// 0600, beside the data (docs/design.md "Settings"). A copied database without that file yields
// no secret. Servers sharing one PostgreSQL database need the same key file.
//
// A sealed secret is text: "v1:" then Base64 of nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes),
// with a fresh random nonce each time. Opening checks the tag, so a changed byte or another key
// fails instead of yielding garbage. Thread-safe (const after construction).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/result.h"

namespace llmscope::settings {

class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;

  // Reads the key at `path`, or makes one (random, mode 0600, its directory created) when the
  // file does not exist. "secret_key_error" when the file cannot be made or read, is not 32
  // bytes, or can be read by anyone but its owner (mode & 077).
  static Result<SecretBox> OpenKeyFile(const std::string& path);
  // A box with this key (tests).
  explicit SecretBox(const std::array<unsigned char, kKeySize>& key) : key_(key) {}

  std::string Seal(std::string_view plaintext) const;
  // The plaintext; "secret_unreadable" when `sealed` is not a sealed secret of this key.
  Result<std::string> Open(std::string_view sealed) const;

 private:
  std::array<unsigned char, kKeySize> key_;
};

}  // namespace llmscope::settings
