// GET /status's page (README "HTTP API"): the StatusReport as one server-rendered HTML page in
// the dashboard's look, no script. Sources grouped by provider, each with its state, e2e p50/p95,
// last sample, its metrics' states and a strip of one cell a day coloured by the day's state
// (a title gives the date, the state and the counts); a legend; the time it was built. The page
// reloads itself every `refresh_s` seconds (<meta http-equiv="refresh">, which the CSP of
// server/browser_headers.h allows; its styles are one <style> element, allowed by the CSP's
// style-src 'unsafe-inline'; no style attributes). Every name is HTML-escaped. Pure.
#pragma once

#include <string>

#include "status/status_report.h"

namespace llmscope::status {

std::string RenderStatusHtml(const StatusReport& report, int refresh_s = 60);

}  // namespace llmscope::status
