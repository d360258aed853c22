#include "store/postgres/postgres_store.h"

#include <cstdlib>
#include <string_view>
#include <utility>

#include "spc/firing.h"
#include "spc/rule.h"
#include "store/postgres/postgres_rollups.h"
#include "store/postgres/postgres_schema.h"
#include "store/record_fields.h"
#include "store/sql_statements.h"
#include "store/store_errors.h"

namespace llmscope::store {
namespace {

using record_fields::BindDelivery;
using record_fields::BindSample;
using record_fields::BindSeries;
using record_fields::BindSilence;
using record_fields::BindStage;
using record_fields::BindViolation;
using record_fields::ReadDelivery;
using record_fields::ReadName;
using record_fields::ReadSample;
using record_fields::ReadSilence;
using record_fields::ReadSource;
using record_fields::ReadStage;
using record_fields::ReadViolation;

using pg::PgParams;
using pg::PgResult;
using pg::PgRow;
using pg::PgTransaction;
using pg::ReadAll;

// What PostgreSQL spells its own way in the shared statements (sql_statements.h).
constexpr std::string_view kDeliveryKeyColumn = "idempotency_key";
constexpr std::string_view kSampleTimeFrom = "time_ms >= {since}";
// {"telemetry": …} of a violation's context, with PostgreSQL's JSON operators. The server
// writes every context as a JSON object; anything else reads as none.
constexpr std::string_view kContextTelemetry =
    "CASE WHEN context_json LIKE '{%}' THEN json_build_object('telemetry', "
    "context_json::json -> 'telemetry')::text ELSE '' END AS context_json";
constexpr std::string_view kViolationGone =
    "NOT EXISTS (SELECT 1 FROM violations AS v WHERE v.id = deliveries.violation_id)";

// A violation's row has one column more than the shared ones: `keyed`, set for the violations
// that InsertViolationOnce inserts, which are unique by their event key.
constexpr std::string_view kEventKeyColumns =
    "provider, model, site, profile, metric, stage, phase, rule, first_index";

const std::string& InsertViolationSql() {
  static const std::string sql =
      sql::InsertInto("violations", std::string(sql::kViolationColumns) + ", keyed");
  return sql;
}

PgParams ViolationParams(const ViolationRecord& v, bool keyed) {
  PgParams p;
  BindViolation(p, v);
  p.Bool(keyed);
  return p;
}

// Rows a command changed (UPDATE, DELETE, INSERT without RETURNING).
int64_t RowsChanged(const PgResult& result) {
  return std::strtoll(PQcmdTuples(result.get()), nullptr, 10);
}

// The first column of the only row of `result` as an integer.
Result<int64_t> ReadOneInt(const PgResult& result) {
  if (PQntuples(result.get()) != 1) return StorageError("expected one row");
  PgRow row(result.get(), 0);
  const int64_t v = row.Int();
  if (row.error()) return *row.error();
  return v;
}

// The password of a libpq URL, to keep it out of every message ("" when it has none).
Result<std::string> PasswordOf(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Error{"invalid_store_url", "store url is not a valid PostgreSQL URL: " + message};
  }
  std::string password;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr) password = o->val;
  }
  PQconninfoFree(options);
  return password;
}

}  // namespace

PostgresStore::PostgresStore(std::unique_ptr<pg::PgPool> pool) : pool_(std::move(pool)) {}

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url) {
  Result<std::string> password = PasswordOf(url);
  if (!password) return password.error();
  auto pool = std::make_unique<pg::PgPool>(url, *password, kPoolSize);
  {
    pg::PgPool::Lease conn = pool->Acquire();
    if (!conn) return conn.error();
    if (Status s = pg::Migrate(*conn); !s) return s.error();
  }
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(pool)));
}

Result<AppendResult> PostgresStore::AppendSamples(std::vector<Sample>& samples) {
  AppendResult result;
  result.duplicate.assign(samples.size(), false);
  if (samples.empty()) return result;
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  std::vector<PgParams> rows(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) BindSample(rows[i], samples[i]);
  PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s.error();
  // Held to the commit: the appends of every server are serialized, so ids commit in order and
  // two servers never insert one ingest key at once.
  if (auto r = conn->Run("SELECT pg_advisory_xact_lock(?)", PgParams().Int(pg::kAppendLockKey),
                         "AppendSamples: lock");
      !r) {
    return r.error();
  }
  static const std::string kInsert = sql::InsertSample() + " RETURNING id";
  Result<std::vector<PgResult>> inserted = conn->RunPipelined(kInsert, rows, "AppendSamples");
  if (!inserted) return inserted.error();
  std::vector<int64_t> ids;
  ids.reserve(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    const PgResult& r = (*inserted)[i];
    if (PQntuples(r.get()) == 0) {
      // The key is stored already (the only conflict the insert ignores): that sample's id,
      // which an earlier statement of this transaction may have inserted.
      Result<PgResult> stored = conn->Run(
          sql::SelectSampleIdOfKey(), PgParams().OptText(samples[i].ingest_key), "AppendSamples");
      if (!stored) return stored.error();
      Result<int64_t> id = ReadOneInt(*stored);
      if (!id) return id.error();
      ids.push_back(*id);
      result.duplicate[i] = true;
      ++result.duplicates;
      continue;
    }
    Result<int64_t> id = ReadOneInt(r);
    if (!id) return id.error();
    ids.push_back(*id);
  }
  if (Status s = pg::AddToRollups(*conn, samples, ids, result.duplicate); !s) return s.error();
  if (Status s = txn.Commit(); !s) return s.error();
  for (size_t i = 0; i < samples.size(); ++i) samples[i].id = ids[i];
  return result;
}

Result<std::vector<Sample>> PostgresStore::QuerySamples(const SampleQuery& q) {
  if (q.limit <= 0) return std::vector<Sample>();
  const sql::BoundStatement select = sql::SelectSamples(q, kSampleTimeFrom);
  PgParams p;
  sql::BindValues(p, select);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(select.sql, p, "QuerySamples");
  if (!r) return r.error();
  return ReadAll<Sample>(*r, ReadSample<PgRow>);
}

Result<std::vector<SourceKey>> PostgresStore::ListSources() {
  // A skip scan of samples_by_source: one index descent per source, not one row per sample.
  static const std::string kSql =
      "WITH RECURSIVE s AS ("
      " (SELECT provider, model, site, profile FROM samples"
      "  ORDER BY provider, model, site, profile LIMIT 1)"
      " UNION ALL"
      " SELECT n.provider, n.model, n.site, n.profile FROM s, LATERAL"
      " (SELECT provider, model, site, profile FROM samples AS t"
      "  WHERE (t.provider, t.model, t.site, t.profile) > (s.provider, s.model, s.site, s.profile)"
      "  ORDER BY provider, model, site, profile LIMIT 1) AS n)"
      " SELECT provider, model, site, profile FROM s";
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, PgParams(), "ListSources");
  if (!r) return r.error();
  return ReadAll<SourceKey>(*r, ReadSource<PgRow>);
}

Result<StoreStats> PostgresStore::Stats() {
  // One statement: one snapshot.
  static const std::string kSql =
      "SELECT (SELECT count(*) FROM samples), (SELECT min(time_ms) FROM samples),"
      " (SELECT max(time_ms) FROM samples), (SELECT count(*) FROM violations),"
      " (SELECT count(*) FROM violations WHERE status = ?)";
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r =
      conn->Run(kSql, PgParams().Text(ViolationStatusName(ViolationStatus::kOpen)), "Stats");
  if (!r) return r.error();
  PgRow row(r->get(), 0);
  StoreStats stats;
  stats.samples = row.Int();
  stats.first_time_ms = row.OptInt();
  stats.last_time_ms = row.OptInt();
  stats.violations = row.Int();
  stats.open_violations = row.Int();
  if (row.error()) return *row.error();
  return stats;
}

Status PostgresStore::SaveStage(const StageRecord& stage) {
  PgParams p;
  BindStage(p, stage);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  if (Result<PgResult> r = conn->Run(sql::UpsertStage(), p, "SaveStage"); !r) return r.error();
  return {};
}

Result<std::vector<StageRecord>> PostgresStore::LoadStages(const SeriesKey& series) {
  PgParams p;
  BindSeries(p, series);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(sql::SelectStagesOfSeries(), p, "LoadStages");
  if (!r) return r.error();
  return ReadAll<StageRecord>(*r, ReadStage<PgRow>);
}

Result<std::vector<StageRecord>> PostgresStore::LoadLatestStages() {
  static const std::string kSql =
      "SELECT DISTINCT ON (provider, model, site, profile, metric) " +
      std::string(sql::kStageColumns) +
      " FROM stages ORDER BY provider, model, site, profile, metric, number DESC";
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, PgParams(), "LoadLatestStages");
  if (!r) return r.error();
  return ReadAll<StageRecord>(*r, ReadStage<PgRow>);
}

Status PostgresStore::InsertViolation(ViolationRecord& violation) {
  static const std::string kSql = InsertViolationSql() + " RETURNING id";
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r =
      conn->Run(kSql, ViolationParams(violation, /*keyed=*/false), "InsertViolation");
  if (!r) return r.error();
  Result<int64_t> id = ReadOneInt(*r);
  if (!id) return id.error();
  violation.id = *id;
  return {};
}

Result<bool> PostgresStore::InsertViolationOnce(ViolationRecord& violation) {
  static const std::string kInsert = InsertViolationSql() + " ON CONFLICT (" +
                                     std::string(kEventKeyColumns) +
                                     ") WHERE keyed DO NOTHING RETURNING id";
  static const std::string kExisting =
      "SELECT id, status, status_by, status_time_ms, created_ms FROM violations WHERE keyed AND"
      " provider = ? AND model = ? AND site = ? AND profile = ? AND metric = ? AND stage = ? AND"
      " phase = ? AND rule = ? AND first_index = ?";
  const PgParams insert = ViolationParams(violation, /*keyed=*/true);
  PgParams key;
  BindSeries(key, violation.series);
  key.Int(violation.stage).Text(spc::PhaseName(violation.phase));
  key.Text(spc::RuleName(violation.rule)).Int(violation.first_index);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  // A conflicting insert in progress makes ON CONFLICT wait for its outcome, so the row it finds
  // is committed and the SELECT (a new snapshot under READ COMMITTED) sees it. Only retention
  // deleting it in between could make both miss; a second round then inserts.
  for (int round = 0; round < 2; ++round) {
    Result<PgResult> r = conn->Run(kInsert, insert, "InsertViolationOnce");
    if (!r) return r.error();
    if (PQntuples(r->get()) == 1) {
      Result<int64_t> id = ReadOneInt(*r);
      if (!id) return id.error();
      violation.id = *id;
      return true;
    }
    Result<PgResult> found = conn->Run(kExisting, key, "InsertViolationOnce: existing");
    if (!found) return found.error();
    if (PQntuples(found->get()) == 1) {
      PgRow row(found->get(), 0);
      violation.id = row.Int();
      violation.status = ReadName(row, ParseViolationStatus, "status");
      violation.status_by = row.Text();
      violation.status_time_ms = row.Int();
      violation.created_ms = row.Int();
      if (row.error()) return *row.error();
      return false;
    }
  }
  return StorageError("InsertViolationOnce: the event key conflicts but no row has it");
}

Status PostgresStore::UpdateViolationExtent(const ViolationRecord& v) {
  PgParams p;
  sql::BindViolationExtent(p, v);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(sql::UpdateViolationExtent(), p, "UpdateViolationExtent");
  if (!r) return r.error();
  if (RowsChanged(*r) == 0) return NotFound("violation", v.id);
  return {};
}

Status PostgresStore::WriteViolations(std::span<ViolationRecord* const> violations) {
  if (violations.empty()) return {};
  static const std::string kInsert = InsertViolationSql() + " RETURNING id";
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s;
  std::vector<int64_t> ids(violations.size(), 0);
  for (size_t i = 0; i < violations.size(); ++i) {
    const ViolationRecord& v = *violations[i];
    if (v.id != 0) {
      PgParams p;
      sql::BindViolationExtent(p, v);
      if (auto r = conn->Run(sql::UpdateViolationExtent(), p, "WriteViolations: update"); !r) {
        return r.error();
      }
      continue;
    }
    Result<PgResult> r =
        conn->Run(kInsert, ViolationParams(v, /*keyed=*/false), "WriteViolations: insert");
    if (!r) return r.error();
    Result<int64_t> id = ReadOneInt(*r);
    if (!id) return id.error();
    ids[i] = *id;
  }
  if (Status s = txn.Commit(); !s) return s;
  for (size_t i = 0; i < violations.size(); ++i) {
    if (ids[i] != 0) violations[i]->id = ids[i];
  }
  return {};
}

Status PostgresStore::SetViolationStatus(int64_t id, ViolationStatus status, const std::string& by,
                                         int64_t time_ms) {
  PgParams p;
  p.Text(ViolationStatusName(status)).Text(by).Int(time_ms).Int(id);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(sql::UpdateViolationStatus(), p, "SetViolationStatus");
  if (!r) return r.error();
  if (RowsChanged(*r) == 0) return NotFound("violation", id);
  return {};
}

Result<std::optional<ViolationRecord>> PostgresStore::GetViolation(int64_t id) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(sql::SelectViolationById(), PgParams().Int(id), "GetViolation");
  if (!r) return r.error();
  Result<std::vector<ViolationRecord>> rows = ReadAll<ViolationRecord>(*r, ReadViolation<PgRow>);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ViolationRecord>();
  return std::optional<ViolationRecord>(std::move(rows->front()));
}

Result<std::vector<ViolationRecord>> PostgresStore::QueryViolations(const ViolationQuery& q) {
  if (q.limit <= 0) return std::vector<ViolationRecord>();
  const sql::BoundStatement select = sql::SelectViolations(q, kContextTelemetry);
  PgParams p;
  sql::BindValues(p, select);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(select.sql, p, "QueryViolations");
  if (!r) return r.error();
  return ReadAll<ViolationRecord>(*r, ReadViolation<PgRow>);
}

Result<std::vector<ViolationMark>> PostgresStore::QueryViolationMarks(const ViolationQuery& q) {
  if (q.limit <= 0) return std::vector<ViolationMark>();
  const sql::BoundStatement select = sql::SelectViolationMarks(q);
  PgParams p;
  sql::BindValues(p, select);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(select.sql, p, "QueryViolationMarks");
  if (!r) return r.error();
  return ReadAll<ViolationMark>(*r, record_fields::ReadViolationMark<PgRow>);
}

Result<int64_t> PostgresStore::DeleteOlderThan(int64_t cutoff_ms) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s.error();
  int64_t deleted = 0;
  for (const sql::BoundStatement& step : sql::RetentionDeletes(cutoff_ms, kViolationGone)) {
    PgParams p;
    sql::BindValues(p, step);
    Result<PgResult> r = conn->Run(step.sql, p, "DeleteOlderThan");
    if (!r) return r.error();
    deleted += RowsChanged(*r);
  }
  if (Status s = txn.Commit(); !s) return s.error();
  return deleted;
}

// ---- the alert outbox ------------------------------------------------------------------------

Result<bool> PostgresStore::EnqueueDelivery(DeliveryRecord& delivery) {
  static const std::string kSql = sql::InsertDelivery(kDeliveryKeyColumn) + " RETURNING id";
  DeliveryRecord row = record_fields::NewDeliveryRow(delivery);
  PgParams p;
  BindDelivery(p, row);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, p, "EnqueueDelivery");
  if (!r) return r.error();
  if (PQntuples(r->get()) == 0) return false;
  Result<int64_t> id = ReadOneInt(*r);
  if (!id) return id.error();
  row.id = *id;
  delivery = std::move(row);
  return true;
}

Result<std::vector<DeliveryRecord>> PostgresStore::ClaimDueDeliveries(const std::string& owner,
                                                                      int64_t now_ms,
                                                                      int64_t lease_ms, int limit) {
  if (limit <= 0) return std::vector<DeliveryRecord>();
  // SKIP LOCKED: a row another claimer is taking is passed over, not waited for; a row it took
  // and committed fails the re-checked conditions. The locking CTE runs once (a plain
  // "id IN (SELECT ... LIMIT n)" may be rescanned by the join and claim more than n rows).
  static const std::string kSql =
      "WITH due AS (SELECT id AS due_id FROM deliveries WHERE state = ? AND next_attempt_ms <= ?"
      " AND claimed_until_ms <= ? ORDER BY next_attempt_ms, id LIMIT ? FOR UPDATE SKIP LOCKED)"
      " UPDATE deliveries SET claimed_by = ?, claimed_until_ms = ? FROM due WHERE id = due_id"
      " RETURNING id, " +
      sql::DeliveryColumns(kDeliveryKeyColumn);
  const std::string pending(DeliveryStateName(DeliveryState::kPending));
  PgParams p;
  p.Text(pending).Int(now_ms).Int(now_ms).Int(limit).Text(owner).Int(now_ms + lease_ms);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, p, "ClaimDueDeliveries");
  if (!r) return r.error();
  Result<std::vector<DeliveryRecord>> rows = ReadAll<DeliveryRecord>(*r, ReadDelivery<PgRow>);
  if (!rows) return rows.error();
  sql::SortClaimed(*rows);
  return rows;
}

Status PostgresStore::FinishDelivery(const DeliveryRecord& d, const std::string& owner) {
  PgParams p;
  sql::BindDeliveryOutcome(p, d, owner);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(sql::UpdateDeliveryOutcome(), p, "FinishDelivery");
  if (!r) return r.error();
  if (RowsChanged(*r) == 1) return {};
  Result<PgResult> exists =
      conn->Run(sql::CountDeliveriesWithId(), PgParams().Int(d.id), "FinishDelivery: exists");
  if (!exists) return exists.error();
  Result<int64_t> n = ReadOneInt(*exists);
  if (!n) return n.error();
  if (*n == 0) return NotFound("delivery", d.id);
  return DeliveryNotHeld(d.id, owner);
}

Result<std::vector<DeliveryRecord>> PostgresStore::DeliveriesOfViolation(int64_t violation_id) {
  static const std::string kSql = sql::SelectDeliveriesOfViolation(kDeliveryKeyColumn);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, PgParams().Int(violation_id), "DeliveriesOfViolation");
  if (!r) return r.error();
  return ReadAll<DeliveryRecord>(*r, ReadDelivery<PgRow>);
}

Result<std::optional<DeliveryRecord>> PostgresStore::DeliveryWithKey(const std::string& key) {
  static const std::string kSql = sql::SelectDeliveryWithKey(kDeliveryKeyColumn);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, PgParams().Text(key), "DeliveryWithKey");
  if (!r) return r.error();
  Result<std::vector<DeliveryRecord>> rows = ReadAll<DeliveryRecord>(*r, ReadDelivery<PgRow>);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<DeliveryRecord>();
  return std::optional<DeliveryRecord>(std::move(rows->front()));
}

// ---- silences --------------------------------------------------------------------------------

Status PostgresStore::InsertSilence(SilenceRecord& s) {
  static const std::string kSql = sql::InsertSilence() + " RETURNING id";
  PgParams p;
  BindSilence(p, s);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, p, "InsertSilence");
  if (!r) return r.error();
  Result<int64_t> id = ReadOneInt(*r);
  if (!id) return id.error();
  s.id = *id;
  return {};
}

Result<std::vector<SilenceRecord>> PostgresStore::ActiveSilences(int64_t now_ms) {
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r =
      conn->Run(sql::SelectSilencesEndingAfter(), PgParams().Int(now_ms), "ActiveSilences");
  if (!r) return r.error();
  return ReadAll<SilenceRecord>(*r, ReadSilence<PgRow>);
}

Status PostgresStore::ExpireSilence(int64_t id, int64_t now_ms) {
  static const std::string kSql = "UPDATE silences SET ends_ms = LEAST(ends_ms, ?) WHERE id = ?";
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, PgParams().Int(now_ms).Int(id), "ExpireSilence");
  if (!r) return r.error();
  if (RowsChanged(*r) == 0) return NotFound("silence", id);
  return {};
}

// ---- coordination ----------------------------------------------------------------------------

Status PostgresStore::PlaceStage(StageRecord& stage) {
  // Under the append lock no append is in progress, so the next id handed out is above the
  // sequence's last value, and every id at or below it is committed or never will be.
  static const std::string kNextId =
      "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM samples_id_seq";
  static const std::string kInsert = sql::InsertInto("placed_stages", sql::kStageColumns);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s;
  if (auto r = conn->Run("SELECT pg_advisory_xact_lock(?)", PgParams().Int(pg::kAppendLockKey),
                         "PlaceStage: lock");
      !r) {
    return r.error();
  }
  Result<PgResult> next = conn->Run(kNextId, PgParams(), "PlaceStage: next id");
  if (!next) return next.error();
  Result<int64_t> next_id = ReadOneInt(*next);
  if (!next_id) return next_id.error();
  StageRecord placed = stage;
  placed.start_sample_id = *next_id;
  PgParams p;
  BindStage(p, placed);
  if (auto r = conn->Run(kInsert, p, "PlaceStage"); !r) return r.error();
  if (Status s = txn.Commit(); !s) return s;
  stage.start_sample_id = *next_id;
  return {};
}

Result<std::vector<PlacedStage>> PostgresStore::PlacedStagesAfter(int64_t after_id) {
  static const std::string kSql = "SELECT id, " + std::string(sql::kStageColumns) +
                                  " FROM placed_stages WHERE id > ? ORDER BY id";
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, PgParams().Int(after_id), "PlacedStagesAfter");
  if (!r) return r.error();
  return ReadAll<PlacedStage>(*r, [](PgRow& c) {
    PlacedStage placed;
    placed.id = c.Int();
    placed.stage = ReadStage(c);
    return placed;
  });
}

}  // namespace llmscope::store
