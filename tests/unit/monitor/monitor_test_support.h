// Helpers shared by the monitor's tests: a SQLite store in a test's temporary directory, and
// feeding samples to a SeriesMonitor in batches.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "monitor/series_monitor.h"
#include "store/open_store.h"
#include "support/temp_dir.h"

namespace llmscope::monitor::testing {

// The SQLite store in file `name` of `dir` (a failure is a test failure).
inline std::unique_ptr<store::Store> OpenSqliteStore(const llmscope::testing::TempDir& dir,
                                                     const std::string& name) {
  Result<std::unique_ptr<store::Store>> s = store::OpenStore("sqlite://" + dir.File(name));
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? std::move(*s) : nullptr;
}

// Ingests samples[from, to) in batches of `batch`; each batch must be acknowledged.
inline void IngestAll(SeriesMonitor& m, const std::vector<Sample>& samples, size_t from,
                      size_t to, size_t batch) {
  for (size_t at = from; at < to; at += batch) {
    std::vector<Sample> b(samples.begin() + static_cast<std::ptrdiff_t>(at),
                          samples.begin() + static_cast<std::ptrdiff_t>(std::min(to, at + batch)));
    ASSERT_TRUE(m.Ingest(std::move(b)).ok());
  }
}

}  // namespace llmscope::monitor::testing
