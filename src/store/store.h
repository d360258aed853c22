// The Store interface (docs/design.md "Data"): durable samples, stages and violations. SQLite is
// the embedded default (store/sqlite); a PostgreSQL implementation follows the same contract, which
// tests/unit/store/store_conformance.h checks for any implementation.
//
// Contract for every implementation:
// - Each call is atomic: it is committed in full before it returns ok, or not at all.
// - A Store may be used from several threads at once.
// - Errors are values: "storage_error" (I/O, corruption, constraint), "not_found", "conflict".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "store/daily_sample_count.h"
#include "store/records.h"
#include "store/rollups.h"
#include "store/sketch_hours.h"
#include "store/setting_records.h"
#include "store/violation_counts.h"

namespace llmscope::store {

// Which of a sample's columns a read fills.
enum class SampleFields : uint8_t {
  kAll,
  // Its measures only: id, time, source, the metrics' values, error and telemetry (what charts,
  // rollups and sketches use). The error's text, the Ollama fields, the prompt's hash and text
  // and the ingest key are left empty: a whole row costs several times more to read.
  kMeasures,
};

struct SampleQuery {
  std::optional<SourceKey> source;             // exact source; nullopt: every source
  std::optional<std::string> provider, model;  // filters when `source` is not given
  int64_t since_ms = INT64_MIN;                // time_ms ≥ since_ms
  int64_t until_ms = INT64_MAX;                // time_ms < until_ms
  int64_t after_id = 0;                        // id > after_id (for paging and replay)
  int64_t limit = 100000;                      // at most this many, in id order
  bool newest_first = false;  // id order descending (after_id then means id < after_id
                              // when non-zero)
  SampleFields fields = SampleFields::kAll;
};

struct ViolationQuery {
  std::optional<SeriesKey> series;
  std::optional<std::string> provider, model;
  std::optional<Metric> metric;
  std::optional<spc::Rule> rule;
  std::optional<std::vector<spc::Rule>> rules;  // any of these (empty: matches nothing)
  std::optional<ViolationStatus> status;
  std::optional<spc::Phase> phase;
  int64_t since_ms = INT64_MIN;  // last_time_ms ≥ since_ms
  int64_t until_ms = INT64_MAX;  // first_time_ms < until_ms
  int64_t limit = 1000;          // newest (highest id) first
  int64_t before_id = INT64_MAX;  // QueryViolations: id < before_id (a next page, newest first)
  // How much of context_json to read: all of it, only {"telemetry": …} (the CSV's columns; a few
  // dozen bytes instead of several kB a row), or none (lists).
  enum class Context : uint8_t { kAll, kTelemetry, kNone };
  Context context = Context::kAll;
};

// What AppendSamples did with each sample of a batch.
struct AppendResult {
  // duplicate[i]: samples[i] carried an ingest key that was already stored, so nothing was
  // stored for it; its id is the stored sample's. One entry per sample.
  std::vector<bool> duplicate;
  int64_t duplicates = 0;  // how many entries of `duplicate` are true
};

// The rollups (rollups.h) of one width with since_ms ≤ bucket_ms < until_ms: of one series, or of
// every series (of one metric when `metric` is given).
struct RollupQuery {
  int64_t width_ms = kRollupMinuteMs;
  std::optional<SeriesKey> series;
  std::optional<Metric> metric;  // when `series` is not given
  int64_t since_ms = INT64_MIN, until_ms = INT64_MAX;
};

struct StoreStats {
  int64_t samples = 0;
  int64_t violations = 0, open_violations = 0;
  std::optional<int64_t> first_time_ms, last_time_ms;
};

class Store {
 public:
  virtual ~Store() = default;

  // Appends the samples in one transaction and assigns their ids (increasing, in the given
  // order), and adds them to the rollups (rollups.h) in the same transaction. All or nothing. A sample whose ingest_key is already stored (by an earlier call, or
  // earlier in this batch) is not stored again: it gets the stored sample's id and is marked a
  // duplicate in the result; the stored sample stays as it is. Samples without a key never
  // collide. A key is remembered as long as its sample is stored (retention forgets it).
  virtual Result<AppendResult> AppendSamples(std::vector<Sample>& samples) = 0;
  virtual Result<std::vector<Sample>> QuerySamples(const SampleQuery& query) = 0;
  // The stored samples with these ids, each once, in id order (an id not stored is left out).
  virtual Result<std::vector<Sample>> SamplesWithIds(const std::vector<int64_t>& ids,
                                                     SampleFields fields) = 0;
  // Every source that has samples, in key order.
  virtual Result<std::vector<SourceKey>> ListSources() = 0;
  virtual Result<StoreStats> Stats() = 0;
  // Samples and failed calls per source per UTC day, read from the hourly rollups (rollups.h):
  // the samples of the hours that begin at or after since_ms and before until_ms (pass day or
  // hour boundaries; a since_ms before the epoch counts from the epoch). One row per (source,
  // day) that has samples, in no promised order. One grouped statement over 24 rows per source
  // and day, whatever the sampling rate.
  virtual Result<std::vector<DailySampleCount>> CountSamplesByDay(int64_t since_ms,
                                                                  int64_t until_ms) = 0;

  // Inserts or replaces the stage (series, stage.number).
  virtual Status SaveStage(const StageRecord& stage) = 0;
  // Stages of one series, oldest first.
  virtual Result<std::vector<StageRecord>> LoadStages(const SeriesKey& series) = 0;
  // The newest stage of every series that has one.
  virtual Result<std::vector<StageRecord>> LoadLatestStages() = 0;

  // Inserts a violation and assigns its id.
  virtual Status InsertViolation(ViolationRecord& violation) = 0;
  // Rewrites an event's extent and context (last index and time, count, worst point,
  // context_json) as it grows; status fields are left alone. "not_found" for an unknown id.
  virtual Status UpdateViolationExtent(const ViolationRecord& violation) = 0;
  // The violation writes of one ingest (docs/design.md "Data"), in one transaction, so that
  // they cost one commit: inserts those whose id is 0 (assigning their ids) and rewrites the
  // extent of the others, as the two methods above do; an event whose row is gone (retention) is
  // left out. All or nothing: on error nothing is written and no id is assigned. Each insert
  // (here and in InsertViolation) adds one to its violation count (violation_counts.h) in the
  // same transaction.
  virtual Status WriteViolations(std::span<ViolationRecord* const> violations) = 0;
  // Sets status, who and when. "not_found" for an unknown id.
  virtual Status SetViolationStatus(int64_t id, ViolationStatus status, const std::string& by,
                                    int64_t time_ms) = 0;
  virtual Result<std::optional<ViolationRecord>> GetViolation(int64_t id) = 0;
  virtual Result<std::vector<ViolationRecord>> QueryViolations(const ViolationQuery& query) = 0;
  // The rows of QueryViolations(query), in its order, as marks (query.context does not apply).
  // Only the columns stored before a violation's context are read: a context is kilobytes, and
  // a column after it costs a walk of its overflow pages (20,000 marks: 2.9 s → ~0.2 s).
  virtual Result<std::vector<ViolationMark>> QueryViolationMarks(const ViolationQuery& query) = 0;
  // The violation counts (violation_counts.h) of a query, by bucket, then rule and phase.
  virtual Result<std::vector<ViolationCount>> QueryViolationCounts(
      const ViolationCountQuery& query) = 0;

  // Retention: deletes samples with time_ms < cutoff_ms, and violations that are not open and
  // whose last_time_ms < cutoff_ms, with their deliveries. Open violations are never deleted.
  // Returns rows deleted.
  virtual Result<int64_t> DeleteOlderThan(int64_t cutoff_ms) = 0;

  // --- Rollups (rollups.h): kept by AppendSamples, equal to what RebuildRollups makes of the
  // samples they cover.

  // The rollups of a query, by series (source, then metric name) and bucket.
  virtual Result<std::vector<Rollup>> QueryRollups(const RollupQuery& query) = 0;
  // Rebuilds, in one transaction, the rollups of every bucket that starts at or after the hour
  // of since_ms from the samples stored, and the violation counts of those buckets from the
  // violations stored; a bucket whose rows are gone (retention) is gone too. Returns the rollup
  // rows written (one per source, width and bucket: rollup_sql.h).
  virtual Result<int64_t> RebuildRollups(int64_t since_ms) = 0;
  // Retention of the rollups and violation counts of one width (and, with the hour rollups, the
  // sketch hours): deletes those whose bucket starts before cutoff_ms. DeleteOlderThan leaves
  // them alone, so they outlive the samples and violations. Returns rows deleted.
  virtual Result<int64_t> DeleteRollupsOlderThan(int64_t width_ms, int64_t cutoff_ms) = 0;

  // --- Sketch hours (sketch_hours.h): built from the samples of closed hours by the server's
  // background pass, not by AppendSamples.

  // Stores the hours, each replacing the stored one of its source and hour. All or nothing.
  virtual Status PutSketchHours(const std::vector<SketchHour>& hours) = 0;
  // The series' sketches of the hours with since_ms ≤ bucket_ms < until_ms that hold values of
  // its metric, by hour. "invalid_argument" for the error metric (not sketched); "storage_error"
  // for stored bytes that are not a sketch.
  virtual Result<std::vector<SeriesSketchHour>> QuerySketchHours(const SeriesKey& series,
                                                                 int64_t since_ms,
                                                                 int64_t until_ms) = 0;
  // The newest hour sketched of the source; nullopt when none.
  virtual Result<std::optional<int64_t>> NewestSketchHour(const SourceKey& source) = 0;

  // --- The alert outbox (src/alert). Several senders, threads or processes on one database,
  // may work on it at once; the claim is what keeps them from sending one row twice.

  // Inserts the delivery (assigning id, created_ms = updated_ms = delivery.created_ms as given;
  // the new row is unclaimed whatever claimed_by and claimed_until_ms say) unless a row with the
  // same key exists. Returns true when inserted (`delivery` then holds what was stored), false
  // when the key was already there (nothing changed, `delivery` untouched).
  virtual Result<bool> EnqueueDelivery(DeliveryRecord& delivery) = 0;
  // Atomically claims up to `limit` pending rows with next_attempt_ms ≤ now_ms whose claim is
  // free or lapsed (claimed_until_ms ≤ now_ms): sets claimed_by = owner and claimed_until_ms =
  // now_ms + lease_ms, and returns them, earliest next_attempt_ms first (then id). Two callers
  // never hold one row at once.
  virtual Result<std::vector<DeliveryRecord>> ClaimDueDeliveries(const std::string& owner,
                                                                 int64_t now_ms, int64_t lease_ms,
                                                                 int limit) = 0;
  // Writes an attempt's outcome (state, attempts, next_attempt_ms, last_error, delivered_ms,
  // updated_ms) and frees the claim, if `owner` still holds the row. "conflict" when the row is
  // held by another owner or not held at all (the claim lapsed and was taken), "not_found" for
  // an unknown id.
  virtual Status FinishDelivery(const DeliveryRecord& delivery, const std::string& owner) = 0;
  // The deliveries of one violation, by id; of test alerts when violation_id is 0.
  virtual Result<std::vector<DeliveryRecord>> DeliveriesOfViolation(int64_t violation_id) = 0;
  // The delivery with `key` (keys are unique and indexed: one row read); nullopt when none.
  virtual Result<std::optional<DeliveryRecord>> DeliveryWithKey(const std::string& key) = 0;

  // --- Silences (POST /api/silences).
  virtual Status InsertSilence(SilenceRecord& silence) = 0;  // assigns id
  // Silences with ends_ms > now_ms (current and future), by id.
  virtual Result<std::vector<SilenceRecord>> ActiveSilences(int64_t now_ms) = 0;
  // Ends a silence now: sets ends_ms = now_ms if it is later. "not_found" for an unknown id.
  virtual Status ExpireSilence(int64_t id, int64_t now_ms) = 0;

  // --- Settings (setting_records.h). Each change and its audit row commit together.
  // Writes one item as SettingWrite says; returns it as stored (its new version).
  virtual Result<SettingRecord> PutSetting(const SettingWrite& write) = 0;
  // Deletes one item and records it in the audit list; "not_found" for an unknown one.
  virtual Status DeleteSetting(const std::string& kind, const std::string& id,
                               const std::string& actor, int64_t now_ms) = 0;
  virtual Result<std::optional<SettingRecord>> GetSetting(const std::string& kind,
                                                          const std::string& id) = 0;
  // The items of one kind, by id.
  virtual Result<std::vector<SettingRecord>> ListSettings(const std::string& kind) = 0;
  virtual Result<SettingsRevision> GetSettingsRevision() = 0;
  // Audit rows with id < before_id (0: no bound), of one kind when `kind` is not empty, newest
  // first, at most `limit`.
  virtual Result<std::vector<SettingAuditRecord>> QuerySettingsAudit(const std::string& kind,
                                                                     int64_t before_id,
                                                                     int limit) = 0;

  // --- Demo data (docs/design.md "Demo day"): sources whose every row is the demo's.

  // Marks `source` as a demo source; marking it again changes nothing.
  virtual Status MarkDemoSource(const SourceKey& source, int64_t now_ms) = 0;
  // The demo sources, in key order.
  virtual Result<std::vector<SourceKey>> DemoSources() = 0;
  // Deletes, in one transaction, every row of the demo sources (samples with their ingest keys,
  // rollups, stages, violations and those violations' deliveries) and the marks. Returns rows
  // deleted, marks included.
  virtual Result<int64_t> DeleteDemoData() = 0;
};

}  // namespace llmscope::store
