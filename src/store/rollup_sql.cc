#include "store/rollup_sql.h"

#include "store/sql_statements.h"

namespace llmscope::store::rollup_sql {
namespace {

// SET column = CASE WHEN `better` THEN excluded.column ELSE rollups.column END, for each column
// of one of a bucket's points (value, time, id): the point is replaced as a whole.
std::string TakePoint(std::string_view point, std::string_view better) {
  std::string out;
  for (std::string_view field : {"_value", "_time_ms", "_id"}) {
    std::string column(point);
    column += field;
    if (!out.empty()) out += ", ";
    out.append(column).append(" = CASE WHEN ").append(better).append(" THEN excluded.");
    out.append(column).append(" ELSE rollups.").append(column).append(" END");
  }
  return out;
}

}  // namespace

const std::string& Upsert() {
  // Rollup::Merge in SQL: the orders of rollups.h, a stored point replaced only by a better one.
  static const std::string sql =
      sql::InsertInto("rollups", kColumns) +
      " ON CONFLICT (provider, model, site, profile, metric, width_ms, bucket_ms) DO UPDATE SET "
      "count = rollups.count + excluded.count, errors = rollups.errors + excluded.errors, "
      "value_count = rollups.value_count + excluded.value_count, "
      "value_sum = rollups.value_sum + excluded.value_sum, "
      "value_sum_squares = rollups.value_sum_squares + excluded.value_sum_squares, " +
      TakePoint("min",
                "excluded.min_value IS NOT NULL AND (rollups.min_value IS NULL OR "
                "excluded.min_value < rollups.min_value OR (excluded.min_value = "
                "rollups.min_value AND excluded.min_id < rollups.min_id))") +
      ", " +
      TakePoint("max",
                "excluded.max_value IS NOT NULL AND (rollups.max_value IS NULL OR "
                "excluded.max_value > rollups.max_value OR (excluded.max_value = "
                "rollups.max_value AND excluded.max_id < rollups.max_id))") +
      ", " +
      TakePoint("first",
                "excluded.first_time_ms < rollups.first_time_ms OR (excluded.first_time_ms = "
                "rollups.first_time_ms AND excluded.first_id < rollups.first_id)") +
      ", " +
      TakePoint("last",
                "excluded.last_time_ms > rollups.last_time_ms OR (excluded.last_time_ms = "
                "rollups.last_time_ms AND excluded.last_id > rollups.last_id)");
  return sql;
}

std::string Select(const RollupQuery& q) {
  std::string sql = "SELECT " + std::string(kColumns) + " FROM rollups WHERE width_ms = ?";
  if (q.series) {
    sql += " AND provider = ? AND model = ? AND site = ? AND profile = ? AND metric = ?";
  } else if (q.metric) {
    sql += " AND metric = ?";
  }
  return sql +
         " AND bucket_ms >= ? AND bucket_ms < ? "
         "ORDER BY provider, model, site, profile, metric, bucket_ms";
}

const std::string& DeleteOlderThan() {
  static const std::string sql = "DELETE FROM rollups WHERE width_ms = ? AND bucket_ms < ?";
  return sql;
}

const std::string& DeleteFrom() {
  static const std::string sql = "DELETE FROM rollups WHERE bucket_ms >= ?";
  return sql;
}

const std::string& SelectSamplesToRebuild() {
  static const std::string sql = "SELECT id, " + std::string(sql::kSampleColumns) +
                                 " FROM samples WHERE id > ? AND time_ms >= ? ORDER BY id LIMIT ?";
  return sql;
}

std::string SelectSamplesWithIds(size_t count) {
  std::string sql =
      "SELECT id, " + std::string(sql::kSampleColumns) + " FROM samples WHERE id IN (";
  for (size_t i = 0; i < count; ++i) sql += i ? ", ?" : "?";
  return sql + ") ORDER BY id";
}

}  // namespace llmscope::store::rollup_sql
