#include "store/postgres/postgres_schema.h"

#include <algorithm>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/postgres_rollups.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/postgres_violation_counts.h"
#include "store/rollup_sql.h"
#include "store/schema_indexes.h"
#include "store/sketch_sql.h"
#include "store/store_errors.h"

namespace llmscope::store::pg {
namespace {

// The tables, in PostgreSQL's types. The shape follows the SQLite store's: enumerations stored by
// name, a SourceKey as four NOT NULL text columns ("" for an absent site or profile). Key columns
// use COLLATE "C" so that equality and order are byte by byte, as in SQLite and in SourceKey's
// operator<=>.
constexpr std::string_view kCreateSamples = R"sql(CREATE TABLE samples (
  id BIGSERIAL PRIMARY KEY,
  time_ms BIGINT NOT NULL,
  provider TEXT COLLATE "C" NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  site TEXT COLLATE "C" NOT NULL,
  profile TEXT COLLATE "C" NOT NULL,
  e2e_ms DOUBLE PRECISION,
  ttft_ms DOUBLE PRECISION,
  tpot_ms DOUBLE PRECISION,
  tokens_per_s DOUBLE PRECISION,
  cost_usd DOUBLE PRECISION,
  error BOOLEAN NOT NULL,
  error_kind TEXT NOT NULL,
  error_message TEXT NOT NULL,
  total_duration_ms DOUBLE PRECISION,
  load_duration_ms DOUBLE PRECISION,
  prompt_eval_duration_ms DOUBLE PRECISION,
  eval_duration_ms DOUBLE PRECISION,
  prompt_eval_count BIGINT,
  eval_count BIGINT,
  tokens_in BIGINT,
  tokens_out BIGINT,
  cpu_percent DOUBLE PRECISION,
  memory_percent DOUBLE PRECISION,
  gpu_percent DOUBLE PRECISION,
  gpu_memory_percent DOUBLE PRECISION,
  gpu_temp_c DOUBLE PRECISION,
  prompt_hash TEXT NOT NULL,
  prompt_text TEXT
))sql";

constexpr std::string_view kCreateStages = R"sql(CREATE TABLE stages (
  provider TEXT COLLATE "C" NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  site TEXT COLLATE "C" NOT NULL,
  profile TEXT COLLATE "C" NOT NULL,
  metric TEXT COLLATE "C" NOT NULL,
  number BIGINT NOT NULL,
  start_index BIGINT NOT NULL,
  baseline_size BIGINT NOT NULL,
  transform TEXT NOT NULL,
  sigma_method TEXT NOT NULL,
  mean DOUBLE PRECISION NOT NULL,
  sigma DOUBLE PRECISION NOT NULL,
  frozen BOOLEAN NOT NULL,
  external_baseline BOOLEAN NOT NULL,
  start_sample_id BIGINT NOT NULL,
  start_time_ms BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  PRIMARY KEY (provider, model, site, profile, metric, number)
))sql";

// Stages placed by PlaceStage (several servers): begun by each server at start_sample_id.
constexpr std::string_view kCreatePlacedStages = R"sql(CREATE TABLE placed_stages (
  id BIGSERIAL PRIMARY KEY,
  provider TEXT COLLATE "C" NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  site TEXT COLLATE "C" NOT NULL,
  profile TEXT COLLATE "C" NOT NULL,
  metric TEXT COLLATE "C" NOT NULL,
  number BIGINT NOT NULL,
  start_index BIGINT NOT NULL,
  baseline_size BIGINT NOT NULL,
  transform TEXT NOT NULL,
  sigma_method TEXT NOT NULL,
  mean DOUBLE PRECISION NOT NULL,
  sigma DOUBLE PRECISION NOT NULL,
  frozen BOOLEAN NOT NULL,
  external_baseline BOOLEAN NOT NULL,
  start_sample_id BIGINT NOT NULL,
  start_time_ms BIGINT NOT NULL,
  created_ms BIGINT NOT NULL
))sql";

// Violations inserted by WriteViolationsOnce have `keyed` set and are unique by event key.
constexpr std::string_view kCreateViolations = R"sql(CREATE TABLE violations (
  id BIGSERIAL PRIMARY KEY,
  provider TEXT COLLATE "C" NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  site TEXT COLLATE "C" NOT NULL,
  profile TEXT COLLATE "C" NOT NULL,
  metric TEXT COLLATE "C" NOT NULL,
  rule TEXT COLLATE "C" NOT NULL,
  phase TEXT COLLATE "C" NOT NULL,
  stage BIGINT NOT NULL,
  first_index BIGINT NOT NULL,
  last_index BIGINT NOT NULL,
  count BIGINT NOT NULL,
  first_time_ms BIGINT NOT NULL,
  last_time_ms BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  worst_value DOUBLE PRECISION NOT NULL,
  deviation DOUBLE PRECISION,
  mean DOUBLE PRECISION NOT NULL,
  sigma DOUBLE PRECISION NOT NULL,
  center DOUBLE PRECISION NOT NULL,
  ucl DOUBLE PRECISION NOT NULL,
  lcl DOUBLE PRECISION NOT NULL,
  upper_2s DOUBLE PRECISION NOT NULL,
  lower_2s DOUBLE PRECISION NOT NULL,
  upper_1s DOUBLE PRECISION NOT NULL,
  lower_1s DOUBLE PRECISION NOT NULL,
  context_json TEXT NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  status_by TEXT NOT NULL,
  status_time_ms BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  keyed BOOLEAN NOT NULL DEFAULT false
))sql";
constexpr std::string_view kViolationsByEventKey = R"sql(CREATE UNIQUE INDEX violations_by_event_key
  ON violations (provider, model, site, profile, metric, stage, phase, rule, first_index)
  WHERE keyed)sql";

constexpr std::string_view kCreateDeliveries = R"sql(CREATE TABLE deliveries (
  id BIGSERIAL PRIMARY KEY,
  idempotency_key TEXT COLLATE "C" NOT NULL UNIQUE,
  violation_id BIGINT NOT NULL,
  sink TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  state TEXT COLLATE "C" NOT NULL,
  attempts BIGINT NOT NULL,
  next_attempt_ms BIGINT NOT NULL,
  last_error TEXT NOT NULL,
  claimed_by TEXT COLLATE "C" NOT NULL,
  claimed_until_ms BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  delivered_ms BIGINT NOT NULL
))sql";

constexpr std::string_view kCreateSilences = R"sql(CREATE TABLE silences (
  id BIGSERIAL PRIMARY KEY,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  metric TEXT NOT NULL,
  rule TEXT NOT NULL,
  starts_ms BIGINT NOT NULL,
  ends_ms BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_ms BIGINT NOT NULL
))sql";
constexpr std::string_view kSilencesByEnd =
    "CREATE INDEX silences_by_end ON silences (ends_ms, id)";

constexpr std::string_view kAddSampleIngestKey =
    "ALTER TABLE samples ADD COLUMN ingest_key TEXT COLLATE \"C\"";

// The rollups of store/rollups.h: one row per series, width and bucket.
constexpr std::string_view kCreateRollups = R"sql(CREATE TABLE rollups (
  provider TEXT COLLATE "C" NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  site TEXT COLLATE "C" NOT NULL,
  profile TEXT COLLATE "C" NOT NULL,
  metric TEXT COLLATE "C" NOT NULL,
  width_ms BIGINT NOT NULL,
  bucket_ms BIGINT NOT NULL,
  count BIGINT NOT NULL,
  errors BIGINT NOT NULL,
  value_count BIGINT NOT NULL,
  value_sum DOUBLE PRECISION NOT NULL,
  value_sum_squares DOUBLE PRECISION NOT NULL,
  min_value DOUBLE PRECISION,
  min_time_ms BIGINT,
  min_id BIGINT,
  max_value DOUBLE PRECISION,
  max_time_ms BIGINT,
  max_id BIGINT,
  first_time_ms BIGINT NOT NULL,
  first_value DOUBLE PRECISION,
  first_id BIGINT NOT NULL,
  last_time_ms BIGINT NOT NULL,
  last_value DOUBLE PRECISION,
  last_id BIGINT NOT NULL,
  PRIMARY KEY (provider, model, site, profile, metric, width_ms, bucket_ms)
))sql";

// The demo's sources (store.h "Demo data"): their every row is the demo's.
constexpr std::string_view kCreateDemoSources = R"sql(CREATE TABLE demo_sources (
  provider TEXT COLLATE "C" NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  site TEXT COLLATE "C" NOT NULL,
  profile TEXT COLLATE "C" NOT NULL,
  created_ms BIGINT NOT NULL,
  PRIMARY KEY (provider, model, site, profile)
))sql";

namespace idx = schema_indexes;

constexpr std::string_view kStep1[] = {
    kCreateSamples,        idx::kSamplesBySource,    idx::kSamplesByTime,          // samples
    kCreateStages,         kCreatePlacedStages,                                    // stages
    kCreateViolations,     idx::kViolationsBySeries, idx::kViolationsByStatus,     // violations
    kViolationsByEventKey,                                                         // violations
    kCreateDeliveries,     idx::kDeliveriesDue,      idx::kDeliveriesByViolation,  // outbox
    kCreateSilences,       kSilencesByEnd,                                         // silences
};
// 2: the sender's idempotency key of a sample (Sample::ingest_key), unique where present.
constexpr std::string_view kStep2[] = {kAddSampleIngestKey, idx::kSamplesByIngestKey};
// 3: rollups (store/rollups.h), built from the samples stored (Migrate), and a series'
// violations by time (the SPC view's window).
constexpr std::string_view kStep3[] = {kCreateRollups, idx::kRollupsByBucket,
                                       idx::kRollupsByMetricBucket, idx::kViolationsBySeriesTime};
constexpr int64_t kRollupsVersion = 3;
// 4: settings and their audit list (setting_records.h, setting_sql.h).
constexpr std::string_view kCreateSettings = R"sql(CREATE TABLE settings (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  version BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (kind, id)
))sql";
constexpr std::string_view kCreateSettingsAudit = R"sql(CREATE TABLE settings_audit (
  id BIGSERIAL PRIMARY KEY,
  time_ms BIGINT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  item_id TEXT NOT NULL,
  action TEXT NOT NULL,
  version BIGINT NOT NULL,
  body TEXT NOT NULL
))sql";
constexpr std::string_view kStep4[] = {kCreateSettings, kCreateSettingsAudit};
// 5: the demo's sources (docs/design.md "Demo day").
constexpr std::string_view kStep5[] = {kCreateDemoSources};

// 6: a series' violations by time, covering the SPC view's marks.
constexpr std::string_view kStep6[] = {idx::kViolationMarksBySeriesTime,
                                       idx::kDropViolationsBySeriesTime};

// 7: violation counts per series, rule and rollup bucket (store/violation_counts.h), counted
// from the violations stored (Migrate).
constexpr std::string_view kCreateViolationCounts = R"sql(CREATE TABLE violation_counts (
  provider TEXT COLLATE "C" NOT NULL,
  model TEXT COLLATE "C" NOT NULL,
  site TEXT COLLATE "C" NOT NULL,
  profile TEXT COLLATE "C" NOT NULL,
  metric TEXT COLLATE "C" NOT NULL,
  rule TEXT COLLATE "C" NOT NULL,
  phase TEXT COLLATE "C" NOT NULL,
  width_ms BIGINT NOT NULL,
  bucket_ms BIGINT NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (provider, model, site, profile, metric, width_ms, bucket_ms, rule, phase)
))sql";
constexpr std::string_view kStep7[] = {kCreateViolationCounts, idx::kViolationCountsByBucket};
constexpr int64_t kViolationCountsVersion = 7;

// 8: one rollup row per source and bucket (store/rollup_sql.h), converted from the rows per
// series of step 3.
const std::vector<std::string> kStep8Statements = [] {
  std::vector<std::string> step = {
      rollup_sql::CreateSourceRollups(
          {.text = "TEXT COLLATE \"C\" NOT NULL", .integer = "BIGINT", .real = "DOUBLE PRECISION"}),
      rollup_sql::ConvertFormerRollups()};
  std::ranges::move(rollup_sql::FinishSourceRollupsStep(), std::back_inserter(step));
  return step;
}();
const std::vector<std::string_view> kStep8(kStep8Statements.begin(), kStep8Statements.end());

// 9: the sketch hours (store/sketch_sql.h), filled by the server's background pass.
const std::string kCreateSketchHours =
    sketch_sql::CreateSketchHours("TEXT COLLATE \"C\" NOT NULL", "BIGINT", "BYTEA", "");
const std::string_view kStep9[] = {kCreateSketchHours};

// kMigrations[i] takes a database from version i to i + 1: its statements, run in order. Append
// steps; never edit one that has been released.
const std::span<const std::string_view> kMigrations[] = {kStep1, kStep2, kStep3, kStep4,
                                                         kStep5, kStep6, kStep7, kStep8,
                                                         kStep9};
static_assert(std::size(kMigrations) == PostgresStore::kSchemaVersion,
              "kSchemaVersion is the number of migration steps");

}  // namespace

Status Migrate(PgConnection& conn, const SchemaUpgradeNotice& upgrade_notice) {
  PgTransaction txn(conn);
  if (Status s = txn.Begin(); !s) return s;
  if (Result<PgResult> r = conn.Run("SELECT pg_advisory_xact_lock(?)",
                                    PgParams().Int(kMigrationLockKey), "migration lock");
      !r) {
    return r.error();
  }
  if (Status s = conn.Exec("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)",
                           "create schema_version");
      !s) {
    return s;
  }
  Result<PgResult> found =
      conn.Run("SELECT max(version) FROM schema_version", PgParams(), "read schema_version");
  if (!found) return found.error();
  PgRow row(found->get(), 0);
  const int64_t version = row.OptInt().value_or(0);
  if (row.error()) return *row.error();
  if (Status s = CheckSchemaVersion(version, PostgresStore::kSchemaVersion); !s) return s;
  if (version > 0 && version < PostgresStore::kSchemaVersion && upgrade_notice) {
    upgrade_notice(version, PostgresStore::kSchemaVersion);
  }
  for (int64_t v = version; v < PostgresStore::kSchemaVersion; ++v) {
    for (std::string_view statement : kMigrations[v]) {
      if (Status s =
              conn.Exec(std::string(statement), "migration to version " + std::to_string(v + 1));
          !s) {
        return s;
      }
    }
  }
  if (version < kRollupsVersion) {  // the violation counts with them
    if (Result<int64_t> built = RebuildRollups(conn, INT64_MIN); !built) return built.error();
  } else if (version < kViolationCountsVersion) {
    if (Status s = RebuildViolationCounts(conn, INT64_MIN); !s) return s;
  }
  if (version < PostgresStore::kSchemaVersion) {
    if (Result<PgResult> r =
            conn.Run("INSERT INTO schema_version (version) VALUES (?)",
                     PgParams().Int(PostgresStore::kSchemaVersion), "write schema_version");
        !r) {
      return r.error();
    }
  }
  return txn.Commit();
}

}  // namespace llmscope::store::pg
