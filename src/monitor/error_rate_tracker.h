// ErrorRateTracker: the live p-chart of one source's probe errors (docs/spc.md §6), the series
// (source, error), kept between the store and the server as SeriesTracker keeps a continuous
// metric's: an spc::PChart over every call of the source, failed or not, the grouping of its R1
// firings into violation events, and the context each event carries.
//
// Indices: a call's index counts the calls of the source since its series began, across stages.
// A stage's subgroups are n consecutive calls counted from its first call; its first
// n × baseline_subgroups calls are its baseline. The calls of a subgroup left unfinished by a
// re-baseline are not judged.
//
// Violation events: consecutive subgroups of one stage and phase that fire R1 form one event
// (docs/spc.md §5, grouped by spc::EventGrouper with subgroups as its points). first_index and
// last_index are the first call of its first subgroup and the last call of its last, count is
// the number of subgroups, value the first subgroup's share p of failed calls and worst_value the
// share furthest from p̄. mean, sigma and limits are the stage's (spc::PChartStage, limits clipped
// to [0, 1]); deviation is (p − p̄)/σ̂, null when the limits are not estimable (p̄ = 0 or 1). The
// context is ContextJson's shape: the ±N subgroups around the first one, each a point at its last
// call (that call's index, sample, time and telemetry; value p), and the telemetry of the first
// subgroup's last call.
//
// Stages: saved when a re-baseline begins one (learning) and when its baseline completes (frozen,
// μ̂ = p̄, σ̂ = √(p̄(1 − p̄)/n)). Every new stage takes the next number, even over a stage still
// learning. A stage, frozen or not, is resumed by replaying its own calls from the first: the same
// calls give the same p̄ and the same Phase I firings. Limits from a chosen window are not offered.
//
// Beside the p-chart, the source's alarm detector (spc::ErrorSurgeDetector, docs/spc.md §9)
// judges every call, restarting with each stage; its signal becomes an ERRORS violation event:
// first index the surge's estimated onset, last the latest call of the episode, count the calls
// judged in it, value the share of failed calls from the onset to the signal, worst_value the
// highest such share in the episode; mean the baseline's p̂, sigma 0; limits: center p̂, UCL the
// rate the detector is designed to catch quickest, upper 1σ line the in-control rate it guards.
// Its context is the ±N subgroups around the signal's.
//
// Pure state: no I/O and no clock. Not thread-safe; the monitor serializes access.
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <vector>

#include "core/result.h"
#include "core/sample.h"
#include "monitor/series_tracker.h"
#include "spc/error_surge_detector.h"
#include "spc/p_chart.h"
#include "spc/violation_events.h"
#include "store/records.h"

namespace llmscope::monitor {

class ErrorRateTracker {
 public:
  // `config` must be valid. `context_points` is N of the ±N subgroups kept around each event.
  ErrorRateTracker(const SourceKey& source, const spc::PChartConfig& config, int context_points,
                   const spc::ErrorDetectorConfig& alarm = {});

  // Continues from the newest stored stage of the series; the samples fed next must be the
  // stage's own, from its first (start_sample_id) on.
  void Resume(const store::StageRecord& latest);

  // Feeds one call of the source; sample.error says whether it failed.
  void Feed(const Sample& sample);

  // Starts a new stage whose baseline is the next calls (re-baseline). Returns the record to save.
  // `next_sample_id`: every sample with a higher or equal id belongs to the new stage.
  store::StageRecord StartNewStage(int64_t next_sample_id, int64_t now_ms);
  // Shared mode (see SeriesTracker::PlanStage): the stage StartNewStage would begin, not begun;
  // start_sample_id is left 0 and start_index is the index of the next call.
  store::StageRecord PlanStage(int64_t now_ms) const;
  // Begins a planned stage at the next call; returns the record to save.
  store::StageRecord ApplyStage(const store::StageRecord& planned);
  // The number of the stage judging (or learning) the next call.
  int current_stage_number() const { return stage_number_; }

  // Stage records that changed (a stage froze) since the last call.
  std::vector<store::StageRecord> TakeStageChanges();

  // As SeriesTracker::FlushViolations.
  template <typename Persist>
  Status FlushViolations(Persist&& persist) {
    if (Status s = PersistChanged(tracked_, persist); !s) return s;
    ForgetSettled();
    return {};
  }
  std::list<TrackedViolation>& tracked() { return tracked_; }
  // As SeriesTracker::ForgetSettled.
  void ForgetSettled();

  const SeriesKey& key() const { return key_; }
  const spc::PChartConfig& config() const { return config_; }
  bool learning() const { return !chart_.limits(); }
  int64_t calls() const { return calls_; }  // calls fed since the series began
  // Calls of the stage's baseline fed so far while learning; 0 once frozen.
  int learning_calls() const;
  int baseline_calls() const { return config_.subgroup_size * config_.baseline_subgroups; }
  // The frozen stage judging new subgroups (nullopt while learning).
  std::optional<spc::Stage> stage() const;
  // The newest complete subgroup as a point at its last call.
  std::optional<ChartPoint> last_subgroup() const;
  int open_events() const { return open_ != nullptr ? 1 : 0; }
  const spc::ErrorSurgeDetector& alarm() const { return alarm_; }

 private:
  struct Subgroup {
    int64_t number = 0;  // within the stage
    int64_t first_time_ms = 0;
    ChartPoint last;  // at its last call, value = share of failed calls
  };

  void OnFiring(const spc::PChartFiring& f);
  void OnVerdict(const spc::CallVerdict& verdict, int64_t index, const Sample& sample);
  void RecordFrozenStage(int64_t time_ms);
  // Begins a learning stage at the next call.
  void BeginStage(int number, int64_t first_sample_id, int64_t time_ms);
  store::StageRecord LearningRecord(int number, int64_t first_sample_id, int64_t time_ms) const;
  // The stage's subgroup holding call `index`.
  int64_t SubgroupOf(int64_t index) const;
  // Whether `v` still takes the context point of the stage's subgroup `number`.
  bool AwaitsContext(const TrackedViolation& v, int64_t number) const;
  const Subgroup* SubgroupAt(int64_t number) const;
  std::vector<ChartPoint> ContextAround(int64_t number) const;

  SeriesKey key_;
  spc::PChartConfig config_;
  int context_points_;
  spc::PChart chart_;
  spc::EventGrouper grouper_;
  TrackedViolation* open_ = nullptr;        // the extendable R1 event
  spc::ErrorSurgeDetector alarm_;           // restarted with its own config at each stage
  TrackedViolation* alarm_open_ = nullptr;  // the open ERRORS episode's event
  std::list<TrackedViolation> tracked_;     // stable addresses
  // While learning: the stage's subgroups so far (the Phase I review needs their context); once
  // frozen: the last context_points subgroups.
  std::deque<Subgroup> history_;
  int64_t calls_ = 0;
  int stage_number_ = 0;
  int64_t stage_start_index_ = 0;
  int64_t stage_first_sample_id_ = 0;
  int64_t stage_first_time_ms_ = 0;
  bool freeze_recorded_ = false;  // the stage's frozen record is saved (a resumed frozen stage)
  int failed_in_subgroup_ = 0;
  int64_t subgroup_first_time_ms_ = 0;
  std::vector<store::StageRecord> stage_changes_;
  std::vector<spc::PChartFiring> firings_;  // scratch
};

}  // namespace llmscope::monitor
