#!/bin/sh
# The first start of a SQLite store whose rollups are still one row per series (the table
# `rollups` that source_rollups replaced; docs/design.md "Rollups"): builds such a file with
# SOURCES sources, each with 30 days of minute rollups and 400 days of hour rollups of every
# metric (as retention keeps them), then times the binary's first open of it, which converts the
# rows. The file is built once per DIR (former.db) and copied for each run, so that binaries can be
# compared on the same rows. Usage: bench/rollup_migration_bench.sh BINARY [SOURCES] [DIR]
set -eu
binary=$1
sources=${2:-10}
dir=${3:-$(mktemp -d)}
former="$dir/former.db"
db="$dir/llmscope.db"

if [ ! -f "$former" ]; then
# A file at the binary's version, put back to version 8: the same tables, the rollups per series.
"$binary" export violations --store "sqlite://$former" >/dev/null
sqlite3 "$former" <<SQL
DROP TABLE source_rollups;
CREATE TABLE rollups (
  provider TEXT NOT NULL, model TEXT NOT NULL, site TEXT NOT NULL, profile TEXT NOT NULL,
  metric TEXT NOT NULL, width_ms INTEGER NOT NULL, bucket_ms INTEGER NOT NULL,
  count INTEGER NOT NULL, errors INTEGER NOT NULL, value_count INTEGER NOT NULL,
  value_sum REAL NOT NULL, value_sum_squares REAL NOT NULL,
  min_value REAL, min_time_ms INTEGER, min_id INTEGER,
  max_value REAL, max_time_ms INTEGER, max_id INTEGER,
  first_time_ms INTEGER NOT NULL, first_value REAL, first_id INTEGER NOT NULL,
  last_time_ms INTEGER NOT NULL, last_value REAL, last_id INTEGER NOT NULL,
  PRIMARY KEY (provider, model, site, profile, metric, width_ms, bucket_ms)) WITHOUT ROWID;
PRAGMA user_version = 8;
PRAGMA cache_size = -262144;
BEGIN;
CREATE TEMP TABLE source_numbers AS
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $sources - 1)
  SELECT i FROM n;
CREATE TEMP TABLE metric_names AS
  SELECT column1 AS name FROM (VALUES ('cost_usd'), ('e2e_ms'), ('error'), ('tokens_per_s'),
                                      ('tpot_ms'), ('ttft_ms'));
-- Minutes of the last 30 days and hours of the last 400, before 2026-12-01.
CREATE TEMP TABLE buckets AS
  WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 30 * 1440 - 1),
                 h(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM h WHERE i < 400 * 24 - 1)
  SELECT 60000 AS width_ms, 1796083200000 - (30 * 1440 - i) * 60000 AS bucket_ms FROM m
  UNION ALL
  SELECT 3600000, 1796083200000 - (400 * 24 - i) * 3600000 FROM h;
INSERT INTO rollups
  SELECT 'sim', 'model-' || printf('%03d', s.i), '', '', m.name, b.width_ms, b.bucket_ms,
         b.width_ms / 20000, b.bucket_ms % 3, b.width_ms / 20000 - b.bucket_ms % 3,
         900.5 * (b.width_ms / 20000), 811000.25 * (b.width_ms / 20000),
         700.25, b.bucket_ms + 1000, b.bucket_ms / 1000, 1300.75, b.bucket_ms + 2000,
         b.bucket_ms / 1000 + 1, b.bucket_ms, 850.5, b.bucket_ms / 1000 - 1,
         b.bucket_ms + b.width_ms - 1, 950.5, b.bucket_ms / 1000 + 2
  FROM source_numbers s CROSS JOIN metric_names m CROSS JOIN buckets b;
CREATE INDEX rollups_by_bucket ON rollups (width_ms, bucket_ms);
CREATE INDEX rollups_by_metric_bucket ON rollups (width_ms, metric, bucket_ms, count, errors);
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
fi
rm -f "$db" "$db-wal" "$db-shm"
cp "$former" "$db"
echo "$(sqlite3 "$db" 'SELECT count(*) FROM rollups') rows per series, $(du -m "$db" | cut -f1) MB"
sync
/usr/bin/time -f "first start: %e s, %U s user, %S s system, %M kB max RSS" \
  "$binary" export violations --store "sqlite://$db" >/dev/null
echo "$(sqlite3 "$db" 'SELECT count(*) FROM source_rollups') rows per source"
