#include "store/rollup_sql.h"

#include <algorithm>
#include <utility>

#include "store/sql_statements.h"

namespace llmscope::store::rollup_sql {
namespace {

constexpr std::string_view kTable = "source_rollups";
constexpr std::string_view kKeyColumns = "provider, model, site, profile, width_ms, bucket_ms";
// The columns the metrics of a row share, after the key.
constexpr std::string_view kSharedColumns =
    "count, errors, first_time_ms, first_id, last_time_ms, last_id";
// A metric's columns, after its name, in the order BindSourceRollup binds them.
constexpr std::string_view kMetricFields[] = {
    "_values", "_sum",         "_sum_squares", "_min",   "_min_time_ms", "_min_id",
    "_max",    "_max_time_ms", "_max_id",      "_first", "_last"};

std::string Column(Metric metric, std::string_view field) {
  return std::string(MetricName(metric)).append(field);
}

// The columns of these metrics, each metric's in kMetricFields' order.
std::string MetricColumns(const std::vector<Metric>& metrics) {
  std::string out;
  for (Metric metric : metrics) {
    for (std::string_view field : kMetricFields) out.append(", ").append(Column(metric, field));
  }
  return out;
}

std::vector<Metric> AllMetrics() {
  return {kAllMetrics.begin(), kAllMetrics.end()};
}

// Every column, in the order BindSourceRollup binds them.
const std::string& Columns() {
  static const std::string columns =
      std::string(kKeyColumns) + ", " + std::string(kSharedColumns) + MetricColumns(AllMetrics());
  return columns;
}

// SET column = CASE WHEN `better` THEN excluded.column ELSE source_rollups.column END, for each
// column: a point (or the first or last sample) replaced as a whole.
std::string TakeWhen(const std::vector<std::string>& columns, std::string_view better) {
  std::string out;
  for (const std::string& column : columns) {
    if (!out.empty()) out += ", ";
    out.append(column).append(" = CASE WHEN ").append(better).append(" THEN excluded.");
    out.append(column).append(" ELSE ").append(kTable).append(".").append(column).append(" END");
  }
  return out;
}

// column = source_rollups.column + excluded.column.
std::string AddUp(const std::string& column) {
  return column + " = " + std::string(kTable) + "." + column + " + excluded." + column;
}

// The orders of rollups.h for a metric's smallest or largest value (`op` < or >), ties towards
// the lower id: excluded's point is better than the stored one.
std::string BetterExtreme(Metric metric, std::string_view field, std::string_view op) {
  const std::string value = Column(metric, field), id = Column(metric, std::string(field) + "_id");
  const std::string stored = std::string(kTable) + ".";
  return "excluded." + value + " IS NOT NULL AND (" + stored + value + " IS NULL OR excluded." +
         value + " " + std::string(op) + " " + stored + value + " OR (excluded." + value + " = " +
         stored + value + " AND excluded." + id + " < " + stored + id + "))";
}

}  // namespace

std::string CreateSourceRollups(const ColumnTypes& types) {
  const std::string text = std::string(types.text), integer = std::string(types.integer),
                    real = std::string(types.real);
  std::string create = "CREATE TABLE source_rollups (provider " + text + ", model " + text +
                       ", site " + text + ", profile " + text;
  for (std::string_view column : {"width_ms", "bucket_ms", "count", "errors", "first_time_ms",
                                  "first_id", "last_time_ms", "last_id"}) {
    create.append(", ").append(column).append(" ").append(integer).append(" NOT NULL");
  }
  for (Metric metric : kAllMetrics) {
    create += ", " + Column(metric, "_values") + " " + integer + " NOT NULL";
    create += ", " + Column(metric, "_sum") + " " + real + " NOT NULL";
    create += ", " + Column(metric, "_sum_squares") + " " + real + " NOT NULL";
    for (std::string_view point : {"_min", "_max"}) {
      create += ", " + Column(metric, point) + " " + real;
      create += ", " + Column(metric, std::string(point) + "_time_ms") + " " + integer;
      create += ", " + Column(metric, std::string(point) + "_id") + " " + integer;
    }
    create += ", " + Column(metric, "_first") + " " + real;
    create += ", " + Column(metric, "_last") + " " + real;
  }
  create += ", PRIMARY KEY (" + std::string(kKeyColumns) + "))";
  return create;
}

std::string ConvertFormerRollups() {
  // Each source and bucket of the former table has a row of every metric (AppendSamples wrote
  // them together); the error metric's gives the shared columns, each metric's its own.
  std::string convert = "INSERT INTO source_rollups (" + Columns() +
                        ") SELECT b.provider, b.model, b.site, b.profile, b.width_ms, "
                        "b.bucket_ms, b.count, b.errors, b.first_time_ms, b.first_id, "
                        "b.last_time_ms, b.last_id";
  std::string joins;
  for (Metric metric : kAllMetrics) {
    const std::string m = "m" + std::to_string(static_cast<int>(metric));
    for (std::string_view column : {"value_count", "value_sum", "value_sum_squares"}) {
      convert.append(", COALESCE(").append(m).append(".").append(column).append(", 0)");
    }
    for (std::string_view column : {"min_value", "min_time_ms", "min_id", "max_value",
                                    "max_time_ms", "max_id", "first_value", "last_value"}) {
      convert.append(", ").append(m).append(".").append(column);
    }
    joins.append(" LEFT JOIN rollups ").append(m).append(" ON ");
    for (std::string_view column :
         {"provider", "model", "site", "profile", "width_ms", "bucket_ms"}) {
      joins.append(m).append(".").append(column).append(" = b.").append(column).append(" AND ");
    }
    joins.append(m).append(".metric = '").append(MetricName(metric)).append("'");
  }
  convert += " FROM rollups b" + joins + " WHERE b.metric = '" +
             std::string(MetricName(Metric::kError)) + "'";
  return convert;
}

std::vector<std::string> FinishSourceRollupsStep() {
  return {"DROP TABLE rollups",
          // Rollups of one width by bucket, across sources (retention, QueryRollups of every
          // source); an upsert changes none of its columns.
          "CREATE INDEX source_rollups_by_bucket ON source_rollups (width_ms, bucket_ms)",
          // The hourly counts of every source by bucket: covers CountSamplesByDay (the status
          // page's 90 days of every source read from the index alone); minute upserts leave it.
          "CREATE INDEX source_rollup_hour_counts ON source_rollups "
          "(bucket_ms, provider, model, site, profile, count, errors) WHERE width_ms = " +
              std::to_string(kRollupHourMs)};
}

const std::string& SelectNextFormerSource() {
  static const std::string sql =
      "SELECT provider, model, site, profile FROM rollups WHERE (provider, model, site, profile) "
      "> (?, ?, ?, ?) ORDER BY provider, model, site, profile LIMIT 1";
  return sql;
}

std::string SelectFormerRows(Metric metric) {
  return "SELECT width_ms, bucket_ms, count, errors, value_count, value_sum, value_sum_squares, "
         "min_value, min_time_ms, min_id, max_value, max_time_ms, max_id, first_time_ms, "
         "first_value, first_id, last_time_ms, last_value, last_id FROM rollups WHERE provider = "
         "? AND model = ? AND site = ? AND profile = ? AND metric = '" +
         std::string(MetricName(metric)) + "' ORDER BY width_ms, bucket_ms";
}

SourceRollup FromFormerRows(const SourceKey& source,
                            const std::array<const Rollup*, kMetricCount>& rows) {
  const Rollup& shared = *rows[static_cast<size_t>(Metric::kError)];
  SourceRollup out;
  out.source = source;
  out.width_ms = shared.width_ms;
  out.bucket_ms = shared.bucket_ms;
  for (Metric metric : kAllMetrics) {
    Rollup& r = out.metrics[static_cast<size_t>(metric)];
    // A metric without a row had no values; the columns a row keeps once are the error metric's.
    if (const Rollup* row = rows[static_cast<size_t>(metric)]; row != nullptr) r = *row;
    r.series = SeriesKey{source, metric};
    r.width_ms = shared.width_ms;
    r.bucket_ms = shared.bucket_ms;
    r.count = shared.count;
    r.errors = shared.errors;
    r.first.time_ms = shared.first.time_ms;
    r.first.id = shared.first.id;
    r.last.time_ms = shared.last.time_ms;
    r.last.id = shared.last.id;
  }
  return out;
}

const std::string& Upsert() {
  // Rollup::Merge in SQL, for every metric: the orders of rollups.h, a stored point replaced only
  // by a better one.
  static const std::string sql = [] {
    std::vector<std::string> first = {"first_time_ms", "first_id"},
                             last = {"last_time_ms", "last_id"};
    std::string sets = AddUp("count") + ", " + AddUp("errors");
    for (Metric metric : kAllMetrics) {
      first.push_back(Column(metric, "_first"));
      last.push_back(Column(metric, "_last"));
      for (std::string_view field : {"_values", "_sum", "_sum_squares"}) {
        sets += ", " + AddUp(Column(metric, field));
      }
      for (auto [point, op] : {std::pair{"_min", "<"}, std::pair{"_max", ">"}}) {
        sets +=
            ", " + TakeWhen({Column(metric, point), Column(metric, std::string(point) + "_time_ms"),
                             Column(metric, std::string(point) + "_id")},
                            BetterExtreme(metric, point, op));
      }
    }
    const std::string stored = std::string(kTable) + ".";
    sets +=
        ", " + TakeWhen(first, "excluded.first_time_ms < " + stored +
                                   "first_time_ms OR (excluded.first_time_ms = " + stored +
                                   "first_time_ms AND excluded.first_id < " + stored + "first_id)");
    sets += ", " + TakeWhen(last, "excluded.last_time_ms > " + stored +
                                      "last_time_ms OR (excluded.last_time_ms = " + stored +
                                      "last_time_ms AND excluded.last_id > " + stored + "last_id)");
    return sql::InsertInto(kTable, Columns()) + " ON CONFLICT (" + std::string(kKeyColumns) +
           ") DO UPDATE SET " + sets;
  }();
  return sql;
}

std::vector<Metric> QueriedMetrics(const RollupQuery& q) {
  if (q.series) return {q.series->metric};
  if (q.metric) return {*q.metric};
  std::vector<Metric> by_name = AllMetrics();
  std::sort(by_name.begin(), by_name.end(),
            [](Metric a, Metric b) { return MetricName(a) < MetricName(b); });
  return by_name;
}

std::string Select(const RollupQuery& q) {
  std::string sql = "SELECT " + std::string(kKeyColumns) + ", " + std::string(kSharedColumns) +
                    MetricColumns(QueriedMetrics(q)) + " FROM " + std::string(kTable) +
                    " WHERE width_ms = ?";
  if (q.series) sql += " AND provider = ? AND model = ? AND site = ? AND profile = ?";
  return sql +
         " AND bucket_ms >= ? AND bucket_ms < ? ORDER BY provider, model, site, profile, bucket_ms";
}

std::vector<Rollup> SeriesRollups(std::vector<std::vector<Rollup>> rows) {
  std::vector<Rollup> out;
  if (rows.empty()) return out;
  const size_t metrics = rows.front().size();
  out.reserve(rows.size() * metrics);
  // Rows come by source, then bucket: each source's rows are taken once per metric.
  for (size_t begin = 0; begin < rows.size();) {
    size_t end = begin;
    while (end < rows.size() &&
           rows[end].front().series.source == rows[begin].front().series.source)
      ++end;
    for (size_t m = 0; m < metrics; ++m) {
      for (size_t i = begin; i < end; ++i) out.push_back(std::move(rows[i][m]));
    }
    begin = end;
  }
  return out;
}

const std::string& DeleteOlderThan() {
  static const std::string sql =
      "DELETE FROM " + std::string(kTable) + " WHERE width_ms = ? AND bucket_ms < ?";
  return sql;
}

const std::string& DeleteFrom() {
  static const std::string sql = "DELETE FROM " + std::string(kTable) + " WHERE bucket_ms >= ?";
  return sql;
}

const std::string& SelectSamplesToRebuild() {
  static const std::string sql = "SELECT id, " + std::string(sql::kSampleColumns) +
                                 " FROM samples WHERE id > ? AND time_ms >= ? ORDER BY id LIMIT ?";
  return sql;
}

std::string SelectSamplesWithIds(size_t count, SampleFields fields) {
  std::string sql =
      "SELECT id, " + std::string(sql::SampleColumnsOf(fields)) + " FROM samples WHERE id IN (";
  for (size_t i = 0; i < count; ++i) sql += i ? ", ?" : "?";
  return sql + ") ORDER BY id";
}

}  // namespace llmscope::store::rollup_sql
