// The indexes that the SQLite and PostgreSQL schemas both create, spelled alike in both
// dialects: one definition for the migration steps of both stores (sqlite/sqlite_schema.cc,
// postgres/postgres_schema.cc). Each is part of a released migration step, so never edit one:
// an index that changes is a new migration step in each store.
#pragma once

#include <string_view>

namespace llmscope::store::schema_indexes {

// A source's samples in id order (QuerySamples by source); a skip scan of the sources
// (ListSources).
inline constexpr std::string_view kSamplesBySource =
    "CREATE INDEX samples_by_source ON samples (provider, model, site, profile, id)";
// Samples by time (QuerySamples since, retention, Stats' first and last).
inline constexpr std::string_view kSamplesByTime =
    "CREATE INDEX samples_by_time ON samples (time_ms)";
// A sender's ingest key, stored once.
inline constexpr std::string_view kSamplesByIngestKey =
    "CREATE UNIQUE INDEX samples_by_ingest_key ON samples (ingest_key) "
    "WHERE ingest_key IS NOT NULL";

// A series' violations, newest first (QueryViolations).
inline constexpr std::string_view kViolationsBySeries =
    "CREATE INDEX violations_by_series ON violations (provider, model, site, profile, metric, id)";
// Violations by status, newest first (QueryViolations, Stats' open count).
inline constexpr std::string_view kViolationsByStatus =
    "CREATE INDEX violations_by_status ON violations (status, id)";
// A series' violations by the end of their extent (QueryViolations of a series over a window:
// the SPC view's, which a long history made a scan of every violation of the series).
inline constexpr std::string_view kViolationsBySeriesTime =
    "CREATE INDEX violations_by_series_time ON violations "
    "(provider, model, site, profile, metric, last_time_ms)";
// violations_by_series_time with every column a chart's marks read (QueryViolationMarks of a
// series over a window), so they come from the index alone: a row of the table holds kilobytes of
// context, and a 90-day window's 222,000 violations were a gigabyte of pages. Replaces
// violations_by_series_time (kDropViolationsBySeriesTime), of which it is an extension.
inline constexpr std::string_view kViolationMarksBySeriesTime =
    "CREATE INDEX violation_marks_by_series_time ON violations "
    "(provider, model, site, profile, metric, last_time_ms, first_time_ms, rule, phase, id)";
inline constexpr std::string_view kDropViolationsBySeriesTime =
    "DROP INDEX violations_by_series_time";

// Rollups of one width by bucket, across series (retention, QueryRollups of every series).
inline constexpr std::string_view kRollupsByBucket =
    "CREATE INDEX rollups_by_bucket ON rollups (width_ms, bucket_ms)";
// One metric's rollups of one width by bucket, with the counts: covers CountSamplesByDay (the
// status page's 90 days of every source read from the index alone, no lookups in the table).
inline constexpr std::string_view kRollupsByMetricBucket =
    "CREATE INDEX rollups_by_metric_bucket ON rollups (width_ms, metric, bucket_ms, count, errors)";

// Violation counts of one width by bucket, across series (retention with the rollups).
inline constexpr std::string_view kViolationCountsByBucket =
    "CREATE INDEX violation_counts_by_bucket ON violation_counts (width_ms, bucket_ms)";

// Due deliveries, earliest first (ClaimDueDeliveries).
inline constexpr std::string_view kDeliveriesDue =
    "CREATE INDEX deliveries_due ON deliveries (state, next_attempt_ms, id)";
// A violation's deliveries (DeliveriesOfViolation, retention).
inline constexpr std::string_view kDeliveriesByViolation =
    "CREATE INDEX deliveries_by_violation ON deliveries (violation_id, id)";

}  // namespace llmscope::store::schema_indexes
