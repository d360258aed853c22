// PostgresStore's settings (store.h, setting_records.h): each change and its audit row in one
// transaction on a pooled connection. Concurrent writers of one item are ordered by the row
// itself (INSERT ... ON CONFLICT, UPDATE ... WHERE version = ?), so a stale version loses.
#include <optional>
#include <string>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/postgres/postgres_store.h"
#include "store/setting_sql.h"
#include "store/store_errors.h"

namespace llmscope::store {
namespace {

using pg::PgConnection;
using pg::PgParams;
using pg::PgResult;
using pg::PgRow;

// The integer a RETURNING statement gave, or nullopt when it wrote no row.
Result<std::optional<int64_t>> Returned(const PgResult& result) {
  if (PQntuples(result.get()) == 0) return std::optional<int64_t>();
  PgRow row(result.get(), 0);
  const int64_t v = row.Int();
  if (row.error()) return *row.error();
  return std::optional<int64_t>(v);
}

Result<std::optional<SettingRecord>> SelectOne(PgConnection& conn, const std::string& kind,
                                               const std::string& id) {
  Result<PgResult> r =
      conn.Run(setting_sql::SelectOne(), PgParams().Text(kind).Text(id), "GetSetting");
  if (!r) return r.error();
  Result<std::vector<SettingRecord>> rows =
      pg::ReadAll<SettingRecord>(*r, setting_sql::ReadSetting<PgRow>);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<SettingRecord>();
  return std::optional<SettingRecord>(std::move(rows->front()));
}

Status InsertAudit(PgConnection& conn, const SettingAuditRecord& a) {
  PgParams p;
  p.Int(a.time_ms).Text(a.actor).Text(a.kind).Text(a.item_id).Text(SettingActionName(a.action));
  p.Int(a.version).Text(a.body);
  Result<PgResult> r = conn.Run(setting_sql::InsertAudit(), p, "settings audit");
  if (!r) return r.error();
  return {};
}

}  // namespace

Result<SettingRecord> PostgresStore::PutSetting(const SettingWrite& w) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  pg::PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s.error();
  const bool update = w.expected_version.has_value() && *w.expected_version > 0;
  PgParams p;
  if (update) {
    p.Text(w.body).Int(w.now_ms).Text(w.actor).Text(w.kind).Text(w.id).Int(*w.expected_version);
  } else {
    p.Text(w.kind).Text(w.id).Text(w.body).Int(w.now_ms).Text(w.actor);
  }
  const std::string& sql = !w.expected_version ? setting_sql::Upsert()
                           : update            ? setting_sql::UpdateVersion()
                                               : setting_sql::InsertNew();
  Result<PgResult> r = conn->Run(sql, p, "PutSetting");
  if (!r) return r.error();
  Result<std::optional<int64_t>> version = Returned(*r);
  if (!version) return version.error();
  if (!*version) {
    if (*w.expected_version == 0) return SettingExists(w.kind, w.id);
    Result<std::optional<SettingRecord>> now = SelectOne(*conn, w.kind, w.id);
    if (!now) return now.error();
    if (!*now) return SettingNotFound(w.kind, w.id);
    return SettingVersionConflict(w.kind, w.id, (*now)->version);
  }
  SettingAuditRecord audit{0,      w.now_ms, w.actor, w.kind, w.id,
                           **version == 1 ? SettingAction::kCreate : SettingAction::kUpdate,
                           **version, w.audit_body.empty() ? w.body : w.audit_body};
  if (Status s = InsertAudit(*conn, audit); !s) return s.error();
  if (Status s = txn.Commit(); !s) return s.error();
  return SettingRecord{w.kind, w.id, w.body, **version, w.now_ms, w.actor};
}

Status PostgresStore::DeleteSetting(const std::string& kind, const std::string& id,
                                    const std::string& actor, int64_t now_ms) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  pg::PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s;
  Result<PgResult> r =
      conn->Run(setting_sql::Delete(), PgParams().Text(kind).Text(id), "DeleteSetting");
  if (!r) return r.error();
  Result<std::optional<int64_t>> version = Returned(*r);
  if (!version) return version.error();
  if (!*version) return SettingNotFound(kind, id);
  SettingAuditRecord audit{0, now_ms, actor, kind, id, SettingAction::kDelete, **version, ""};
  if (Status s = InsertAudit(*conn, audit); !s) return s;
  return txn.Commit();
}

Result<std::optional<SettingRecord>> PostgresStore::GetSetting(const std::string& kind,
                                                               const std::string& id) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  return SelectOne(*conn, kind, id);
}

Result<std::vector<SettingRecord>> PostgresStore::ListSettings(const std::string& kind) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(setting_sql::SelectKind(), PgParams().Text(kind), "ListSettings");
  if (!r) return r.error();
  return pg::ReadAll<SettingRecord>(*r, setting_sql::ReadSetting<PgRow>);
}

Result<SettingsRevision> PostgresStore::GetSettingsRevision() {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(setting_sql::SelectRevision(), PgParams(), "GetSettingsRevision");
  if (!r) return r.error();
  if (PQntuples(r->get()) != 1) return StorageError("GetSettingsRevision: expected one row");
  PgRow row(r->get(), 0);
  SettingsRevision rev;
  rev.changes = row.Int();
  rev.last_id = row.Int();
  if (row.error()) return *row.error();
  return rev;
}

Result<std::vector<SettingAuditRecord>> PostgresStore::QuerySettingsAudit(const std::string& kind,
                                                                          int64_t before_id,
                                                                          int limit) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  PgParams p;
  p.Int(before_id > 0 ? before_id : INT64_MAX);
  if (!kind.empty()) p.Text(kind);
  p.Int(limit);
  Result<PgResult> r = conn->Run(setting_sql::SelectAudit(!kind.empty()), p, "QuerySettingsAudit");
  if (!r) return r.error();
  return pg::ReadAll<SettingAuditRecord>(*r, setting_sql::ReadSettingAudit<PgRow>);
}

}  // namespace llmscope::store
