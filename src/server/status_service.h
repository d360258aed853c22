// StatusService: what the status routes serve (status_routes.h), free of HTTP types: the
// status report (status/status_report.h) gathered from the live series (SeriesMonitor), the
// newest samples (RecentSamples, else the store) and the strip's history from the store, and the
// badge of one series.
//
// The strip's history is read from the store at most once a minute of the clock: today's
// samples per source (Store::CountSamplesByDay) and the warning and critical violations that
// touch the strip. The counts of the days before today change only by late samples and
// retention: they are read when the UTC day changes and at most once an hour. The states,
// latencies and last samples are read at each call.
// Thread-safe; a history read holds back the calls that need it until it is done.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "alert/severity.h"
#include "core/clock.h"
#include "core/result.h"
#include "monitor/series_monitor.h"
#include "server/recent_samples.h"
#include "status/badge_svg.h"
#include "status/status_report.h"
#include "store/store.h"

namespace llmscope::server {

// The series a badge shows: a provider, model and metric; a site or profile when given (else the
// provider and model must name one source).
struct BadgeRequest {
  std::string provider, model;
  Metric metric = Metric::kE2eMs;
  std::optional<std::string> site, profile;
};

// A source's newest samples: those of the recent window, and the time of its newest sample.
struct RecentOfSource {
  ViewPoints points;                 // the recent window, oldest first
  std::optional<int64_t> newest_ms;  // the source's newest sample, however old
};

class StatusService {
 public:
  static constexpr int kStripDays = 90;
  static constexpr int64_t kHistoryMaxAgeMs = 60'000;
  static constexpr int64_t kClosedDaysMaxAgeMs = 3'600'000;
  // The window of samples the current latencies and badges are computed over.
  static constexpr int64_t kRecentWindowMs = 3'600'000;
  static constexpr int64_t kRecentLimit = 500;

  // `monitor`, `recent` and `store` must outlive the service.
  StatusService(const monitor::SeriesMonitor& monitor, const RecentSamples& recent,
                store::Store& store, alert::SeverityOverrides severities, Clock clock);

  // Errors: storage errors.
  Result<status::StatusReport> Report();
  // Errors: "not_found" (no such series), "invalid_parameter" (several sources match: a site or
  // a profile must choose one), storage errors.
  Result<status::Badge> Badge(const BadgeRequest& request);
  // Drops the strip's history read so far, so that the next call reads it again (rows were
  // deleted from the store).
  void ForgetHistory();

 private:
  struct History {
    int64_t fetched_ms = 0;
    int64_t first_day = 0;
    std::vector<store::DailySampleCount> counts;
    std::vector<status::ViolationSpan> violations;
  };
  // The counts of the strip's days before today.
  struct ClosedDays {
    int64_t fetched_ms = 0;
    int64_t first_day = 0;
    std::vector<store::DailySampleCount> counts;
  };
  Result<std::shared_ptr<const History>> HistoryAt(int64_t now_ms);
  // closed_ for the strip from first_day, read again when stale (history_mu_ held).
  Status RefreshClosedDays(int64_t first_day, int64_t now_ms);
  Result<RecentOfSource> RecentOf(const SourceKey& source, int64_t now_ms);

  const monitor::SeriesMonitor& monitor_;
  const RecentSamples& recent_;
  store::Store& store_;
  const alert::SeverityOverrides severities_;
  const Clock clock_;
  std::mutex history_mu_;
  std::shared_ptr<const History> history_;
  std::optional<ClosedDays> closed_;
};

}  // namespace llmscope::server
