#include "store/sqlite/sqlite_schema.h"

#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/rollup_sql.h"
#include "store/schema_indexes.h"
#include "store/sketch_sql.h"
#include "store/sqlite/sqlite_rollups.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_violation_counts.h"
#include "store/store_errors.h"

namespace llmscope::store::sqlite {
namespace {

// The tables, in SQLite's types. Enumerations are stored by name (MetricName, RuleName, ...),
// never as integers; a SourceKey is four NOT NULL text columns, "" for an absent site or
// profile. AUTOINCREMENT keeps ids from being reused after retention deleted the newest rows
// (ids drive paging and replay).
constexpr std::string_view kCreateSamples = R"sql(CREATE TABLE samples (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms INTEGER NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  site TEXT NOT NULL,
  profile TEXT NOT NULL,
  e2e_ms REAL,
  ttft_ms REAL,
  tpot_ms REAL,
  tokens_per_s REAL,
  cost_usd REAL,
  error INTEGER NOT NULL,
  error_kind TEXT NOT NULL,
  error_message TEXT NOT NULL,
  total_duration_ms REAL,
  load_duration_ms REAL,
  prompt_eval_duration_ms REAL,
  eval_duration_ms REAL,
  prompt_eval_count INTEGER,
  eval_count INTEGER,
  tokens_in INTEGER,
  tokens_out INTEGER,
  cpu_percent REAL,
  memory_percent REAL,
  gpu_percent REAL,
  gpu_memory_percent REAL,
  gpu_temp_c REAL,
  prompt_hash TEXT NOT NULL,
  prompt_text TEXT
))sql";

constexpr std::string_view kCreateStages = R"sql(CREATE TABLE stages (
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  site TEXT NOT NULL,
  profile TEXT NOT NULL,
  metric TEXT NOT NULL,
  number INTEGER NOT NULL,
  start_index INTEGER NOT NULL,
  baseline_size INTEGER NOT NULL,
  transform TEXT NOT NULL,
  sigma_method TEXT NOT NULL,
  mean REAL NOT NULL,
  sigma REAL NOT NULL,
  frozen INTEGER NOT NULL,
  external_baseline INTEGER NOT NULL,
  start_sample_id INTEGER NOT NULL,
  start_time_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (provider, model, site, profile, metric, number)
) WITHOUT ROWID)sql";

constexpr std::string_view kCreateViolations = R"sql(CREATE TABLE violations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  site TEXT NOT NULL,
  profile TEXT NOT NULL,
  metric TEXT NOT NULL,
  rule TEXT NOT NULL,
  phase TEXT NOT NULL,
  stage INTEGER NOT NULL,
  first_index INTEGER NOT NULL,
  last_index INTEGER NOT NULL,
  count INTEGER NOT NULL,
  first_time_ms INTEGER NOT NULL,
  last_time_ms INTEGER NOT NULL,
  value REAL NOT NULL,
  worst_value REAL NOT NULL,
  deviation REAL,
  mean REAL NOT NULL,
  sigma REAL NOT NULL,
  center REAL NOT NULL,
  ucl REAL NOT NULL,
  lcl REAL NOT NULL,
  upper_2s REAL NOT NULL,
  lower_2s REAL NOT NULL,
  upper_1s REAL NOT NULL,
  lower_1s REAL NOT NULL,
  context_json TEXT NOT NULL,
  status TEXT NOT NULL,
  status_by TEXT NOT NULL,
  status_time_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
))sql";

constexpr std::string_view kCreateDeliveries = R"sql(CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  violation_id INTEGER NOT NULL,
  sink TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  claimed_by TEXT NOT NULL,
  claimed_until_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  delivered_ms INTEGER NOT NULL
))sql";

constexpr std::string_view kCreateSilences = R"sql(CREATE TABLE silences (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  metric TEXT NOT NULL,
  rule TEXT NOT NULL,
  starts_ms INTEGER NOT NULL,
  ends_ms INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_ms INTEGER NOT NULL
))sql";
constexpr std::string_view kSilencesByEnd = "CREATE INDEX silences_by_end ON silences (ends_ms)";

constexpr std::string_view kAddSampleIngestKey = "ALTER TABLE samples ADD COLUMN ingest_key TEXT";

// The rollups of store/rollups.h: one row per series, width and bucket.
constexpr std::string_view kCreateRollups = R"sql(CREATE TABLE rollups (
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  site TEXT NOT NULL,
  profile TEXT NOT NULL,
  metric TEXT NOT NULL,
  width_ms INTEGER NOT NULL,
  bucket_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  value_count INTEGER NOT NULL,
  value_sum REAL NOT NULL,
  value_sum_squares REAL NOT NULL,
  min_value REAL,
  min_time_ms INTEGER,
  min_id INTEGER,
  max_value REAL,
  max_time_ms INTEGER,
  max_id INTEGER,
  first_time_ms INTEGER NOT NULL,
  first_value REAL,
  first_id INTEGER NOT NULL,
  last_time_ms INTEGER NOT NULL,
  last_value REAL,
  last_id INTEGER NOT NULL,
  PRIMARY KEY (provider, model, site, profile, metric, width_ms, bucket_ms)
) WITHOUT ROWID)sql";

// The demo's sources (store.h "Demo data"): their every row is the demo's.
constexpr std::string_view kCreateDemoSources = R"sql(CREATE TABLE demo_sources (
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  site TEXT NOT NULL,
  profile TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (provider, model, site, profile)
) WITHOUT ROWID)sql";

namespace idx = schema_indexes;

constexpr std::string_view kStep1[] = {
    kCreateSamples,    idx::kSamplesBySource,    idx::kSamplesByTime,       // samples
    kCreateStages,                                                          // stages
    kCreateViolations, idx::kViolationsBySeries, idx::kViolationsByStatus,  // violations
};
// 2: the alert outbox and silences (src/alert).
constexpr std::string_view kStep2[] = {
    kCreateDeliveries, idx::kDeliveriesDue, idx::kDeliveriesByViolation,  // outbox
    kCreateSilences,   kSilencesByEnd,                                    // silences
};
// 3: the sender's idempotency key of a sample (Sample::ingest_key), unique where present.
constexpr std::string_view kStep3[] = {kAddSampleIngestKey, idx::kSamplesByIngestKey};
// 4: rollups (store/rollups.h), built from the samples stored (Migrate), and a series'
// violations by time (the SPC view's window).
constexpr std::string_view kStep4[] = {kCreateRollups, idx::kRollupsByBucket,
                                       idx::kRollupsByMetricBucket, idx::kViolationsBySeriesTime};
constexpr int64_t kRollupsVersion = 4;
// 5: settings and their audit list (setting_records.h, setting_sql.h).
constexpr std::string_view kCreateSettings = R"sql(CREATE TABLE settings (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID)sql";
constexpr std::string_view kCreateSettingsAudit = R"sql(CREATE TABLE settings_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  item_id TEXT NOT NULL,
  action TEXT NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL
))sql";
constexpr std::string_view kStep5[] = {kCreateSettings, kCreateSettingsAudit};

// 6: the demo's sources (docs/design.md "Demo day").
constexpr std::string_view kStep6[] = {kCreateDemoSources};
// 7: a series' violations by time, covering the SPC view's marks.
constexpr std::string_view kStep7[] = {idx::kViolationMarksBySeriesTime,
                                       idx::kDropViolationsBySeriesTime};

// 8: violation counts per series, rule and rollup bucket (store/violation_counts.h), counted
// from the violations stored (Migrate).
constexpr std::string_view kCreateViolationCounts = R"sql(CREATE TABLE violation_counts (
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  site TEXT NOT NULL,
  profile TEXT NOT NULL,
  metric TEXT NOT NULL,
  rule TEXT NOT NULL,
  phase TEXT NOT NULL,
  width_ms INTEGER NOT NULL,
  bucket_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (provider, model, site, profile, metric, width_ms, bucket_ms, rule, phase)
) WITHOUT ROWID)sql";
constexpr std::string_view kStep8[] = {kCreateViolationCounts, idx::kViolationCountsByBucket};
constexpr int64_t kViolationCountsVersion = 8;

// 9: one rollup row per source and bucket (store/rollup_sql.h), converted from the rows per
// series of step 4 (Migrate: ConvertFormerRollups).
const std::string kCreateSourceRollups = rollup_sql::CreateSourceRollups(
    {.text = "TEXT NOT NULL", .integer = "INTEGER", .real = "REAL"});
const std::string_view kStep9[] = {kCreateSourceRollups};
constexpr int64_t kSourceRollupsVersion = 9;

// 10: the sketch hours (store/sketch_sql.h), filled by the server's background pass.
const std::string kCreateSketchHours =
    sketch_sql::CreateSketchHours("TEXT NOT NULL", "INTEGER", "BLOB", " WITHOUT ROWID");
const std::string_view kStep10[] = {kCreateSketchHours};

// kMigrations[i] takes a file from user_version i to i + 1: its statements, run in order.
// Append steps; never edit one that has been released.
const std::span<const std::string_view> kMigrations[] = {kStep1, kStep2, kStep3, kStep4, kStep5,
                                                         kStep6, kStep7, kStep8, kStep9,
                                                         kStep10};
static_assert(std::size(kMigrations) == SqliteStore::kSchemaVersion,
              "kSchemaVersion is the number of migration steps");

}  // namespace

Status Migrate(SqliteConnection& conn, const SchemaUpgradeNotice& upgrade_notice) {
  SqliteTransaction txn(conn);
  if (Status s = txn.Begin(/*immediate=*/true); !s) return s;
  Result<int64_t> version = conn.QueryInt("PRAGMA user_version");
  if (!version) return version.error();
  if (Status s = CheckSchemaVersion(*version, SqliteStore::kSchemaVersion); !s) return s;
  if (*version == SqliteStore::kSchemaVersion) return txn.Commit();
  if (*version > 0 && upgrade_notice) upgrade_notice(*version, SqliteStore::kSchemaVersion);
  for (int64_t v = *version; v < SqliteStore::kSchemaVersion; ++v) {
    for (std::string_view statement : kMigrations[v]) {
      if (Status s =
              conn.Exec(std::string(statement), "migration to version " + std::to_string(v + 1));
          !s) {
        return s;
      }
    }
  }
  if (*version < kSourceRollupsVersion) {
    if (Status s = ConvertFormerRollups(conn); !s) return s;
    for (const std::string& statement : rollup_sql::FinishSourceRollupsStep()) {
      const std::string step = "migration to version " + std::to_string(kSourceRollupsVersion);
      if (Status s = conn.Exec(statement, step); !s) return s;
    }
  }
  if (*version < kRollupsVersion) {  // the violation counts with them
    if (Result<int64_t> built = RebuildRollups(conn, INT64_MIN); !built) return built.error();
  } else if (*version < kViolationCountsVersion) {
    if (Status s = RebuildViolationCounts(conn, INT64_MIN); !s) return s;
  }
  // PRAGMA takes no parameters; the version is this code's constant.
  if (Status s = conn.Run("PRAGMA user_version = " + std::to_string(SqliteStore::kSchemaVersion));
      !s) {
    return s;
  }
  return txn.Commit();
}

}  // namespace llmscope::store::sqlite
