// SeriesMonitor: one live chart per series (DESIGN.md "Layout"), fed from the single ingest
// path that the built-in probe, remote probes and the API all use.
//
// Ingest commits the samples first (a 2xx answer means they are durable), then judges them:
// each (source, metric) series has a SeriesTracker; stages that freeze and violation events that
// open or grow are written to the store and published to listeners (the SSE stream, alerting).
// Concurrent Ingest calls are group-committed: one caller writes the samples of everyone
// waiting in one transaction, so many single-sample requests cost few commits.
//
// On start, Rebuild() restores every series from the store: the newest stage of each, and the
// samples since that stage began replayed through the same code, so a restart changes no limit
// and no violation. Violations the replay finds that the store lacks (a crash between the
// sample commit and the violation write) are written then.
//
// Thread-safe. Listeners are called after the state lock is released, in ingest order, from the
// thread that committed the group; they must be quick.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "monitor/series_tracker.h"
#include "store/store.h"

namespace llmscope::monitor {

struct MonitorConfig {
  spc::ChartConfig latency_chart;  // e2e_ms, ttft_ms, tpot_ms (SPC.md §1: transform log)
  spc::ChartConfig other_chart;    // tokens_per_s, cost_usd (transform none)
  int context_points = 10;         // the ±N points kept with each violation

  // The SPC.md defaults: B = 100, mr_mean, R1–R8; log for latencies, none for the rest.
  static MonitorConfig Defaults();
};

// What a listener hears: one ingested sample, or a violation or stage that changed.
struct MonitorEvent {
  enum class Kind { kSample, kViolationOpened, kViolationUpdated, kViolationStatus, kStageChanged };
  Kind kind = Kind::kSample;
  Sample sample;                     // kSample
  store::ViolationRecord violation;  // kViolation*
  store::StageRecord stage;          // kStageChanged
};
using MonitorListener = std::function<void(const std::vector<MonitorEvent>& events)>;

struct IngestReceipt {
  std::vector<int64_t> ids;  // one per sample, in order
  int violations_opened = 0;
};

// A series' live state, for the API and /metrics.
struct SeriesView {
  SeriesKey key;
  bool learning = true;
  int learning_points = 0;           // points of the learning baseline so far
  int baseline_size = 0;             // B
  std::optional<spc::Stage> stage;   // the frozen stage judging new points
  std::optional<spc::Estimate> provisional;  // learning with ≥ 20 points
  int64_t points = 0;                // points judged since the series began
  int open_events = 0;               // events still extending (a rule satisfied at the last point)
  std::optional<ChartPoint> last;
  spc::ChartConfig config;
};

class SeriesMonitor {
 public:
  // `store` must outlive the monitor.
  SeriesMonitor(store::Store& store, const MonitorConfig& config);

  // Restores every series from the store. Call once, before the first Ingest.
  Status Rebuild();

  // The ingest path. `samples` must already be validated. Ok means committed.
  Result<IngestReceipt> Ingest(std::vector<Sample> samples);

  // Re-baseline: the next B points of the series form a new stage, or, with a window, a frozen
  // stage starts at once with limits from the series' samples in [since_ms, until_ms).
  // Errors: "not_found" (unknown series), "too_few_points", storage errors.
  Result<store::StageRecord> StartNewStage(const SeriesKey& key,
                                           std::optional<std::pair<int64_t, int64_t>> window,
                                           int64_t now_ms);

  // Acknowledge or resolve. Errors: "not_found", storage errors.
  Result<store::ViolationRecord> SetViolationStatus(int64_t id, store::ViolationStatus status,
                                                    const std::string& by, int64_t now_ms);

  std::vector<SeriesView> ListSeries() const;
  std::optional<SeriesView> View(const SeriesKey& key) const;
  const MonitorConfig& config() const { return config_; }
  const spc::ChartConfig& ChartConfigFor(Metric m) const;

  void AddListener(MonitorListener listener);

 private:
  // Trackers of one source, one per continuous metric (kError has none yet).
  struct SourceTrackers {
    std::array<std::unique_ptr<SeriesTracker>, kMetricCount> by_metric;
  };
  struct PendingBatch {
    std::vector<Sample>* samples;
    Result<IngestReceipt> result = IngestReceipt{};
    bool done = false;
  };

  void CommitGroup(const std::vector<PendingBatch*>& group);
  SourceTrackers& TrackersFor(const SourceKey& source);
  // Feeds one stored sample to its series; returns the metrics it counted for.
  void Judge(const Sample& sample);
  // Writes stage changes and dirty violations; appends the matching events.
  void Flush(std::vector<MonitorEvent>& events, int* opened);
  void Publish(const std::vector<MonitorEvent>& events);
  static SeriesView MakeView(const SeriesTracker& t);

  store::Store& store_;
  MonitorConfig config_;

  mutable std::mutex state_mu_;  // guards everything below up to the queue
  std::map<SourceKey, SourceTrackers> sources_;
  int64_t max_sample_id_ = 0;
  std::vector<MonitorListener> listeners_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<PendingBatch*> queue_;
  bool committing_ = false;
};

}  // namespace llmscope::monitor
