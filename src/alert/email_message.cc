#include "alert/email_message.h"

#include <time.h>

#include <cstdio>

#include "alert/crypto.h"
#include "core/time_format.h"

namespace llmscope::alert {
namespace {

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80 || c == '\r' || c == '\n') return false;
  }
  return true;
}

// An unstructured header value: as it is when ASCII, else an RFC 2047 encoded word.
std::string HeaderText(std::string_view s) {
  if (IsAscii(s)) return std::string(s);
  return "=?UTF-8?B?" + Base64(s) + "?=";
}

std::string Rfc5322Date(int64_t ms) {
  const time_t t = static_cast<time_t>(ms / 1000);
  tm parts{};
  gmtime_r(&t, &parts);
  char buf[64];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &parts);
  return buf;
}

std::string Base64Lines(std::string_view data) {
  const std::string b = Base64(data);
  std::string out;
  for (size_t i = 0; i < b.size(); i += 76) out += b.substr(i, 76) + "\r\n";
  return out;
}

std::string Row(const std::string& name, const std::string& value) {
  return "<tr><th align=\"left\">" + HtmlEscape(name) + "</th><td>" + HtmlEscape(value) +
         "</td></tr>\n";
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
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
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

EmailContent RenderEmail(const AlertFacts& f) {
  const Metric m = f.series.metric;
  const std::string rule =
      std::string(spc::RuleName(f.rule)) + ": " + std::string(spc::RuleMeaning(f.rule));
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Series", SeriesId(f.series)},
      {"Rule", rule},
      {"Severity", std::string(SeverityName(f.severity))},
      {"Value", FormatMetricValue(m, f.worst_value) + " (first point " +
                    FormatMetricValue(m, f.value) + ")"},
      {"Deviation", FormatDeviation(f.deviation)},
      {"Limits", "LCL " + FormatMetricValue(m, f.limits.lcl) + ", CL " +
                     FormatMetricValue(m, f.limits.center) + ", UCL " +
                     FormatMetricValue(m, f.limits.ucl)},
      {"First seen", FormatIsoUtc(f.first_time_ms)},
      {"Points", std::to_string(f.count)},
  };
  if (f.kind == store::DeliveryKind::kResolve) {
    rows.emplace_back("Resolved", FormatIsoUtc(f.event_time_ms) +
                                      (f.resolved_by.empty() ? "" : " by " + f.resolved_by));
  }
  EmailContent out;
  out.subject = "LLMscope: " + Headline(f);
  out.text = Headline(f) + "\n\n";
  out.html = "<!DOCTYPE html>\n<html><body>\n<h2>" + HtmlEscape(Headline(f)) + "</h2>\n<table>\n";
  for (const auto& [name, value] : rows) {
    out.text.append(name).append(": ").append(value).append("\n");
    out.html += Row(name, value);
  }
  out.html += "</table>\n";
  if (!f.link.empty()) {
    out.text += "\nIn the dashboard: " + f.link + "\n";
    out.html += "<p><a href=\"" + HtmlEscape(f.link) + "\">Open in LLMscope</a></p>\n";
  }
  out.html += "</body></html>\n";
  return out;
}

std::string MessageIdFor(std::string_view key, std::string_view from) {
  std::string id;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    id += ok ? c : '.';
  }
  const size_t at = from.rfind('@');
  std::string domain(at == std::string_view::npos ? "llmscope.invalid" : from.substr(at + 1));
  while (!domain.empty() && domain.back() == '>') domain.pop_back();
  return "<llmscope." + id + "@" + domain + ">";
}

std::string BuildMimeMessage(const MimeHeaders& h, const EmailContent& c) {
  const std::string boundary =
      "=_llmscope_" + HmacSha256Hex("boundary", h.idempotency_key).substr(0, 24);
  std::string to;
  for (const std::string& a : h.to) to += (to.empty() ? "" : ", ") + a;
  std::string m;
  m += "From: " + h.from + "\r\n";
  m += "To: " + to + "\r\n";
  m += "Subject: " + HeaderText(c.subject) + "\r\n";
  m += "Date: " + Rfc5322Date(h.date_ms) + "\r\n";
  m += "Message-ID: " + MessageIdFor(h.idempotency_key, h.from) + "\r\n";
  m += "X-LLMscope-Idempotency-Key: " + h.idempotency_key + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  m += "\r\n";
  m += "This is a MIME message with a plain-text and an HTML part.\r\n";
  for (const auto& [type, body] :
       {std::pair<const char*, const std::string*>{"text/plain", &c.text},
        {"text/html", &c.html}}) {
    m += "\r\n--" + boundary + "\r\n";
    m += std::string("Content-Type: ") + type + "; charset=UTF-8\r\n";
    m += "Content-Transfer-Encoding: base64\r\n\r\n";
    m += Base64Lines(*body);
  }
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

}  // namespace llmscope::alert
