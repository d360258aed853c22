// SeriesTracker: the live state of one continuous-metric series (docs/spc.md §1–§5) between the
// store and the server: its ControlChart, the grouping of firings into violation events, and
// the context each event carries (the ±N points around its first point, the limits and σ̂ it was
// judged by, the telemetry at its first point).
//
// Beside the chart, the series' alarm detector (spc::ShiftDetector, docs/spc.md §9) judges the
// same points, restarting with each stage; its signals become SHIFT and JUMP violation events
// (first point: the change's estimated onset; last: the latest subgroup of the episode; count:
// subgroups judged in the episode; value: the level of the subgroup that signalled; mean and
// sigma: the detector's μ̂ and σ̂ of a subgroup statistic on the log scale; limits: AlarmLimits).
//
// Pure state: no I/O and no clock. SeriesMonitor feeds it, persists what it reports dirty and
// publishes the changes. Not thread-safe; the monitor serializes access.
#pragma once

#include <cmath>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "monitor/alarm_view.h"
#include "spc/control_chart.h"
#include "spc/shift_detector.h"
#include "spc/violation_events.h"
#include "store/records.h"

namespace llmscope::monitor {

// The host telemetry of a chart point, NaN where not measured: 40 bytes where Telemetry's
// optionals take 80. A learning series keeps every point of its stage (docs/design.md "Memory"),
// so this is most of its size.
struct PointTelemetry {
  double cpu_percent = NAN, memory_percent = NAN;
  double gpu_percent = NAN, gpu_memory_percent = NAN, gpu_temp_c = NAN;

  static PointTelemetry From(const Telemetry& t);
};

// One point of a series: its index in the series, the sample it came from, and its value.
struct ChartPoint {
  int64_t index = 0;
  int64_t sample_id = 0;
  int64_t time_ms = 0;
  double value = 0;
  PointTelemetry telemetry;
};

// A violation event as the tracker keeps it while it can still change.
struct TrackedViolation {
  store::ViolationRecord record;  // record.id is 0 until the monitor has inserted it
  std::vector<ChartPoint> context;
  // The index the ±N context is centred on: the first point for chart rules, the point of
  // detection for alarm detectors (whose first point, the onset, may lie far back).
  int64_t anchor_index = 0;
  int64_t telemetry_index = 0;  // the context point whose telemetry the event carries
  bool dirty = true;            // changed since last persisted
  // An alarm event whose episode has ended (the level is back): the monitor resolves it
  // (SeriesMonitor::ResolveRecovered), after which the tracker may forget it.
  bool recovered = false;
  bool recovery_applied = false;
  bool AwaitsRecovery() const { return recovered && !recovery_applied; }
};

// The context of a violation as stored in ViolationRecord::context_json:
// {"points": [{index, sample_id, time_ms, value, telemetry}, ...], "telemetry": that of the point
// at telemetry_index, or null}.
std::string ContextJson(const TrackedViolation& v);

// The violations of `tracked` changed since they were last persisted (dirty), with their
// context_json filled in; whoever persists one clears its `dirty`.
std::vector<TrackedViolation*> ChangedViolations(std::list<TrackedViolation>& tracked);

// Calls `persist` for every violation of `tracked` changed since the last call (the callee
// inserts it when record.id is 0 and sets the id, else updates it), with its context_json
// filled in. Stops at the first error, keeping the rest dirty.
template <typename Persist>
Status PersistChanged(std::list<TrackedViolation>& tracked, Persist&& persist) {
  for (TrackedViolation* v : ChangedViolations(tracked)) {
    if (Status s = persist(v->record); !s) return s;
    v->dirty = false;
  }
  return {};
}

// The limits an alarm event of `d` (frozen) is shown with, original unit: center the learnt
// level; UCL/LCL the JUMP level on the bad side, mirrored on the other; the 2σ lines the level
// of the change detected fastest (×(1 + target_change)); the 1σ lines the CUSUM's reference
// level, beyond which it accumulates.
spc::Limits AlarmLimits(const spc::ShiftDetector& d);

class SeriesTracker {
 public:
  // `config` and `alarm` must be valid. `context_points` is N of the ±N points kept around each
  // event.
  SeriesTracker(const SeriesKey& key, const spc::ChartConfig& config, int context_points,
                const spc::ShiftDetectorConfig& alarm = {});

  // Continues from the newest stored stage of the series; the samples fed next must be the
  // stage's own, from its first (start_sample_id) on. The stage is judged by its own baseline
  // size and transform (its record's), whatever the tracker's configuration.
  void Resume(const store::StageRecord& latest);

  // The series' configuration changed (docs/design.md "Per-series overrides"): the rules and
  // the alarm budget judge the next point (ControlChart::SetRules, ShiftDetector::SetBudget);
  // the baseline size and transform are those of the next stage (StartNewStage, PlanStage).
  // Both must be valid.
  void Reconfigure(const spc::ChartConfig& config, const spc::ShiftDetectorConfig& alarm);
  // The configuration of the next stage, with the rules and alarm budget in force.
  const spc::ChartConfig& config() const { return config_; }

  // Feeds one sample's value of this series (the caller picks the metric's value). A value the
  // chart cannot take (≤ 0 under log) is ignored and takes no index. Returns whether it counted.
  bool Feed(const Sample& sample, double value);

  // Starts a new stage whose baseline is the next B points (re-baseline), B and the transform
  // those of config(). Returns the record to save. `next_sample_id`: every sample with a higher
  // or equal id belongs to the new stage.
  store::StageRecord StartNewStage(int64_t next_sample_id, int64_t now_ms);
  // Starts a frozen stage from the values of a chosen window (original unit).
  Result<store::StageRecord> StartStageFrom(std::span<const double> baseline,
                                            int64_t next_sample_id, int64_t now_ms);

  // Several servers on one store (SeriesMonitor's shared mode): a new stage is planned by the
  // server that took the request, placed in the store's sample order, and begun by every
  // server when it reaches its first sample, so all of them begin it at the same point.
  //
  // The stage StartNewStage (no baseline) or StartStageFrom (a baseline) would begin, without
  // beginning it; its number is above the current stage's. start_sample_id is left 0 and
  // start_index is the index of the next point here (the placement settles both).
  Result<store::StageRecord> PlanStage(std::optional<std::span<const double>> baseline,
                                       int64_t now_ms) const;
  // Begins a planned stage at the next point; returns the record to save (its start_index is
  // the index of that point).
  store::StageRecord ApplyStage(const store::StageRecord& planned);
  // The number of the stage judging (or learning) the next point.
  int current_stage_number() const;

  // Stage records that changed (a stage froze) since the last call.
  std::vector<store::StageRecord> TakeStageChanges();

  // Calls `persist` for every violation changed since the last call (the callee inserts it when
  // record.id is 0 and sets the id, else updates it), then forgets events that can no longer
  // change. Stops at the first error, keeping the rest dirty.
  template <typename Persist>
  Status FlushViolations(Persist&& persist) {
    if (Status s = PersistChanged(tracked_, persist); !s) return s;
    ForgetSettled();
    return {};
  }

  // Every violation the tracker holds (for reconciliation with the store after a replay, and for
  // a caller that persists the changes of many trackers together: ChangedViolations, then
  // ForgetSettled).
  std::list<TrackedViolation>& tracked() { return tracked_; }
  // Forgets the events that can no longer change and are persisted (FlushViolations does this).
  void ForgetSettled();

  const SeriesKey& key() const { return key_; }
  const spc::ControlChart& chart() const { return chart_; }
  const spc::ShiftDetector& alarm() const { return alarm_; }
  std::optional<ChartPoint> last_point() const;
  // Open violation events (the rule's latest event, still extendable), for status displays.
  int open_events() const;

 private:
  void OnFiring(const spc::Firing& f);
  void OnVerdict(const spc::SubgroupVerdict& v);
  void RecordFrozenStage();
  // After the chart began a stage (learning, or frozen from an external baseline): forgets the
  // old stage's events and points and returns the new stage's record.
  store::StageRecord BeginStage(int64_t next_sample_id, int64_t now_ms);
  // The record of the stage `chart` has just begun.
  store::StageRecord NewStageRecord(const spc::ControlChart& chart, int64_t next_sample_id,
                                    int64_t now_ms) const;
  std::vector<ChartPoint> ContextAround(int64_t first_index) const;
  const ChartPoint* PointAt(int64_t index) const;

  SeriesKey key_;
  spc::ChartConfig config_;
  int context_points_;
  spc::ControlChart chart_;
  spc::ShiftDetector alarm_;  // restarted with its own config at each stage
  spc::EventGrouper grouper_;
  // Each rule's extendable event (the alarm rules': the open episode's).
  std::array<TrackedViolation*, spc::kRuleCount> open_{};
  std::list<TrackedViolation> tracked_;  // stable addresses
  // The events of tracked_ whose ±N window reaches past the last point fed (anchor_index +
  // context_points_ > that point's index): each point goes to these only, not to every event
  // tracked (a replay holds a page's events at once, a batch's live).
  std::vector<TrackedViolation*> awaiting_context_;
  // Adds `v`, just created with the context up to the point fed last, to awaiting_context_
  // when its window reaches further.
  void AwaitContext(TrackedViolation& v);
  // While learning: the stage's points so far (the Phase I review needs their context); once
  // frozen: the last context_points points.
  std::deque<ChartPoint> history_;
  bool was_learning_ = true;
  int64_t stage_first_sample_id_ = 0;
  int64_t stage_first_time_ms_ = 0;
  bool stage_external_ = false;
  std::vector<store::StageRecord> stage_changes_;
  std::vector<spc::Firing> firings_;  // scratch
};

}  // namespace llmscope::monitor
