// The SQL of the sketch_hours table (sketch_hours.h), spelled alike in SQLite and PostgreSQL: one
// row per source and hour, the source's four columns, bucket_ms, then one column of encoded
// sketch bytes per sketched metric, named after it (e2e_ms, …, cost_usd; NULL: no values). Every
// value is a ? parameter (numbered $1, $2, ... by the PostgreSQL store), bound as the comment
// says.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <string_view>

#include "core/result.h"
#include "core/sample.h"
#include "store/record_fields.h"
#include "store/sketch_hours.h"

namespace llmscope::store::sketch_sql {

// The schema step that adds the table: `text` and `integer` as rollup_sql::ColumnTypes, `bytes`
// the dialect's byte-string type, `table_options` after the closing parenthesis (SQLite's
// WITHOUT ROWID). Never edit: a change of the table is a new step.
std::string CreateSketchHours(std::string_view text, std::string_view integer,
                              std::string_view bytes, std::string_view table_options);

// BindSketchHour. Replaces the stored row of the source and hour, or inserts it.
const std::string& Upsert();
// The series' source (four ?), since_ms ≤ bucket_ms < until_ms (two ?): bucket_ms and the
// metric's sketch bytes of each hour that has values of it, by hour.
std::string Select(Metric metric);
// The source (four ?): the newest bucket_ms stored, NULL when none.
const std::string& SelectNewestHour();
// Deletes the rows with bucket_ms < ? (the hour rollups' retention).
const std::string& DeleteOlderThan();

// "invalid_argument" unless `metric` is sketched (QuerySketchHours).
Status CheckSketched(Metric metric);
// The sketches of Select's rows (bucket_ms, bytes), decoded; "storage_error" for bytes that are
// not a sketch.
Result<std::vector<SeriesSketchHour>> Decoded(
    const std::vector<std::pair<int64_t, std::string>>& rows);

template <typename Row>
std::pair<int64_t, std::string> ReadSketchRow(Row& c) {
  const int64_t bucket_ms = c.Int();
  return {bucket_ms, c.OptBytes().value_or("")};
}

template <typename Params>
void BindSketchHour(Params& b, const SketchHour& h) {
  record_fields::BindSource(b, h.source);
  b.Int(h.bucket_ms);
  for (const std::string& sketch : h.sketches) {
    b.OptBytes(sketch.empty() ? std::nullopt : std::optional<std::string>(sketch));
  }
}

}  // namespace llmscope::store::sketch_sql
