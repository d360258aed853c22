#include "store/setting_sql.h"

namespace llmscope::store {

const char* SettingActionName(SettingAction action) {
  switch (action) {
    case SettingAction::kCreate:
      return "create";
    case SettingAction::kUpdate:
      return "update";
    case SettingAction::kDelete:
      return "delete";
  }
  return "update";
}

std::optional<SettingAction> ParseSettingAction(const std::string& name) {
  for (SettingAction a : {SettingAction::kCreate, SettingAction::kUpdate, SettingAction::kDelete}) {
    if (name == SettingActionName(a)) return a;
  }
  return std::nullopt;
}

namespace setting_sql {
namespace {

constexpr std::string_view kColumns = "kind, id, body, version, updated_ms, updated_by";
constexpr std::string_view kAuditColumns = "time_ms, actor, kind, item_id, action, version, body";

}  // namespace

const std::string& Upsert() {
  static const std::string sql =
      "INSERT INTO settings (" + std::string(kColumns) +
      ") VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, "
      "version = settings.version + 1, updated_ms = excluded.updated_ms, "
      "updated_by = excluded.updated_by RETURNING version";
  return sql;
}

const std::string& InsertNew() {
  static const std::string sql = "INSERT INTO settings (" + std::string(kColumns) +
                                 ") VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (kind, id) DO NOTHING "
                                 "RETURNING version";
  return sql;
}

const std::string& UpdateVersion() {
  static const std::string sql =
      "UPDATE settings SET body = ?, version = version + 1, updated_ms = ?, updated_by = ? "
      "WHERE kind = ? AND id = ? AND version = ? RETURNING version";
  return sql;
}

const std::string& Delete() {
  static const std::string sql = "DELETE FROM settings WHERE kind = ? AND id = ? RETURNING version";
  return sql;
}

const std::string& InsertAudit() {
  static const std::string sql = "INSERT INTO settings_audit (" + std::string(kAuditColumns) +
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?)";
  return sql;
}

const std::string& SelectOne() {
  static const std::string sql =
      "SELECT " + std::string(kColumns) + " FROM settings WHERE kind = ? AND id = ?";
  return sql;
}

const std::string& SelectKind() {
  static const std::string sql =
      "SELECT " + std::string(kColumns) + " FROM settings WHERE kind = ? ORDER BY id";
  return sql;
}

const std::string& SelectRevision() {
  static const std::string sql = "SELECT count(*), coalesce(max(id), 0) FROM settings_audit";
  return sql;
}

const std::string& SelectAudit(bool by_kind) {
  static const std::string all = "SELECT id, " + std::string(kAuditColumns) +
                                 " FROM settings_audit WHERE id < ? ORDER BY id DESC LIMIT ?";
  static const std::string kind =
      "SELECT id, " + std::string(kAuditColumns) +
      " FROM settings_audit WHERE id < ? AND kind = ? ORDER BY id DESC LIMIT ?";
  return by_kind ? kind : all;
}

}  // namespace setting_sql
}  // namespace llmscope::store
