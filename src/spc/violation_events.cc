#include "spc/violation_events.h"

#include <cmath>

namespace llmscope::spc {
namespace {

// NaN deviations (degenerate stage) never replace a recorded worst point.
bool FurtherFromCenter(double deviation, double worst) {
  return std::fabs(deviation) > std::fabs(worst);
}

}  // namespace

std::pair<const ViolationEvent&, EventGrouper::Change> EventGrouper::Add(const Firing& f) {
  std::optional<ViolationEvent>& open = open_[static_cast<size_t>(f.rule)];
  if (open && open->stage == f.stage && open->phase == f.phase &&
      open->last_index + 1 == f.index) {
    open->last_index = f.index;
    ++open->count;
    if (FurtherFromCenter(f.deviation, open->worst_deviation)) {
      open->worst_deviation = f.deviation;
      open->worst_value = f.value;
    }
    return {*open, Change::kExtended};
  }
  open = ViolationEvent{f.rule,    f.stage,  f.phase,  f.index,
                        f.index,   1,        f.value,  f.value,
                        f.deviation};
  return {*open, Change::kOpened};
}

std::vector<ViolationEvent> GroupIntoEvents(std::span<const Firing> firings) {
  EventGrouper grouper;
  std::vector<ViolationEvent> events;
  std::array<size_t, kRuleCount> latest{};  // position in `events` of each rule's open event
  for (const Firing& f : firings) {
    auto [event, change] = grouper.Add(f);
    size_t& slot = latest[static_cast<size_t>(f.rule)];
    if (change == EventGrouper::Change::kOpened) {
      slot = events.size();
      events.push_back(event);
    } else {
      events[slot] = event;
    }
  }
  return events;
}

}  // namespace llmscope::spc
