// The demo day (docs/design.md "Demo day"): when `llmscope serve` probes its default simulated
// target on an empty store, the day before now is filled first, so that every view (chart,
// violation log, comparison, status page) has content on the first page load.
//
// BackfillDemoDay marks the target's sources as demo sources (Store::MarkDemoSource: DELETE
// /api/demo deletes all their rows, the live ones too), calls a SimulatedProvider for `target`
// (same parameters, seed and `prices`, without sleeping) once per step over [now_ms - 24 h, now_ms), stamps
// each sample at its point of the day, adds plausible host telemetry and two alert-worthy
// episodes (a 20-minute slowdown and a 5-minute outage of failed calls, hours ago), and feeds the
// samples in time order to the monitor's ingest path, as live samples go: stages, violations and
// rollups are made the same way. The violations it opened are then acknowledged by kDemoUser, so
// that alerting (which starts after it) neither sends them nor catches them up. Call it once, after
// SeriesMonitor::Rebuild and before alerting, the API and the probe start, on the store the monitor
// writes to.
#pragma once

#include <cstdint>
#include <optional>

#include "core/result.h"
#include "monitor/series_monitor.h"
#include "probe/price_table.h"
#include "probe/target.h"
#include "store/store.h"

namespace llmscope::app {

inline constexpr const char* kDemoUser = "llmscope demo";
inline constexpr int64_t kDemoDayMs = int64_t{24} * 3600 * 1000;

struct DemoDay {
  int64_t samples = 0;
  int64_t acknowledged = 0;  // violations the backfill opened (and left open)
};

// `step_ms` > 0: the spacing of the samples (the target's interval). `keep_prompt_text`: as
// [server] store_prompt_text. Errors: the monitor's (storage errors).
Result<DemoDay> BackfillDemoDay(monitor::SeriesMonitor& monitor, store::Store& store,
                                const probe::Target& target, const probe::PriceTable& prices,
                                int64_t now_ms, int64_t step_ms, bool keep_prompt_text);

// BackfillDemoDay at the target's interval, now, when the store holds no sample; else does
// nothing and returns nullopt.
Result<std::optional<DemoDay>> BackfillDemoDayIfEmpty(monitor::SeriesMonitor& monitor,
                                                      store::Store& store,
                                                      const probe::Target& target,
                                                      const probe::PriceTable& prices,
                                                      bool keep_prompt_text);

}  // namespace llmscope::app
