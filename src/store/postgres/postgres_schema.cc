#include "store/postgres/postgres_schema.h"

#include <iterator>
#include <string>

#include "store/postgres/postgres_store.h"
#include "store/store_errors.h"

namespace llmscope::store::pg {
namespace {

// kMigrations[i] takes a database from version i to i + 1. Append steps; never edit one that has
// been released. The shape follows the SQLite store's: enumerations stored by name, a SourceKey
// as four NOT NULL text columns ("" for an absent site or profile). Key columns use COLLATE "C"
// so that equality and order are byte by byte, as in SQLite and in SourceKey's operator<=>.
// Violations inserted by InsertViolationOnce have `keyed` set and are unique by event key.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE samples (
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
);
CREATE INDEX samples_by_source ON samples (provider, model, site, profile, id);
CREATE INDEX samples_by_time ON samples (time_ms);

CREATE TABLE stages (
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
);

-- Stages placed by PlaceStage (several servers): begun by each server at start_sample_id.
CREATE TABLE placed_stages (
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
);

CREATE TABLE violations (
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
);
CREATE INDEX violations_by_series ON violations (provider, model, site, profile, metric, id);
CREATE INDEX violations_by_status ON violations (status, id);
CREATE UNIQUE INDEX violations_by_event_key
  ON violations (provider, model, site, profile, metric, stage, phase, rule, first_index)
  WHERE keyed;

CREATE TABLE deliveries (
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
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_ms, id);
CREATE INDEX deliveries_by_violation ON deliveries (violation_id, id);

CREATE TABLE silences (
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
);
CREATE INDEX silences_by_end ON silences (ends_ms, id);
)sql",
    // 2: the sender's idempotency key of a sample (Sample::ingest_key), unique where present.
    R"sql(
ALTER TABLE samples ADD COLUMN ingest_key TEXT COLLATE "C";
CREATE UNIQUE INDEX samples_by_ingest_key ON samples (ingest_key) WHERE ingest_key IS NOT NULL;
)sql",
};

static_assert(std::size(kMigrations) == PostgresStore::kSchemaVersion,
              "kSchemaVersion is the number of migration steps");

}  // namespace

Status Migrate(PgConnection& conn) {
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
  for (int64_t v = version; v < PostgresStore::kSchemaVersion; ++v) {
    if (Status s = conn.Exec(kMigrations[v], "migration to version " + std::to_string(v + 1)); !s) {
      return s;
    }
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
