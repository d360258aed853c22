// SloTable: every series' stored SLO (series_slo.h) in memory, so that GET /api/stats/spc and
// /metrics read none from the store (docs/design.md "Settings", "Per-series SLO"). It is filled
// by whoever reads the store (server::ReloadSlos): at start, after a change through this server,
// and by the settings watcher's listener after a change by any server on the database.
//
// A handle: its copies share one table, so that a reload through any copy reaches every reader.
// Replace swaps the whole table at once; a reader sees the old one or the new one, never a mix.
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "core/sample.h"
#include "spc/capability.h"

namespace llmscope::settings {

class SloTable {
 public:
  using Slos = std::map<SeriesKey, spc::SpecLimits>;

  // Makes this table (and its copies) hold `slos`, and only those.
  void Replace(Slos slos);
  // The SLO of `series`; nullopt when none is stored.
  std::optional<spc::SpecLimits> Find(const SeriesKey& series) const;
  // Every series' SLO, as of the last Replace; the snapshot stays valid after later ones.
  std::shared_ptr<const Slos> All() const;

 private:
  struct Shared {
    mutable std::mutex mu;
    std::shared_ptr<const Slos> slos = std::make_shared<const Slos>();
  };

  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace llmscope::settings
