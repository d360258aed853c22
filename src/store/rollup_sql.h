// The SQL of the rollups table (store/rollups.h), spelled alike in SQLite and PostgreSQL: its
// columns, the upsert that adds a batch's rollup to a stored bucket, and the reads. Every value
// is a ? parameter (numbered $1, $2, ... by the PostgreSQL store), bound as the comment says.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/record_fields.h"
#include "store/rollups.h"
#include "store/store.h"

namespace llmscope::store::rollup_sql {

// Every column, in the order BindRollup binds and ReadRollup reads them; the key first.
inline constexpr std::string_view kColumns =
    "provider, model, site, profile, metric, width_ms, bucket_ms, count, errors, value_count, "
    "value_sum, value_sum_squares, min_value, min_time_ms, min_id, max_value, max_time_ms, "
    "max_id, first_time_ms, first_value, first_id, last_time_ms, last_value, last_id";

// BindRollup. Adds the rollup to the stored one of its bucket (Rollup::Merge), or inserts it.
const std::string& Upsert();
// BindRollupQuery's statement: the rollups of a query, by series then bucket.
std::string Select(const RollupQuery& q);
// Deletes the rollups of a width (first ?) with bucket_ms < the cutoff (second ?).
const std::string& DeleteOlderThan();
// Deletes the rollups with bucket_ms ≥ ? (every width), before a rebuild from that bucket on.
const std::string& DeleteFrom();
// The samples a rebuild reads: id > ? and time_ms ≥ ?, in id order, at most ? (ReadSample).
const std::string& SelectSamplesToRebuild();

// "SELECT … FROM samples WHERE id IN (?, …)" with `count` ?s, in id order (ReadSample).
std::string SelectSamplesWithIds(size_t count);
// At most this many ids a statement of SelectSamplesWithIds.
inline constexpr size_t kIdsPerSelect = 500;

template <typename Params>
void BindPoint(Params& b, const std::optional<RollupPoint>& p) {
  if (p) {
    b.OptDouble(p->value).Int(p->time_ms).Int(p->id);
  } else {
    b.OptDouble(std::nullopt).OptInt(std::nullopt).OptInt(std::nullopt);
  }
}

template <typename Params>
void BindRollup(Params& b, const Rollup& r) {
  record_fields::BindSeries(b, r.series);
  b.Int(r.width_ms).Int(r.bucket_ms).Int(r.count).Int(r.errors).Int(r.value_count);
  b.Double(r.value_sum).Double(r.value_sum_squares);
  BindPoint(b, r.min);
  BindPoint(b, r.max);
  b.Int(r.first.time_ms).OptDouble(r.first.value).Int(r.first.id);
  b.Int(r.last.time_ms).OptDouble(r.last.value).Int(r.last.id);
}

// The values of Select's ?s, in order.
template <typename Params>
void BindRollupQuery(Params& b, const RollupQuery& q) {
  b.Int(q.width_ms);
  if (q.series) {
    record_fields::BindSeries(b, *q.series);
  } else if (q.metric) {
    b.Text(MetricName(*q.metric));
  }
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

template <typename Row>
Rollup ReadRollup(Row& c) {
  Rollup r;
  r.series = record_fields::ReadSeries(c);
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
