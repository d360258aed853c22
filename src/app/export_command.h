// `llmscope export samples|violations`: the records of a store as CSV (store/record_csv.h, the
// same columns as GET /api/export/*) or JSON lines (the API's JSON shapes), to stdout or a file.
// The store is the one `--store URL` names, else the config's ([store] url, env, defaults). It
// reads through the Store interface, so a running server may keep writing meanwhile (SQLite WAL:
// the export sees the data committed when each page is read). Samples are read in pages of
// kExportPageSize, so memory stays bounded whatever the store's size.
//
// Filters: --provider, --model, --since, --until (ISO 8601; since inclusive, until exclusive; on a
// violation, its last and first time), --status (violations only). Exit codes: 0 ok; 2 bad
// arguments (unknown format, a time that does not parse, --status with samples); 3 the output
// file cannot be written; 6 the store cannot be opened or read.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace llmscope::app {

inline constexpr int64_t kExportPageSize = 10000;

struct ExportOptions {
  std::string what;  // "samples" | "violations"
  std::string config_file, store_url;
  std::string format = "csv";  // "csv" | "json"
  std::string provider, model, since, until, status;
  std::string output;  // empty or "-": stdout
};

CLI::App* AddExportCommand(CLI::App& app, ExportOptions& options);

int RunExport(const ExportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace llmscope::app
