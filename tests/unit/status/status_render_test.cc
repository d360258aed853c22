// The status page, its JSON and the badges (status/status_html.h, status_json.h, badge_svg.h):
// what they show, and that hostile names are escaped everywhere — a name adds no markup.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "status/badge_svg.h"
#include "status/status_html.h"
#include "status/status_json.h"
#include "status/status_report.h"

namespace llmscope::status {
namespace {

constexpr int64_t kToday = 20500;
constexpr int64_t kNow = kToday * store::kDayMs + 3'600'000;

const std::vector<std::string> kHostileNames = {"<script>alert(1)</script>",
                                                "\"><img src=x onerror=alert(1)>",
                                                "a & b &amp; c",
                                                "]]><evil/>",
                                                "it's 'quoted'",
                                                "模型 ✓ naïve"};

StatusReport ReportWith(const SourceKey& source) {
  StatusInputs inputs;
  inputs.now_ms = kNow;
  inputs.days = 3;
  SourceInput in;
  in.source = source;
  in.metrics = {{Metric::kE2eMs, SourceState::kViolation}};
  in.last_sample_ms = kNow - 1000;
  in.interval_ms = 2000;
  in.recent_e2e_ms = {800, 1200, 1500};
  inputs.sources = {in};
  inputs.day_counts = {{source, kToday, 40, 2}};
  inputs.violations = {{source, kNow - 10, kNow - 5, alert::Severity::kCritical}};
  return BuildStatusReport(inputs);
}

size_t CountOf(const std::string& text, char c) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), c));
}

// The markup characters a rendering holds; a name rendered escaped adds none.
std::vector<size_t> Markup(const std::string& text) {
  return {CountOf(text, '<'), CountOf(text, '>'), CountOf(text, '"'), CountOf(text, '\'')};
}

TEST(StatusHtml, ShowsEachSourceWithItsStateStripAndLegend) {
  const std::string html =
      RenderStatusHtml(ReportWith(SourceKey{"ollama", "llama3", "eu", "long"}));
  EXPECT_NE(html.find("<h2>ollama</h2>"), std::string::npos);
  EXPECT_NE(html.find("llama3 @ eu · long"), std::string::npos);
  EXPECT_NE(html.find("● Violation"), std::string::npos);
  EXPECT_NE(html.find("e2e p50 1.2 s · p95 1.5 s"), std::string::npos);
  EXPECT_NE(html.find("<meta http-equiv=\"refresh\" content=\"60\">"), std::string::npos);
  EXPECT_NE(html.find("title=\"2026-02-16: Critical (40 samples, 2 failed, 1 critical)\""),
            std::string::npos)
      << html;
  EXPECT_EQ(CountOf(html, '\0'), 0u);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "the page runs no script";
  EXPECT_EQ(html.find("style=\""), std::string::npos) << "no style attributes";
  size_t cells = 0;
  for (size_t at = html.find("class=\"day d-"); at != std::string::npos;
       at = html.find("class=\"day d-", at + 1)) {
    ++cells;
  }
  EXPECT_EQ(cells, 3u + 4u) << "three days, and four in the legend";
}

TEST(StatusHtml, EscapesHostileNames) {
  const std::string plain = RenderStatusHtml(ReportWith(SourceKey{"p", "m", "s", "f"}));
  for (const std::string& name : kHostileNames) {
    const std::string html = RenderStatusHtml(ReportWith(SourceKey{name, name, name, name}));
    EXPECT_EQ(Markup(html), Markup(plain)) << name;
    if (name.find_first_of("<>&\"'") != std::string::npos) {
      EXPECT_EQ(html.find(name), std::string::npos) << name;
    } else {
      EXPECT_NE(html.find(name), std::string::npos) << "unicode is kept: " << name;
    }
  }
  const std::string html = RenderStatusHtml(ReportWith(SourceKey{"<script>", "a&b", "", ""}));
  EXPECT_NE(html.find("<h2>&lt;script&gt;</h2>"), std::string::npos);
  EXPECT_NE(html.find("a&amp;b"), std::string::npos);
}

TEST(StatusJson, GivesStatesStripColumnsAndNamesVerbatim) {
  const SourceKey source{"<script>", "]]>\"", "", "✓"};
  const nlohmann::json j = StatusReportJson(ReportWith(source));
  EXPECT_EQ(j["overall"], "violation");
  EXPECT_EQ(j["days"], 3);
  EXPECT_EQ(j["first_date"], "2026-02-14");
  const nlohmann::json& s = j["sources"][0];
  EXPECT_EQ(s["provider"], "<script>");
  EXPECT_EQ(s["model"], "]]>\"");
  EXPECT_EQ(s["profile"], "✓");
  EXPECT_EQ(s["state"], "violation");
  EXPECT_EQ(s["metrics"][0], (nlohmann::json{{"metric", "e2e_ms"}, {"state", "violation"}}));
  EXPECT_EQ(s["e2e_p95_ms"], 1500);
  EXPECT_EQ(s["e2e_spark"], (nlohmann::json{800, 1200, 1500}));
  EXPECT_EQ(s["silent_after_ms"], 60000);
  EXPECT_EQ(s["strip"]["state"], (nlohmann::json{"no_data", "no_data", "critical"}));
  EXPECT_EQ(s["strip"]["samples"], (nlohmann::json{0, 0, 40}));
  EXPECT_EQ(s["strip"]["errors"], (nlohmann::json{0, 0, 2}));
}

TEST(Badge, SaysTheMetricsValueColouredByState) {
  const SeriesKey e2e{SourceKey{"ollama", "llama3", "", ""}, Metric::kE2eMs};
  std::vector<double> values;
  for (int v = 1; v <= 20; ++v) values.push_back(v * 100.0);
  Badge b = SeriesBadge(e2e, SourceState::kInControl, values);
  EXPECT_EQ(b.label, "llmscope");
  EXPECT_EQ(b.message, "e2e p95 1.9 s");
  EXPECT_EQ(b.colour, "#009e73");
  EXPECT_EQ(SeriesBadge(e2e, SourceState::kViolation, values).colour, "#d55e00");
  EXPECT_EQ(SeriesBadge(e2e, SourceState::kSilent, values).message, "e2e silent");
  EXPECT_EQ(SeriesBadge(e2e, SourceState::kInControl, {}).message, "e2e no data");
  EXPECT_EQ(SeriesBadge({e2e.source, Metric::kError}, SourceState::kInControl,
                        std::vector<double>{0, 0, 1, 0})
                .message,
            "errors 25.0 %");
  EXPECT_EQ(SeriesBadge({e2e.source, Metric::kTokensPerS}, SourceState::kInControl,
                        std::vector<double>{40, 42, 44})
                .message,
            "tokens/s p50 42");

  const std::string svg = RenderBadgeSvg(b);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find(">e2e p95 1.9 s</text>"), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#009e73\""), std::string::npos);
  EXPECT_NE(svg.find("<title>ollama/llama3: e2e p95 1.9 s (In control)</title>"), std::string::npos)
      << svg;
}

TEST(Badge, WiderTextMakesAWiderBadge) {
  auto width = [](const std::string& message) {
    Badge b = PlainBadge(message);
    const std::string svg = RenderBadgeSvg(b);
    const size_t at = svg.find("width=\"") + 7;
    return std::stod(svg.substr(at, svg.find('"', at) - at));
  };
  EXPECT_LT(width("ok"), width("a much longer message"));
  EXPECT_LT(width("iiii"), width("MMMM"));
}

TEST(Badge, EscapesHostileNames) {
  const SeriesKey plain_key{SourceKey{"p", "m", "", ""}, Metric::kE2eMs};
  const std::string plain =
      RenderBadgeSvg(SeriesBadge(plain_key, SourceState::kInControl, std::vector<double>{1}));
  for (const std::string& name : kHostileNames) {
    const SeriesKey key{SourceKey{name, name, "", ""}, Metric::kE2eMs};
    const std::string svg =
        RenderBadgeSvg(SeriesBadge(key, SourceState::kInControl, std::vector<double>{1}));
    EXPECT_EQ(Markup(svg), Markup(plain)) << name;
    EXPECT_EQ(svg.find("]]><"), std::string::npos) << name;
  }
  const std::string svg = RenderBadgeSvg(PlainBadge("<a & b>"));
  EXPECT_NE(svg.find(">&lt;a &amp; b&gt;</text>"), std::string::npos) << svg;
}

// XML 1.0 allows no C0 control character but tab, LF and CR, not even as a reference: a name
// holding one (JSON ingest takes "\u0001") must still give a well-formed SVG.
TEST(Badge, ControlCharactersInNamesCannotMakeTheSvgInvalid) {
  const std::string name = std::string("bad\x01\x1b[31m\x7f") + '\0' + "end\tok";
  const SeriesKey key{SourceKey{name, name, name, name}, Metric::kE2eMs};
  const std::string svg =
      RenderBadgeSvg(SeriesBadge(key, SourceState::kInControl, std::vector<double>{1}));
  for (char c : svg) {
    const auto byte = static_cast<unsigned char>(c);
    EXPECT_TRUE(byte >= 0x20 || c == '\t' || c == '\n' || c == '\r') << static_cast<int>(byte);
  }
  EXPECT_EQ(svg.find("&#"), std::string::npos) << "no character references to them either";
  EXPECT_NE(svg.find("bad\uFFFD\uFFFD[31m\x7f\uFFFDend\tok"), std::string::npos) << svg;
}

}  // namespace
}  // namespace llmscope::status
