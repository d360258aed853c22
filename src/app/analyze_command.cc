#include "app/analyze_command.h"

#include <sstream>

#include "app/analysis.h"
#include "app/analyze_report.h"
#include "app/exit_codes.h"
#include "app/series_reader.h"

namespace llmscope::app {

CLI::App* AddAnalyzeCommand(CLI::App& app, AnalyzeOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "analyze", "Offline SPC on a CSV or JSON file: limits, violations, capability, summary");
  cmd->add_option("file", o.file, "CSV (header optional) or JSON lines / JSON array")->required();
  cmd->add_option("--column", o.column, "CSV column: header name or 1-based index "
                                        "(default: the first numeric column)");
  cmd->add_option("--field", o.field, "JSON member (default: the first numeric member)");
  cmd->add_option("--transform", o.transform, "none | log")->capture_default_str();
  cmd->add_option("--baseline", o.baseline, "baseline points B (at least 20)")
      ->capture_default_str();
  cmd->add_option("--sigma", o.sigma, "mr_mean | mr_median | stddev")->capture_default_str();
  cmd->add_option("--rules", o.rules,
                  "rules to run, with optional K: e.g. R1,R2=12,R5=2/3,EWMA=0.2,CUSUM=5")
      ->capture_default_str();
  cmd->add_option("--usl", o.usl, "upper spec limit (SLO), original unit");
  cmd->add_option("--lsl", o.lsl, "lower spec limit, original unit");
  cmd->add_option("--format", o.format, "table | csv | json (JSON lines)")->capture_default_str();
  cmd->add_flag("--fail-on-violation", o.fail_on_violation,
                "exit 1 when a rule fires after the baseline");
  return cmd;
}

namespace {

int ExitCodeFor(const Error& e) {
  if (e.code == "unreadable_file") return kExitUnreadable;
  if (e.code == "too_few_points") return kExitTooFewPoints;
  if (e.code == "invalid_spec") return kExitUsage;
  return kExitBadData;
}

}  // namespace

int RunAnalyze(const AnalyzeOptions& o, std::ostream& out, std::ostream& err) {
  auto fail = [&](int code, const std::string& message) {
    err << "llmscope analyze: " << message << '\n';
    return code;
  };
  AnalysisRequest request;
  spc::ChartConfig& chart = request.chart;
  auto transform = spc::ParseTransform(o.transform);
  if (!transform) return fail(kExitUsage, "unknown transform '" + o.transform + "' (none | log)");
  chart.transform = *transform;
  auto sigma = spc::ParseSigmaMethod(o.sigma);
  if (!sigma) {
    return fail(kExitUsage, "unknown sigma method '" + o.sigma + "' (mr_mean | mr_median | stddev)");
  }
  chart.sigma_method = *sigma;
  chart.baseline_size = o.baseline;
  Result<spc::RuleConfig> rules = spc::ParseRuleList(o.rules);
  if (!rules) return fail(kExitUsage, rules.error().message);
  chart.rules = *rules;
  if (Status s = spc::Validate(chart); !s) return fail(kExitUsage, s.error().message);
  auto format = ParseReportFormat(o.format);
  if (!format) return fail(kExitUsage, "unknown format '" + o.format + "' (table | csv | json)");
  request.spec = spc::SpecLimits{o.usl, o.lsl};

  Result<Series> series = ReadSeriesFile(o.file, SeriesSource{o.column, o.field});
  if (!series) return fail(ExitCodeFor(series.error()), o.file + ": " + series.error().message);
  // A metric with a negative value is not a non-negative one: show its LCL as computed.
  for (double v : series->values) chart.non_negative_metric &= v >= 0;

  Result<Analysis> analysis = Analyze(series->values, request);
  if (!analysis) {
    return fail(ExitCodeFor(analysis.error()), o.file + ": " + analysis.error().message);
  }
  std::ostringstream report;
  WriteReport(*analysis, ReportHeading{o.file, series->name}, *format, report);
  out << report.str();
  if (o.fail_on_violation) {
    for (const spc::Firing& f : analysis->firings) {
      if (f.phase == spc::Phase::kMonitoring) return kExitViolations;
    }
  }
  return kExitOk;
}

}  // namespace llmscope::app
