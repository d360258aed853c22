// The SQL of the source_rollups table, spelled alike in SQLite and PostgreSQL: one row per
// source, width and bucket (store/rollups.h SourceRollup, docs/design.md "Rollups"), with the
// count, the failed calls and the first and last sample's time and id shared by the metrics, then
// each metric's own columns, named after it (e2e_ms_values, e2e_ms_sum, e2e_ms_sum_squares,
// e2e_ms_min, e2e_ms_min_time_ms, e2e_ms_min_id, e2e_ms_max, …, e2e_ms_first, e2e_ms_last). Here
// are its schema step, the upsert that adds a batch's rollups to the stored buckets, and the
// reads. Every value is a ? parameter (numbered $1, $2, ... by the PostgreSQL store), bound as the
// comment says.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/record_fields.h"
#include "store/rollups.h"
#include "store/store.h"

namespace llmscope::store::rollup_sql {

// A dialect's column types.
struct ColumnTypes {
  std::string_view text;     // a source key's columns, NOT NULL included
  std::string_view integer;  // 64-bit
  std::string_view real;     // a double
};

// The schema step that replaced the table `rollups` (one row per series, width and bucket; the
// former table) with source_rollups: CreateSourceRollups, then the former rows converted (the six
// of a source and bucket into one; rollups outlive samples, so they are not rebuilt), then
// FinishSourceRollupsStep. PostgreSQL converts with ConvertFormerRollups; SQLite, which has no
// merge join (that statement's six lookups a row cost 25 s of CPU for 10 sources' history,
// bench/README.md "One rollup row per source"), merges each source's former rows per metric,
// read in order (SelectFormerRows, FromFormerRows). Never edit: a change of the table is a new
// step.
std::string CreateSourceRollups(const ColumnTypes& types);
// INSERT INTO source_rollups … SELECT from the former table, its six rows joined by their key.
std::string ConvertFormerRollups();
// Drops the former table and creates source_rollups' indexes (after its rows are in).
std::vector<std::string> FinishSourceRollupsStep();
// The first source of the former table after the bound one ((provider, model, site, profile) >
// (?, ?, ?, ?)); a source has a provider, so four "" find the first.
const std::string& SelectNextFormerSource();
// A source's former rows of the metric (the source's four ?), by width and bucket
// (ReadFormerRollup). One statement per metric, so that the six are read side by side.
std::string SelectFormerRows(Metric metric);
// A source's row of one bucket from the former rows of its metrics (rows[m]: Metric m's, null
// when it has none: no values); the error metric's row must be there, and gives the columns
// that the metrics share.
SourceRollup FromFormerRows(const SourceKey& source,
                            const std::array<const Rollup*, kMetricCount>& rows);

// BindSourceRollup. Adds the rollups to the stored ones of their bucket (Rollup::Merge of each
// metric), or inserts them.
const std::string& Upsert();
// BindRollupQuery's statement: the rows of a query, by source then bucket, with the columns of
// the metrics QueriedMetrics names (ReadQueriedRollups).
std::string Select(const RollupQuery& q);
// Deletes the rollups of a width (first ?) with bucket_ms < the cutoff (second ?).
const std::string& DeleteOlderThan();
// Deletes the rollups with bucket_ms ≥ ? (every width), before a rebuild from that bucket on.
const std::string& DeleteFrom();
// The samples a rebuild reads: id > ? and time_ms ≥ ?, in id order, at most ? (ReadSample).
const std::string& SelectSamplesToRebuild();

// "SELECT … FROM samples WHERE id IN (?, …)" with `count` ?s, in id order (ReadSample).
std::string SelectSamplesWithIds(size_t count, SampleFields fields);
// At most this many ids a statement of SelectSamplesWithIds.
inline constexpr size_t kIdsPerSelect = 500;

// The metrics whose rollups a query asks for: its series', its metric, or every metric in the
// order of their names (store.h QueryRollups).
std::vector<Metric> QueriedMetrics(const RollupQuery& q);
// The query's rollups from the rows Select read (ReadQueriedRollups), in store.h's order: by
// source, then metric, then bucket.
std::vector<Rollup> SeriesRollups(std::vector<std::vector<Rollup>> rows);

template <typename Params>
void BindPoint(Params& b, const std::optional<RollupPoint>& p) {
  if (p) {
    b.OptDouble(p->value).Int(p->time_ms).Int(p->id);
  } else {
    b.OptDouble(std::nullopt).OptInt(std::nullopt).OptInt(std::nullopt);
  }
}

template <typename Params>
void BindSourceRollup(Params& b, const SourceRollup& r) {
  const Rollup& shared = r.metrics.front();
  record_fields::BindSource(b, r.source);
  b.Int(r.width_ms).Int(r.bucket_ms).Int(shared.count).Int(shared.errors);
  b.Int(shared.first.time_ms).Int(shared.first.id).Int(shared.last.time_ms).Int(shared.last.id);
  for (const Rollup& m : r.metrics) {
    b.Int(m.value_count).Double(m.value_sum).Double(m.value_sum_squares);
    BindPoint(b, m.min);
    BindPoint(b, m.max);
    b.OptDouble(m.first.value).OptDouble(m.last.value);
  }
}

// The values of Select's ?s, in order.
template <typename Params>
void BindRollupQuery(Params& b, const RollupQuery& q) {
  b.Int(q.width_ms);
  if (q.series) record_fields::BindSource(b, q.series->source);
  b.Int(q.since_ms).Int(q.until_ms);
}

template <typename Row>
std::optional<RollupPoint> ReadPoint(Row& c) {
  std::optional<double> value = c.OptDouble();
  std::optional<int64_t> time = c.OptInt();
  std::optional<int64_t> id = c.OptInt();
  if (!value || !time || !id) return std::nullopt;
  return RollupPoint{*time, value, *id};
}

// A row of Select(q): its rollups of the metrics QueriedMetrics(q) names, in that order. Only
// those: a row of every metric (SourceRollup) is ~2 KB, and a day of minutes read for one series
// held 1,440 of them (docs/design.md "Memory").
template <typename Row>
std::vector<Rollup> ReadQueriedRollups(Row& c, const std::vector<Metric>& metrics) {
  const SourceKey source = record_fields::ReadSource(c);
  Rollup shared;
  shared.width_ms = c.Int();
  shared.bucket_ms = c.Int();
  shared.count = c.Int();
  shared.errors = c.Int();
  shared.first.time_ms = c.Int();
  shared.first.id = c.Int();
  shared.last.time_ms = c.Int();
  shared.last.id = c.Int();
  std::vector<Rollup> out;
  out.reserve(metrics.size());
  for (Metric metric : metrics) {
    Rollup& m = out.emplace_back(shared);
    m.series = SeriesKey{source, metric};
    m.value_count = c.Int();
    m.value_sum = c.Double();
    m.value_sum_squares = c.Double();
    m.min = ReadPoint(c);
    m.max = ReadPoint(c);
    m.first.value = c.OptDouble();
    m.last.value = c.OptDouble();
  }
  return out;
}

// A row of SelectFormerRows (series left for the caller).
template <typename Row>
Rollup ReadFormerRollup(Row& c) {
  Rollup r;
  r.width_ms = c.Int();
  r.bucket_ms = c.Int();
  r.count = c.Int();
  r.errors = c.Int();
  r.value_count = c.Int();
  r.value_sum = c.Double();
  r.value_sum_squares = c.Double();
  r.min = ReadPoint(c);
  r.max = ReadPoint(c);
  r.first.time_ms = c.Int();
  r.first.value = c.OptDouble();
  r.first.id = c.Int();
  r.last.time_ms = c.Int();
  r.last.value = c.OptDouble();
  r.last.id = c.Int();
  return r;
}

}  // namespace llmscope::store::rollup_sql
