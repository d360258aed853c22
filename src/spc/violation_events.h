// Grouping of firings into violation events (docs/spc.md §5): consecutive firings of one rule on
// one series (indices i, i+1, ..., same stage and phase) form one event, so one shift makes one
// alert, not fifty.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "spc/firing.h"

namespace llmscope::spc {

struct ViolationEvent {
  Rule rule = Rule::kR1;
  int stage = 0;
  Phase phase = Phase::kMonitoring;
  int64_t first_index = 0, last_index = 0;
  int64_t count = 0;           // firings grouped (last − first + 1)
  double first_value = 0;      // the point where it started, original unit
  double worst_value = 0;      // the point furthest from the center, original unit
  double worst_deviation = 0;  // its deviation in σ̂ (NaN on a degenerate stage)
};

// Streaming grouping for one series. Firings must arrive in index order.
class EventGrouper {
 public:
  enum class Change { kOpened, kExtended };

  // Adds a firing to the open event of its rule when it continues it, else opens a new event
  // (which closes the rule's previous one). Returns the event it now belongs to and how.
  std::pair<const ViolationEvent&, Change> Add(const Firing& firing);

 private:
  std::array<std::optional<ViolationEvent>, kRuleCount> open_;
};

// Groups firings given in index order; events come out in order of their first index.
std::vector<ViolationEvent> GroupIntoEvents(std::span<const Firing> firings);

}  // namespace llmscope::spc
