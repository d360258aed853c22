// Settings kept in the store (docs/design.md "Settings"): what users change from the browser or
// the API (targets, per-series SLOs, prices, alert sinks, ...), shared by every server on one
// database and applied live. The store keeps each item as an opaque JSON body under (kind, id):
// the feature that owns a kind validates, encodes and decodes it; the store only versions the
// items and records each change in an audit list.
//
// Secrets never reach a body in clear: a feature keeps them encrypted (server/secret_box) and
// writes an audit body without them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace llmscope::store {

// One item of one kind.
struct SettingRecord {
  std::string kind;  // e.g. "target", "slo", "price", "sink"
  std::string id;    // unique within its kind
  std::string body;  // a JSON object, as its feature wrote it
  int64_t version = 0;  // 1 when created, +1 on each change
  int64_t updated_ms = 0;
  std::string updated_by;  // who made the last change ("api-key", a user's name, "config")
};

// A change to write with Store::PutSetting.
struct SettingWrite {
  std::string kind, id, body;
  // What the audit list keeps of the body: `body` itself when empty. A body with secrets passes
  // a copy without them.
  std::string audit_body;
  std::string actor;
  int64_t now_ms = 0;
  // nullopt: create or replace, whatever is stored. 0: create only ("conflict" when the item
  // exists). n > 0: replace only version n ("conflict" when another change came first,
  // "not_found" when there is no such item).
  std::optional<int64_t> expected_version;
};

enum class SettingAction : uint8_t { kCreate, kUpdate, kDelete };
// "create", "update", "delete".
const char* SettingActionName(SettingAction action);
std::optional<SettingAction> ParseSettingAction(const std::string& name);

// One change in the audit list, newest with the highest id.
struct SettingAuditRecord {
  int64_t id = 0;
  int64_t time_ms = 0;
  std::string actor, kind, item_id;
  SettingAction action = SettingAction::kCreate;
  int64_t version = 0;  // the item's version after the change (its last one for a delete)
  std::string body;     // the audit body after the change; "" for a delete
};

// What tells a server that settings changed since it last looked: it differs after any change
// by any server on the database, including changes committed out of id order.
struct SettingsRevision {
  int64_t changes = 0;  // audit rows
  int64_t last_id = 0;  // the highest audit id
  friend bool operator==(const SettingsRevision&, const SettingsRevision&) = default;
};

}  // namespace llmscope::store
