// The API key (docs/design.md "HTTP API", brief "Security"): never a default. It comes from the
// environment (LLMSCOPE_API_KEY), from a file named in config, or — on the first start — is
// generated at random and stored with mode 0600 in the data directory, and printed once.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace llmscope::server {

struct ApiKey {
  std::string value;
  std::string origin;      // where it came from, for the start-up log line (never the key)
  bool generated = false;  // created by this start: print it once
};

// Resolution order: `env_value` (LLMSCOPE_API_KEY) when non-empty; else `key_file` when given
// (must exist); else `data_dir`/api_key, created with a new random key when missing.
// Errors: "key_file" (unreadable, empty, or group/other-readable key file it created).
Result<ApiKey> ResolveApiKey(std::string_view env_value, const std::string& key_file,
                             const std::string& data_dir);

// A new key: 32 random bytes from /dev/urandom as 64 hex characters.
Result<std::string> GenerateApiKey();

// Constant-time comparison: the time taken does not depend on where the strings differ.
bool KeysEqual(std::string_view a, std::string_view b);

}  // namespace llmscope::server
