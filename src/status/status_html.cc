#include "status/status_html.h"

#include "alert/email_message.h"
#include "core/time_format.h"
#include "status/status_json.h"
#include "status/status_text.h"

namespace llmscope::status {
namespace {

using alert::HtmlEscape;

// The dashboard's palette and type (web/src/styles.css).
constexpr const char* kStyle = R"(
:root { --bg: #0e1217; --card: #151a21; --line: #2a313b; --text: #e4e7eb; --muted: #9aa4b1;
  font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; font-size: 14px;
  color: var(--text); background: var(--bg); }
* { box-sizing: border-box; }
body { margin: 0; }
h1 { font-size: 1.3rem; margin: 0; }
h2 { font-size: 1.05rem; margin: 0 0 0.6rem; }
.muted { color: var(--muted); }
.topbar { display: flex; align-items: center; gap: 1rem; padding: 0.8rem 1rem; flex-wrap: wrap; }
main { padding: 0 1rem 1rem; display: grid; gap: 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1rem; }
.source { padding: 0.6rem 0; border-top: 1px solid var(--line); }
.source:first-of-type { border-top: none; }
.head { display: flex; gap: 0.8rem; align-items: baseline; flex-wrap: wrap; }
.name { font-weight: 600; overflow-wrap: anywhere; }
.state { font-weight: 600; }
.strip { display: flex; gap: 2px; margin: 0.4rem 0; }
.day { flex: 1 1 0; min-width: 2px; max-width: 8px; height: 24px; border-radius: 2px; }
.legend { display: flex; gap: 1rem; flex-wrap: wrap; align-items: center; }
.legend .day { display: inline-block; width: 10px; height: 10px; vertical-align: middle; }
)";

// One class a state, coloured from status_text.h: "s-violation", "d-critical".
std::string StateClasses() {
  std::string css;
  for (SourceState s : {SourceState::kInControl, SourceState::kLearning, SourceState::kDegraded,
                        SourceState::kViolation, SourceState::kSilent}) {
    css += std::string(".s-") + SourceStateName(s) + " { color: " + SourceStateColour(s) + "; }\n";
  }
  for (DayState d :
       {DayState::kNoData, DayState::kInControl, DayState::kWarning, DayState::kCritical}) {
    css += std::string(".d-") + DayStateName(d) + " { background: " + DayStateColour(d) + "; }\n";
  }
  return css;
}

std::string StateWord(SourceState s) {
  return std::string("<span class=\"state s-") + SourceStateName(s) + "\">● " +
         SourceStateLabel(s) + "</span>";
}

std::string DayCell(DayState d) {
  return std::string("<span class=\"day d-") + DayStateName(d) + "\"";
}

std::string SourceName(const SourceKey& k) {
  std::string name = k.model;
  if (!k.site.empty()) name += " @ " + k.site;
  if (!k.profile.empty()) name += " · " + k.profile;
  return name;
}

std::string DayTitle(const DayStatus& d) {
  std::string title = UtcDate(d.day) + ": " + DayStateLabel(d.state);
  if (d.samples > 0) {
    title += " (" + std::to_string(d.samples) + " samples, " + std::to_string(d.errors) + " failed";
    if (d.criticals > 0) title += ", " + std::to_string(d.criticals) + " critical";
    if (d.warnings > 0) title += ", " + std::to_string(d.warnings) + " warning";
    title += ")";
  }
  return title;
}

std::string SourceHtml(const SourceStatus& s) {
  std::string html = "<div class=\"source\"><div class=\"head\"><span class=\"name\">" +
                     HtmlEscape(SourceName(s.source)) + "</span>" + StateWord(s.state);
  if (s.e2e_p50_ms && s.e2e_p95_ms) {
    html += "<span>e2e p50 " + FormatLatency(*s.e2e_p50_ms) + " · p95 " +
            FormatLatency(*s.e2e_p95_ms) + "</span>";
  }
  html += "<span class=\"muted\">last sample " +
          (s.last_sample_ms ? FormatIsoUtc(*s.last_sample_ms) : std::string("none")) +
          "</span></div>\n<div class=\"strip\" role=\"img\" aria-label=\"daily states, oldest "
          "first\">";
  for (const DayStatus& d : s.days) {
    html += DayCell(d.state) + " title=\"" + HtmlEscape(DayTitle(d)) + "\"></span>";
  }
  html += "</div>\n<div class=\"muted\">";
  for (size_t i = 0; i < s.metrics.size(); ++i) {
    if (i > 0) html += " · ";
    html +=
        std::string(MetricName(s.metrics[i].metric)) + " " + SourceStateName(s.metrics[i].state);
  }
  return html + "</div></div>\n";
}

std::string Legend(int days) {
  std::string html = "<footer class=\"card legend\"><span>Last " + std::to_string(days) +
                     " days (UTC), oldest left:</span>";
  for (DayState d :
       {DayState::kInControl, DayState::kWarning, DayState::kCritical, DayState::kNoData}) {
    html += "<span>" + DayCell(d) + "></span> " + DayStateLabel(d) + "</span>";
  }
  return html +
         "<span class=\"muted\">Critical: an alarm of critical severity (JUMP, ERRORS by "
         "default) was open that day; warning: one of warning severity (SHIFT).</span></footer>\n";
}

}  // namespace

std::string RenderStatusHtml(const StatusReport& report, int refresh_s) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta http-equiv=\"refresh\" content=\"" +
      std::to_string(refresh_s) + "\"><title>LLMscope status</title><style>" + kStyle +
      StateClasses() + "</style></head>\n<body><header class=\"topbar\"><h1>LLMscope status</h1>" +
      (report.overall ? StateWord(*report.overall) : std::string()) +
      "<span class=\"muted\">updated " + FormatIsoUtc(report.generated_ms) +
      "</span></header>\n<main>\n";
  if (report.sources.empty()) html += "<section class=\"card\">No sources yet.</section>\n";
  for (size_t i = 0; i < report.sources.size();) {
    const std::string& provider = report.sources[i].source.provider;
    html += "<section class=\"card\"><h2>" + HtmlEscape(provider) + "</h2>\n";
    for (; i < report.sources.size() && report.sources[i].source.provider == provider; ++i) {
      html += SourceHtml(report.sources[i]);
    }
    html += "</section>\n";
  }
  return html + Legend(report.days) + "</main></body></html>\n";
}

}  // namespace llmscope::status
