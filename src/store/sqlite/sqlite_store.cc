#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <string_view>
#include <system_error>
#include <utility>

#include "store/record_fields.h"
#include "store/sql_statements.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_rollups.h"
#include "store/sqlite/sqlite_schema.h"
#include "store/sqlite/sqlite_violation_counts.h"
#include "store/store_errors.h"

namespace llmscope::store {
namespace {

using record_fields::BindDelivery;
using record_fields::BindSample;
using record_fields::BindSeries;
using record_fields::BindSilence;
using record_fields::BindSource;
using record_fields::BindStage;
using record_fields::BindViolation;
using record_fields::ReadDelivery;
using record_fields::ReadSample;
using record_fields::ReadSilence;
using record_fields::ReadSource;
using record_fields::ReadStage;
using record_fields::ReadViolation;

using sqlite::ReadAll;
using sqlite::SqliteBinder;
using sqlite::SqliteConnection;
using sqlite::SqliteRow;
using sqlite::SqliteStatement;
using sqlite::SqliteTransaction;
using sqlite::TextBinding;

constexpr int64_t kJournalSizeLimitBytes = 64 << 20;

// What SQLite spells its own way in the shared statements (sql_statements.h).
constexpr std::string_view kDeliveryKeyColumn = "key";
// time_ms ≥ since: every row of the window has an id between the least and the greatest id in
// it. With those bounds the id-ordered scan starts at the window instead of at the oldest row and
// stops at its end instead of the newest; they come from samples_by_time alone (it holds the
// ids), reading only the window's entries. Without them a minute's window 90 days back walked
// the index and the rows to the newest sample (1.5 s).
constexpr std::string_view kSampleTimeFrom =
    "time_ms >= {since} AND id BETWEEN "
    "(SELECT min(id) FROM samples INDEXED BY samples_by_time WHERE time_ms >= {since} AND "
    "time_ms < {until}) AND "
    "(SELECT max(id) FROM samples INDEXED BY samples_by_time WHERE time_ms >= {since} AND "
    "time_ms < {until})";
// {"telemetry": …} of a violation's context, with SQLite's JSON functions.
constexpr std::string_view kContextTelemetry =
    "CASE WHEN json_valid(context_json) THEN json_object('telemetry', "
    "json_extract(context_json, '$.telemetry')) ELSE '' END AS context_json";
constexpr std::string_view kViolationGone = "violation_id NOT IN (SELECT id FROM violations)";

// The durability of sqlite_store.h: WAL mode, synchronous=NORMAL.
Status ConfigureWriter(SqliteConnection& writer) {
  Result<std::string> mode = writer.QueryText("PRAGMA journal_mode = WAL");
  if (!mode) return mode.error();
  if (*mode != "wal") return StorageError("cannot enable WAL mode (journal_mode is " + *mode + ")");
  const std::string pragmas[] = {
      "PRAGMA synchronous = NORMAL",
      "PRAGMA foreign_keys = ON",
      // The size the WAL file is truncated to after a checkpoint.
      "PRAGMA journal_size_limit = " + std::to_string(kJournalSizeLimitBytes),
  };
  for (const std::string& pragma : pragmas) {
    if (Status s = writer.Run(pragma); !s) return s;
  }
  return {};
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<SqliteConnection> writer,
                         std::unique_ptr<SqliteConnection> reader)
    : writer_(std::move(writer)), reader_(std::move(reader)) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       const SchemaUpgradeNotice& upgrade_notice) {
  if (path.empty() || path == ":memory:") {
    return StorageError("SQLite store needs a file path, got '" + path + "'");
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return StorageError("create directory " + parent.string() + ": " + ec.message());
  }

  Result<std::unique_ptr<SqliteConnection>> writer =
      SqliteConnection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!writer) return writer.error();
  if (Status s = ConfigureWriter(**writer); !s) return s.error();
  if (Status s = sqlite::Migrate(**writer, upgrade_notice); !s) return s.error();

  Result<std::unique_ptr<SqliteConnection>> reader =
      SqliteConnection::Open(path, SQLITE_OPEN_READWRITE);
  if (!reader) return reader.error();
  if (Status s = (*reader)->Run("PRAGMA query_only = ON"); !s) return s.error();

  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*writer), std::move(*reader)));
}

// ---- samples ---------------------------------------------------------------------------------

Result<AppendResult> SqliteStore::AppendSamples(std::vector<Sample>& samples) {
  AppendResult result;
  result.duplicate.assign(samples.size(), false);
  if (samples.empty()) return result;
  std::lock_guard lock(writer_->mu);
  SqliteTransaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s.error();
  Result<SqliteStatement> insert = writer_->Prepare(sql::InsertSample());
  if (!insert) return insert.error();
  std::vector<int64_t> ids;
  ids.reserve(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    // The samples outlive `insert`, whose bindings they are.
    SqliteBinder b(insert->get(), TextBinding::kBorrowed);
    BindSample(b, samples[i]);
    if (Status s = b.Done("AppendSamples"); !s) return s.error();
    if (insert->Step() != SQLITE_DONE) return writer_->Fail("AppendSamples");
    insert->Reset();
    if (sqlite3_changes(writer_->handle()) == 1) {
      ids.push_back(sqlite3_last_insert_rowid(writer_->handle()));
      continue;
    }
    // The key is stored already (the only conflict the insert ignores): that sample's id.
    Result<std::optional<int64_t>> stored =
        writer_->QueryOptInt(sql::SelectSampleIdOfKey(), samples[i].ingest_key.value_or(""));
    if (!stored) return stored.error();
    if (!stored->has_value()) return StorageError("AppendSamples: a stored key without an id");
    ids.push_back(**stored);
    result.duplicate[i] = true;
    ++result.duplicates;
  }
  if (Status s = sqlite::AddToRollups(*writer_, samples, ids, result.duplicate); !s) {
    return s.error();
  }
  if (Status s = txn.Commit(); !s) return s.error();
  for (size_t i = 0; i < samples.size(); ++i) samples[i].id = ids[i];
  return result;
}

Result<std::vector<Sample>> SqliteStore::QuerySamples(const SampleQuery& q) {
  if (q.limit <= 0) return std::vector<Sample>();
  const sql::BoundStatement select = sql::SelectSamples(q, kSampleTimeFrom);
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(select.sql);
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  sql::BindValues(b, select);
  if (Status s = b.Done("QuerySamples"); !s) return s.error();
  return ReadAll<Sample>(*reader_, *stmt, record_fields::SampleReader<SqliteRow>(q.fields),
                        "QuerySamples");
}

Result<std::vector<SourceKey>> SqliteStore::ListSources() {
  // A skip scan of samples_by_source: one index seek per source, not one step per sample.
  static const std::string kFirst =
      "SELECT provider, model, site, profile FROM samples "
      "ORDER BY provider, model, site, profile LIMIT 1";
  static const std::string kNext =
      "SELECT provider, model, site, profile FROM samples "
      "WHERE (provider, model, site, profile) > (?, ?, ?, ?) "
      "ORDER BY provider, model, site, profile LIMIT 1";
  std::lock_guard lock(reader_->mu);
  SqliteTransaction snapshot(*reader_);
  if (Status s = snapshot.Begin(/*immediate=*/false); !s) return s.error();
  std::vector<SourceKey> sources;
  while (true) {
    Result<SqliteStatement> stmt = reader_->Prepare(sources.empty() ? kFirst : kNext);
    if (!stmt) return stmt.error();
    if (!sources.empty()) {
      SqliteBinder b(stmt->get());
      BindSource(b, sources.back());
      if (Status s = b.Done("ListSources"); !s) return s.error();
    }
    int rc = stmt->Step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return reader_->Fail("ListSources");
    SqliteRow c(stmt->get());
    sources.push_back(ReadSource(c));
  }
  return sources;
}

Result<StoreStats> SqliteStore::Stats() {
  std::lock_guard lock(reader_->mu);
  SqliteTransaction snapshot(*reader_);
  if (Status s = snapshot.Begin(/*immediate=*/false); !s) return s.error();
  // min() and max() in queries of their own, so that each is one seek in samples_by_time.
  Result<std::optional<int64_t>> samples = reader_->QueryOptInt("SELECT count(*) FROM samples");
  if (!samples) return samples.error();
  Result<std::optional<int64_t>> first = reader_->QueryOptInt("SELECT min(time_ms) FROM samples");
  if (!first) return first.error();
  Result<std::optional<int64_t>> last = reader_->QueryOptInt("SELECT max(time_ms) FROM samples");
  if (!last) return last.error();
  Result<std::optional<int64_t>> violations =
      reader_->QueryOptInt("SELECT count(*) FROM violations");
  if (!violations) return violations.error();
  Result<std::optional<int64_t>> open =
      reader_->QueryOptInt("SELECT count(*) FROM violations WHERE status = ?",
                           ViolationStatusName(ViolationStatus::kOpen));
  if (!open) return open.error();
  StoreStats stats;
  stats.samples = samples->value_or(0);
  stats.violations = violations->value_or(0);
  stats.open_violations = open->value_or(0);
  stats.first_time_ms = *first;
  stats.last_time_ms = *last;
  return stats;
}

// ---- stages ----------------------------------------------------------------------------------

Status SqliteStore::SaveStage(const StageRecord& stage) {
  std::lock_guard lock(writer_->mu);
  Result<SqliteStatement> stmt = writer_->Prepare(sql::UpsertStage());
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  BindStage(b, stage);
  if (Status s = b.Done("SaveStage"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("SaveStage");
  return {};
}

Result<std::vector<StageRecord>> SqliteStore::LoadStages(const SeriesKey& series) {
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(sql::SelectStagesOfSeries());
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  BindSeries(b, series);
  if (Status s = b.Done("LoadStages"); !s) return s.error();
  return ReadAll<StageRecord>(*reader_, *stmt, ReadStage<SqliteRow>, "LoadStages");
}

Result<std::vector<StageRecord>> SqliteStore::LoadLatestStages() {
  static const std::string kSql =
      "SELECT " + std::string(sql::kStageColumns) +
      " FROM stages AS s WHERE number = (SELECT max(number) FROM stages AS t"
      " WHERE t.provider = s.provider AND t.model = s.model AND t.site = s.site"
      " AND t.profile = s.profile AND t.metric = s.metric)"
      " ORDER BY provider, model, site, profile, metric";
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(kSql);
  if (!stmt) return stmt.error();
  return ReadAll<StageRecord>(*reader_, *stmt, ReadStage<SqliteRow>, "LoadLatestStages");
}

// ---- violations and retention ----------------------------------------------------------------

Result<int64_t> SqliteStore::InsertViolationRow(const ViolationRecord& violation) {
  static const std::string kSql = sql::InsertInto("violations", sql::kViolationColumns);
  Result<SqliteStatement> stmt = writer_->Prepare(kSql);
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  BindViolation(b, violation);
  if (Status s = b.Done("InsertViolation"); !s) return s.error();
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("InsertViolation");
  return sqlite3_last_insert_rowid(writer_->handle());
}

Result<bool> SqliteStore::UpdateViolationRow(const ViolationRecord& v) {
  Result<SqliteStatement> stmt = writer_->Prepare(sql::UpdateViolationExtent());
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  sql::BindViolationExtent(b, v);
  if (Status s = b.Done("UpdateViolationExtent"); !s) return s.error();
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("UpdateViolationExtent");
  return sqlite3_changes64(writer_->handle()) > 0;
}

Status SqliteStore::InsertViolation(ViolationRecord& violation) {
  violation.id = 0;
  ViolationRecord* const one[] = {&violation};
  return WriteViolations(one);
}

Status SqliteStore::UpdateViolationExtent(const ViolationRecord& v) {
  std::lock_guard lock(writer_->mu);
  Result<bool> updated = UpdateViolationRow(v);
  if (!updated) return updated.error();
  if (!*updated) return NotFound("violation", v.id);
  return {};
}

Status SqliteStore::WriteViolations(std::span<ViolationRecord* const> violations) {
  if (violations.empty()) return {};
  std::lock_guard lock(writer_->mu);
  SqliteTransaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s;
  std::vector<int64_t> ids(violations.size(), 0);
  std::vector<const ViolationRecord*> inserted;
  for (size_t i = 0; i < violations.size(); ++i) {
    if (violations[i]->id != 0) {
      if (Result<bool> updated = UpdateViolationRow(*violations[i]); !updated) {
        return updated.error();
      }
      continue;
    }
    Result<int64_t> id = InsertViolationRow(*violations[i]);
    if (!id) return id.error();
    ids[i] = *id;
    inserted.push_back(violations[i]);
  }
  if (Status s = sqlite::AddToViolationCounts(*writer_, CountsOfInserted(inserted)); !s) return s;
  if (Status s = txn.Commit(); !s) return s;
  for (size_t i = 0; i < violations.size(); ++i) {
    if (ids[i] != 0) violations[i]->id = ids[i];
  }
  return {};
}

Status SqliteStore::SetViolationStatus(int64_t id, ViolationStatus status, const std::string& by,
                                       int64_t time_ms) {
  std::lock_guard lock(writer_->mu);
  Result<SqliteStatement> stmt = writer_->Prepare(sql::UpdateViolationStatus());
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  b.Text(ViolationStatusName(status)).Text(by).Int(time_ms).Int(id);
  if (Status s = b.Done("SetViolationStatus"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("SetViolationStatus");
  if (sqlite3_changes64(writer_->handle()) == 0) return NotFound("violation", id);
  return {};
}

Result<std::optional<ViolationRecord>> SqliteStore::GetViolation(int64_t id) {
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(sql::SelectViolationById());
  if (!stmt) return stmt.error();
  if (Status s = SqliteBinder(stmt->get()).Int(id).Done("GetViolation"); !s) return s.error();
  Result<std::vector<ViolationRecord>> rows =
      ReadAll<ViolationRecord>(*reader_, *stmt, ReadViolation<SqliteRow>, "GetViolation");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ViolationRecord>();
  return std::optional<ViolationRecord>(std::move(rows->front()));
}

Result<std::vector<ViolationRecord>> SqliteStore::QueryViolations(const ViolationQuery& q) {
  if (q.limit <= 0) return std::vector<ViolationRecord>();
  const sql::BoundStatement select = sql::SelectViolations(q, kContextTelemetry);
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(select.sql);
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  sql::BindValues(b, select);
  if (Status s = b.Done("QueryViolations"); !s) return s.error();
  return ReadAll<ViolationRecord>(*reader_, *stmt, ReadViolation<SqliteRow>, "QueryViolations");
}

Result<std::vector<ViolationMark>> SqliteStore::QueryViolationMarks(const ViolationQuery& q) {
  if (q.limit <= 0) return std::vector<ViolationMark>();
  const sql::BoundStatement select = sql::SelectViolationMarks(q);
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(select.sql);
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  sql::BindValues(b, select);
  if (Status s = b.Done("QueryViolationMarks"); !s) return s.error();
  return ReadAll<ViolationMark>(*reader_, *stmt, record_fields::ReadViolationMark<SqliteRow>,
                                "QueryViolationMarks");
}

Result<int64_t> SqliteStore::DeleteOlderThan(int64_t cutoff_ms) {
  std::lock_guard lock(writer_->mu);
  SqliteTransaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s.error();
  int64_t deleted = 0;
  for (const sql::BoundStatement& step : sql::RetentionDeletes(cutoff_ms, kViolationGone)) {
    Result<SqliteStatement> stmt = writer_->Prepare(step.sql);
    if (!stmt) return stmt.error();
    SqliteBinder b(stmt->get());
    sql::BindValues(b, step);
    if (Status s = b.Done("DeleteOlderThan"); !s) return s.error();
    if (stmt->Step() != SQLITE_DONE) return writer_->Fail("DeleteOlderThan: " + step.sql);
    deleted += sqlite3_changes64(writer_->handle());
  }
  if (Status s = txn.Commit(); !s) return s.error();
  return deleted;
}

// ---- the alert outbox ------------------------------------------------------------------------

Result<bool> SqliteStore::EnqueueDelivery(DeliveryRecord& d) {
  static const std::string kSql = sql::InsertDelivery(kDeliveryKeyColumn);
  std::lock_guard lock(writer_->mu);
  Result<SqliteStatement> stmt = writer_->Prepare(kSql);
  if (!stmt) return stmt.error();
  DeliveryRecord row = record_fields::NewDeliveryRow(d);
  SqliteBinder b(stmt->get());
  BindDelivery(b, row);
  if (Status s = b.Done("EnqueueDelivery"); !s) return s.error();
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("EnqueueDelivery");
  if (sqlite3_changes64(writer_->handle()) == 0) return false;
  row.id = sqlite3_last_insert_rowid(writer_->handle());
  d = std::move(row);
  return true;
}

Result<std::vector<DeliveryRecord>> SqliteStore::ClaimDueDeliveries(const std::string& owner,
                                                                    int64_t now_ms,
                                                                    int64_t lease_ms, int limit) {
  if (limit <= 0) return std::vector<DeliveryRecord>();
  // One writer connection under its mutex, in one IMMEDIATE transaction: no other thread or
  // process can claim between the UPDATE and its RETURNING rows.
  static const std::string kSql =
      "UPDATE deliveries SET claimed_by = ?, claimed_until_ms = ? WHERE id IN "
      "(SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_ms <= ? "
      "AND claimed_until_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?) RETURNING id, " +
      sql::DeliveryColumns(kDeliveryKeyColumn);
  std::lock_guard lock(writer_->mu);
  SqliteTransaction txn(*writer_);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s.error();
  Result<std::vector<DeliveryRecord>> rows = [&]() -> Result<std::vector<DeliveryRecord>> {
    Result<SqliteStatement> stmt = writer_->Prepare(kSql);
    if (!stmt) return stmt.error();
    SqliteBinder b(stmt->get());
    b.Text(owner).Int(now_ms + lease_ms).Int(now_ms).Int(now_ms).Int(limit);
    if (Status s = b.Done("ClaimDueDeliveries"); !s) return s.error();
    return ReadAll<DeliveryRecord>(*writer_, *stmt, ReadDelivery<SqliteRow>, "ClaimDueDeliveries");
  }();
  if (!rows) return rows.error();
  if (Status s = txn.Commit(); !s) return s.error();
  sql::SortClaimed(*rows);
  return rows;
}

Status SqliteStore::FinishDelivery(const DeliveryRecord& d, const std::string& owner) {
  std::lock_guard lock(writer_->mu);
  {
    Result<SqliteStatement> stmt = writer_->Prepare(sql::UpdateDeliveryOutcome());
    if (!stmt) return stmt.error();
    SqliteBinder b(stmt->get());
    sql::BindDeliveryOutcome(b, d, owner);
    if (Status s = b.Done("FinishDelivery"); !s) return s;
    if (stmt->Step() != SQLITE_DONE) return writer_->Fail("FinishDelivery");
    if (sqlite3_changes64(writer_->handle()) > 0) return {};
  }
  Result<SqliteStatement> stmt = writer_->Prepare(sql::CountDeliveriesWithId());
  if (!stmt) return stmt.error();
  if (Status s = SqliteBinder(stmt->get()).Int(d.id).Done("FinishDelivery"); !s) return s;
  if (stmt->Step() != SQLITE_ROW) return writer_->Fail("FinishDelivery");
  if (sqlite3_column_int64(stmt->get(), 0) == 0) return NotFound("delivery", d.id);
  return DeliveryNotHeld(d.id, owner);
}

Result<std::vector<DeliveryRecord>> SqliteStore::DeliveriesOfViolation(int64_t violation_id) {
  static const std::string kSql = sql::SelectDeliveriesOfViolation(kDeliveryKeyColumn);
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(kSql);
  if (!stmt) return stmt.error();
  if (Status s = SqliteBinder(stmt->get()).Int(violation_id).Done("DeliveriesOfViolation"); !s) {
    return s.error();
  }
  return ReadAll<DeliveryRecord>(*reader_, *stmt, ReadDelivery<SqliteRow>, "DeliveriesOfViolation");
}

Result<std::optional<DeliveryRecord>> SqliteStore::DeliveryWithKey(const std::string& key) {
  static const std::string kSql = sql::SelectDeliveryWithKey(kDeliveryKeyColumn);
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(kSql);
  if (!stmt) return stmt.error();
  if (Status s = SqliteBinder(stmt->get()).Text(key).Done("DeliveryWithKey"); !s) {
    return s.error();
  }
  Result<std::vector<DeliveryRecord>> rows =
      ReadAll<DeliveryRecord>(*reader_, *stmt, ReadDelivery<SqliteRow>, "DeliveryWithKey");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<DeliveryRecord>();
  return std::optional<DeliveryRecord>(std::move(rows->front()));
}

// ---- silences --------------------------------------------------------------------------------

Status SqliteStore::InsertSilence(SilenceRecord& r) {
  std::lock_guard lock(writer_->mu);
  Result<SqliteStatement> stmt = writer_->Prepare(sql::InsertSilence());
  if (!stmt) return stmt.error();
  SqliteBinder b(stmt->get());
  BindSilence(b, r);
  if (Status s = b.Done("InsertSilence"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("InsertSilence");
  r.id = sqlite3_last_insert_rowid(writer_->handle());
  return {};
}

Result<std::vector<SilenceRecord>> SqliteStore::ActiveSilences(int64_t now_ms) {
  std::lock_guard lock(reader_->mu);
  Result<SqliteStatement> stmt = reader_->Prepare(sql::SelectSilencesEndingAfter());
  if (!stmt) return stmt.error();
  if (Status s = SqliteBinder(stmt->get()).Int(now_ms).Done("ActiveSilences"); !s) return s.error();
  return ReadAll<SilenceRecord>(*reader_, *stmt, ReadSilence<SqliteRow>, "ActiveSilences");
}

Status SqliteStore::ExpireSilence(int64_t id, int64_t now_ms) {
  static const std::string kUpdate = "UPDATE silences SET ends_ms = min(ends_ms, ?) WHERE id = ?";
  std::lock_guard lock(writer_->mu);
  Result<SqliteStatement> stmt = writer_->Prepare(kUpdate);
  if (!stmt) return stmt.error();
  if (Status s = SqliteBinder(stmt->get()).Int(now_ms).Int(id).Done("ExpireSilence"); !s) return s;
  if (stmt->Step() != SQLITE_DONE) return writer_->Fail("ExpireSilence");
  if (sqlite3_changes64(writer_->handle()) == 0) return NotFound("silence", id);
  return {};
}

}  // namespace llmscope::store
