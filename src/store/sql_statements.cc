#include "store/sql_statements.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "core/sample.h"
#include "spc/firing.h"
#include "spc/rule.h"
#include "store/daily_sample_count.h"
#include "store/rollups.h"

namespace llmscope::store::sql {
namespace {

using Value = std::variant<int64_t, std::string>;

constexpr std::string_view kSeriesIs =
    "provider = ? AND model = ? AND site = ? AND profile = ? AND metric = ?";

std::vector<Value> SourceValues(const SourceKey& k) {
  return {k.provider, k.model, k.site, k.profile};
}

std::vector<Value> SeriesValues(const SeriesKey& k) {
  std::vector<Value> values = SourceValues(k.source);
  values.emplace_back(std::string(MetricName(k.metric)));
  return values;
}

// Appends a WHERE clause to a statement, one condition at a time, with the values of its ?s.
class Conditions {
 public:
  explicit Conditions(BoundStatement& statement) : statement_(statement) {}

  // " WHERE condition" for the first condition, " AND condition" for the next ones.
  void Add(std::string_view condition, std::vector<Value> values) {
    statement_.sql += first_ ? " WHERE " : " AND ";
    statement_.sql += condition;
    for (Value& v : values) statement_.values.push_back(std::move(v));
    first_ = false;
  }

 private:
  BoundStatement& statement_;
  bool first_ = true;
};

// The violations' columns (id first) with context_json read as `context` asks: itself,
// `telemetry`, or an empty text.
std::string ViolationColumnList(ViolationQuery::Context context, std::string_view telemetry) {
  static_assert(kViolationColumns.find("context_json") != std::string_view::npos);
  std::string out = "id, " + std::string(kViolationColumns);
  const size_t at = out.find("context_json");
  if (context == ViolationQuery::Context::kNone) out.replace(at, 12, "'' AS context_json");
  if (context == ViolationQuery::Context::kTelemetry) out.replace(at, 12, telemetry);
  return out;
}

// "rule IN (?, ?, …)" with a ? for each rule; "0 = 1" (nothing) when there is none.
std::string RuleListCondition(size_t count) {
  if (count == 0) return "0 = 1";
  std::string c = "rule IN (?";
  for (size_t i = 1; i < count; ++i) c += ", ?";
  return c + ")";
}

// The violations of `q`, newest first, as `columns`.
BoundStatement SelectViolationColumns(const std::string& columns, const ViolationQuery& q) {
  BoundStatement s{"SELECT " + columns + " FROM violations", {}};
  Conditions where(s);
  if (q.series) where.Add(kSeriesIs, SeriesValues(*q.series));
  if (q.provider) where.Add("provider = ?", {*q.provider});
  if (q.model) where.Add("model = ?", {*q.model});
  if (q.metric) where.Add("metric = ?", {std::string(MetricName(*q.metric))});
  if (q.rule) where.Add("rule = ?", {std::string(spc::RuleName(*q.rule))});
  if (q.rules) {
    std::vector<Value> names;
    for (spc::Rule r : *q.rules) names.emplace_back(std::string(spc::RuleName(r)));
    const std::string any_of = RuleListCondition(names.size());
    where.Add(any_of, std::move(names));
  }
  if (q.status) where.Add("status = ?", {std::string(ViolationStatusName(*q.status))});
  if (q.phase) where.Add("phase = ?", {std::string(spc::PhaseName(*q.phase))});
  if (q.since_ms != INT64_MIN) where.Add("last_time_ms >= ?", {q.since_ms});
  if (q.until_ms != INT64_MAX) where.Add("first_time_ms < ?", {q.until_ms});
  if (q.before_id != INT64_MAX) where.Add("id < ?", {q.before_id});
  s.sql += " ORDER BY id DESC LIMIT ?";
  s.values.emplace_back(q.limit);
  return s;
}

}  // namespace

std::string DeliveryColumns(std::string_view key_column) {
  return std::string(key_column) +
         ", violation_id, sink, kind, payload_json, state, attempts, next_attempt_ms, "
         "last_error, claimed_by, claimed_until_ms, created_ms, updated_ms, delivered_ms";
}

std::string InsertInto(std::string_view table, std::string_view columns) {
  std::string sql =
      "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") VALUES (?";
  for (char c : columns) {
    if (c == ',') sql += ", ?";
  }
  return sql + ")";
}

const std::string& InsertSample() {
  static const std::string sql =
      InsertInto("samples", kSampleColumns) +
      " ON CONFLICT (ingest_key) WHERE ingest_key IS NOT NULL DO NOTHING";
  return sql;
}

const std::string& SelectSampleIdOfKey() {
  static const std::string sql = "SELECT id FROM samples WHERE ingest_key = ?";
  return sql;
}

const std::string& UpsertStage() {
  static const std::string sql =
      InsertInto("stages", kStageColumns) +
      " ON CONFLICT (provider, model, site, profile, metric, number) DO UPDATE SET "
      "start_index = excluded.start_index, baseline_size = excluded.baseline_size, "
      "transform = excluded.transform, sigma_method = excluded.sigma_method, "
      "mean = excluded.mean, sigma = excluded.sigma, frozen = excluded.frozen, "
      "external_baseline = excluded.external_baseline, "
      "start_sample_id = excluded.start_sample_id, start_time_ms = excluded.start_time_ms, "
      "created_ms = excluded.created_ms";
  return sql;
}

const std::string& SelectStagesOfSeries() {
  static const std::string sql = "SELECT " + std::string(kStageColumns) + " FROM stages WHERE " +
                                 std::string(kSeriesIs) + " ORDER BY number";
  return sql;
}

const std::string& SelectViolationById() {
  static const std::string sql =
      "SELECT id, " + std::string(kViolationColumns) + " FROM violations WHERE id = ?";
  return sql;
}

const std::string& UpdateViolationExtent() {
  static const std::string sql =
      "UPDATE violations SET last_index = ?, last_time_ms = ?, count = ?, worst_value = ?, "
      "deviation = ?, context_json = ? WHERE id = ?";
  return sql;
}

const std::string& UpdateViolationStatus() {
  static const std::string sql =
      "UPDATE violations SET status = ?, status_by = ?, status_time_ms = ? WHERE id = ?";
  return sql;
}

std::string InsertDelivery(std::string_view key_column) {
  return InsertInto("deliveries", DeliveryColumns(key_column)) + " ON CONFLICT (" +
         std::string(key_column) + ") DO NOTHING";
}

std::string SelectDeliveriesOfViolation(std::string_view key_column) {
  return "SELECT id, " + DeliveryColumns(key_column) +
         " FROM deliveries WHERE violation_id = ? ORDER BY id";
}

std::string SelectDeliveryWithKey(std::string_view key_column) {
  return "SELECT id, " + DeliveryColumns(key_column) + " FROM deliveries WHERE " +
         std::string(key_column) + " = ?";
}

const std::string& UpdateDeliveryOutcome() {
  static const std::string sql =
      "UPDATE deliveries SET state = ?, attempts = ?, next_attempt_ms = ?, last_error = ?, "
      "delivered_ms = ?, updated_ms = ?, claimed_by = '', claimed_until_ms = 0 "
      "WHERE id = ? AND claimed_by = ? AND claimed_by <> ''";
  return sql;
}

const std::string& CountDeliveriesWithId() {
  static const std::string sql = "SELECT count(*) FROM deliveries WHERE id = ?";
  return sql;
}

void SortClaimed(std::vector<DeliveryRecord>& rows) {
  std::sort(rows.begin(), rows.end(), [](const DeliveryRecord& a, const DeliveryRecord& b) {
    return std::tie(a.next_attempt_ms, a.id) < std::tie(b.next_attempt_ms, b.id);
  });
}

const std::string& InsertSilence() {
  static const std::string sql = InsertInto("silences", kSilenceColumns);
  return sql;
}

const std::string& SelectSampleCountsByDay() {
  // The hourly rollups: a row counts every sample of its source and hour (rollups.h), and its
  // failed calls. source_rollup_hour_counts covers it (rollup_sql.h).
  static const std::string sql =
      "SELECT provider, model, site, profile, bucket_ms / " + std::to_string(kDayMs) +
      " AS day, CAST(sum(count) AS BIGINT), CAST(sum(errors) AS BIGINT) FROM source_rollups "
      "WHERE width_ms = " +
      std::to_string(kRollupHourMs) +
      " AND bucket_ms >= ? AND bucket_ms < ? GROUP BY provider, model, site, profile, day";
  return sql;
}

const std::string& SelectSilencesEndingAfter() {
  static const std::string sql =
      "SELECT id, " + std::string(kSilenceColumns) + " FROM silences WHERE ends_ms > ? ORDER BY id";
  return sql;
}

BoundStatement SelectSamples(const SampleQuery& q, std::string_view time_from) {
  BoundStatement s{"SELECT id, " + std::string(SampleColumnsOf(q.fields)) + " FROM samples", {}};
  Conditions where(s);
  if (q.source) {
    where.Add("provider = ? AND model = ? AND site = ? AND profile = ?", SourceValues(*q.source));
  } else {
    if (q.provider) where.Add("provider = ?", {*q.provider});
    if (q.model) where.Add("model = ?", {*q.model});
  }
  if (q.since_ms != INT64_MIN) {
    // Each {since} / {until} of the dialect's condition becomes a ? bound to its end.
    std::string condition;
    std::vector<Value> ends;
    for (size_t at = 0; at < time_from.size();) {
      if (time_from.substr(at, 7) == "{since}" || time_from.substr(at, 7) == "{until}") {
        condition += '?';
        ends.emplace_back(time_from[at + 1] == 's' ? q.since_ms : q.until_ms);
        at += 7;
      } else {
        condition += time_from[at++];
      }
    }
    where.Add(condition, std::move(ends));
  }
  if (q.until_ms != INT64_MAX) where.Add("time_ms < ?", {q.until_ms});
  if (q.after_id != 0) where.Add(q.newest_first ? "id < ?" : "id > ?", {q.after_id});
  s.sql += q.newest_first ? " ORDER BY id DESC LIMIT ?" : " ORDER BY id LIMIT ?";
  s.values.emplace_back(q.limit);
  return s;
}

BoundStatement SelectViolations(const ViolationQuery& q, std::string_view telemetry) {
  return SelectViolationColumns(ViolationColumnList(q.context, telemetry), q);
}

BoundStatement SelectViolationMarks(const ViolationQuery& q) {
  static_assert(kViolationColumns.find("first_time_ms") < kViolationColumns.find("context_json"));
  return SelectViolationColumns("id, first_time_ms, rule, phase", q);
}

std::vector<BoundStatement> RetentionDeletes(int64_t cutoff_ms, std::string_view violation_gone) {
  return {
      {"DELETE FROM samples WHERE time_ms < ?", {cutoff_ms}},
      {"DELETE FROM violations WHERE status <> ? AND last_time_ms < ?",
       {std::string(ViolationStatusName(ViolationStatus::kOpen)), cutoff_ms}},
      {"DELETE FROM deliveries WHERE (violation_id <> 0 AND " + std::string(violation_gone) +
           ") OR (violation_id = 0 AND created_ms < ?)",
       {cutoff_ms}},
      {"DELETE FROM silences WHERE ends_ms < ?", {cutoff_ms}},
  };
}

const std::string& InsertDemoSource() {
  static const std::string kSql =
      "INSERT INTO demo_sources (provider, model, site, profile, created_ms) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
  return kSql;
}

const std::string& SelectDemoSources() {
  static const std::string kSql =
      "SELECT provider, model, site, profile FROM demo_sources "
      "ORDER BY provider, model, site, profile";
  return kSql;
}

std::vector<std::string> DemoDeletes(std::initializer_list<std::string_view> more_tables) {
  auto of_demo = [](std::string_view table) {
    const std::string t(table);
    return "EXISTS (SELECT 1 FROM demo_sources d WHERE d.provider = " + t +
           ".provider AND d.model = " + t + ".model AND d.site = " + t +
           ".site AND d.profile = " + t + ".profile)";
  };
  std::vector<std::string> deletes = {
      "DELETE FROM deliveries WHERE violation_id IN (SELECT id FROM violations WHERE " +
      of_demo("violations") + ")"};
  for (std::string_view table :
       {"violations", "stages", "source_rollups", "sketch_hours", "samples"}) {
    deletes.push_back("DELETE FROM " + std::string(table) + " WHERE " + of_demo(table));
  }
  for (std::string_view table : more_tables) {
    deletes.push_back("DELETE FROM " + std::string(table) + " WHERE " + of_demo(table));
  }
  deletes.emplace_back("DELETE FROM demo_sources");
  return deletes;
}

}  // namespace llmscope::store::sql
