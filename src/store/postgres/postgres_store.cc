#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <tuple>
#include <utility>

#include "spc/baseline.h"
#include "spc/firing.h"
#include "spc/rule.h"
#include "spc/stage.h"
#include "spc/transform.h"
#include "store/postgres/postgres_schema.h"
#include "store/record_fields.h"
#include "store/sql_conditions.h"

namespace llmscope::store {
namespace {

using record_fields::BindSample;
using record_fields::BindStage;
using record_fields::ReadDelivery;
using record_fields::ReadSample;
using record_fields::ReadSilence;
using record_fields::ReadStage;
using record_fields::ReadViolation;

using pg::PgParams;
using pg::PgResult;
using pg::PgRow;
using pg::PgTransaction;

// Column lists, in the order the Bind/Read pairs below use.
constexpr std::string_view kSampleColumns =
    "id, time_ms, provider, model, site, profile, e2e_ms, ttft_ms, tpot_ms, tokens_per_s, "
    "cost_usd, error, error_kind, error_message, total_duration_ms, load_duration_ms, "
    "prompt_eval_duration_ms, eval_duration_ms, prompt_eval_count, eval_count, tokens_in, "
    "tokens_out, cpu_percent, memory_percent, gpu_percent, gpu_memory_percent, gpu_temp_c, "
    "prompt_hash, prompt_text, ingest_key";
// Returns no row for a sample whose ingest key is stored already (it inserts nothing).
constexpr const char* kInsertSample =
    "INSERT INTO samples (time_ms, provider, model, site, profile, e2e_ms, ttft_ms, tpot_ms, "
    "tokens_per_s, cost_usd, error, error_kind, error_message, total_duration_ms, "
    "load_duration_ms, prompt_eval_duration_ms, eval_duration_ms, prompt_eval_count, eval_count, "
    "tokens_in, tokens_out, cpu_percent, memory_percent, gpu_percent, gpu_memory_percent, "
    "gpu_temp_c, prompt_hash, prompt_text, ingest_key) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?) ON CONFLICT (ingest_key) WHERE ingest_key IS NOT NULL DO NOTHING RETURNING id";
constexpr const char* kSampleIdOfKey = "SELECT id FROM samples WHERE ingest_key = ?";

constexpr std::string_view kStageColumns =
    "provider, model, site, profile, metric, number, start_index, baseline_size, transform, "
    "sigma_method, mean, sigma, frozen, external_baseline, start_sample_id, start_time_ms, "
    "created_ms";
constexpr const char* kUpsertStage =
    "INSERT INTO stages (provider, model, site, profile, metric, number, start_index, "
    "baseline_size, transform, sigma_method, mean, sigma, frozen, external_baseline, "
    "start_sample_id, start_time_ms, created_ms) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (provider, model, site, profile, metric, number) DO UPDATE SET "
    "start_index = excluded.start_index, baseline_size = excluded.baseline_size, "
    "transform = excluded.transform, sigma_method = excluded.sigma_method, "
    "mean = excluded.mean, sigma = excluded.sigma, frozen = excluded.frozen, "
    "external_baseline = excluded.external_baseline, "
    "start_sample_id = excluded.start_sample_id, start_time_ms = excluded.start_time_ms, "
    "created_ms = excluded.created_ms";

constexpr std::string_view kViolationColumns =
    "id, provider, model, site, profile, metric, rule, phase, stage, first_index, last_index, "
    "count, first_time_ms, last_time_ms, value, worst_value, deviation, mean, sigma, center, ucl, "
    "lcl, upper_2s, lower_2s, upper_1s, lower_1s, context_json, status, status_by, "
    "status_time_ms, created_ms";
// {"telemetry": …} of a violation's context, with PostgreSQL's JSON operators. The server
// writes every context as a JSON object; anything else reads as none.
constexpr const char* kContextTelemetry =
    "CASE WHEN context_json LIKE '{%}' THEN json_build_object('telemetry', "
    "context_json::json -> 'telemetry')::text ELSE '' END AS context_json";

// The insert of every column but id, followed by `keyed`.
constexpr const char* kInsertViolation =
    "INSERT INTO violations (provider, model, site, profile, metric, rule, phase, stage, "
    "first_index, last_index, count, first_time_ms, last_time_ms, value, worst_value, deviation, "
    "mean, sigma, center, ucl, lcl, upper_2s, lower_2s, upper_1s, lower_1s, context_json, status, "
    "status_by, status_time_ms, created_ms, keyed) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?)";
constexpr const char* kEventKeyColumns =
    "provider, model, site, profile, metric, stage, phase, rule, first_index";

constexpr std::string_view kDeliveryColumns =
    "id, idempotency_key, violation_id, sink, kind, payload_json, state, attempts, "
    "next_attempt_ms, last_error, claimed_by, claimed_until_ms, created_ms, updated_ms, "
    "delivered_ms";

constexpr std::string_view kSilenceColumns =
    "id, provider, model, metric, rule, starts_ms, ends_ms, created_by, comment, created_ms";

Error NotFound(std::string_view what, int64_t id) {
  return Error{"not_found", std::string(what) + " " + std::to_string(id) + " not found"};
}

// Rows a command changed (UPDATE, DELETE, INSERT without RETURNING).
int64_t RowsChanged(const PgResult& result) {
  return std::strtoll(PQcmdTuples(result.get()), nullptr, 10);
}

// Every column but id, in kInsertViolation's order, then `keyed`.
void BindViolation(PgParams& p, const ViolationRecord& v, bool keyed) {
  record_fields::BindViolation(p, v);
  p.Bool(keyed);
}

// Every column but id, in kDeliveryColumns' order, of a new row: unclaimed, updated_ms =
// created_ms.
void BindDelivery(PgParams& p, const DeliveryRecord& d) {
  p.Text(d.key).Int(d.violation_id).Text(d.sink).Text(DeliveryKindName(d.kind));
  p.Text(d.payload_json).Text(DeliveryStateName(d.state)).Int(d.attempts);
  p.Int(d.next_attempt_ms).Text(d.last_error).Text("").Int(0);
  p.Int(d.created_ms).Int(d.created_ms).Int(d.delivered_ms);
}

// Every row of `result`, read with `read`; or the first malformed row's error.
template <typename T, typename Read>
Result<std::vector<T>> ReadAll(const PgResult& result, Read read) {
  std::vector<T> rows;
  const int n = PQntuples(result.get());
  rows.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    PgRow row(result.get(), i);
    rows.push_back(read(row));
    if (row.error()) return *row.error();
  }
  return rows;
}

// The first column of the only row of `result` as an integer.
Result<int64_t> ReadOneInt(const PgResult& result) {
  if (PQntuples(result.get()) != 1) return Error{"storage_error", "expected one row"};
  PgRow row(result.get(), 0);
  const int64_t v = row.Int();
  if (row.error()) return *row.error();
  return v;
}

std::string Select(std::string_view columns, std::string_view rest) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += ' ';
  sql += rest;
  return sql;
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
  Result<std::vector<PgResult>> inserted = conn->RunPipelined(kInsertSample, rows, "AppendSamples");
  if (!inserted) return inserted.error();
  std::vector<int64_t> ids;
  ids.reserve(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    const PgResult& r = (*inserted)[i];
    if (PQntuples(r.get()) == 0) {
      // The key is stored already (the only conflict the insert ignores): that sample's id,
      // which an earlier statement of this transaction may have inserted.
      Result<PgResult> stored =
          conn->Run(kSampleIdOfKey, PgParams().OptText(samples[i].ingest_key), "AppendSamples");
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
  if (Status s = txn.Commit(); !s) return s.error();
  for (size_t i = 0; i < samples.size(); ++i) samples[i].id = ids[i];
  return result;
}

Result<std::vector<Sample>> PostgresStore::QuerySamples(const SampleQuery& q) {
  if (q.limit <= 0) return std::vector<Sample>();
  std::string sql = Select(kSampleColumns, "FROM samples");
  SqlConditions where(sql);
  PgParams p;
  if (q.source) {
    where.Add("provider = ? AND model = ? AND site = ? AND profile = ?");
    p.Source(*q.source);
  } else {
    if (q.provider) {
      where.Add("provider = ?");
      p.Text(*q.provider);
    }
    if (q.model) {
      where.Add("model = ?");
      p.Text(*q.model);
    }
  }
  if (q.since_ms != INT64_MIN) {
    where.Add("time_ms >= ?");
    p.Int(q.since_ms);
  }
  if (q.until_ms != INT64_MAX) {
    where.Add("time_ms < ?");
    p.Int(q.until_ms);
  }
  if (q.after_id != 0) {
    where.Add(q.newest_first ? "id < ?" : "id > ?");
    p.Int(q.after_id);
  }
  sql += q.newest_first ? " ORDER BY id DESC LIMIT ?" : " ORDER BY id LIMIT ?";
  p.Int(q.limit);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(sql, p, "QuerySamples");
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
  return ReadAll<SourceKey>(*r, [](PgRow& c) { return c.Source(); });
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
  if (Result<PgResult> r = conn->Run(kUpsertStage, p, "SaveStage"); !r) return r.error();
  return {};
}

Result<std::vector<StageRecord>> PostgresStore::LoadStages(const SeriesKey& series) {
  static const std::string kSql = Select(
      kStageColumns,
      "FROM stages WHERE provider = ? AND model = ? AND site = ? AND profile = ? AND metric = ?"
      " ORDER BY number");
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, PgParams().Series(series), "LoadStages");
  if (!r) return r.error();
  return ReadAll<StageRecord>(*r, ReadStage<PgRow>);
}

Result<std::vector<StageRecord>> PostgresStore::LoadLatestStages() {
  static const std::string kSql =
      "SELECT DISTINCT ON (provider, model, site, profile, metric) " + std::string(kStageColumns) +
      " FROM stages ORDER BY provider, model, site, profile, metric, number DESC";
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, PgParams(), "LoadLatestStages");
  if (!r) return r.error();
  return ReadAll<StageRecord>(*r, ReadStage<PgRow>);
}

Status PostgresStore::InsertViolation(ViolationRecord& violation) {
  static const std::string kSql = std::string(kInsertViolation) + " RETURNING id";
  PgParams p;
  BindViolation(p, violation, /*keyed=*/false);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, p, "InsertViolation");
  if (!r) return r.error();
  Result<int64_t> id = ReadOneInt(*r);
  if (!id) return id.error();
  violation.id = *id;
  return {};
}

Result<bool> PostgresStore::InsertViolationOnce(ViolationRecord& violation) {
  static const std::string kInsert = std::string(kInsertViolation) + " ON CONFLICT (" +
                                     kEventKeyColumns + ") WHERE keyed DO NOTHING RETURNING id";
  static const std::string kExisting =
      "SELECT id, status, status_by, status_time_ms, created_ms FROM violations WHERE keyed AND"
      " provider = ? AND model = ? AND site = ? AND profile = ? AND metric = ? AND stage = ? AND"
      " phase = ? AND rule = ? AND first_index = ?";
  PgParams insert;
  BindViolation(insert, violation, /*keyed=*/true);
  PgParams key;
  key.Series(violation.series).Int(violation.stage).Text(spc::PhaseName(violation.phase));
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
      violation.status = row.Name(ParseViolationStatus, "status");
      violation.status_by = row.Text();
      violation.status_time_ms = row.Int();
      violation.created_ms = row.Int();
      if (row.error()) return *row.error();
      return false;
    }
  }
  return Error{"storage_error", "InsertViolationOnce: the event key conflicts but no row has it"};
}

Status PostgresStore::UpdateViolationExtent(const ViolationRecord& v) {
  static const std::string kSql =
      "UPDATE violations SET last_index = ?, last_time_ms = ?, count = ?, worst_value = ?, "
      "deviation = ?, context_json = ? WHERE id = ?";
  PgParams p;
  p.Int(v.last_index).Int(v.last_time_ms).Int(v.count).Double(v.worst_value);
  p.OptDouble(v.deviation).Text(v.context_json).Int(v.id);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, p, "UpdateViolationExtent");
  if (!r) return r.error();
  if (RowsChanged(*r) == 0) return NotFound("violation", v.id);
  return {};
}

Status PostgresStore::SetViolationStatus(int64_t id, ViolationStatus status, const std::string& by,
                                         int64_t time_ms) {
  static const std::string kSql =
      "UPDATE violations SET status = ?, status_by = ?, status_time_ms = ? WHERE id = ?";
  PgParams p;
  p.Text(ViolationStatusName(status)).Text(by).Int(time_ms).Int(id);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, p, "SetViolationStatus");
  if (!r) return r.error();
  if (RowsChanged(*r) == 0) return NotFound("violation", id);
  return {};
}

Result<std::optional<ViolationRecord>> PostgresStore::GetViolation(int64_t id) {
  static const std::string kSql = Select(kViolationColumns, "FROM violations WHERE id = ?");
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, PgParams().Int(id), "GetViolation");
  if (!r) return r.error();
  Result<std::vector<ViolationRecord>> rows = ReadAll<ViolationRecord>(*r, ReadViolation<PgRow>);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ViolationRecord>();
  return std::optional<ViolationRecord>(std::move(rows->front()));
}

Result<std::vector<ViolationRecord>> PostgresStore::QueryViolations(const ViolationQuery& q) {
  if (q.limit <= 0) return std::vector<ViolationRecord>();
  std::string sql = Select(ViolationColumnList(kViolationColumns, q.context, kContextTelemetry),
                           "FROM violations");
  SqlConditions where(sql);
  PgParams p;
  if (q.series) {
    where.Add("provider = ? AND model = ? AND site = ? AND profile = ? AND metric = ?");
    p.Series(*q.series);
  }
  auto text_filter = [&](std::string_view condition, const std::optional<std::string>& value) {
    if (!value) return;
    where.Add(condition);
    p.Text(*value);
  };
  text_filter("provider = ?", q.provider);
  text_filter("model = ?", q.model);
  auto name = [](const auto& v, auto to_name) -> std::optional<std::string> {
    if (!v) return std::nullopt;
    return std::string(to_name(*v));
  };
  text_filter("metric = ?", name(q.metric, MetricName));
  text_filter("rule = ?", name(q.rule, spc::RuleName));
  if (q.rules) {
    where.Add(RuleListCondition(q.rules->size()));
    for (spc::Rule r : *q.rules) p.Text(spc::RuleName(r));
  }
  text_filter("status = ?", name(q.status, ViolationStatusName));
  text_filter("phase = ?", name(q.phase, spc::PhaseName));
  if (q.since_ms != INT64_MIN) {
    where.Add("last_time_ms >= ?");
    p.Int(q.since_ms);
  }
  if (q.until_ms != INT64_MAX) {
    where.Add("first_time_ms < ?");
    p.Int(q.until_ms);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  p.Int(q.limit);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(sql, p, "QueryViolations");
  if (!r) return r.error();
  return ReadAll<ViolationRecord>(*r, ReadViolation<PgRow>);
}

Result<int64_t> PostgresStore::DeleteOlderThan(int64_t cutoff_ms) {
  // In order, each with the same cutoff: samples; violations not open; the deliveries whose
  // violation is gone and test alerts created before the cutoff; silences that ended before it.
  static const std::string kDeleteSamples = "DELETE FROM samples WHERE time_ms < ?";
  static const std::string kDeleteViolations =
      "DELETE FROM violations WHERE status <> ? AND last_time_ms < ?";
  static const std::string kDeleteDeliveries =
      "DELETE FROM deliveries WHERE (violation_id <> 0 AND NOT EXISTS "
      "(SELECT 1 FROM violations AS v WHERE v.id = deliveries.violation_id)) "
      "OR (violation_id = 0 AND created_ms < ?)";
  static const std::string kDeleteSilences = "DELETE FROM silences WHERE ends_ms < ?";
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  PgTransaction txn(*conn);
  if (Status s = txn.Begin(); !s) return s.error();
  int64_t deleted = 0;
  PgParams violations;
  violations.Text(ViolationStatusName(ViolationStatus::kOpen)).Int(cutoff_ms);
  const std::pair<const std::string*, PgParams> steps[] = {
      {&kDeleteSamples, PgParams().Int(cutoff_ms)},
      {&kDeleteViolations, violations},
      {&kDeleteDeliveries, PgParams().Int(cutoff_ms)},
      {&kDeleteSilences, PgParams().Int(cutoff_ms)},
  };
  for (const auto& [sql, params] : steps) {
    Result<PgResult> r = conn->Run(*sql, params, "DeleteOlderThan");
    if (!r) return r.error();
    deleted += RowsChanged(*r);
  }
  if (Status s = txn.Commit(); !s) return s.error();
  return deleted;
}

// ---- the alert outbox ------------------------------------------------------------------------

Result<bool> PostgresStore::EnqueueDelivery(DeliveryRecord& delivery) {
  static const std::string kSql =
      "INSERT INTO deliveries (idempotency_key, violation_id, sink, kind, payload_json, state, "
      "attempts, next_attempt_ms, last_error, claimed_by, claimed_until_ms, created_ms, "
      "updated_ms, delivered_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";
  PgParams p;
  BindDelivery(p, delivery);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, p, "EnqueueDelivery");
  if (!r) return r.error();
  if (PQntuples(r->get()) == 0) return false;
  Result<int64_t> id = ReadOneInt(*r);
  if (!id) return id.error();
  delivery.id = *id;
  delivery.updated_ms = delivery.created_ms;
  delivery.claimed_by.clear();
  delivery.claimed_until_ms = 0;
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
      " RETURNING " +
      std::string(kDeliveryColumns);
  const std::string pending(DeliveryStateName(DeliveryState::kPending));
  PgParams p;
  p.Text(pending).Int(now_ms).Int(now_ms).Int(limit).Text(owner).Int(now_ms + lease_ms);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, p, "ClaimDueDeliveries");
  if (!r) return r.error();
  Result<std::vector<DeliveryRecord>> rows = ReadAll<DeliveryRecord>(*r, ReadDelivery<PgRow>);
  if (!rows) return rows.error();
  std::sort(rows->begin(), rows->end(), [](const DeliveryRecord& a, const DeliveryRecord& b) {
    return std::tie(a.next_attempt_ms, a.id) < std::tie(b.next_attempt_ms, b.id);
  });
  return rows;
}

Status PostgresStore::FinishDelivery(const DeliveryRecord& d, const std::string& owner) {
  static const std::string kSql =
      "UPDATE deliveries SET state = ?, attempts = ?, next_attempt_ms = ?, last_error = ?, "
      "delivered_ms = ?, updated_ms = ?, claimed_by = '', claimed_until_ms = 0 "
      "WHERE id = ? AND claimed_by = ? AND claimed_by <> ''";
  static const std::string kExists = "SELECT count(*) FROM deliveries WHERE id = ?";
  PgParams p;
  p.Text(DeliveryStateName(d.state)).Int(d.attempts).Int(d.next_attempt_ms).Text(d.last_error);
  p.Int(d.delivered_ms).Int(d.updated_ms).Int(d.id).Text(owner);
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, p, "FinishDelivery");
  if (!r) return r.error();
  if (RowsChanged(*r) == 1) return {};
  Result<PgResult> exists = conn->Run(kExists, PgParams().Int(d.id), "FinishDelivery: exists");
  if (!exists) return exists.error();
  Result<int64_t> n = ReadOneInt(*exists);
  if (!n) return n.error();
  if (*n == 0) return NotFound("delivery", d.id);
  return Error{"conflict", "delivery " + std::to_string(d.id) + " is not held by " + owner};
}

Result<std::vector<DeliveryRecord>> PostgresStore::DeliveriesOfViolation(int64_t violation_id) {
  static const std::string kSql =
      Select(kDeliveryColumns, "FROM deliveries WHERE violation_id = ? ORDER BY id");
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, PgParams().Int(violation_id), "DeliveriesOfViolation");
  if (!r) return r.error();
  return ReadAll<DeliveryRecord>(*r, ReadDelivery<PgRow>);
}

// ---- silences --------------------------------------------------------------------------------

Status PostgresStore::InsertSilence(SilenceRecord& s) {
  static const std::string kSql =
      "INSERT INTO silences (provider, model, metric, rule, starts_ms, ends_ms, created_by, "
      "comment, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
  PgParams p;
  p.Text(s.provider).Text(s.model).Text(s.metric).Text(s.rule).Int(s.starts_ms).Int(s.ends_ms);
  p.Text(s.created_by).Text(s.comment).Int(s.created_ms);
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
  static const std::string kSql =
      Select(kSilenceColumns, "FROM silences WHERE ends_ms > ? ORDER BY id");
  pg::PgPool::Lease conn = pool_->Acquire();
  if (!conn) return conn.error();
  Result<PgResult> r = conn->Run(kSql, PgParams().Int(now_ms), "ActiveSilences");
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
  static const std::string kInsert = "INSERT INTO placed_stages (" + std::string(kStageColumns) +
                                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
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
  static const std::string kSql =
      "SELECT id, " + std::string(kStageColumns) + " FROM placed_stages WHERE id > ? ORDER BY id";
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
