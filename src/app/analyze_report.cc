#include "app/analyze_report.h"

#include <cmath>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "server/json_views.h"

namespace llmscope::app {
namespace {

using nlohmann::ordered_json;

std::string Fixed(double v, int digits = 2) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string Signed(double v) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%+.2f", v);
  return buf;
}

std::string Optional(const std::optional<double>& v) { return v ? Fixed(*v, 3) : "-"; }

ordered_json Nullable(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? ordered_json(*v) : ordered_json(nullptr);
}

void WriteJson(const Analysis& a, const ReportHeading& h, std::ostream& out) {
  const spc::Stage& s = a.stage;
  out << ordered_json{{"type", "stage"},
                      {"source", h.source},
                      {"series", h.series},
                      {"stage", s.number},
                      {"start_index", s.start_index},
                      {"baseline_size", s.baseline_size},
                      {"transform", spc::TransformName(s.transform)},
                      {"sigma_method", spc::SigmaMethodName(s.sigma_method)},
                      {"mean", s.mean},
                      {"sigma", s.sigma},
                      {"degenerate", s.degenerate()},
                      {"limits", server::LimitsJson(a.original_limits)},
                      {"chart_scale_limits", server::LimitsJson(a.chart_limits)}}
             .dump()
      << '\n';
  const spc::Summary& m = a.summary;
  ordered_json by_rule = ordered_json::object();
  for (spc::Rule r : spc::kAllRules) {
    by_rule[std::string(spc::RuleName(r))] = m.firings_by_rule[static_cast<size_t>(r)];
  }
  out << ordered_json{{"type", "summary"}, {"count", m.count},   {"mean", m.mean},
                      {"median", m.median}, {"stddev", m.stddev}, {"min", m.min},
                      {"max", m.max},       {"p50", m.p50},       {"p95", m.p95},
                      {"p99", m.p99},       {"events", a.events.size()},
                      {"firings", a.firings.size()}, {"firings_by_rule", by_rule}}
             .dump()
      << '\n';
  if (a.capability) {
    const spc::Capability& c = *a.capability;
    out << ordered_json{{"type", "capability"}, {"cp", Nullable(c.cp)},   {"cpk", Nullable(c.cpk)},
                        {"pp", Nullable(c.pp)},  {"ppk", Nullable(c.ppk)},
                        {"share_beyond_spec", c.share_beyond_spec}, {"n", c.n}}
               .dump()
        << '\n';
  }
  for (const spc::ViolationEvent& e : a.events) {
    out << ordered_json{{"type", "event"},
                        {"rule", spc::RuleName(e.rule)},
                        {"phase", spc::PhaseName(e.phase)},
                        {"stage", e.stage},
                        {"first_index", e.first_index},
                        {"last_index", e.last_index},
                        {"count", e.count},
                        {"first_value", e.first_value},
                        {"worst_value", e.worst_value},
                        {"worst_sigma", Nullable(e.worst_deviation)},
                        {"meaning", spc::RuleMeaning(e.rule)}}
               .dump()
        << '\n';
  }
  for (const spc::Firing& f : a.firings) {
    out << ordered_json{{"type", "firing"},         {"index", f.index},
                        {"rule", spc::RuleName(f.rule)}, {"value", f.value},
                        {"sigma", Nullable(f.deviation)}, {"phase", spc::PhaseName(f.phase)},
                        {"stage", f.stage}}
               .dump()
        << '\n';
  }
}

void WriteCsv(const Analysis& a, std::ostream& out) {
  out << "index,rule,value,sigma,phase,stage\n";
  for (const spc::Firing& f : a.firings) {
    out << f.index << ',' << spc::RuleName(f.rule) << ',' << Fixed(f.value, 6) << ','
        << (std::isfinite(f.deviation) ? Fixed(f.deviation, 6) : "") << ','
        << spc::PhaseName(f.phase) << ',' << f.stage << '\n';
  }
}

void Row(std::ostream& out, const char* format, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  out << buf << '\n';
}

void WriteTable(const Analysis& a, const ReportHeading& h, std::ostream& out) {
  const spc::Stage& s = a.stage;
  const spc::Limits& l = a.original_limits;
  out << h.source << " — " << h.series << ", " << a.summary.count << " points\n\n";
  Row(out, "Stage %d: baseline of %d points from index %lld, transform %s, sigma %s", s.number,
      s.baseline_size, static_cast<long long>(s.start_index),
      std::string(spc::TransformName(s.transform)).c_str(),
      std::string(spc::SigmaMethodName(s.sigma_method)).c_str());
  Row(out, "  chart scale   mu = %.6g   sigma = %.6g%s", s.mean, s.sigma,
      s.degenerate() ? "   (degenerate baseline: sigma is 0; only R1-R4 apply)" : "");
  Row(out, "  UCL  %12s", Fixed(l.ucl).c_str());
  Row(out, "  +2s  %12s   zone A above", Fixed(l.upper_2s).c_str());
  Row(out, "  +1s  %12s   zone B above", Fixed(l.upper_1s).c_str());
  Row(out, "  CL   %12s   zone C around the center", Fixed(l.center).c_str());
  Row(out, "  -1s  %12s   zone B below", Fixed(l.lower_1s).c_str());
  Row(out, "  -2s  %12s   zone A below", Fixed(l.lower_2s).c_str());
  Row(out, "  LCL  %12s", Fixed(l.lcl).c_str());

  const spc::Summary& m = a.summary;
  out << "\nSummary\n";
  Row(out, "  n %lld   mean %s   median %s   sd %s   min %s   max %s",
      static_cast<long long>(m.count), Fixed(m.mean).c_str(), Fixed(m.median).c_str(),
      Fixed(m.stddev).c_str(), Fixed(m.min).c_str(), Fixed(m.max).c_str());
  Row(out, "  p50 %s   p95 %s   p99 %s", Fixed(m.p50).c_str(), Fixed(m.p95).c_str(),
      Fixed(m.p99).c_str());
  if (a.capability) {
    const spc::Capability& c = *a.capability;
    out << "\nCapability against the spec\n";
    Row(out, "  Cp %s   Cpk %s   Pp %s   Ppk %s   beyond spec %.2f%% of %lld points",
        Optional(c.cp).c_str(), Optional(c.cpk).c_str(), Optional(c.pp).c_str(),
        Optional(c.ppk).c_str(), 100.0 * c.share_beyond_spec, static_cast<long long>(c.n));
  }

  out << "\nViolation events: " << a.events.size() << " (from " << a.firings.size()
      << " firings)\n";
  if (!a.events.empty()) {
    Row(out, "  %-5s  %-10s  %6s  %6s  %5s  %12s  %7s  %s", "rule", "phase", "first", "last",
        "count", "worst value", "sigma", "what it detects");
  }
  for (const spc::ViolationEvent& e : a.events) {
    Row(out, "  %-5s  %-10s  %6lld  %6lld  %5lld  %12s  %7s  %s",
        std::string(spc::RuleName(e.rule)).c_str(), spc::PhaseName(e.phase),
        static_cast<long long>(e.first_index), static_cast<long long>(e.last_index),
        static_cast<long long>(e.count), Fixed(e.worst_value).c_str(),
        Signed(e.worst_deviation).c_str(), std::string(spc::RuleMeaning(e.rule)).c_str());
  }
  if (!a.firings.empty()) {
    out << "\nFirings\n";
    Row(out, "  %6s  %-5s  %12s  %7s  %s", "index", "rule", "value", "sigma", "phase");
  }
  for (const spc::Firing& f : a.firings) {
    Row(out, "  %6lld  %-5s  %12s  %7s  %s", static_cast<long long>(f.index),
        std::string(spc::RuleName(f.rule)).c_str(), Fixed(f.value).c_str(),
        Signed(f.deviation).c_str(), spc::PhaseName(f.phase));
  }
}

}  // namespace

std::optional<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "table") return ReportFormat::kTable;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "json") return ReportFormat::kJson;
  return std::nullopt;
}

void WriteReport(const Analysis& analysis, const ReportHeading& heading, ReportFormat format,
                 std::ostream& out) {
  switch (format) {
    case ReportFormat::kTable: WriteTable(analysis, heading, out); break;
    case ReportFormat::kCsv: WriteCsv(analysis, out); break;
    case ReportFormat::kJson: WriteJson(analysis, heading, out); break;
  }
}

}  // namespace llmscope::app
