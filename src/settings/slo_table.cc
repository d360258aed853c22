#include "settings/slo_table.h"

#include <utility>

namespace llmscope::settings {

void SloTable::Replace(Slos slos) {
  auto next = std::make_shared<const Slos>(std::move(slos));
  std::lock_guard lock(shared_->mu);
  shared_->slos = std::move(next);
}

std::optional<spc::SpecLimits> SloTable::Find(const SeriesKey& series) const {
  const std::shared_ptr<const Slos> slos = All();
  const auto it = slos->find(series);
  if (it == slos->end()) return std::nullopt;
  return it->second;
}

std::shared_ptr<const SloTable::Slos> SloTable::All() const {
  std::lock_guard lock(shared_->mu);
  return shared_->slos;
}

}  // namespace llmscope::settings
