// SharedStore: a Store that several `llmscope serve` processes use at once (docs/design.md "Scale";
// docs/design.md "Several servers on one database"). Beyond Store's contract it gives the
// database-level coordination that keeps their charts and violation logs the same:
//
// - Sample ids commit in increasing order: a reader that saw id n and later reads ids > n never
//   misses a sample committed in between. Every server feeds its charts from the store in id
//   order (SeriesMonitor's shared mode), so all of them judge the same sequence.
// - A violation event is stored once, keyed by what identifies it (series, stage, phase, rule,
//   first index): the servers that find it all get the one id.
// - A new stage is placed in that sample order: it begins at the next sample appended, and a
//   reader that has read that sample can read the placement.
//
// PostgresStore is the implementation; the embedded SQLite store is one server's alone.
#pragma once

#include <span>

#include "core/result.h"
#include "store/records.h"
#include "store/store.h"

namespace llmscope::store {

// A stage placed by PlaceStage, with its placement id (increasing in placement order).
struct PlacedStage {
  int64_t id = 0;
  StageRecord stage;
};

class SharedStore : public Store {
 public:
  // Store::WriteViolations for several servers, in one transaction: each new violation (id 0)
  // is inserted unless one with the same event key (series, stage, phase, rule, first_index) was
  // inserted by this method before; either way its id becomes the stored event's id, and when
  // the event existed its status, status_by, status_time_ms and created_ms are copied into it
  // too and it is not written. The others' extents are updated (a row gone meanwhile is not an
  // error). All or nothing: on an error no id is set. Safe to run from several servers at once
  // on overlapping violations (no deadlock between them).
  virtual Status WriteViolationsOnce(std::span<ViolationRecord* const> violations) = 0;

  // Places a new stage (a re-baseline) of stage.series in the sample order: sets
  // stage.start_sample_id to an id above every sample appended so far and at most the id of the
  // next sample appended, and keeps the record among the placed stages (not in the stages
  // table: each server begins the stage when it reaches that sample, then saves it).
  virtual Status PlaceStage(StageRecord& stage) = 0;
  // The placed stages with a placement id above `after_id`, in placement order. A stage placed
  // before a sample was appended is returned to a reader that has read that sample.
  virtual Result<std::vector<PlacedStage>> PlacedStagesAfter(int64_t after_id) = 0;
};

}  // namespace llmscope::store
