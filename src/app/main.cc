// llmscope: one binary, subcommands (docs/design.md "Shape").
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/alert_command.h"
#include "app/analyze_command.h"
#include "app/exit_codes.h"
#include "app/export_command.h"
#include "app/probe_command.h"
#include "app/serve_command.h"

int main(int argc, char** argv) {
  using namespace llmscope::app;
  CLI::App app{"LLMscope: Statistical Process Control for LLM services", "llmscope"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "llmscope 0.1.0");

  AnalyzeOptions analyze;
  CLI::App* analyze_cmd = AddAnalyzeCommand(app, analyze);
  ServeOptions serve;
  CLI::App* serve_cmd = AddServeCommand(app, serve);
  ProbeOptions probe;
  CLI::App* probe_cmd = AddProbeCommand(app, probe);
  ExportOptions export_options;
  CLI::App* export_cmd = AddExportCommand(app, export_options);
  AlertTestOptions alert_test;
  CLI::App* alert_test_cmd = AddAlertCommand(app, alert_test);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "llmscope: " << e.what() << " (see llmscope --help)\n";
    return kExitUsage;
  }
  if (analyze_cmd->parsed()) return RunAnalyze(analyze, std::cout, std::cerr);
  if (serve_cmd->parsed()) return RunServe(serve);
  if (probe_cmd->parsed()) return RunProbe(probe, std::cout, std::cerr);
  if (export_cmd->parsed()) return RunExport(export_options, std::cout, std::cerr);
  if (alert_test_cmd->parsed()) return RunAlertTest(alert_test, std::cout, std::cerr);
  return kExitUsage;
}
