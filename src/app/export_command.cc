#include "app/export_command.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "app/config.h"
#include "app/exit_codes.h"
#include "core/time_format.h"
#include "server/json_views.h"
#include "store/open_store.h"
#include "store/record_csv.h"

namespace llmscope::app {
namespace {

// The options checked and turned into store queries.
struct ExportPlan {
  store::SampleQuery samples;
  store::ViolationQuery violations;
  bool json = false;
};

std::optional<int64_t> ParseTimeFlag(const std::string& text, const char* flag, std::ostream& err) {
  std::optional<int64_t> ms = ParseIsoUtc(text);
  if (!ms) err << "llmscope export: " << flag << " '" << text << "' is not an ISO 8601 time\n";
  return ms;
}

std::optional<ExportPlan> Plan(const ExportOptions& o, std::ostream& err) {
  ExportPlan plan;
  plan.json = o.format == "json";
  if (!o.provider.empty()) plan.samples.provider = plan.violations.provider = o.provider;
  if (!o.model.empty()) plan.samples.model = plan.violations.model = o.model;
  if (!o.since.empty()) {
    std::optional<int64_t> ms = ParseTimeFlag(o.since, "--since", err);
    if (!ms) return std::nullopt;
    plan.samples.since_ms = plan.violations.since_ms = *ms;
  }
  if (!o.until.empty()) {
    std::optional<int64_t> ms = ParseTimeFlag(o.until, "--until", err);
    if (!ms) return std::nullopt;
    plan.samples.until_ms = plan.violations.until_ms = *ms;
  }
  if (!o.status.empty()) {
    if (o.what != "violations") {
      err << "llmscope export: --status applies to violations only\n";
      return std::nullopt;
    }
    plan.violations.status = store::ParseViolationStatus(o.status);
    if (!plan.violations.status) {
      err << "llmscope export: --status '" << o.status
          << "' is not open, acknowledged or resolved\n";
      return std::nullopt;
    }
  }
  plan.samples.limit = kExportPageSize;
  plan.violations.limit = INT64_MAX;
  return plan;
}

Status WriteSamples(store::Store& store, store::SampleQuery query, bool json, std::ostream& out) {
  if (!json) out << store::kSamplesCsvHeader;
  while (true) {
    Result<std::vector<Sample>> page = store.QuerySamples(query);
    if (!page) return page.error();
    if (page->empty()) return {};
    if (json) {
      for (const Sample& s : *page) out << server::SampleJson(s).dump() << '\n';
    } else {
      store::WriteSampleCsvRows(out, *page);
    }
    query.after_id = page->back().id;
  }
}

Status WriteViolations(store::Store& store, const store::ViolationQuery& query, bool json,
                       const alert::SeverityOverrides& severities, std::ostream& out) {
  Result<std::vector<store::ViolationRecord>> found = store.QueryViolations(query);
  if (!found) return found.error();
  if (json) {
    for (const store::ViolationRecord& v : *found) {
      out << server::ViolationJson(v, /*with_context=*/true, severities).dump() << '\n';
    }
  } else {
    out << store::kViolationsCsvHeader;
    store::WriteViolationCsvRows(out, *found);
  }
  return {};
}

}  // namespace

CLI::App* AddExportCommand(CLI::App& app, ExportOptions& o) {
  CLI::App* cmd = app.add_subcommand("export",
                                     "Write a store's samples or violations as CSV or "
                                     "JSON lines");
  cmd->add_option("what", o.what, "samples or violations")
      ->required()
      ->check(CLI::IsMember({"samples", "violations"}));
  cmd->add_option("--config", o.config_file, "TOML config file (for [store] url)");
  cmd->add_option("--store", o.store_url, "store URL, e.g. sqlite://./data/llmscope.db");
  cmd->add_option("--format", o.format, "csv (default) or json (JSON lines)")
      ->check(CLI::IsMember({"csv", "json"}));
  cmd->add_option("--provider", o.provider, "only this provider");
  cmd->add_option("--model", o.model, "only this model");
  cmd->add_option("--since", o.since, "from this time on (ISO 8601, inclusive)");
  cmd->add_option("--until", o.until, "before this time (ISO 8601, exclusive)");
  cmd->add_option("--status", o.status, "violations in this status: open, acknowledged, resolved");
  cmd->add_option("-o,--output", o.output, "output file (default: stdout)");
  return cmd;
}

int RunExport(const ExportOptions& o, std::ostream& out, std::ostream& err) {
  std::optional<ExportPlan> plan = Plan(o, err);
  if (!plan) return kExitUsage;

  // The config gives the store (unless --store does) and the severities of violations.
  Result<Config> config = LoadConfig(o.config_file, ProcessEnv);
  if (!config) {
    err << "llmscope export: " << config.error().message << '\n';
    return kExitUsage;
  }
  const std::string url = o.store_url.empty() ? config->EffectiveStoreUrl() : o.store_url;
  Result<std::unique_ptr<store::Store>> store = store::OpenStore(url);
  if (!store) {
    err << "llmscope export: " << store.error().message << '\n';
    return kExitRuntime;
  }

  std::ofstream file;
  if (!o.output.empty() && o.output != "-") {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "llmscope export: cannot write " << o.output << '\n';
      return kExitUnreadable;
    }
  }
  std::ostream& sink = file.is_open() ? static_cast<std::ostream&>(file) : out;
  Status written = o.what == "samples"
                       ? WriteSamples(**store, plan->samples, plan->json, sink)
                       : WriteViolations(**store, plan->violations, plan->json,
                                         config->alerts.severities, sink);
  if (!written) {
    err << "llmscope export: " << written.error().message << '\n';
    return kExitRuntime;
  }
  sink.flush();
  if (!sink) {
    err << "llmscope export: write failed\n";
    return kExitUnreadable;
  }
  return kExitOk;
}

}  // namespace llmscope::app
