// GET /api/status's body (README "HTTP API"): the StatusReport as JSON. Each source's strip is
// given as columns (one entry a day, oldest first, from first_date) so that 200 sources × 90
// days stay small. Pure.
//
//   {"generated": ISO time, "overall": state | null, "days": N, "first_date": "YYYY-MM-DD",
//    "sources": [{"provider", "model", "site", "profile", "state",
//                 "metrics": [{"metric", "state"}], "last_sample": ISO time | null,
//                 "interval_ms": n | null, "silent_after_ms": n,
//                 "e2e_p50_ms": n | null, "e2e_p95_ms": n | null,
//                 "e2e_spark": [up to 30 means of the recent calls' e2e, oldest first],
//                 "strip": {"state": [...], "samples": [...], "errors": [...],
//                           "warnings": [...], "criticals": [...]}}]}
#pragma once

#include <nlohmann/json.hpp>

#include "status/status_report.h"

namespace llmscope::status {

nlohmann::json StatusReportJson(const StatusReport& report);

// "YYYY-MM-DD" of a UTC day number (store::UtcDayOf).
std::string UtcDate(int64_t day);

}  // namespace llmscope::status
