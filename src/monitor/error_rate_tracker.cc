#include "monitor/error_rate_tracker.h"

#include <algorithm>

namespace llmscope::monitor {

ErrorRateTracker::ErrorRateTracker(const SourceKey& source, const spc::PChartConfig& config,
                                   int context_points, const spc::ErrorDetectorConfig& alarm)
    : key_{source, Metric::kError},
      config_(config),
      context_points_(context_points),
      chart_(config),
      alarm_(alarm) {}

void ErrorRateTracker::Resume(const store::StageRecord& latest) {
  calls_ = latest.stage.start_index;
  BeginStage(latest.stage.number, latest.start_sample_id, latest.start_time_ms);
  freeze_recorded_ = latest.frozen;
}

void ErrorRateTracker::BeginStage(int number, int64_t first_sample_id, int64_t time_ms) {
  chart_ = spc::PChart(config_);
  grouper_ = spc::EventGrouper();
  open_ = nullptr;
  alarm_ = spc::ErrorSurgeDetector(alarm_.config());
  alarm_open_ = nullptr;
  history_.clear();
  stage_number_ = number;
  stage_start_index_ = calls_;
  stage_first_sample_id_ = first_sample_id;
  stage_first_time_ms_ = time_ms;
  freeze_recorded_ = false;
  failed_in_subgroup_ = 0;
}

int64_t ErrorRateTracker::SubgroupOf(int64_t index) const {
  return (index - stage_start_index_) / config_.subgroup_size;
}

const ErrorRateTracker::Subgroup* ErrorRateTracker::SubgroupAt(int64_t number) const {
  if (history_.empty() || number < history_.front().number || number > history_.back().number) {
    return nullptr;
  }
  return &history_[static_cast<size_t>(number - history_.front().number)];
}

std::vector<ChartPoint> ErrorRateTracker::ContextAround(int64_t number) const {
  std::vector<ChartPoint> out;
  for (int64_t j = number - context_points_; j <= number + context_points_; ++j) {
    if (const Subgroup* g = SubgroupAt(j)) out.push_back(g->last);
  }
  return out;
}

bool ErrorRateTracker::AwaitsContext(const TrackedViolation& v, int64_t number) const {
  // Context never reaches across a stage boundary, as rule windows do not.
  return v.record.stage == stage_number_ &&
         SubgroupOf(v.anchor_index) + context_points_ >= number;
}

void ErrorRateTracker::Feed(const Sample& sample) {
  const int64_t index = calls_++;
  const int64_t in_stage = index - stage_start_index_;
  if (in_stage == 0) {
    stage_first_sample_id_ = sample.id;
    stage_first_time_ms_ = sample.time_ms;
  }
  if (in_stage % config_.subgroup_size == 0) {
    failed_in_subgroup_ = 0;
    subgroup_first_time_ms_ = sample.time_ms;
  }
  failed_in_subgroup_ += sample.error ? 1 : 0;
  const bool was_learning = learning();
  firings_.clear();
  chart_.Observe(sample.error, firings_);
  OnVerdict(alarm_.Observe(index, sample.time_ms, sample.error), index, sample);
  if ((in_stage + 1) % config_.subgroup_size != 0) return;

  const double p = static_cast<double>(failed_in_subgroup_) / config_.subgroup_size;
  const Subgroup& g = history_.emplace_back(Subgroup{
      in_stage / config_.subgroup_size, subgroup_first_time_ms_,
      ChartPoint{index, sample.id, sample.time_ms, p, PointTelemetry::From(sample.telemetry)}});
  for (TrackedViolation& v : tracked_) {
    if (AwaitsContext(v, g.number) && (v.context.empty() || v.context.back().index < index)) {
      v.context.push_back(g.last);
      v.dirty = true;
    }
  }
  const int64_t number = g.number;  // `g` may go with the trimming below
  for (const spc::PChartFiring& f : firings_) OnFiring(f);
  if (open_ && SubgroupOf(open_->record.last_index) < number) open_ = nullptr;  // the run broke
  if (was_learning && !learning()) RecordFrozenStage(sample.time_ms);
  if (!learning()) {
    while (static_cast<int>(history_.size()) > context_points_) history_.pop_front();
  }
}

void ErrorRateTracker::OnFiring(const spc::PChartFiring& f) {
  const spc::Stage s = *stage();
  const bool estimable = !s.degenerate();
  // Not estimable: the grouper still orders subgroups by their distance from p̄.
  const double off = f.p - s.mean;
  const spc::Firing firing{
      f.subgroup, spc::Rule::kR1, f.phase, stage_number_, f.p, estimable ? off / s.sigma : off};
  auto [event, change] = grouper_.Add(firing);
  const Subgroup* g = SubgroupAt(f.subgroup);
  const std::optional<double> deviation =
      estimable ? std::optional(event.worst_deviation) : std::nullopt;
  const int64_t last_index = stage_start_index_ + f.last_call_index;
  if (change == spc::EventGrouper::Change::kExtended && open_) {
    store::ViolationRecord& r = open_->record;
    r.last_index = last_index;
    r.count = event.count;
    r.last_time_ms = g ? g->last.time_ms : r.last_time_ms;
    r.worst_value = event.worst_value;
    r.deviation = deviation;
    open_->dirty = true;
    return;
  }
  TrackedViolation& v = tracked_.emplace_back();
  store::ViolationRecord& r = v.record;
  r.series = key_;
  r.rule = spc::Rule::kR1;
  r.phase = f.phase;
  r.stage = stage_number_;
  r.first_index = last_index - config_.subgroup_size + 1;
  r.last_index = last_index;
  r.count = 1;
  r.first_time_ms = g ? g->first_time_ms : 0;
  r.last_time_ms = g ? g->last.time_ms : 0;
  r.value = r.worst_value = f.p;
  r.deviation = deviation;
  r.mean = s.mean;
  r.sigma = s.sigma;
  r.limits = spc::PChartStageLimits(s, config_.k);
  r.created_ms = r.first_time_ms;
  v.context = ContextAround(f.subgroup);
  v.anchor_index = r.first_index;
  v.telemetry_index = last_index;
  open_ = &v;
}

void ErrorRateTracker::OnVerdict(const spc::CallVerdict& verdict, int64_t index,
                                 const Sample& sample) {
  if (alarm_open_ != nullptr) {
    store::ViolationRecord& r = alarm_open_->record;
    r.last_index = index;
    r.last_time_ms = sample.time_ms;
    ++r.count;
    r.worst_value = std::max(r.worst_value, verdict.onset_share);
    alarm_open_->dirty = true;
    if (!verdict.in_episode) {
      alarm_open_->recovered = true;
      alarm_open_ = nullptr;
    }
    return;
  }
  if (!verdict.signal) return;
  const spc::ErrorDesign& design = *alarm_.design();
  TrackedViolation& v = tracked_.emplace_back();
  store::ViolationRecord& r = v.record;
  r.series = key_;
  r.rule = spc::Rule::kErrors;
  r.phase = spc::Phase::kMonitoring;
  r.stage = stage_number_;
  r.first_index = verdict.onset_index;
  r.last_index = index;
  r.count = 1;
  r.first_time_ms = verdict.onset_time_ms;
  r.last_time_ms = r.created_ms = sample.time_ms;
  r.value = r.worst_value = verdict.onset_share;
  r.mean = design.p_hat;
  r.sigma = 0;
  r.limits.center = design.p_hat;
  r.limits.ucl = design.p_target;
  r.limits.upper_1s = r.limits.upper_2s = design.p_guard;
  // The context: the ±N subgroups around the one this call belongs to (the later ones as they
  // complete).
  v.context = ContextAround(SubgroupOf(index));
  v.anchor_index = v.telemetry_index = index;
  alarm_open_ = &v;
}

std::optional<spc::Stage> ErrorRateTracker::stage() const {
  const std::optional<spc::PChartLimits> limits = chart_.limits();
  if (!limits) return std::nullopt;
  spc::Stage s = spc::PChartStage(limits->p_bar, config_);
  s.number = stage_number_;
  s.start_index = stage_start_index_;
  return s;
}

void ErrorRateTracker::RecordFrozenStage(int64_t time_ms) {
  if (freeze_recorded_) return;  // resumed: saved before the restart
  freeze_recorded_ = true;
  store::StageRecord rec;
  rec.series = key_;
  rec.stage = *stage();
  rec.frozen = true;
  rec.start_sample_id = stage_first_sample_id_;
  rec.start_time_ms = stage_first_time_ms_;
  rec.created_ms = time_ms;
  stage_changes_.push_back(rec);
}

store::StageRecord ErrorRateTracker::LearningRecord(int number, int64_t first_sample_id,
                                                    int64_t time_ms) const {
  store::StageRecord rec;
  rec.series = key_;
  rec.stage = spc::PChartStage(0, config_);
  rec.stage.number = number;
  rec.stage.start_index = calls_;
  rec.start_sample_id = first_sample_id;
  rec.start_time_ms = rec.created_ms = time_ms;
  return rec;
}

store::StageRecord ErrorRateTracker::StartNewStage(int64_t next_sample_id, int64_t now_ms) {
  BeginStage(stage_number_ + 1, next_sample_id, now_ms);
  return LearningRecord(stage_number_, next_sample_id, now_ms);
}

store::StageRecord ErrorRateTracker::PlanStage(int64_t now_ms) const {
  return LearningRecord(stage_number_ + 1, 0, now_ms);
}

store::StageRecord ErrorRateTracker::ApplyStage(const store::StageRecord& planned) {
  BeginStage(planned.stage.number, planned.start_sample_id, planned.start_time_ms);
  return LearningRecord(stage_number_, planned.start_sample_id, planned.start_time_ms);
}

std::vector<store::StageRecord> ErrorRateTracker::TakeStageChanges() {
  std::vector<store::StageRecord> out;
  out.swap(stage_changes_);
  return out;
}

void ErrorRateTracker::ForgetSettled() {
  const int64_t next = SubgroupOf(calls_);  // the subgroup the next complete one will be
  tracked_.remove_if([&](const TrackedViolation& v) {
    return !v.dirty && open_ != &v && alarm_open_ != &v && !AwaitsContext(v, next) &&
           !v.AwaitsRecovery();
  });
}

int ErrorRateTracker::learning_calls() const {
  return learning() ? static_cast<int>(calls_ - stage_start_index_) : 0;
}

std::optional<ChartPoint> ErrorRateTracker::last_subgroup() const {
  if (history_.empty()) return std::nullopt;
  return history_.back().last;
}

}  // namespace llmscope::monitor
