#include "status/badge_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string_view>
#include <vector>

#include "alert/email_message.h"
#include "spc/summary.h"
#include "status/status_text.h"

namespace llmscope::status {
namespace {

constexpr double kPadding = 10;  // px each side of a text

// `text` as XML character data: escaped, and the C0 control characters XML 1.0 forbids even as
// references (all but tab, LF and CR) shown as U+FFFD, so that no name makes the SVG invalid.
std::string XmlText(std::string_view text) {
  std::string allowed;
  allowed.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      allowed += "\uFFFD";
    } else {
      allowed += c;
    }
  }
  return alert::HtmlEscape(allowed);
}

// The short name a badge gives a metric.
std::string_view BadgeMetricName(Metric m) {
  switch (m) {
    case Metric::kE2eMs:
      return "e2e";
    case Metric::kTtftMs:
      return "ttft";
    case Metric::kTpotMs:
      return "tpot";
    case Metric::kTokensPerS:
      return "tokens/s";
    case Metric::kCostUsd:
      return "cost";
    case Metric::kError:
      return "errors";
  }
  return "";
}

std::string Printf(const char* format, double value) {
  char text[48];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// The message's value part for recent (non-empty) values.
std::string ValueText(Metric metric, std::span<const double> recent) {
  std::vector<double> sorted(recent.begin(), recent.end());
  std::sort(sorted.begin(), sorted.end());
  switch (metric) {
    case Metric::kTokensPerS:
      return "p50 " + Printf("%.0f", spc::NearestRankPercentile(sorted, 50));
    case Metric::kCostUsd:
      return "p95 $" + Printf("%.2g", spc::NearestRankPercentile(sorted, 95));
    case Metric::kError:
      return Printf("%.1f %%", 100 * std::accumulate(sorted.begin(), sorted.end(), 0.0) /
                                   static_cast<double>(sorted.size()));
    default:
      return "p95 " + FormatLatency(spc::NearestRankPercentile(sorted, 95));
  }
}

// Verdana 11 px advance widths, roughly: narrow letters and punctuation, wide letters, the rest.
double TextWidth(std::string_view text) {
  double width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      if ((c & 0xC0) == 0x80) continue;  // a continuation byte: counted with its lead byte
      width += c >= 0xE2 ? 11 : 7.5;     // CJK and symbols are wide
    } else if (std::string_view("iljtfrI.,:;'!| ()[]").find(static_cast<char>(c)) !=
               std::string_view::npos) {
      width += 3.9;
    } else if (std::string_view("mwMW%@").find(static_cast<char>(c)) != std::string_view::npos) {
      width += 10.5;
    } else if (c >= 'A' && c <= 'Z') {
      width += 7.5;
    } else {
      width += 6.8;
    }
  }
  return std::ceil(width);
}

std::string Number(double v) {
  return Printf("%.1f", v);
}

}  // namespace

Badge SeriesBadge(const SeriesKey& series, SourceState state, std::span<const double> recent) {
  Badge b;
  const std::string metric(BadgeMetricName(series.metric));
  if (state == SourceState::kSilent) {
    b.message = metric + " silent";
  } else if (recent.empty()) {
    b.message = metric + " no data";
  } else {
    b.message = metric + " " + ValueText(series.metric, recent);
  }
  b.colour = SourceStateColour(state);
  const SourceKey& k = series.source;
  b.title = k.provider + "/" + k.model + (k.site.empty() ? "" : " @ " + k.site) +
            (k.profile.empty() ? "" : " · " + k.profile) + ": " + b.message + " (" +
            SourceStateLabel(state) + ")";
  return b;
}

Badge PlainBadge(std::string message) {
  Badge b;
  b.message = std::move(message);
  b.colour = SourceStateColour(SourceState::kSilent);
  b.title = b.label + ": " + b.message;
  return b;
}

std::string RenderBadgeSvg(const Badge& badge) {
  const double label_w = TextWidth(badge.label) + 2 * kPadding;
  const double message_w = TextWidth(badge.message) + 2 * kPadding;
  const std::string total = Number(label_w + message_w), lw = Number(label_w),
                    mw = Number(message_w);
  const std::string label_x = Number(label_w / 2), message_x = Number(label_w + message_w / 2);
  const std::string label = XmlText(badge.label), message = XmlText(badge.message);
  const std::string title = XmlText(badge.title), colour = XmlText(badge.colour);
  auto text = [](const std::string& x, const std::string& content) {
    return "<text x=\"" + x + "\" y=\"15\" fill=\"#010101\" fill-opacity=\".3\">" + content +
           "</text><text x=\"" + x + "\" y=\"14\">" + content + "</text>";
  };
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + total +
         "\" height=\"20\" role=\"img\" aria-label=\"" + title + "\"><title>" + title +
         "</title><linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" "
         "stop-color=\"#bbb\" stop-opacity=\".1\"/><stop offset=\"1\" stop-opacity=\".1\"/>"
         "</linearGradient><clipPath id=\"r\"><rect width=\"" +
         total +
         "\" height=\"20\" rx=\"3\" fill=\"#fff\"/></clipPath><g clip-path=\"url(#r)\">"
         "<rect width=\"" +
         lw + "\" height=\"20\" fill=\"#555\"/><rect x=\"" + lw + "\" width=\"" + mw +
         "\" height=\"20\" fill=\"" + colour + "\"/><rect width=\"" + total +
         "\" height=\"20\" fill=\"url(#s)\"/></g><g fill=\"#fff\" text-anchor=\"middle\" "
         "font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" font-size=\"11\">" +
         text(label_x, label) + text(message_x, message) + "</g></svg>\n";
}

}  // namespace llmscope::status
