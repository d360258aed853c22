#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "spc/firing.h"
#include "spc/rule.h"
#include "store/postgres/postgres_rollups.h"
#include "store/postgres/postgres_schema.h"
#include "store/postgres/postgres_violation_counts.h"
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
// that WriteViolationsOnce inserts, which are unique by their event key.
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

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url,
                                                           const SchemaUpgradeNotice& upgrade_notice) {
  Result<std::string> password = PasswordOf(url);
  if (!password) return password.error();
  auto pool = std::make_unique<pg::PgPool>(url, *password, kPoolSize);
  {
    pg::PgPool::Lease conn = pool->Acquire();
    if (!conn) return conn.error();
    if (Status s = pg::Migrate(*conn, upgrade_notice); !s) return s.error();
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
  return ReadAll<Sample>(*r, record_fields::SampleReader<PgRow>(q.fields));
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
  violation.id = 0;
  ViolationRecord* const one[] = {&violation};
  return WriteViolationsIn(one, /*once=*/false);
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
  return WriteViolationsIn(violations, /*once=*/false);
}

Status PostgresStore::WriteViolationsOnce(std::span<ViolationRecord* const> violations) {
  return WriteViolationsIn(violations, /*once=*/true);
}

Status PostgresStore::WriteViolationsIn(std::span<ViolationRecord* const> violations, bool once) {
  if (violations.empty()) return {};
  static const std::string kInsert = InsertViolationSql() + " RETURNING id";
  // Inserted, or else the stored event of the same key: (inserted, id, status, status_by,
  // status_time_ms, created_ms), one row either way, unless the event was inserted by a
  // transaction that committed while this statement waited on it: the statement's snapshot,
  // taken before, does not see that row (a second run does).
  static const std::string kInsertOnce =
      "WITH inserted AS (" + InsertViolationSql() + " ON CONFLICT (" +
      std::string(kEventKeyColumns) +
      ") WHERE keyed DO NOTHING RETURNING id, status, status_by, status_time_ms, created_ms)"
      " SELECT TRUE, * FROM inserted UNION ALL"
      " SELECT FALSE, id, status, status_by, status_time_ms, created_ms FROM violations"
      " WHERE keyed AND provider = ? AND model = ? AND site = ? AND profile = ? AND metric = ?"
      " AND stage = ? AND phase = ? AND rule = ? AND first_index = ?"
      " AND NOT EXISTS (SELECT 1 FROM inserted)";
  // New events first, in event key order, then the extents in id order: two servers writing
  // overlapping flushes take their locks in one order and never wait on each other in a circle.
  std::vector<size_t> order(violations.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto event_key = [&](size_t i) {
    const ViolationRecord& v = *violations[i];
    return std::tie(v.series, v.stage, v.phase, v.rule, v.first_index);
  };
  std::ranges::sort(order, [&](size_t a, size_t b) {
    const bool a_new = violations[a]->id == 0, b_new = violations[b]->id == 0;
    if (a_new != b_new) return a_new;
    if (a_new) return event_key(a) < event_key(b);
    return violations[a]->id < violations[b]->id;
  });
  std::vector<PgParams> params(violations.size());
  std::vector<pg::PgStatement> statements;
  statements.reserve(order.size());
  for (size_t i : order) {
    const ViolationRecord& v = *violations[i];
    if (v.id != 0) {
      sql::BindViolationExtent(params[i], v);
      statements.push_back({.sql = &sql::UpdateViolationExtent(), .params = &params[i]});
      continue;
    }
    params[i] = ViolationParams(v, once);
    if (once) {
      BindSeries(params[i], v.series);
      params[i].Int(v.stage).Text(spc::PhaseName(v.phase));
      params[i].Text(spc::RuleName(v.rule)).Int(v.first_index);
    }
    statements.push_back({.sql = once ? &kInsertOnce : &kInsert, .params = &params[i]});
  }
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s;
  Result<std::vector<PgResult>> results = conn->RunPipelined(statements, "WriteViolations");
  if (!results) return results.error();
  // What each new one is stored as: its id, and when another server stored the event first, that
  // row's status, who and when.
  struct Stored {
    int64_t id = 0;
    std::optional<ViolationRecord> existing_status;
  };
  std::vector<Stored> stored(violations.size());
  std::vector<size_t> unseen;
  std::vector<const ViolationRecord*> counted;  // inserted by this call: counted once, here
  auto read = [&](size_t i, const PgResult& r) -> Status {
    if (PQntuples(r.get()) == 0) {
      unseen.push_back(i);
      return {};
    }
    PgRow row(r.get(), 0);
    const bool inserted = !once || row.Bool();
    if (inserted) counted.push_back(violations[i]);
    stored[i].id = row.Int();
    if (!inserted) {
      ViolationRecord& status = stored[i].existing_status.emplace();
      status.status = ReadName(row, ParseViolationStatus, "status");
      status.status_by = row.Text();
      status.status_time_ms = row.Int();
      status.created_ms = row.Int();
    }
    if (row.error()) return *row.error();
    return {};
  };
  for (size_t k = 0; k < order.size(); ++k) {
    if (violations[order[k]]->id != 0) continue;
    if (Status s = read(order[k], (*results)[k]); !s) return s;
  }
  if (!unseen.empty()) {
    // The events that a transaction committed while their insert waited: read again, now seen.
    std::vector<pg::PgStatement> again;
    again.reserve(unseen.size());
    for (size_t i : unseen) again.push_back({.sql = &kInsertOnce, .params = &params[i]});
    const std::vector<size_t> waited = std::exchange(unseen, {});
    Result<std::vector<PgResult>> reread = conn->RunPipelined(again, "WriteViolations: again");
    if (!reread) return reread.error();
    for (size_t k = 0; k < waited.size(); ++k) {
      if (Status s = read(waited[k], (*reread)[k]); !s) return s;
    }
    if (!unseen.empty()) {
      return StorageError("WriteViolationsOnce: the event key conflicts but no row has it");
    }
  }
  if (Status s = pg::AddToViolationCounts(*conn, CountsOfInserted(counted)); !s) return s;
  if (Status s = txn.Commit(); !s) return s;
  for (size_t i = 0; i < violations.size(); ++i) {
    if (stored[i].id == 0) continue;
    ViolationRecord& v = *violations[i];
    v.id = stored[i].id;
    if (const auto& existing = stored[i].existing_status) {
      v.status = existing->status;
      v.status_by = existing->status_by;
      v.status_time_ms = existing->status_time_ms;
      v.created_ms = existing->created_ms;
    }
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
