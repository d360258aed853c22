// The background pass that keeps the sketch hours (sketch_hours.h): for every source, each closed
// hour whose stored sketches count fewer or more values than its hour rollups (none built yet, or
// samples that came after the sketch was) is built again from the hour's samples and put.
// The server runs it every 10 minutes, so an hour is sketched minutes after it closes, long
// before retention deletes its samples (docs/design.md "Rollups").
//
// I/O through the Store interface only; no clock (the caller passes now).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "core/result.h"
#include "store/rollups.h"
#include "store/store.h"

namespace llmscope::store {

struct SketchPassResult {
  int64_t hours_built = 0;
  int64_t samples_read = 0;
  bool complete = true;  // false: stopped at max_hours with hours left; run it again
};

// The hours of one source to sketch, oldest first: those in `rollup_counts` (hour → value count of
// each sketched metric, from its hour rollups) whose counts differ from `sketch_counts` (the same
// from its stored sketches; an hour or metric missing there counts 0).
using HourValueCounts = std::map<int64_t, std::array<int64_t, kSketchedMetrics.size()>>;
std::vector<int64_t> HoursToSketch(const HourValueCounts& rollup_counts,
                                   const HourValueCounts& sketch_counts);

// Checks the closed hours with since_ms ≤ hour < the hour of now_ms of every source and builds
// the ones HoursToSketch names, at most max_hours in all, oldest first within a source. A
// source's hours are put together (PutSketchHours), so a failure leaves each source's sketches
// as they were or fully built.
Result<SketchPassResult> RunSketchPass(Store& store, int64_t since_ms, int64_t now_ms,
                                       int64_t max_hours);

}  // namespace llmscope::store
