#include "store/sketch_sql.h"

namespace llmscope::store::sketch_sql {

namespace {

constexpr std::string_view kSourceIs =
    "provider = ? AND model = ? AND site = ? AND profile = ?";

}  // namespace

std::string CreateSketchHours(std::string_view text, std::string_view integer,
                              std::string_view bytes, std::string_view table_options) {
  std::string create = "CREATE TABLE sketch_hours (";
  for (std::string_view column : {"provider", "model", "site", "profile"}) {
    create.append(column).append(" ").append(text).append(", ");
  }
  create.append("bucket_ms ").append(integer).append(" NOT NULL");
  for (Metric metric : kSketchedMetrics) {
    create.append(", ").append(MetricName(metric)).append(" ").append(bytes);
  }
  create += ", PRIMARY KEY (provider, model, site, profile, bucket_ms))";
  create.append(table_options);
  return create;
}

const std::string& Upsert() {
  static const std::string kSql = [] {
    std::string columns = "provider, model, site, profile, bucket_ms";
    std::string values = "?, ?, ?, ?, ?";
    std::string updates;
    for (Metric metric : kSketchedMetrics) {
      const std::string name(MetricName(metric));
      columns += ", " + name;
      values += ", ?";
      updates.append(updates.empty() ? "" : ", ").append(name).append(" = excluded.").append(name);
    }
    return "INSERT INTO sketch_hours (" + columns + ") VALUES (" + values +
           ") ON CONFLICT (provider, model, site, profile, bucket_ms) DO UPDATE SET " + updates;
  }();
  return kSql;
}

std::string Select(Metric metric) {
  const std::string name(MetricName(metric));
  return "SELECT bucket_ms, " + name + " FROM sketch_hours WHERE " + std::string(kSourceIs) +
         " AND bucket_ms >= ? AND bucket_ms < ? AND " + name +
         " IS NOT NULL ORDER BY bucket_ms";
}

const std::string& SelectNewestHour() {
  static const std::string kSql =
      "SELECT max(bucket_ms) FROM sketch_hours WHERE " + std::string(kSourceIs);
  return kSql;
}

Status CheckSketched(Metric metric) {
  if (SketchedIndex(metric)) return {};
  return Error{"invalid_argument",
               "metric " + std::string(MetricName(metric)) + " has no quantile sketches"};
}

Result<std::vector<SeriesSketchHour>> Decoded(
    const std::vector<std::pair<int64_t, std::string>>& rows) {
  std::vector<SeriesSketchHour> out;
  out.reserve(rows.size());
  for (const auto& [bucket_ms, bytes] : rows) {
    Result<spc::QuantileSketch> sketch = spc::QuantileSketch::Decode(bytes);
    if (!sketch) {
      return Error{"storage_error", "sketch_hours at " + std::to_string(bucket_ms) + ": " +
                                        sketch.error().message};
    }
    out.push_back({bucket_ms, std::move(*sketch)});
  }
  return out;
}

const std::string& DeleteOlderThan() {
  static const std::string kSql = "DELETE FROM sketch_hours WHERE bucket_ms < ?";
  return kSql;
}

}  // namespace llmscope::store::sketch_sql
