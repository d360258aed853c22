// SqliteStore's settings (store.h, setting_records.h): each change and its audit row in one
// write transaction on the writer; reads on the reader.
#include <optional>
#include <string>
#include <vector>

#include "store/setting_sql.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_errors.h"

namespace llmscope::store {
namespace {

using sqlite::SqliteBinder;
using sqlite::SqliteConnection;
using sqlite::SqliteRow;
using sqlite::SqliteStatement;

// Steps a statement that RETURNING one integer: the integer, or nullopt when it wrote no row.
Result<std::optional<int64_t>> StepReturning(SqliteConnection& conn, SqliteStatement& stmt,
                                             std::string_view what) {
  std::optional<int64_t> value;
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) value = SqliteRow(stmt.get()).Int();
  if (rc != SQLITE_DONE) return conn.Fail(what);
  return value;
}

Result<std::optional<SettingRecord>> SelectOne(SqliteConnection& conn, const std::string& kind,
                                               const std::string& id) {
  Result<SqliteStatement> stmt = conn.Prepare(setting_sql::SelectOne());
  if (!stmt) return stmt.error();
  if (Status s = SqliteBinder(stmt->get()).Text(kind).Text(id).Done("GetSetting"); !s) {
    return s.error();
  }
  Result<std::vector<SettingRecord>> rows = sqlite::ReadAll<SettingRecord>(
      conn, *stmt, setting_sql::ReadSetting<SqliteRow>, "GetSetting");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<SettingRecord>();
  return std::optional<SettingRecord>(std::move(rows->front()));
}

Status InsertAudit(SqliteConnection& conn, const SettingAuditRecord& a) {
  Result<SqliteStatement> stmt = conn.Prepare(setting_sql::InsertAudit());
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  b.Int(a.time_ms).Text(a.actor).Text(a.kind).Text(a.item_id).Text(SettingActionName(a.action));
  b.Int(a.version).Text(a.body);
  if (Status s = b.Done("settings audit"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return conn.Fail("settings audit");
  return {};
}

// The version the write gave the item, or nullopt when its expected_version did not hold.
Result<std::optional<int64_t>> WriteItem(SqliteConnection& conn, const SettingWrite& w) {
  const bool update = w.expected_version.has_value() && *w.expected_version > 0;
  const std::string& sql = !w.expected_version ? setting_sql::Upsert()
                           : update            ? setting_sql::UpdateVersion()
                                               : setting_sql::InsertNew();
  Result<SqliteStatement> stmt = conn.Prepare(sql);
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  if (update) {
    b.Text(w.body).Int(w.now_ms).Text(w.actor).Text(w.kind).Text(w.id).Int(*w.expected_version);
  } else {
    b.Text(w.kind).Text(w.id).Text(w.body).Int(w.now_ms).Text(w.actor);
  }
  if (Status s = b.Done("PutSetting"); !s) return s.error();
  return StepReturning(conn, *stmt, "PutSetting");
}

}  // namespace

Result<SettingRecord> SqliteStore::PutSetting(const SettingWrite& w) {
  std::lock_guard lock(writer_->mu);
  sqlite::SqliteTransaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s.error();
  Result<std::optional<int64_t>> version = WriteItem(*writer_, w);
  if (!version) return version.error();
  if (!*version) {
    if (*w.expected_version == 0) return SettingExists(w.kind, w.id);
    Result<std::optional<SettingRecord>> now = SelectOne(*writer_, w.kind, w.id);
    if (!now) return now.error();
    if (!*now) return SettingNotFound(w.kind, w.id);
    return SettingVersionConflict(w.kind, w.id, (*now)->version);
  }
  SettingAuditRecord audit{0,      w.now_ms, w.actor, w.kind, w.id,
                           **version == 1 ? SettingAction::kCreate : SettingAction::kUpdate,
                           **version, w.audit_body.empty() ? w.body : w.audit_body};
  if (Status s = InsertAudit(*writer_, audit); !s) return s.error();
  if (Status s = txn.Commit(); !s) return s.error();
  return SettingRecord{w.kind, w.id, w.body, **version, w.now_ms, w.actor};
}

Status SqliteStore::DeleteSetting(const std::string& kind, const std::string& id,
                                  const std::string& actor, int64_t now_ms) {
  std::lock_guard lock(writer_->mu);
  sqlite::SqliteTransaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s;
  Result<std::optional<int64_t>> version = [&]() -> Result<std::optional<int64_t>> {
    Result<SqliteStatement> stmt = writer_->Prepare(setting_sql::Delete());
    if (!stmt) return stmt.error();
    if (Status s = SqliteBinder(stmt->get()).Text(kind).Text(id).Done("DeleteSetting"); !s) {
      return s.error();
    }
    return StepReturning(*writer_, *stmt, "DeleteSetting");
  }();
  if (!version) return version.error();
  if (!*version) return SettingNotFound(kind, id);
  SettingAuditRecord audit{0, now_ms, actor, kind, id, SettingAction::kDelete, **version, ""};
  if (Status s = InsertAudit(*writer_, audit); !s) return s;
  return txn.Commit();
}

Result<std::optional<SettingRecord>> SqliteStore::GetSetting(const std::string& kind,
                                                             const std::string& id) {
  std::lock_guard lock(reader_->mu);
  return SelectOne(*reader_, kind, id);
}

Result<std::vector<SettingRecord>> SqliteStore::ListSettings(const std::string& kind) {
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(setting_sql::SelectKind());
  if (!stmt) return stmt.error();
  if (Status s = SqliteBinder(stmt->get()).Text(kind).Done("ListSettings"); !s) return s.error();
  return sqlite::ReadAll<SettingRecord>(*reader_, *stmt, setting_sql::ReadSetting<SqliteRow>,
                                        "ListSettings");
}

Result<SettingsRevision> SqliteStore::GetSettingsRevision() {
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(setting_sql::SelectRevision());
  if (!stmt) return stmt.error();
  if (stmt->Step() != SQLITE_ROW) return reader_->Fail("GetSettingsRevision");
  SqliteRow row(stmt->get());
  SettingsRevision r;
  r.changes = row.Int();
  r.last_id = row.Int();
  return r;
}

Result<std::vector<SettingAuditRecord>> SqliteStore::QuerySettingsAudit(const std::string& kind,
                                                                        int64_t before_id,
                                                                        int limit) {
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(setting_sql::SelectAudit(!kind.empty()));
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  b.Int(before_id > 0 ? before_id : INT64_MAX);
  if (!kind.empty()) b.Text(kind);
  b.Int(limit);
  if (Status s = b.Done("QuerySettingsAudit"); !s) return s.error();
  return sqlite::ReadAll<SettingAuditRecord>(
      *reader_, *stmt, setting_sql::ReadSettingAudit<SqliteRow>, "QuerySettingsAudit");
}

}  // namespace llmscope::store
