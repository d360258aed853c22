// SeriesMonitor: one live chart per series (docs/design.md "Layout"), fed from the single ingest
// path that the built-in probe, remote probes and the API all use.
//
// Ingest commits the samples first (a 2xx answer means they are durable), then judges them:
// each (source, metric) series of a continuous metric has a SeriesTracker, and each source's
// error series (source, error) an ErrorRateTracker, the p-chart of docs/spc.md §6 over all its
// calls; stages that freeze and violation events that open or grow are written to the store and
// published to listeners (the SSE stream, alerting).
// Ingest is group-committed: the monitor's writer thread takes every batch queued at that moment
// (IngestAsync, Ingest), writes them in one transaction, judges and publishes them, then
// completes each caller; so many single-sample requests cost few commits, and an asynchronous
// caller (the HTTP ingest route) parks no thread while it waits. A sample whose
// ingest key the store holds already (a resend) is not stored again: Ingest acknowledges it
// with the stored sample's id and counts it in IngestReceipt::duplicates, and it is neither
// judged nor published again.
//
// On start, Rebuild() restores every series from the store: the newest stage of each, and the
// samples since that stage began replayed through the same code, so a restart changes no limit
// and no violation. Violations the replay finds that the store lacks (a crash between the
// sample commit and the violation write) are written then.
//
// Shared mode (a SharedStore, several servers on one PostgreSQL database; docs/design.md
// "Several servers on one database"): Ingest only appends the samples, and every server's charts
// are fed from the store instead, in sample id order, by CatchUp() (called by Ingest after its
// append, so a 2xx still means the sample was judged here, and by a StoreTailer for the samples
// other servers append). All servers thus judge one sequence and find the same stages and
// violations; a violation event is stored once (WriteViolationsOnce) and every server holds its
// one id, so alerts keyed by it are deduplicated in the outbox. StartNewStage plans the stage and
// places it at the next sample in the store; every server, this one included, begins it when
// its catch-up reaches that sample. Each server publishes every sample and every violation it
// finds (kViolationOpened on each server for one event) to its own listeners.
//
// Thread-safe. Listeners are called after the state lock is released, in ingest order, from the
// writer thread (shared mode: the thread catching up), before the group's callers are
// completed; they must be quick.
#pragma once

#include <array>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "monitor/error_rate_tracker.h"
#include "monitor/series_tracker.h"
#include "store/shared_store.h"
#include "store/store.h"

namespace llmscope::monitor {

struct MonitorConfig {
  spc::ChartConfig latency_chart;  // e2e_ms, ttft_ms, tpot_ms (docs/spc.md §1: transform log)
  spc::ChartConfig other_chart;    // tokens_per_s, cost_usd (transform none)
  spc::PChartConfig error_chart;   // error: n = 20 calls a subgroup, p̄ from 5 subgroups
  int context_points = 10;         // the ±N points kept with each violation
  // The alarm detectors (docs/spc.md §9): one ShiftDetector per continuous series (its bad
  // direction set per metric: tokens_per_s down, the rest up) and one ErrorSurgeDetector per
  // source.
  spc::ShiftDetectorConfig alarm;
  spc::ErrorDetectorConfig error_alarm;
  // An alarm event is resolved (by "llmscope (recovered)") when its episode ends, so sinks get
  // their resolve (PagerDuty, Alertmanager) without a person; unless a person resolved it first.
  bool auto_resolve = true;

  // The docs/spc.md defaults: B = 100, mr_mean, R1–R8; log for latencies, none for the rest; the
  // p-chart's n = 20 and 5 baseline subgroups.
  static MonitorConfig Defaults();
};

// A continuous series' own configuration (docs/design.md "Per-series overrides"), in place of
// its metric's (ChartConfigFor, the alarm's of MonitorConfig).
struct SeriesConfig {
  spc::ChartConfig chart;
  spc::ShiftDetectorConfig alarm;
  // When it last changed. The replay on start (Rebuild) judges the series' stage by the
  // configuration now in force; an event it finds that the store lacks and that began before
  // this time is not written: the rules of that time did not find it.
  int64_t since_ms = 0;
};

// A violation or stage that changed.
struct MonitorEvent {
  enum class Kind { kViolationOpened, kViolationUpdated, kViolationStatus, kStageChanged };
  Kind kind = Kind::kViolationOpened;
  store::ViolationRecord violation;  // kViolation*
  store::StageRecord stage;          // kStageChanged
};

// What a listener hears, in this order: the samples newly stored (each once; not the duplicates
// of a stored ingest key), then the violations and stages that they changed. Valid during the
// call only: the samples are the ingested batch itself, not copies, so a batch of 500 costs no
// fresh pages (docs/design.md "Memory").
struct MonitorBatch {
  std::span<const Sample> samples;
  std::span<const MonitorEvent> events;
};
using MonitorListener = std::function<void(const MonitorBatch& batch)>;

struct IngestReceipt {
  std::vector<int64_t> ids;  // one per sample, in order (a duplicate's: the stored sample's)
  int duplicates = 0;        // samples whose ingest key was stored already: not stored again
  int violations_opened = 0;
};
// Completes an IngestAsync call: Ok once the samples are committed, judged and published.
using IngestDone = std::function<void(Result<IngestReceipt>)>;

// A series' live state, for the API and /metrics. The error series counts calls: points and
// learning_points are calls, baseline_size is n × baseline subgroups, stage holds μ̂ = p̄ and the
// binomial σ̂ (spc::PChartStage), last is the newest complete subgroup (value: its share of failed
// calls), and config is ChartConfigFor(Metric::kError).
struct SeriesView {
  SeriesKey key;
  bool learning = true;
  int learning_points = 0;                   // points of the learning baseline so far
  int baseline_size = 0;                     // B
  std::optional<spc::Stage> stage;           // the frozen stage judging new points
  std::optional<spc::Estimate> provisional;  // learning with ≥ 20 points
  int64_t points = 0;                        // points judged since the series began
  int open_events = 0;  // events still extending (a rule satisfied at the last point)
  std::optional<ChartPoint> last;
  spc::ChartConfig config;
  AlarmView alarm;  // the series' alarm detector
  SeriesState state = SeriesState::kLearning;
};

// The limits a stage of the metric's series is shown with, in the metric's original unit:
// spc::OriginalUnitLimits at the config's k, and for the error series the p-chart's, clipped to
// [0, 1] (spc::PChartStageLimits). `config`: ChartConfigFor(metric).
spc::Limits ShownLimits(Metric metric, const spc::Stage& stage, const spc::ChartConfig& config);

class SeriesMonitor {
 public:
  // `store` must outlive the monitor. `shared`: the same store as a SharedStore when other
  // servers share it (shared mode); null for a store of this server alone.
  SeriesMonitor(store::Store& store, const MonitorConfig& config,
                store::SharedStore* shared = nullptr);
  // Commits what is queued, then stops the writer thread.
  ~SeriesMonitor();
  SeriesMonitor(const SeriesMonitor&) = delete;
  SeriesMonitor& operator=(const SeriesMonitor&) = delete;

  // Restores every series from the store. Call once, before the first Ingest.
  Status Rebuild();

  // The ingest path. `samples` must already be validated. Ok means committed.
  Result<IngestReceipt> Ingest(std::vector<Sample> samples);
  // The same without waiting: queues `samples` for the next group and returns; `done` is called
  // once, from the writer thread, after the group's commit and its listeners. It must be quick
  // and must not ingest.
  void IngestAsync(std::vector<Sample> samples, IngestDone done);

  // Shared mode: judges the samples appended to the store since the last one judged here, in
  // id order, beginning placed stages at their first sample; writes and publishes what changed.
  // Returns the violations opened. One catch-up at a time; a no-op in the other mode.
  Result<int> CatchUp();

  // Re-baseline: the next B points of the series form a new stage, or, with a window, a frozen
  // stage starts at once with limits from the series' samples in [since_ms, until_ms). Shared
  // mode: the stage begins at the next sample appended to the store. The error series learns
  // from its next calls only.
  // Errors: "not_found" (unknown series), "too_few_points", "invalid_field" (a window for the
  // error series), storage errors.
  Result<store::StageRecord> StartNewStage(const SeriesKey& key,
                                           std::optional<std::pair<int64_t, int64_t>> window,
                                           int64_t now_ms);

  // Gives continuous series their own configuration (valid), replacing every one given before;
  // a series not in `configs` takes its metric's. A tracked series whose configuration changed
  // is reconfigured at once (SeriesTracker::Reconfigure): its rules and alarm budget judge its
  // next point; its baseline size and transform are those of its next stage (StartNewStage),
  // and of its first when it has not begun yet. Call before Rebuild for the stored ones.
  void Configure(std::map<SeriesKey, SeriesConfig> configs);
  // The configuration a continuous series' next stage takes: its own, or its metric's.
  SeriesConfig ConfigOf(const SeriesKey& key) const;
  // A continuous metric's configuration, from MonitorConfig: what a series without its own takes.
  SeriesConfig MetricConfig(Metric m) const;

  // Acknowledge or resolve. Errors: "not_found", storage errors.
  Result<store::ViolationRecord> SetViolationStatus(int64_t id, store::ViolationStatus status,
                                                    const std::string& by, int64_t now_ms);

  // Deletes whole sources: runs `erase` (which deletes their rows from the store, and anything
  // else that must not see a sample meanwhile) while no ingest commits, then, when it succeeded,
  // drops the sources' series, so that their next samples start learning as on an empty store.
  // Returns erase's status. Shared mode: the other servers keep their charts of the sources
  // until they restart.
  Status EraseSources(const std::vector<SourceKey>& sources, const std::function<Status()>& erase);

  std::vector<SeriesView> ListSeries() const;
  std::optional<SeriesView> View(const SeriesKey& key) const;
  const MonitorConfig& config() const { return config_; }
  // The chart configuration a metric's series are shown with; for kError, the p-chart's as a
  // ChartConfig (transform none, B = n × baseline subgroups, k as R1's σ multiple).
  const spc::ChartConfig& ChartConfigFor(Metric m) const;

  void AddListener(MonitorListener listener);

 private:
  // Trackers of one source: one per continuous metric (by_metric's kError slot stays empty) and
  // the p-chart of its errors.
  struct SourceTrackers {
    std::array<std::unique_ptr<SeriesTracker>, kMetricCount> by_metric;
    std::unique_ptr<ErrorRateTracker> errors;
  };
  struct PendingBatch {
    std::vector<Sample> samples;
    IngestDone done;
    Result<IngestReceipt> result = IngestReceipt{};
  };

  // The writer thread: commits the queued batches, a group at a time, until stopped.
  void WriteGroups();
  void CommitGroup(std::vector<PendingBatch>& group);
  // Inserts a violation the store lacks: once per event key in shared mode.
  Status InsertNewViolation(store::ViolationRecord& v);
  // The valid values of the series' samples in the window, for a stage's external baseline.
  Result<std::vector<double>> WindowBaseline(const SeriesKey& key, const SeriesTracker& tracker,
                                             std::pair<int64_t, int64_t> window);
  Result<store::StageRecord> PlaceStage(const SeriesKey& key,
                                        std::optional<std::pair<int64_t, int64_t>> window,
                                        int64_t now_ms);
  // Shared mode: begins the placed stages of the sample's source that start at or before it.
  void BeginPlacedStages(const Sample& sample, std::vector<MonitorEvent>& events);
  // Shared mode: reads stages placed since the last call into placed_pending_.
  Status ReadPlacedStages();
  SourceTrackers& TrackersFor(const SourceKey& source);
  // The id from which each series (by metric) takes samples: the replay resumes each series at
  // its newest stage's first sample; live ingest feeds every series (all zeros).
  using FirstSampleIds = std::array<int64_t, kMetricCount>;
  // Feeds one stored sample to its source's series: the error rate always, the continuous
  // series with its values unless the call failed. Live ingest and the replay both judge here.
  void Judge(const Sample& sample, const FirstSampleIds& first_ids = {});
  // Writes stage changes and dirty violations; appends the matching events.
  void Flush(std::vector<MonitorEvent>& events, int* opened);
  // Writes the changed violations of every series (Flush) in one transaction (in shared mode
  // WriteViolationsOnce); when written, each is marked clean and published.
  void PersistViolations(const std::vector<TrackedViolation*>& changed,
                         std::vector<MonitorEvent>& events, int* opened);
  // Resolves the stored alarm events whose episode ended (auto_resolve), appending their
  // status events; a failed write is retried on the next flush.
  template <typename Tracker>
  void ResolveRecovered(Tracker& tracker, std::vector<MonitorEvent>& events);
  void Publish(std::span<const Sample> samples, std::span<const MonitorEvent> events);
  // Calls `visit` on every tracker of the source, the error rate's last; stops at the first error.
  template <typename Visit>
  static Status ForEachTracker(SourceTrackers& trackers, Visit&& visit);
  static SeriesView MakeView(const SeriesTracker& t);
  // The alarm detector's configuration for the metric's series.
  spc::ShiftDetectorConfig AlarmConfigFor(Metric m) const;
  // ConfigOf with state_mu_ held.
  SeriesConfig ConfigOfLocked(const SeriesKey& key) const;
  SeriesView MakeView(const ErrorRateTracker& t) const;

  store::Store& store_;
  store::SharedStore* shared_;  // non-null: shared mode
  MonitorConfig config_;
  spc::ChartConfig error_view_config_;  // ChartConfigFor(kError)
  std::mutex catch_up_mu_;              // one CatchUp at a time

  mutable std::mutex state_mu_;  // guards everything below up to the queue
  std::map<SourceKey, SourceTrackers> sources_;
  std::map<SeriesKey, SeriesConfig> series_configs_;  // the series with their own (Configure)
  int64_t max_sample_id_ = 0;                       // shared mode: the last sample judged here
  std::vector<store::PlacedStage> placed_pending_;  // shared mode: placed, not yet begun here
  int64_t placed_seen_id_ = 0;
  std::vector<MonitorListener> listeners_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<PendingBatch> queue_;
  bool committing_ = false;  // the commit turn: the writer's, or EraseSources' / StartNewStage's
  bool stopping_ = false;
  std::thread writer_;  // last: started once everything above is
};

}  // namespace llmscope::monitor
