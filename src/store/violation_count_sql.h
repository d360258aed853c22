// The SQL of the violation_counts table (store/violation_counts.h), spelled alike in SQLite and
// PostgreSQL: the upsert that adds an insert's counts, the read of one series' buckets, the
// retention and rebuild deletes, and the fill from the violation rows. Every value is a ?
// parameter (numbered $1, $2, ... by the PostgreSQL store), bound as the comment says.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/record_fields.h"
#include "store/violation_counts.h"

namespace llmscope::store::violation_count_sql {

// Every column, in the order BindCount binds them.
inline constexpr std::string_view kColumns =
    "provider, model, site, profile, metric, rule, phase, width_ms, bucket_ms, count";

// BindCount. Adds the count to the stored one of its bucket, or inserts it.
const std::string& Upsert();
// BindCountQuery's statement: one series' counts of one width, by bucket, then rule and phase,
// as ReadQueriedCount reads them (the series' columns are the query's, not read again).
const std::string& Select();
// Deletes the counts of a width (first ?) with bucket_ms < the cutoff (second ?): the rollups'
// retention (rollup_sql::DeleteOlderThan).
const std::string& DeleteOlderThan();
// Deletes the counts with bucket_ms ≥ ? (every width), before a rebuild from that bucket on.
const std::string& DeleteFrom();
// Counts, at `width_ms`, the violation rows with first_time_ms ≥ ? and inserts the sums.
std::string FillFromViolations(int64_t width_ms);

template <typename Params>
void BindCount(Params& b, const ViolationCount& c) {
  record_fields::BindSeries(b, c.series);
  b.Text(spc::RuleName(c.rule)).Text(spc::PhaseName(c.phase));
  b.Int(c.width_ms).Int(c.bucket_ms).Int(c.count);
}

template <typename Params>
void BindCountQuery(Params& b, const ViolationCountQuery& q) {
  record_fields::BindSeries(b, q.series);
  b.Int(q.width_ms).Int(q.since_ms).Int(q.until_ms);
}

// A row of Select, without its series.
template <typename Row>
ViolationCount ReadQueriedCount(Row& c) {
  ViolationCount v;
  v.rule = record_fields::ReadName(c, spc::ParseRuleName, "rule");
  v.phase = record_fields::ReadName(c, record_fields::ParsePhase, "phase");
  v.width_ms = c.Int();
  v.bucket_ms = c.Int();
  v.count = c.Int();
  return v;
}

}  // namespace llmscope::store::violation_count_sql
