// The SQL that the SQLite and PostgreSQL stores share (store/sqlite, store/postgres): each table's
// column list, the statements both dialects spell alike, and the statements built from a query's
// filters or a retention cutoff. Every value is a ? parameter (the PostgreSQL store numbers them
// $1, $2, ...), bound in the order that record_fields.h or the statement's comment gives.
//
// What the dialects spell differently stays in each store and is handed in where a shared
// statement needs it: the condition on a sample's time that each planner serves best, the JSON
// functions that read a violation's telemetry, the name of the deliveries' key column, the test
// for a delivery whose violation is gone. A store appends what only its dialect has (PostgreSQL's
// RETURNING id, its `keyed` violations) and writes in full the statements whose form differs.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/records.h"
#include "store/store.h"

namespace llmscope::store::sql {

// ---- Column lists: every column but id, in the order record_fields.h binds and reads them (a
// read takes id first).

inline constexpr std::string_view kSampleColumns =
    "time_ms, provider, model, site, profile, e2e_ms, ttft_ms, tpot_ms, tokens_per_s, cost_usd, "
    "error, error_kind, error_message, total_duration_ms, load_duration_ms, "
    "prompt_eval_duration_ms, eval_duration_ms, prompt_eval_count, eval_count, tokens_in, "
    "tokens_out, cpu_percent, memory_percent, gpu_percent, gpu_memory_percent, gpu_temp_c, "
    "prompt_hash, prompt_text, ingest_key";
// A sample's measures (SampleFields::kMeasures), in record_fields::ReadSampleMeasures' order.
inline constexpr std::string_view kSampleMeasureColumns =
    "time_ms, provider, model, site, profile, e2e_ms, ttft_ms, tpot_ms, tokens_per_s, cost_usd, "
    "error, cpu_percent, memory_percent, gpu_percent, gpu_memory_percent, gpu_temp_c";
constexpr std::string_view SampleColumnsOf(SampleFields fields) {
  return fields == SampleFields::kAll ? kSampleColumns : kSampleMeasureColumns;
}
// A stage has no id: (series, number) is its key.
inline constexpr std::string_view kStageColumns =
    "provider, model, site, profile, metric, number, start_index, baseline_size, transform, "
    "sigma_method, mean, sigma, frozen, external_baseline, start_sample_id, start_time_ms, "
    "created_ms";
inline constexpr std::string_view kViolationColumns =
    "provider, model, site, profile, metric, rule, phase, stage, first_index, last_index, count, "
    "first_time_ms, last_time_ms, value, worst_value, deviation, mean, sigma, center, ucl, lcl, "
    "upper_2s, lower_2s, upper_1s, lower_1s, context_json, status, status_by, status_time_ms, "
    "created_ms";
inline constexpr std::string_view kSilenceColumns =
    "provider, model, metric, rule, starts_ms, ends_ms, created_by, comment, created_ms";
// The deliveries' columns, the key first, named `key_column` as the dialect's schema names it.
std::string DeliveryColumns(std::string_view key_column);

// "INSERT INTO table (columns) VALUES (?, ?, ...)", one ? a column.
std::string InsertInto(std::string_view table, std::string_view columns);

// ---- Statements both dialects spell alike; after each, what its parameters are.

// BindSample. A sample whose ingest key is stored already inserts nothing.
const std::string& InsertSample();
// The ingest key; the id of the sample stored with it.
const std::string& SelectSampleIdOfKey();

// The window's start (at or after the epoch) and end, hour-aligned; one row per (source, UTC day)
// with samples in its hourly rollups: provider, model, site, profile, day, samples, errors
// (ReadDailySampleCount).
const std::string& SelectSampleCountsByDay();

// BindStage. Replaces the stage with the same (series, number).
const std::string& UpsertStage();
// BindSeries; the series' stages, oldest first (ReadStage).
const std::string& SelectStagesOfSeries();

// The id; the violation (ReadViolation), if any.
const std::string& SelectViolationById();
// BindViolationExtent.
const std::string& UpdateViolationExtent();
// The status's name, who, when, the id.
const std::string& UpdateViolationStatus();

// BindDelivery (of a NewDeliveryRow). A delivery whose key is stored already inserts nothing.
std::string InsertDelivery(std::string_view key_column);
// The violation id; its deliveries by id (ReadDelivery).
std::string SelectDeliveriesOfViolation(std::string_view key_column);
// The key; the delivery with it, if any (ReadDelivery).
std::string SelectDeliveryWithKey(std::string_view key_column);
// BindDeliveryOutcome. Changes nothing unless `owner` holds the row (a free row is held by no
// one, not by "").
const std::string& UpdateDeliveryOutcome();
// The id; 1 when a delivery has it, 0 when none has.
const std::string& CountDeliveriesWithId();
// ClaimDueDeliveries' rows, read from an UPDATE's RETURNING (each dialect's own statement), come
// in no promised order: this puts them in the order it returns, earliest next_attempt_ms first,
// then id.
void SortClaimed(std::vector<DeliveryRecord>& rows);

// BindSilence.
const std::string& InsertSilence();
// The time now; the silences that end after it, by id (ReadSilence).
const std::string& SelectSilencesEndingAfter();

template <typename Params>
void BindViolationExtent(Params& b, const ViolationRecord& v) {
  b.Int(v.last_index).Int(v.last_time_ms).Int(v.count).Double(v.worst_value);
  b.OptDouble(v.deviation).Text(v.context_json).Int(v.id);
}

template <typename Params>
void BindDeliveryOutcome(Params& b, const DeliveryRecord& d, std::string_view owner) {
  b.Text(DeliveryStateName(d.state)).Int(d.attempts).Int(d.next_attempt_ms).Text(d.last_error);
  b.Int(d.delivered_ms).Int(d.updated_ms).Int(d.id).Text(owner);
}

// ---- Statements built from a query or a cutoff, with the values of their parameters.

struct BoundStatement {
  std::string sql;
  std::vector<std::variant<int64_t, std::string>> values;  // of its ? parameters, in order
};

template <typename Params>
void BindValues(Params& b, const BoundStatement& statement) {
  for (const std::variant<int64_t, std::string>& value : statement.values) {
    if (const int64_t* number = std::get_if<int64_t>(&value)) {
      b.Int(*number);
    } else {
      b.Text(std::get<std::string>(value));
    }
  }
}

// QuerySamples (q.limit > 0): read with ReadSample. The SQL text depends only on which filters
// are set, so each shape is prepared once. `time_from` is the dialect's condition for time_ms ≥
// q.since_ms, with {since} and {until} where q.since_ms and q.until_ms are bound (it may use the
// window's end to read less).
BoundStatement SelectSamples(const SampleQuery& q, std::string_view time_from);

// QueryViolations (q.limit > 0): read with ReadViolation, context_json as q.context asks.
// `telemetry` is the dialect's expression for {"telemetry": …} of context_json, "AS
// context_json".
BoundStatement SelectViolations(const ViolationQuery& q, std::string_view telemetry);
// QueryViolationMarks (q.limit > 0): the rows of SelectViolations, read with ReadViolationMark.
BoundStatement SelectViolationMarks(const ViolationQuery& q);

// DeleteOlderThan, in order: samples before the cutoff; violations that are not open and ended
// before it; deliveries whose violation is gone (`violation_gone`, the dialect's condition on a
// deliveries row) and test alerts created before the cutoff; silences that ended before it.
std::vector<BoundStatement> RetentionDeletes(int64_t cutoff_ms, std::string_view violation_gone);

// ---- Demo data (store.h).

// The source; the time marked. Marks a demo source once.
const std::string& InsertDemoSource();
// The demo sources in key order (ReadSource).
const std::string& SelectDemoSources();
// No parameters. Deletes every row of the demo sources, deliveries before their violations,
// then the marks: from the shared tables and from `more_tables` (each with a source's four
// columns), in one transaction the caller opens.
std::vector<std::string> DemoDeletes(std::initializer_list<std::string_view> more_tables = {});

}  // namespace llmscope::store::sql
