#include "store/rollups.h"

#include <cmath>
#include <utility>

namespace llmscope::store {
namespace {

// The orders of rollups.h: by value (or time), ties towards the lower id; `last` towards the
// higher.
bool Below(const RollupPoint& a, const RollupPoint& b) {
  return *a.value < *b.value || (*a.value == *b.value && a.id < b.id);
}
bool Above(const RollupPoint& a, const RollupPoint& b) {
  return *a.value > *b.value || (*a.value == *b.value && a.id < b.id);
}
bool Earlier(const RollupPoint& a, const RollupPoint& b) {
  return a.time_ms < b.time_ms || (a.time_ms == b.time_ms && a.id < b.id);
}

}  // namespace

void Rollup::Add(const RollupPoint& point, bool error) {
  if (count == 0 || Earlier(point, first)) first = point;
  if (count == 0 || !Earlier(point, last)) last = point;
  ++count;
  if (error) ++errors;
  if (!point.value) return;
  const double v = *point.value;
  ++value_count;
  value_sum += v;
  value_sum_squares += v * v;
  if (!min || Below(point, *min)) min = point;
  if (!max || Above(point, *max)) max = point;
}

void Rollup::Merge(const Rollup& other) {
  if (other.count == 0) return;
  if (count == 0 || Earlier(other.first, first)) first = other.first;
  if (count == 0 || !Earlier(other.last, last)) last = other.last;
  count += other.count;
  errors += other.errors;
  value_count += other.value_count;
  value_sum += other.value_sum;
  value_sum_squares += other.value_sum_squares;
  if (other.min && (!min || Below(*other.min, *min))) min = other.min;
  if (other.max && (!max || Above(*other.max, *max))) max = other.max;
}

std::optional<double> RolledValue(const Sample& sample, Metric metric) {
  if (sample.error && metric != Metric::kError) return std::nullopt;
  std::optional<double> v = sample.value(metric);
  if (v && std::isnan(*v)) return std::nullopt;
  return v;
}

int64_t BucketStart(int64_t time_ms, int64_t width_ms) {
  const int64_t q = time_ms / width_ms;
  return (time_ms % width_ms < 0 ? q - 1 : q) * width_ms;
}

void RollupBuilder::Add(const Sample& sample, int64_t id) {
  for (size_t w = 0; w < kRollupWidthsMs.size(); ++w) {
    const int64_t width = kRollupWidthsMs[w];
    const int64_t bucket = BucketStart(sample.time_ms, width);
    SourceRollup*& last = last_[w];
    if (last == nullptr || last->bucket_ms != bucket || last->source != sample.source) {
      auto [it, inserted] = rollups_.try_emplace(Key{sample.source, width, bucket});
      last = &it->second;
      if (inserted) {
        last->source = sample.source;
        last->width_ms = width;
        last->bucket_ms = bucket;
        for (Metric metric : kAllMetrics) {
          Rollup& r = last->metrics[static_cast<size_t>(metric)];
          r.series = SeriesKey{sample.source, metric};
          r.width_ms = width;
          r.bucket_ms = bucket;
        }
      }
    }
    for (Metric metric : kAllMetrics) {
      last->metrics[static_cast<size_t>(metric)].Add(
          RollupPoint{sample.time_ms, RolledValue(sample, metric), id}, sample.error);
    }
  }
}

std::vector<SourceRollup> RollupBuilder::Take() {
  std::vector<SourceRollup> out;
  out.reserve(rollups_.size());
  for (auto& [key, rollup] : rollups_) out.push_back(std::move(rollup));
  rollups_.clear();
  last_.fill(nullptr);
  return out;
}

void RollupTotals::Add(const Rollup& r) {
  count += r.count;
  errors += r.errors;
  value_count += r.value_count;
  value_sum += r.value_sum;
  value_sum_squares += r.value_sum_squares;
  if (r.min && (!min || *r.min->value < *min)) min = r.min->value;
  if (r.max && (!max || *r.max->value > *max)) max = r.max->value;
}

std::optional<double> RollupTotals::Mean() const {
  if (value_count == 0) return std::nullopt;
  return static_cast<double>(value_sum / static_cast<long double>(value_count));
}

std::optional<double> RollupTotals::StdDev() const {
  if (value_count < 2) return std::nullopt;
  const auto n = static_cast<long double>(value_count);
  const long double squares = value_sum_squares - value_sum * value_sum / n;
  return static_cast<double>(std::sqrt(std::max<long double>(squares, 0) / (n - 1)));
}

}  // namespace llmscope::store
