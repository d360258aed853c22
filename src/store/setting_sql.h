// The settings' SQL (setting_records.h), spelled alike by SQLite and PostgreSQL, and the reading
// of their rows; shared by store/sqlite/sqlite_settings.cc and store/postgres/postgres_settings.cc.
// Parameters are ? (the PostgreSQL store numbers them), bound in the order each comment gives.
// Each schema creates the tables `settings` (kind, id, body, version, updated_ms, updated_by; key
// (kind, id)) and `settings_audit` (id, time_ms, actor, kind, item_id, action, version, body) in
// its own types.
#pragma once

#include <string>
#include <string_view>

#include "store/setting_records.h"

namespace llmscope::store::setting_sql {

// kind, id, body, updated_ms, updated_by → version. Creates at version 1 or replaces (+1).
const std::string& Upsert();
// kind, id, body, updated_ms, updated_by → version; no row when the item exists.
const std::string& InsertNew();
// body, updated_ms, updated_by, kind, id, expected version → version; no row when the item is
// absent or at another version.
const std::string& UpdateVersion();
// kind, id → version; no row when absent.
const std::string& Delete();
// time_ms, actor, kind, item_id, action, version, body.
const std::string& InsertAudit();
// kind, id → one row for ReadSetting, or none.
const std::string& SelectOne();
// kind → rows for ReadSetting, by id.
const std::string& SelectKind();
// → changes, last_id.
const std::string& SelectRevision();
// The audit rows with id < ? (and kind = ? when `by_kind`), newest first, LIMIT ?.
const std::string& SelectAudit(bool by_kind);

// kind, id, body, version, updated_ms, updated_by.
template <typename Row>
SettingRecord ReadSetting(Row& row) {
  SettingRecord r;
  r.kind = row.Text();
  r.id = row.Text();
  r.body = row.Text();
  r.version = row.Int();
  r.updated_ms = row.Int();
  r.updated_by = row.Text();
  return r;
}

// id, time_ms, actor, kind, item_id, action, version, body.
template <typename Row>
SettingAuditRecord ReadSettingAudit(Row& row) {
  SettingAuditRecord r;
  r.id = row.Int();
  r.time_ms = row.Int();
  r.actor = row.Text();
  r.kind = row.Text();
  r.item_id = row.Text();
  const std::string action = row.Text();
  if (std::optional<SettingAction> a = ParseSettingAction(action)) {
    r.action = *a;
  } else {
    row.Fail("unknown settings audit action '" + action + "'");
  }
  r.version = row.Int();
  r.body = row.Text();
  return r;
}

}  // namespace llmscope::store::setting_sql
