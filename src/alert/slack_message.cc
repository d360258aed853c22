#include "alert/slack_message.h"

#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace llmscope::alert {
namespace {

using Json = nlohmann::ordered_json;

Json Field(const std::string& title, const std::string& value) {
  return Json{{"type", "mrkdwn"}, {"text", "*" + title + "*\n" + SlackEscape(value)}};
}

}  // namespace

std::string SlackEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderSlackMessage(const AlertFacts& f) {
  const std::string headline = Headline(f);
  const Metric m = f.series.metric;
  std::string intro = "*" + SlackEscape(headline) + "*\n" + std::string(spc::RuleName(f.rule)) +
                      ": " + SlackEscape(spc::RuleMeaning(f.rule));
  if (f.kind == store::DeliveryKind::kResolve) {
    intro += "\nResolved" + (f.resolved_by.empty() ? "" : " by " + SlackEscape(f.resolved_by)) +
             " at " + FormatIsoUtc(f.event_time_ms);
  }
  Json fields = Json::array({
      Field("Series", SeriesId(f.series)),
      Field("Severity", std::string(SeverityName(f.severity))),
      Field("Value", FormatMetricValue(m, f.worst_value) + " (first point " +
                         FormatMetricValue(m, f.value) + ")"),
      Field("Deviation", FormatDeviation(f.deviation)),
      Field("Limits", "LCL " + FormatMetricValue(m, f.limits.lcl) + " · CL " +
                          FormatMetricValue(m, f.limits.center) + " · UCL " +
                          FormatMetricValue(m, f.limits.ucl)),
      Field("First seen", FormatIsoUtc(f.first_time_ms)),
  });
  Json blocks =
      Json::array({Json{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", intro}}}},
                   Json{{"type", "section"}, {"fields", fields}}});
  if (!f.link.empty()) {
    const std::string label =
        f.violation_id > 0 ? "View violation " + std::to_string(f.violation_id) + " in LLMscope"
                           : "Open LLMscope";
    blocks.push_back(
        Json{{"type", "section"},
             {"text", {{"type", "mrkdwn"}, {"text", "<" + f.link + "|" + label + ">"}}}});
  }
  Json body{{"text", headline + (f.link.empty() ? "" : " " + f.link)}, {"blocks", blocks}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace llmscope::alert
