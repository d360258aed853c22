// The README badge of one series (GET /badge/{provider}/{model}/{metric}.svg): a flat badge in
// the shields.io manner, "llmscope | e2e p95 1.2 s", its right half coloured by the series'
// state (status_text.h). Pure.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "core/sample.h"
#include "status/status_report.h"

namespace llmscope::status {

struct Badge {
  std::string label = "llmscope";
  std::string message;
  std::string colour;  // "#rrggbb"
  std::string title;   // the accessible name and tooltip: the series and the message
};

// The badge of a series in `state` from its recent values (the metric's values of the newest
// successful calls; for Metric::kError one 1 or 0 per call, failed or not):
//   e2e, ttft, tpot   "<metric> p95 1.2 s"
//   tokens_per_s      "tokens/s p50 42"
//   cost_usd          "cost p95 $0.0012"
//   error             "errors 1.5 %"
// "<metric> silent" for a silent source, "<metric> no data" without recent values.
Badge SeriesBadge(const SeriesKey& series, SourceState state, std::span<const double> recent);

// A grey badge with a message of its own ("unknown series").
Badge PlainBadge(std::string message);

// The badge as an SVG document; every text is XML-escaped. Its width follows the texts' widths
// in Verdana 11 px, estimated per character.
std::string RenderBadgeSvg(const Badge& badge);

}  // namespace llmscope::status
