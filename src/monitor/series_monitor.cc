#include "monitor/series_monitor.h"

#include <algorithm>
#include <functional>
#include <future>
#include <iterator>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace llmscope::monitor {
namespace {

// Replay reads the store in pages of this many samples.
constexpr int64_t kReplayPage = 2000;

// Metrics with a SeriesTracker; the error series has the source's ErrorRateTracker.
bool IsContinuous(Metric m) {
  return m != Metric::kError;
}

// The p-chart shown as a chart configuration, for the views and stage JSON of the error series.
spc::ChartConfig ErrorViewConfig(const MonitorConfig& c) {
  spc::ChartConfig v = c.other_chart;
  v.transform = spc::Transform::kNone;
  v.sigma_method = spc::SigmaMethod::kStdDev;
  v.baseline_size = c.error_chart.subgroup_size * c.error_chart.baseline_subgroups;
  v.rules.r1_sigma = c.error_chart.k;
  v.non_negative_metric = true;
  return v;
}

// The re-baseline of the error series takes no window: its p̄ comes from the next calls.
Error NoWindowForErrors() {
  return Error{"invalid_field",
               "the error series learns its baseline from the next calls; since and until are "
               "not supported for it"};
}

// What auto-resolve writes as the resolver of an alarm event whose level came back.
constexpr char kRecoveredBy[] = "llmscope (recovered)";

// Identity of a violation event across a restart.
using EventKey = std::tuple<spc::Rule, int, spc::Phase, int64_t>;
EventKey KeyOf(const store::ViolationRecord& v) {
  return {v.rule, v.stage, v.phase, v.first_index};
}

// What Rebuild keeps of a stored violation to reconcile the replay with it: the fields a replay
// cannot know (id, status) and those it may change (its extent), with a hash of its context in
// place of the context itself (~5 kB a violation: a series holds thousands a day, so keeping
// them made the start's memory grow with history).
struct StoredViolation {
  int64_t id = 0;
  store::ViolationStatus status = store::ViolationStatus::kOpen;
  std::string status_by;
  int64_t status_time_ms = 0;
  int64_t created_ms = 0;
  int64_t last_index = 0, count = 0, last_time_ms = 0;
  double worst_value = 0;
  size_t context_hash = 0;

  explicit StoredViolation(const store::ViolationRecord& v)
      : id(v.id),
        status(v.status),
        status_by(v.status_by),
        status_time_ms(v.status_time_ms),
        created_ms(v.created_ms),
        last_index(v.last_index),
        count(v.count),
        last_time_ms(v.last_time_ms),
        worst_value(v.worst_value),
        context_hash(std::hash<std::string>{}(v.context_json)) {}
};

// Whether the replay found `a` as it is stored. The contexts are compared by hash: a differing
// context (one stored before all its points came, by a server that then crashed) is rewritten;
// a hash collision would only leave such a context as it is.
bool SameExtent(const store::ViolationRecord& a, const StoredViolation& b) {
  return a.last_index == b.last_index && a.count == b.count && a.last_time_ms == b.last_time_ms &&
         a.worst_value == b.worst_value &&
         std::hash<std::string>{}(a.context_json) == b.context_hash;
}

// Every violation of `series` as Rebuild keeps it, read a page at a time so that at most a page
// of whole rows (with their contexts) is held at once.
Result<std::map<EventKey, StoredViolation>> StoredViolationsOf(store::Store& store,
                                                               const SeriesKey& series) {
  constexpr int64_t kPage = 2000;
  std::map<EventKey, StoredViolation> out;
  store::ViolationQuery q;
  q.series = series;
  q.limit = kPage;
  while (true) {
    Result<std::vector<store::ViolationRecord>> page = store.QueryViolations(q);
    if (!page) return page.error();
    for (const store::ViolationRecord& v : *page) out.emplace(KeyOf(v), StoredViolation(v));
    if (static_cast<int64_t>(page->size()) < kPage) return out;
    q.before_id = page->back().id;
  }
}

}  // namespace

spc::Limits ShownLimits(Metric metric, const spc::Stage& stage, const spc::ChartConfig& config) {
  if (metric == Metric::kError) return spc::PChartStageLimits(stage, config.rules.r1_sigma);
  return spc::OriginalUnitLimits(stage, config.rules.r1_sigma, config.non_negative_metric);
}

MonitorConfig MonitorConfig::Defaults() {
  MonitorConfig c;
  c.latency_chart.transform = spc::Transform::kLog;
  c.other_chart.transform = spc::Transform::kNone;
  return c;
}

SeriesMonitor::SeriesMonitor(store::Store& store, const MonitorConfig& config,
                             store::SharedStore* shared)
    : store_(store),
      shared_(shared),
      config_(config),
      error_view_config_(ErrorViewConfig(config)),
      writer_([this] { WriteGroups(); }) {}

SeriesMonitor::~SeriesMonitor() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  writer_.join();
}

template <typename Visit>
Status SeriesMonitor::ForEachTracker(SourceTrackers& trackers, Visit&& visit) {
  for (auto& tracker : trackers.by_metric) {
    if (!tracker) continue;
    if (Status s = visit(*tracker); !s) return s;
  }
  return visit(*trackers.errors);
}

Status SeriesMonitor::InsertNewViolation(store::ViolationRecord& v) {
  if (shared_ == nullptr) return store_.InsertViolation(v);
  store::ViolationRecord* const one[] = {&v};
  return shared_->WriteViolationsOnce(one);
}

const spc::ChartConfig& SeriesMonitor::ChartConfigFor(Metric m) const {
  if (m == Metric::kError) return error_view_config_;
  return MetricIsLatency(m) ? config_.latency_chart : config_.other_chart;
}

spc::ShiftDetectorConfig SeriesMonitor::AlarmConfigFor(Metric m) const {
  spc::ShiftDetectorConfig c = config_.alarm;
  c.bad = m == Metric::kTokensPerS ? spc::BadDirection::kDown : spc::BadDirection::kUp;
  return c;
}

SeriesConfig SeriesMonitor::ConfigOfLocked(const SeriesKey& key) const {
  auto it = series_configs_.find(key);
  if (it != series_configs_.end()) return it->second;
  return MetricConfig(key.metric);
}

SeriesConfig SeriesMonitor::MetricConfig(Metric m) const {
  return SeriesConfig{ChartConfigFor(m), AlarmConfigFor(m)};
}

SeriesConfig SeriesMonitor::ConfigOf(const SeriesKey& key) const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return ConfigOfLocked(key);
}

void SeriesMonitor::Configure(std::map<SeriesKey, SeriesConfig> configs) {
  std::lock_guard<std::mutex> lock(state_mu_);
  series_configs_ = std::move(configs);
  for (auto& [source, trackers] : sources_) {
    for (auto& tracker : trackers.by_metric) {
      if (!tracker) continue;
      const SeriesConfig c = ConfigOfLocked(tracker->key());
      tracker->Reconfigure(c.chart, c.alarm);
    }
  }
}

SeriesMonitor::SourceTrackers& SeriesMonitor::TrackersFor(const SourceKey& source) {
  auto it = sources_.find(source);
  if (it != sources_.end()) return it->second;
  SourceTrackers& t = sources_[source];
  for (Metric m : kAllMetrics) {
    if (!IsContinuous(m)) continue;
    const SeriesKey key{source, m};
    const SeriesConfig c = ConfigOfLocked(key);
    t.by_metric[static_cast<size_t>(m)] =
        std::make_unique<SeriesTracker>(key, c.chart, config_.context_points, c.alarm);
  }
  t.errors = std::make_unique<ErrorRateTracker>(source, config_.error_chart,
                                                config_.context_points, config_.error_alarm);
  return t;
}

void SeriesMonitor::Judge(const Sample& s, const FirstSampleIds& first_ids) {
  SourceTrackers& t = TrackersFor(s.source);
  auto takes = [&](Metric m) { return s.id >= first_ids[static_cast<size_t>(m)]; };
  if (takes(Metric::kError)) t.errors->Feed(s);
  // A failed call's latency measures the failure, not the service: it feeds the error rate only.
  if (s.error) return;
  for (Metric m : kAllMetrics) {
    if (!IsContinuous(m) || !takes(m)) continue;
    if (std::optional<double> v = s.value(m)) t.by_metric[static_cast<size_t>(m)]->Feed(s, *v);
  }
}

Status SeriesMonitor::Rebuild() {
  std::lock_guard<std::mutex> lock(state_mu_);
  Result<std::vector<SourceKey>> sources = store_.ListSources();
  if (!sources) return sources.error();
  Result<std::vector<store::StageRecord>> latest = store_.LoadLatestStages();
  if (!latest) return latest.error();
  std::map<SeriesKey, store::StageRecord> latest_by_series;
  for (const store::StageRecord& r : *latest) latest_by_series[r.series] = r;
  // The replay ends at the newest sample now: in shared mode other servers append meanwhile,
  // and CatchUp continues from here.
  store::SampleQuery newest;
  newest.newest_first = true;
  newest.limit = 1;
  Result<std::vector<Sample>> newest_sample = store_.QuerySamples(newest);
  if (!newest_sample) return newest_sample.error();
  const int64_t replay_until = newest_sample->empty() ? 0 : newest_sample->front().id;
  if (shared_ != nullptr) {
    // Every placed stage: one whose number is above its series' current stage is still to begin.
    if (Status s = ReadPlacedStages(); !s) return s;
  }
  std::vector<MonitorEvent> unpublished;  // nobody listens yet

  for (const SourceKey& source : *sources) {
    SourceTrackers& trackers = TrackersFor(source);
    // Each series (the error series too) resumes at its newest stage and takes the samples from
    // that stage's first on; the replay starts at the earliest of them.
    FirstSampleIds start_id{};
    std::map<SeriesKey, std::map<EventKey, StoredViolation>> stored;
    Status resumed = ForEachTracker(trackers, [&](auto& t) -> Status {
      auto it = latest_by_series.find(t.key());
      if (it != latest_by_series.end()) {
        t.Resume(it->second);
        start_id[static_cast<size_t>(t.key().metric)] = it->second.start_sample_id;
      }
      Result<std::map<EventKey, StoredViolation>> found = StoredViolationsOf(store_, t.key());
      if (!found) return found.error();
      stored[t.key()] = std::move(*found);
      return {};
    });
    if (!resumed) return resumed;
    const int64_t replay_from = *std::min_element(start_id.begin(), start_id.end());

    // Replay through the same path as live ingest; persist only what the store lacks.
    auto since_ms = [&](const SeriesKey& key) {
      auto it = series_configs_.find(key);
      return it == series_configs_.end() ? 0 : it->second.since_ms;
    };
    auto reconcile = [&](const SeriesKey& key) {
      return [&, key](store::ViolationRecord& v) -> Status {
        if (v.id == 0) {
          auto& known = stored[key];
          auto it = known.find(KeyOf(v));
          if (it == known.end()) {
            // Found by a configuration set after the event began: not what was judged then.
            if (v.first_time_ms < since_ms(key)) return {};
            return InsertNewViolation(v);
          }
          v.id = it->second.id;
          v.status = it->second.status;
          v.status_by = it->second.status_by;
          v.status_time_ms = it->second.status_time_ms;
          v.created_ms = it->second.created_ms;
          if (SameExtent(v, it->second)) return {};
        }
        return store_.UpdateViolationExtent(v);
      };
    };
    auto flush = [&]() -> Status {
      return ForEachTracker(trackers, [&](auto& tracker) -> Status {
        for (const store::StageRecord& r : tracker.TakeStageChanges()) {
          if (Status s = store_.SaveStage(r); !s) return s;
        }
        return tracker.FlushViolations(reconcile(tracker.key()));
      });
    };

    store::SampleQuery q;
    q.source = source;
    q.after_id = std::max<int64_t>(replay_from - 1, 0);
    q.limit = kReplayPage;
    q.fields = store::SampleFields::kMeasures;  // what a chart judges
    while (true) {
      Result<std::vector<Sample>> page = store_.QuerySamples(q);
      if (!page) return page.error();
      for (const Sample& s : *page) {
        if (s.id > replay_until) break;
        max_sample_id_ = std::max(max_sample_id_, s.id);
        if (shared_ != nullptr) BeginPlacedStages(s, unpublished);
        Judge(s, start_id);
      }
      if (Status st = flush(); !st) return st;
      if (static_cast<int64_t>(page->size()) < q.limit || page->back().id >= replay_until) break;
      q.after_id = page->back().id;
    }
  }
  max_sample_id_ = std::max(max_sample_id_, replay_until);
  return {};
}

Status SeriesMonitor::EraseSources(const std::vector<SourceKey>& sources,
                                   const std::function<Status()>& erase) {
  // Hold the commit turn, as a group's leader does, so no sample is appended or published
  // between the store's delete and the trackers' drop.
  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_cv_.wait(lock, [this] { return !committing_; });
  committing_ = true;
  lock.unlock();
  Status erased = erase();
  if (erased) {
    std::lock_guard<std::mutex> state(state_mu_);
    for (const SourceKey& source : sources) sources_.erase(source);
  }
  lock.lock();
  committing_ = false;
  queue_cv_.notify_all();
  return erased;
}

Result<IngestReceipt> SeriesMonitor::Ingest(std::vector<Sample> samples) {
  std::promise<Result<IngestReceipt>> receipt;
  std::future<Result<IngestReceipt>> committed = receipt.get_future();
  IngestAsync(std::move(samples),
              [&receipt](Result<IngestReceipt> r) { receipt.set_value(std::move(r)); });
  return committed.get();
}

void SeriesMonitor::IngestAsync(std::vector<Sample> samples, IngestDone done) {
  bool first;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    first = queue_.empty();
    queue_.push_back(PendingBatch{std::move(samples), std::move(done)});
  }
  // Only the batch that makes the queue non-empty wakes the writer: it takes the whole queue when
  // it wakes, and one that is committing looks at the queue again before it waits. With many
  // connections most batches join a queue that is waiting already, and skip the futex call.
  if (first) queue_cv_.notify_all();
}

void SeriesMonitor::WriteGroups() {
  // Swapped with the queue for each group and cleared after it, so the queue and the group keep
  // their capacity: no reallocation under queue_mu_ while the I/O threads queue batches.
  std::vector<PendingBatch> group;
  std::unique_lock<std::mutex> lock(queue_mu_);
  while (true) {
    // The turn may be held by EraseSources or StartNewStage.
    queue_cv_.wait(lock, [this] { return !committing_ && (!queue_.empty() || stopping_); });
    if (queue_.empty()) return;  // stopping, and everything queued is written
    // Everyone queued now is one group: one transaction, one flush, one publication.
    committing_ = true;
    group.swap(queue_);
    lock.unlock();
    CommitGroup(group);
    lock.lock();
    committing_ = false;
    queue_cv_.notify_all();
    lock.unlock();
    for (PendingBatch& b : group) b.done(std::move(b.result));
    group.clear();
    lock.lock();
  }
}

void SeriesMonitor::CommitGroup(std::vector<PendingBatch>& group) {
  // One caller's batch is stored and published as it is; several are moved into one.
  std::vector<Sample> merged;
  if (group.size() > 1) {
    size_t count = 0;
    for (const PendingBatch& b : group) count += b.samples.size();
    merged.reserve(count);
    for (PendingBatch& b : group) {
      std::move(b.samples.begin(), b.samples.end(), std::back_inserter(merged));
    }
  }
  std::vector<Sample>& all = group.size() == 1 ? group.front().samples : merged;
  Result<store::AppendResult> committed = store_.AppendSamples(all);
  if (!committed) {
    for (PendingBatch& b : group) b.result = committed.error();
    return;
  }
  // A duplicate (its ingest key was stored already) was judged and published when it was first
  // stored: it is acknowledged with the stored sample's id and goes no further.
  const std::vector<bool>& duplicate = committed->duplicate;
  auto hand_out_receipts = [&](int opened) {
    size_t next = 0;
    for (PendingBatch& b : group) {
      IngestReceipt receipt;
      for (size_t i = 0; i < b.samples.size(); ++i, ++next) {
        receipt.ids.push_back(all[next].id);
        if (duplicate[next]) ++receipt.duplicates;
      }
      b.result = std::move(receipt);
    }
    if (!group.empty()) group.front().result->violations_opened = opened;
  };
  if (shared_ != nullptr) {
    // Judged, with the samples of other servers, in the store's id order (a duplicate adds no
    // row, so no catch-up meets it again). A failed catch-up leaves them to the next one (the
    // tailer's); they are committed either way.
    Result<int> opened = CatchUp();
    hand_out_receipts(opened.ok() ? *opened : 0);
    return;
  }
  std::vector<MonitorEvent> events;
  int opened = 0;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    for (size_t i = 0; i < all.size(); ++i) {
      if (duplicate[i]) continue;
      max_sample_id_ = std::max(max_sample_id_, all[i].id);
      Judge(all[i]);
    }
    Flush(events, &opened);
  }
  // Each caller gets its samples' ids; the new samples themselves go to the listeners, the
  // duplicates left out in place.
  hand_out_receipts(opened);
  if (committed->duplicates > 0) {
    size_t kept = 0;
    for (size_t i = 0; i < all.size(); ++i) {
      if (duplicate[i]) continue;
      if (kept != i) all[kept] = std::move(all[i]);
      ++kept;
    }
    all.erase(all.begin() + static_cast<ptrdiff_t>(kept), all.end());
  }
  Publish(all, events);
}

void SeriesMonitor::Flush(std::vector<MonitorEvent>& events, int* opened) {
  std::vector<TrackedViolation*> changed;
  for (auto& [source, trackers] : sources_) {
    (void)ForEachTracker(trackers, [&](auto& tracker) -> Status {
      for (const store::StageRecord& r : tracker.TakeStageChanges()) {
        // A failed write is retried on restart, when the replay freezes the stage again.
        if (store_.SaveStage(r)) {
          MonitorEvent e;
          e.kind = MonitorEvent::Kind::kStageChanged;
          e.stage = r;
          events.push_back(std::move(e));
        }
      }
      std::ranges::copy(ChangedViolations(tracker.tracked()), std::back_inserter(changed));
      return {};
    });
  }
  PersistViolations(changed, events, opened);
  for (auto& [source, trackers] : sources_) {
    (void)ForEachTracker(trackers, [&](auto& tracker) -> Status {
      tracker.ForgetSettled();
      ResolveRecovered(tracker, events);
      return {};
    });
  }
}

void SeriesMonitor::PersistViolations(const std::vector<TrackedViolation*>& changed,
                                      std::vector<MonitorEvent>& events, int* opened) {
  std::vector<bool> is_new;
  is_new.reserve(changed.size());
  for (const TrackedViolation* v : changed) is_new.push_back(v->record.id == 0);
  // One transaction for all (docs/design.md "Data"); in shared mode each event is inserted once
  // whichever server finds it first. When it fails, all stay dirty and are retried on the next
  // flush.
  std::vector<store::ViolationRecord*> records;
  records.reserve(changed.size());
  for (TrackedViolation* v : changed) records.push_back(&v->record);
  const Status written =
      shared_ == nullptr ? store_.WriteViolations(records) : shared_->WriteViolationsOnce(records);
  if (!written) return;
  for (size_t i = 0; i < changed.size(); ++i) {
    changed[i]->dirty = false;
    MonitorEvent e;
    e.kind = is_new[i] ? MonitorEvent::Kind::kViolationOpened
                       : MonitorEvent::Kind::kViolationUpdated;
    // The context text moves to the event: the tracker writes it afresh before each persist
    // (ChangedViolations), and a batch that ends many learning stages holds thousands of them.
    store::ViolationRecord& record = changed[i]->record;
    std::string context = std::exchange(record.context_json, {});
    e.violation = record;
    e.violation.context_json = std::move(context);
    events.push_back(std::move(e));
    if (is_new[i] && changed[i]->record.phase == spc::Phase::kMonitoring) ++*opened;
  }
}

template <typename Tracker>
void SeriesMonitor::ResolveRecovered(Tracker& tracker, std::vector<MonitorEvent>& events) {
  for (TrackedViolation& t : tracker.tracked()) {
    if (!t.AwaitsRecovery() || t.record.id <= 0 || t.dirty) continue;
    if (!config_.auto_resolve) {
      t.recovery_applied = true;
      continue;
    }
    // The store has the truth: a person may have resolved it already (or another server).
    Result<std::optional<store::ViolationRecord>> stored = store_.GetViolation(t.record.id);
    if (!stored || !stored->has_value()) continue;
    if ((*stored)->status != store::ViolationStatus::kResolved) {
      if (!store_.SetViolationStatus(t.record.id, store::ViolationStatus::kResolved, kRecoveredBy,
                                     t.record.last_time_ms)) {
        continue;
      }
      (*stored)->status = store::ViolationStatus::kResolved;
      (*stored)->status_by = kRecoveredBy;
      (*stored)->status_time_ms = t.record.last_time_ms;
      MonitorEvent e;
      e.kind = MonitorEvent::Kind::kViolationStatus;
      e.violation = **stored;
      events.push_back(std::move(e));
    }
    t.record.status = (*stored)->status;
    t.record.status_by = (*stored)->status_by;
    t.record.status_time_ms = (*stored)->status_time_ms;
    t.recovery_applied = true;
  }
}

Status SeriesMonitor::ReadPlacedStages() {
  Result<std::vector<store::PlacedStage>> placed = shared_->PlacedStagesAfter(placed_seen_id_);
  if (!placed) return placed.error();
  for (store::PlacedStage& p : *placed) {
    placed_seen_id_ = std::max(placed_seen_id_, p.id);
    placed_pending_.push_back(std::move(p));
  }
  return {};
}

void SeriesMonitor::BeginPlacedStages(const Sample& sample, std::vector<MonitorEvent>& events) {
  auto reached = [&](const store::PlacedStage& p) {
    return p.stage.series.source == sample.source && p.stage.start_sample_id <= sample.id;
  };
  for (const store::PlacedStage& p : placed_pending_) {
    if (!reached(p)) continue;
    auto begin = [&](auto& t) {
      // Begun already (before a restart, saved with its number) or overtaken by a later stage.
      if (p.stage.stage.number <= t.current_stage_number()) return;
      store::StageRecord begun = t.ApplyStage(p.stage);
      // A failed write is repeated by the next server to begin the stage, or on restart.
      if (store_.SaveStage(begun)) {
        MonitorEvent e;
        e.kind = MonitorEvent::Kind::kStageChanged;
        e.stage = begun;
        events.push_back(std::move(e));
      }
    };
    SourceTrackers& trackers = TrackersFor(sample.source);
    const Metric m = p.stage.series.metric;
    if (IsContinuous(m)) {
      begin(*trackers.by_metric[static_cast<size_t>(m)]);
    } else {
      begin(*trackers.errors);
    }
  }
  std::erase_if(placed_pending_, reached);
}

Result<int> SeriesMonitor::CatchUp() {
  if (shared_ == nullptr) return 0;
  std::lock_guard<std::mutex> one_at_a_time(catch_up_mu_);
  int opened = 0;
  while (true) {
    store::SampleQuery q;
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      q.after_id = max_sample_id_;
    }
    q.limit = kReplayPage;
    Result<std::vector<Sample>> page = store_.QuerySamples(q);
    if (!page) return page.error();
    if (page->empty()) break;
    // Read after the samples: a stage placed before one of them is visible now.
    if (Status s = ReadPlacedStages(); !s) return s.error();
    std::vector<MonitorEvent> events;
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      for (const Sample& s : *page) {
        BeginPlacedStages(s, events);
        max_sample_id_ = s.id;
        Judge(s);
      }
      Flush(events, &opened);
    }
    Publish(*page, events);
    if (static_cast<int64_t>(page->size()) < q.limit) break;
  }
  return opened;
}

Result<std::vector<double>> SeriesMonitor::WindowBaseline(const SeriesKey& key,
                                                          const SeriesTracker& tracker,
                                                          std::pair<int64_t, int64_t> window) {
  store::SampleQuery q;
  q.source = key.source;
  q.since_ms = window.first;
  q.until_ms = window.second;
  q.limit = INT64_MAX;
  q.fields = store::SampleFields::kMeasures;
  Result<std::vector<Sample>> samples = store_.QuerySamples(q);
  if (!samples) return samples.error();
  std::vector<double> values;
  for (const Sample& s : *samples) {
    std::optional<double> v = s.value(key.metric);
    if (!s.error && v && spc::IsValidInput(tracker.config().transform, *v)) {
      values.push_back(*v);
    }
  }
  if (static_cast<int>(values.size()) < spc::ChartConfig::kMinBaseline) {
    return Error{"too_few_points", "the window holds " + std::to_string(values.size()) +
                                       " points; a baseline needs at least " +
                                       std::to_string(spc::ChartConfig::kMinBaseline)};
  }
  return values;
}

Result<store::StageRecord> SeriesMonitor::PlaceStage(
    const SeriesKey& key, std::optional<std::pair<int64_t, int64_t>> window, int64_t now_ms) {
  Result<store::StageRecord> planned = Error{"not_found", "no such series: " + SeriesId(key)};
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    auto it = sources_.find(key.source);
    if (it == sources_.end()) return planned;
    const SeriesTracker* t = it->second.by_metric[static_cast<size_t>(key.metric)].get();
    if (t == nullptr) {  // the error series
      if (window) return NoWindowForErrors();
      planned = it->second.errors->PlanStage(now_ms);
    } else if (window) {
      Result<std::vector<double>> values = WindowBaseline(key, *t, *window);
      if (!values) return values.error();
      planned = t->PlanStage(std::span<const double>(*values), now_ms);
    } else {
      planned = t->PlanStage(std::nullopt, now_ms);
    }
  }
  if (!planned) return planned;
  if (Status s = shared_->PlaceStage(*planned); !s) return s.error();
  // Begun here too, by the catch-up that reaches its first sample, as on every other server.
  return planned;
}

Result<store::StageRecord> SeriesMonitor::StartNewStage(
    const SeriesKey& key, std::optional<std::pair<int64_t, int64_t>> window, int64_t now_ms) {
  if (shared_ != nullptr) return PlaceStage(key, window, now_ms);
  // Hold the commit turn so no sample slips between the stage record and the chart.
  std::unique_lock<std::mutex> turn(queue_mu_);
  queue_cv_.wait(turn, [&] { return !committing_; });
  committing_ = true;
  turn.unlock();
  auto release = [&] {
    std::lock_guard<std::mutex> l(queue_mu_);
    committing_ = false;
    queue_cv_.notify_all();
  };

  Result<store::StageRecord> out = Error{"not_found", "no such series: " + SeriesId(key)};
  std::vector<MonitorEvent> events;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    auto it = sources_.find(key.source);
    if (it != sources_.end()) {
      SeriesTracker* t = it->second.by_metric[static_cast<size_t>(key.metric)].get();
      if (t == nullptr) {  // the error series
        out = window ? Result<store::StageRecord>(NoWindowForErrors())
                     : it->second.errors->StartNewStage(max_sample_id_ + 1, now_ms);
      } else if (window) {
        Result<std::vector<double>> values = WindowBaseline(key, *t, *window);
        out = values ? t->StartStageFrom(*values, max_sample_id_ + 1, now_ms)
                     : Result<store::StageRecord>(values.error());
      } else {
        out = t->StartNewStage(max_sample_id_ + 1, now_ms);
      }
      if (out.ok()) {
        if (Status s = store_.SaveStage(*out); !s) out = s.error();
      }
      if (out.ok()) {
        MonitorEvent e;
        e.kind = MonitorEvent::Kind::kStageChanged;
        e.stage = *out;
        events.push_back(std::move(e));
      }
    }
  }
  Publish({}, events);
  release();
  return out;
}

Result<store::ViolationRecord> SeriesMonitor::SetViolationStatus(int64_t id,
                                                                 store::ViolationStatus status,
                                                                 const std::string& by,
                                                                 int64_t now_ms) {
  if (Status s = store_.SetViolationStatus(id, status, by, now_ms); !s) return s.error();
  Result<std::optional<store::ViolationRecord>> v = store_.GetViolation(id);
  if (!v) return v.error();
  if (!v->has_value()) return Error{"not_found", "no violation " + std::to_string(id)};
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    for (auto& [source, trackers] : sources_) {
      (void)ForEachTracker(trackers, [&](auto& tracker) -> Status {
        for (TrackedViolation& t : tracker.tracked()) {
          if (t.record.id != id) continue;
          t.record.status = status;
          t.record.status_by = by;
          t.record.status_time_ms = now_ms;
        }
        return {};
      });
    }
  }
  MonitorEvent e;
  e.kind = MonitorEvent::Kind::kViolationStatus;
  e.violation = **v;
  Publish({}, {&e, 1});
  return **v;
}

SeriesView SeriesMonitor::MakeView(const SeriesTracker& t) {
  const spc::ControlChart& c = t.chart();
  SeriesView v;
  v.key = t.key();
  v.learning = c.learning();
  v.learning_points = c.learning_points();
  v.baseline_size = c.config().baseline_size;
  v.stage = c.current_stage();
  v.provisional = c.provisional_estimate();
  v.points = c.size();
  v.open_events = t.open_events();
  v.last = t.last_point();
  v.config = c.config();
  v.alarm = ViewOf(t.alarm());
  v.state = StateOf(v.learning, v.alarm);
  return v;
}

SeriesView SeriesMonitor::MakeView(const ErrorRateTracker& t) const {
  SeriesView v;
  v.key = t.key();
  v.learning = t.learning();
  v.learning_points = t.learning_calls();
  v.baseline_size = t.baseline_calls();
  v.stage = t.stage();
  v.points = t.calls();
  v.open_events = t.open_events();
  v.last = t.last_subgroup();
  v.config = error_view_config_;
  v.alarm = ViewOf(t.alarm());
  v.state = StateOf(v.learning, v.alarm);
  return v;
}

std::vector<SeriesView> SeriesMonitor::ListSeries() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  std::vector<SeriesView> out;
  for (const auto& [source, trackers] : sources_) {
    for (const auto& tracker : trackers.by_metric) {
      if (tracker && tracker->chart().size() > 0) out.push_back(MakeView(*tracker));
    }
    if (trackers.errors->calls() > 0) out.push_back(MakeView(*trackers.errors));
  }
  return out;
}

std::optional<SeriesView> SeriesMonitor::View(const SeriesKey& key) const {
  std::lock_guard<std::mutex> lock(state_mu_);
  auto it = sources_.find(key.source);
  if (it == sources_.end()) return std::nullopt;
  if (!IsContinuous(key.metric)) return MakeView(*it->second.errors);
  const auto& tracker = it->second.by_metric[static_cast<size_t>(key.metric)];
  if (!tracker) return std::nullopt;
  return MakeView(*tracker);
}

void SeriesMonitor::AddListener(MonitorListener listener) {
  std::lock_guard<std::mutex> lock(state_mu_);
  listeners_.push_back(std::move(listener));
}

void SeriesMonitor::Publish(std::span<const Sample> samples, std::span<const MonitorEvent> events) {
  if (samples.empty() && events.empty()) return;
  std::vector<MonitorListener> listeners;
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    listeners = listeners_;
  }
  const MonitorBatch batch{samples, events};
  for (const MonitorListener& l : listeners) l(batch);
}

}  // namespace llmscope::monitor
