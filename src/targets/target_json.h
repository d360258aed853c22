// Targets as JSON (docs/design.md "Settings"): the body of POST/PUT /api/targets, the body the
// store keeps under settings kind "target", and the fields every reply shows. Pure: no I/O.
//
// The fields are those of a [[targets]] table (probe/target.h, docs/design.md config), checked by
// the same rules (probe::CompleteTarget), plus:
//   key      write-only: the provider's API key itself. Sealed before it is stored (key_sealed
//            in the stored body), never shown: replies say "key_set". "" removes it; absent on a
//            PUT keeps the stored one.
//   version  on a PUT, the version the change was made against (or the If-Match header).
// Errors: "invalid_json" (not a JSON object), "invalid_field" with the message starting with the
// field at fault ("interval_s: must be ≥ 0"); nothing else is checked here (ids, conflicts).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "probe/target.h"

namespace llmscope::targets {

using Json = nlohmann::ordered_json;

// A target as a client sent it.
struct TargetInput {
  probe::Target target;                 // complete (defaults filled)
  std::optional<std::string> key;       // "key": nullopt when absent
  std::optional<int64_t> version;       // "version"
};

// A target as the store keeps it.
struct StoredTarget {
  probe::Target target;     // complete; api_key empty
  std::string key_sealed;   // SecretBox::Seal of the key; "" none
};

Result<TargetInput> ParseTargetInput(std::string_view body);
Result<StoredTarget> ParseStoredTarget(std::string_view body);

// The [[targets]] fields of `target` (no key, no api_key). The simulated provider's parameters
// only for provider "simulated".
Json TargetFieldsJson(const probe::Target& target);
// The stored body: the fields, and key_sealed when not empty.
std::string StoredTargetBody(const probe::Target& target, const std::string& key_sealed);
// What the audit list keeps: the fields and key_set, never the key.
std::string AuditTargetBody(const probe::Target& target, bool key_set);

// Whether an API client may name `name` as a key_env: not one of the server's own variables
// (LLMSCOPE_*: its API key, its store URL with a password), which a target or the models route
// would otherwise send to any URL the client gives. "invalid_field" naming key_env.
Status CheckKeyEnvName(std::string_view name);

// The id a target gets from its name: lower-case letters, digits and '-', at most 64 characters
// ("ollama/llama3.2:1b" → "ollama-llama3-2-1b"); "" when nothing is left.
std::string TargetIdOf(std::string_view name);

}  // namespace llmscope::targets
