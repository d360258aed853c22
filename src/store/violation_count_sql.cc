#include "store/violation_count_sql.h"

#include "store/sql_statements.h"

namespace llmscope::store::violation_count_sql {

const std::string& Upsert() {
  static const std::string sql =
      sql::InsertInto("violation_counts", kColumns) +
      " ON CONFLICT (provider, model, site, profile, metric, width_ms, bucket_ms, rule, phase) "
      "DO UPDATE SET count = violation_counts.count + excluded.count";
  return sql;
}

const std::string& Select() {
  static const std::string sql =
      "SELECT rule, phase, width_ms, bucket_ms, count FROM violation_counts WHERE provider = ? AND model = ? AND site = ? AND profile = ? "
      "AND metric = ? AND width_ms = ? AND bucket_ms >= ? AND bucket_ms < ? "
      "ORDER BY bucket_ms, rule, phase";
  return sql;
}

const std::string& DeleteOlderThan() {
  static const std::string sql =
      "DELETE FROM violation_counts WHERE width_ms = ? AND bucket_ms < ?";
  return sql;
}

const std::string& DeleteFrom() {
  static const std::string sql = "DELETE FROM violation_counts WHERE bucket_ms >= ?";
  return sql;
}

std::string FillFromViolations(int64_t width_ms) {
  const std::string w = std::to_string(width_ms);
  // The floor of first_time_ms to the width (BucketStart), also for times before the epoch: both
  // dialects' % keeps the dividend's sign.
  const std::string bucket = "first_time_ms - ((first_time_ms % " + w + ") + " + w + ") % " + w;
  return "INSERT INTO violation_counts (" + std::string(kColumns) +
         ") SELECT provider, model, site, profile, metric, rule, phase, " + w + ", " + bucket +
         ", count(*) FROM violations WHERE first_time_ms >= ? "
         "GROUP BY provider, model, site, profile, metric, rule, phase, " + bucket;
}

}  // namespace llmscope::store::violation_count_sql
