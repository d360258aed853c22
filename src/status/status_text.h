// How the status page and the badges show states and values: one colour per state (the
// dashboard's palette, web/src/styles.css, colour-blind safe; a word always goes with it) and
// latencies in ms or s. Pure.
#pragma once

#include <string>

#include "status/status_report.h"

namespace llmscope::status {

// "#rrggbb".
const char* SourceStateColour(SourceState s);
const char* DayStateColour(DayState s);

// "850 ms", "1.2 s", "12 s": ms below a second, else seconds with one decimal below 10 s.
std::string FormatLatency(double ms);

}  // namespace llmscope::status
