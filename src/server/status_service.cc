#include "server/status_service.h"

#include <cmath>
#include <map>
#include <utility>

namespace llmscope::server {
namespace {

status::SourceState StateOfSeries(monitor::SeriesState s) {
  switch (s) {
    case monitor::SeriesState::kLearning:
      return status::SourceState::kLearning;
    case monitor::SeriesState::kInControl:
      return status::SourceState::kInControl;
    case monitor::SeriesState::kDegraded:
      return status::SourceState::kDegraded;
    case monitor::SeriesState::kViolation:
      return status::SourceState::kViolation;
  }
  return status::SourceState::kLearning;
}

// The recent values of a metric: successful calls' finite values; for errors, 1 or 0 a call.
std::vector<double> ValuesOf(const ViewPoints& points, Metric metric) {
  std::vector<double> values;
  values.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    const ViewPoint& p = points[i];
    const double v = p.metric[static_cast<size_t>(metric)];
    if (metric == Metric::kError) {
      values.push_back(p.error ? 1 : 0);
    } else if (!p.error && std::isfinite(v)) {
      values.push_back(v);
    }
  }
  return values;
}

// The live series grouped by source.
std::map<SourceKey, std::vector<monitor::SeriesView>> SeriesBySource(
    const monitor::SeriesMonitor& monitor) {
  std::map<SourceKey, std::vector<monitor::SeriesView>> by_source;
  for (monitor::SeriesView& v : monitor.ListSeries()) {
    by_source[v.key.source].push_back(std::move(v));
  }
  return by_source;
}

// One source's input, from its series' views and recent samples.
status::SourceInput SourceInputOf(const SourceKey& source,
                                  const std::vector<monitor::SeriesView>& views,
                                  const RecentOfSource& recent) {
  status::SourceInput in;
  in.source = source;
  for (const monitor::SeriesView& v : views) {
    in.metrics.push_back(status::MetricStatus{v.key.metric, StateOfSeries(v.state)});
    if (v.key.metric == Metric::kE2eMs && v.alarm.interval_ms) in.interval_ms = v.alarm.interval_ms;
  }
  in.last_sample_ms = recent.newest_ms;
  // Until the alarm knows the interval, the recent window's mean gap estimates it.
  if (!in.interval_ms && recent.points.size() >= 2) {
    in.interval_ms =
        static_cast<double>(recent.points.back().time_ms - recent.points.front().time_ms) /
        static_cast<double>(recent.points.size() - 1);
  }
  in.recent_e2e_ms = ValuesOf(recent.points, Metric::kE2eMs);
  return in;
}

}  // namespace

StatusService::StatusService(const monitor::SeriesMonitor& monitor, const RecentSamples& recent,
                             store::Store& store, alert::SeverityOverrides severities, Clock clock)
    : monitor_(monitor),
      recent_(recent),
      store_(store),
      severities_(std::move(severities)),
      clock_(std::move(clock)) {}

void StatusService::ForgetHistory() {
  std::lock_guard<std::mutex> lock(history_mu_);
  history_.reset();
  closed_.reset();
}

Result<std::shared_ptr<const StatusService::History>> StatusService::HistoryAt(int64_t now_ms) {
  std::lock_guard lock(history_mu_);
  const int64_t first_day = store::UtcDayOf(now_ms) - kStripDays + 1;
  if (history_ && history_->first_day == first_day &&
      now_ms - history_->fetched_ms < kHistoryMaxAgeMs && now_ms >= history_->fetched_ms) {
    return history_;
  }
  if (Status s = RefreshClosedDays(first_day, now_ms); !s) return s.error();
  auto history = std::make_shared<History>();
  history->fetched_ms = now_ms;
  history->first_day = first_day;
  const int64_t since_ms = first_day * store::kDayMs;
  // Today's samples, and those a little in the future that ingest accepts.
  Result<std::vector<store::DailySampleCount>> today =
      store_.CountSamplesByDay(store::UtcDayOf(now_ms) * store::kDayMs, INT64_MAX);
  if (!today) return today.error();
  history->counts = closed_->counts;
  history->counts.insert(history->counts.end(), today->begin(), today->end());
  store::ViolationQuery q;
  q.rules =
      alert::RulesOfSeverity({alert::Severity::kWarning, alert::Severity::kCritical}, severities_);
  q.since_ms = since_ms;
  q.limit = 100000;
  q.context = store::ViolationQuery::Context::kNone;
  Result<std::vector<store::ViolationRecord>> violations = store_.QueryViolations(q);
  if (!violations) return violations.error();
  for (const store::ViolationRecord& v : *violations) {
    history->violations.push_back(status::ViolationSpan{
        v.series.source, v.first_time_ms, v.last_time_ms, alert::SeverityOf(v.rule, severities_)});
  }
  history_ = std::move(history);
  return history_;
}

Status StatusService::RefreshClosedDays(int64_t first_day, int64_t now_ms) {
  if (closed_ && closed_->first_day == first_day && now_ms >= closed_->fetched_ms &&
      now_ms - closed_->fetched_ms < kClosedDaysMaxAgeMs) {
    return {};
  }
  Result<std::vector<store::DailySampleCount>> counts =
      store_.CountSamplesByDay(first_day * store::kDayMs, store::UtcDayOf(now_ms) * store::kDayMs);
  if (!counts) return counts.error();
  closed_ = ClosedDays{now_ms, first_day, std::move(*counts)};
  return {};
}

Result<RecentOfSource> StatusService::RecentOf(const SourceKey& source, int64_t now_ms) {
  RecentOfSource r;
  std::optional<ViewPoints> window =
      recent_.Window(source, now_ms - kRecentWindowMs, INT64_MAX, kRecentLimit);
  if (!window) {
    store::SampleQuery q;
    q.source = source;
    q.since_ms = now_ms - kRecentWindowMs;
    q.limit = kRecentLimit;
    q.newest_first = true;
    Result<std::vector<Sample>> samples = store_.QuerySamples(q);
    if (!samples) return samples.error();
    std::vector<ViewPoint> read;
    read.reserve(samples->size());
    for (auto s = samples->rbegin(); s != samples->rend(); ++s) read.push_back(ViewPoint::From(*s));
    window = ViewPoints(std::move(read));
  }
  r.points = std::move(*window);
  if (!r.points.empty()) {
    r.newest_ms = r.points.back().time_ms;
    return r;
  }
  // Nothing in the window: the newest sample is older, or not in memory.
  std::optional<ViewPoints> newest = recent_.Window(source, INT64_MIN, INT64_MAX, 1);
  if (newest && !newest->empty()) {
    r.newest_ms = newest->back().time_ms;
    return r;
  }
  store::SampleQuery q;
  q.source = source;
  q.limit = 1;
  q.newest_first = true;
  Result<std::vector<Sample>> samples = store_.QuerySamples(q);
  if (!samples) return samples.error();
  if (!samples->empty()) r.newest_ms = samples->front().time_ms;
  return r;
}

Result<status::StatusReport> StatusService::Report() {
  const int64_t now_ms = clock_();
  Result<std::shared_ptr<const History>> history = HistoryAt(now_ms);
  if (!history) return history.error();
  status::StatusInputs inputs;
  inputs.now_ms = now_ms;
  inputs.days = kStripDays;
  inputs.day_counts = (*history)->counts;
  inputs.violations = (*history)->violations;
  for (const auto& [source, views] : SeriesBySource(monitor_)) {
    Result<RecentOfSource> recent = RecentOf(source, now_ms);
    if (!recent) return recent.error();
    inputs.sources.push_back(SourceInputOf(source, views, *recent));
  }
  return status::BuildStatusReport(inputs);
}

Result<status::Badge> StatusService::Badge(const BadgeRequest& request) {
  const int64_t now_ms = clock_();
  std::optional<std::pair<SourceKey, std::vector<monitor::SeriesView>>> match;
  for (auto& [source, views] : SeriesBySource(monitor_)) {
    if (source.provider != request.provider || source.model != request.model ||
        (request.site && source.site != *request.site) ||
        (request.profile && source.profile != *request.profile)) {
      continue;
    }
    if (match) return Error{"invalid_parameter", "several sources match: add ?site= or ?profile="};
    match.emplace(source, std::move(views));
  }
  if (!match) return Error{"not_found", "no such series"};
  const std::vector<monitor::SeriesView>& views = match->second;
  const monitor::SeriesView* series = nullptr;
  for (const monitor::SeriesView& v : views) {
    if (v.key.metric == request.metric) series = &v;
  }
  if (!series) return Error{"not_found", "no such series"};
  Result<RecentOfSource> recent = RecentOf(match->first, now_ms);
  if (!recent) return recent.error();
  // The series' own state, unless its source has gone silent.
  status::SourceState state = StateOfSeries(series->state);
  if (status::SourceStateOf(SourceInputOf(match->first, views, *recent), now_ms) ==
      status::SourceState::kSilent) {
    state = status::SourceState::kSilent;
  }
  const std::vector<double> values = ValuesOf(recent->points, request.metric);
  return status::SeriesBadge(series->key, state, values);
}

}  // namespace llmscope::server
