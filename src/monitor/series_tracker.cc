#include "monitor/series_tracker.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace llmscope::monitor {
namespace {

// ContextJson writes its text directly: building it as an nlohmann tree of small objects cost
// more than the violation's insert (bench/README.md, "Ingest: where the time goes"). Numbers are
// written as nlohmann writes them (a double in its shortest form that reads back, a whole one
// with ".0", NaN as null), so the text is the one stored before.
void AppendNumber(std::string& out, int64_t n) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}
void AppendNumber(std::string& out, double d) {
  out += nlohmann::json(d).dump();
}
// NaN, a value not measured, is written as null, as it was when telemetry was kept as optionals.
void AppendTelemetry(std::string& out, const PointTelemetry& t) {
  out += R"({"cpu_percent":)";
  AppendNumber(out, t.cpu_percent);
  out += R"(,"memory_percent":)";
  AppendNumber(out, t.memory_percent);
  out += R"(,"gpu_percent":)";
  AppendNumber(out, t.gpu_percent);
  out += R"(,"gpu_memory_percent":)";
  AppendNumber(out, t.gpu_memory_percent);
  out += R"(,"gpu_temp_c":)";
  AppendNumber(out, t.gpu_temp_c);
  out += '}';
}

// A point's text is ~180 bytes with its telemetry (~200 with every field measured).
constexpr size_t kContextPointBytes = 200;

}  // namespace

PointTelemetry PointTelemetry::From(const Telemetry& t) {
  PointTelemetry p;
  p.cpu_percent = t.cpu_percent.value_or(NAN);
  p.memory_percent = t.memory_percent.value_or(NAN);
  p.gpu_percent = t.gpu_percent.value_or(NAN);
  p.gpu_memory_percent = t.gpu_memory_percent.value_or(NAN);
  p.gpu_temp_c = t.gpu_temp_c.value_or(NAN);
  return p;
}

std::string ContextJson(const TrackedViolation& v) {
  // Sized once: a violation's text lives in its tracker and its event until written, and a
  // batch that ends many learning stages at once holds thousands of them (doubling growth left
  // up to half of each unused).
  std::string out;
  out.reserve((v.context.size() + 1) * kContextPointBytes);
  out += R"({"points":[)";
  const PointTelemetry* at_first = nullptr;
  for (const ChartPoint& p : v.context) {
    if (&p != &v.context.front()) out += ',';
    out += R"({"index":)";
    AppendNumber(out, p.index);
    out += R"(,"sample_id":)";
    AppendNumber(out, p.sample_id);
    out += R"(,"time_ms":)";
    AppendNumber(out, p.time_ms);
    out += R"(,"value":)";
    AppendNumber(out, p.value);
    out += R"(,"telemetry":)";
    AppendTelemetry(out, p.telemetry);
    out += '}';
    if (p.index == v.telemetry_index) at_first = &p.telemetry;
  }
  out += R"(],"telemetry":)";
  if (at_first != nullptr) {
    AppendTelemetry(out, *at_first);
  } else {
    out += "null";
  }
  out += '}';
  out.shrink_to_fit();
  return out;
}

std::vector<TrackedViolation*> ChangedViolations(std::list<TrackedViolation>& tracked) {
  std::vector<TrackedViolation*> changed;
  for (TrackedViolation& v : tracked) {
    if (!v.dirty) continue;
    v.record.context_json = ContextJson(v);
    changed.push_back(&v);
  }
  return changed;
}

SeriesTracker::SeriesTracker(const SeriesKey& key, const spc::ChartConfig& config,
                             int context_points, const spc::ShiftDetectorConfig& alarm)
    : key_(key),
      config_(config),
      context_points_(context_points),
      chart_(config),
      alarm_(alarm) {}

spc::Limits AlarmLimits(const spc::ShiftDetector& d) {
  const spc::ShiftDesign& design = *d.design();
  const double mu = d.mean(), s = d.sigma();
  const double target = std::log1p(d.config().budget.target_change);
  spc::Limits l;
  l.center = std::exp(mu);
  const double jump = design.jump * d.median_sigma();
  l.ucl = std::exp(d.median_mean() + jump);
  l.lcl = std::exp(d.median_mean() - jump);
  l.upper_2s = std::exp(mu + target);
  l.lower_2s = std::exp(mu - target);
  l.upper_1s = std::exp(mu + design.alert.k * s);
  l.lower_1s = std::exp(mu - design.alert.k * s);
  return l;
}

void SeriesTracker::Resume(const store::StageRecord& latest) {
  if (latest.frozen) {
    chart_.ResumeFrozen(latest.stage, !latest.external_baseline);
  } else {
    chart_.ResumeLearning(latest.stage);
  }
  was_learning_ = !latest.frozen;
  stage_first_sample_id_ = latest.start_sample_id;
  stage_first_time_ms_ = latest.start_time_ms;
  stage_external_ = latest.external_baseline;
  history_.clear();
  alarm_ = spc::ShiftDetector(alarm_.config());
}

void SeriesTracker::Reconfigure(const spc::ChartConfig& config,
                                const spc::ShiftDetectorConfig& alarm) {
  if (config.rules != chart_.config().rules) chart_.SetRules(config.rules);
  if (alarm.budget != alarm_.config().budget) alarm_.SetBudget(alarm.budget);
  config_ = config;
}

const ChartPoint* SeriesTracker::PointAt(int64_t index) const {
  if (history_.empty() || index < history_.front().index || index > history_.back().index) {
    return nullptr;
  }
  return &history_[static_cast<size_t>(index - history_.front().index)];
}

std::vector<ChartPoint> SeriesTracker::ContextAround(int64_t first_index) const {
  std::vector<ChartPoint> out;
  for (int64_t i = first_index - context_points_; i <= first_index + context_points_; ++i) {
    if (const ChartPoint* p = PointAt(i)) out.push_back(*p);
  }
  return out;
}

bool SeriesTracker::Feed(const Sample& sample, double value) {
  firings_.clear();
  const int64_t index = chart_.size();
  if (!chart_.Observe(value, firings_).ok()) return false;
  if (index == chart_.stage_start_index() && was_learning_) {
    stage_first_sample_id_ = sample.id;
    stage_first_time_ms_ = sample.time_ms;
  }
  const ChartPoint point{index, sample.id, sample.time_ms, value,
                         PointTelemetry::From(sample.telemetry)};
  history_.push_back(point);

  // Events whose ±N window reaches this point get it; those it completes await no more.
  std::erase_if(awaiting_context_, [&](TrackedViolation* v) {
    if (v->context.empty() || v->context.back().index < index) {
      v->context.push_back(point);
      v->dirty = true;
    }
    return v->anchor_index + context_points_ <= index;
  });
  for (const spc::Firing& f : firings_) OnFiring(f);
  for (spc::Rule r : spc::kAllRules) {
    TrackedViolation*& open = open_[static_cast<size_t>(r)];
    if (open && open->record.last_index < index) open = nullptr;  // the run broke
  }
  if (std::optional<spc::SubgroupVerdict> verdict = alarm_.Observe(index, sample.time_ms, value)) {
    OnVerdict(*verdict);
  }
  if (was_learning_ && !chart_.learning()) RecordFrozenStage();
  was_learning_ = chart_.learning();
  if (!chart_.learning()) {
    while (static_cast<int>(history_.size()) > context_points_) history_.pop_front();
  }
  return true;
}

void SeriesTracker::OnFiring(const spc::Firing& f) {
  auto [event, change] = grouper_.Add(f);
  const ChartPoint* at = PointAt(f.index);
  TrackedViolation*& open = open_[static_cast<size_t>(f.rule)];
  const std::optional<double> worst_deviation =
      std::isnan(event.worst_deviation) ? std::nullopt : std::optional(event.worst_deviation);
  if (change == spc::EventGrouper::Change::kExtended && open) {
    store::ViolationRecord& r = open->record;
    r.last_index = event.last_index;
    r.count = event.count;
    r.last_time_ms = at ? at->time_ms : r.last_time_ms;
    r.worst_value = event.worst_value;
    r.deviation = worst_deviation;
    open->dirty = true;
    return;
  }
  const spc::Stage stage = *chart_.current_stage();
  TrackedViolation& v = tracked_.emplace_back();
  store::ViolationRecord& r = v.record;
  r.series = key_;
  r.rule = f.rule;
  r.phase = f.phase;
  r.stage = f.stage;
  r.first_index = r.last_index = f.index;
  r.count = 1;
  r.first_time_ms = r.last_time_ms = at ? at->time_ms : 0;
  r.value = r.worst_value = f.value;
  r.deviation = worst_deviation;
  r.mean = stage.mean;
  r.sigma = stage.sigma;
  r.limits = spc::OriginalUnitLimits(stage, config_.rules.r1_sigma, config_.non_negative_metric);
  r.created_ms = r.first_time_ms;
  v.context = ContextAround(f.index);
  v.anchor_index = v.telemetry_index = f.index;
  AwaitContext(v);
  open = &v;
}

void SeriesTracker::AwaitContext(TrackedViolation& v) {
  const int64_t last_fed = chart_.size() - 1;
  if (v.anchor_index + context_points_ > last_fed) awaiting_context_.push_back(&v);
}

void SeriesTracker::OnVerdict(const spc::SubgroupVerdict& verdict) {
  TrackedViolation*& shift = open_[static_cast<size_t>(spc::Rule::kShift)];
  TrackedViolation*& jump = open_[static_cast<size_t>(spc::Rule::kJump)];
  TrackedViolation* open = jump != nullptr ? jump : shift;
  if (open != nullptr && !verdict.signal) {
    store::ViolationRecord& r = open->record;
    r.last_index = verdict.last_index;
    r.last_time_ms = verdict.last_time_ms;
    ++r.count;
    if (r.deviation && verdict.z > *r.deviation) {
      r.worst_value = verdict.level;
      r.deviation = verdict.z;
    }
    open->dirty = true;
  }
  if (!verdict.in_episode) {
    for (TrackedViolation* ended : {shift, jump}) {
      if (ended != nullptr) ended->recovered = true;
    }
    shift = jump = nullptr;
    return;
  }
  if (!verdict.signal) return;
  // A new episode, or a JUMP escalating a SHIFT one: a new event (the SHIFT event stays as it is).
  TrackedViolation& v = tracked_.emplace_back();
  store::ViolationRecord& r = v.record;
  r.series = key_;
  r.rule = *verdict.signal;
  r.phase = spc::Phase::kMonitoring;
  r.stage = current_stage_number();
  r.first_index = verdict.onset_index;
  r.last_index = verdict.last_index;
  r.count = 1;
  r.first_time_ms = verdict.onset_time_ms;
  r.last_time_ms = r.created_ms = verdict.last_time_ms;
  r.value = r.worst_value = verdict.level;
  r.deviation = verdict.z;
  r.mean = alarm_.mean();
  r.sigma = alarm_.sigma();
  r.limits = AlarmLimits(alarm_);
  v.context = ContextAround(verdict.last_index);
  v.anchor_index = v.telemetry_index = verdict.last_index;
  AwaitContext(v);
  // An escalated SHIFT event stays in its slot: it no longer grows, and ends with the episode.
  (r.rule == spc::Rule::kJump ? jump : shift) = &v;
}

void SeriesTracker::RecordFrozenStage() {
  store::StageRecord rec;
  rec.series = key_;
  rec.stage = *chart_.current_stage();
  rec.frozen = true;
  rec.external_baseline = stage_external_;
  rec.start_sample_id = stage_first_sample_id_;
  rec.start_time_ms = stage_first_time_ms_;
  rec.created_ms = history_.empty() ? 0 : history_.back().time_ms;
  stage_changes_.push_back(rec);
}

store::StageRecord SeriesTracker::NewStageRecord(const spc::ControlChart& chart,
                                                 int64_t next_sample_id, int64_t now_ms) const {
  store::StageRecord rec;
  rec.series = key_;
  if (chart.learning()) {
    rec.stage.number = chart.next_stage_number();
    rec.stage.start_index = chart.size();
    rec.stage.baseline_size = chart.config().baseline_size;
    rec.stage.transform = chart.config().transform;
    rec.stage.sigma_method = chart.config().sigma_method;
  } else {
    rec.stage = *chart.current_stage();
  }
  rec.frozen = rec.external_baseline = !chart.learning();
  rec.start_sample_id = next_sample_id;
  rec.start_time_ms = rec.created_ms = now_ms;
  return rec;
}

store::StageRecord SeriesTracker::BeginStage(int64_t next_sample_id, int64_t now_ms) {
  grouper_ = spc::EventGrouper();
  open_.fill(nullptr);
  history_.clear();
  alarm_ = spc::ShiftDetector(alarm_.config());
  was_learning_ = chart_.learning();
  stage_external_ = !chart_.learning();
  stage_first_sample_id_ = next_sample_id;
  stage_first_time_ms_ = now_ms;
  return NewStageRecord(chart_, next_sample_id, now_ms);
}

Result<store::StageRecord> SeriesTracker::PlanStage(std::optional<std::span<const double>> baseline,
                                                    int64_t now_ms) const {
  spc::ControlChart chart = chart_;
  chart.StartNewStage(config_);
  if (baseline) {
    if (Status s = chart.StartStageFrom(*baseline); !s) return s.error();
  }
  store::StageRecord rec = NewStageRecord(chart, 0, now_ms);
  // Restarting a learning stage keeps its number here; the placed stage needs a higher one so
  // that every server can tell it has not begun it yet.
  rec.stage.number = std::max(rec.stage.number, current_stage_number() + 1);
  return rec;
}

store::StageRecord SeriesTracker::ApplyStage(const store::StageRecord& planned) {
  if (planned.frozen) {
    spc::Stage stage = planned.stage;
    stage.start_index = chart_.size();
    chart_.ResumeFrozen(stage, /*review_baseline=*/false);
  } else {
    spc::Stage learning = planned.stage;
    learning.start_index = chart_.size();
    chart_.ResumeLearning(learning);
  }
  return BeginStage(planned.start_sample_id, planned.start_time_ms);
}

int SeriesTracker::current_stage_number() const {
  if (chart_.learning() || !chart_.current_stage()) return chart_.next_stage_number();
  return chart_.current_stage()->number;
}

store::StageRecord SeriesTracker::StartNewStage(int64_t next_sample_id, int64_t now_ms) {
  chart_.StartNewStage(config_);
  return BeginStage(next_sample_id, now_ms);
}

Result<store::StageRecord> SeriesTracker::StartStageFrom(std::span<const double> baseline,
                                                         int64_t next_sample_id, int64_t now_ms) {
  // On a copy: a baseline the chart refuses leaves the current stage as it was.
  spc::ControlChart next = chart_;
  next.StartNewStage(config_);
  if (Status s = next.StartStageFrom(baseline); !s) return s.error();
  chart_ = std::move(next);
  return BeginStage(next_sample_id, now_ms);
}

std::vector<store::StageRecord> SeriesTracker::TakeStageChanges() {
  std::vector<store::StageRecord> out;
  out.swap(stage_changes_);
  return out;
}

void SeriesTracker::ForgetSettled() {
  const int64_t now = chart_.size();  // index of the next point
  tracked_.remove_if([&](const TrackedViolation& v) {
    const bool open = open_[static_cast<size_t>(v.record.rule)] == &v;
    const bool awaiting_context = v.anchor_index + context_points_ >= now;
    return !v.dirty && !open && !awaiting_context && !v.AwaitsRecovery();
  });
}

std::optional<ChartPoint> SeriesTracker::last_point() const {
  if (history_.empty()) return std::nullopt;
  return history_.back();
}

int SeriesTracker::open_events() const {
  int n = 0;
  for (const TrackedViolation* v : open_) n += v != nullptr;
  return n;
}

}  // namespace llmscope::monitor
