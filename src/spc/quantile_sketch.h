// QuantileSketch: the values of a stretch of a series (a rollup hour) counted in logarithmic
// buckets, so that the percentiles of a long window come from its hours' sketches merged instead
// of from every value (docs/design.md "Rollups").
//
// A value v > 0 falls in bucket i = ceil(log_γ v), γ = (1 + α) / (1 − α), whose representative
// 2γ^i / (γ + 1) lies within relative error α of every value of the bucket; so a percentile read
// here is within α of the exact one of the same rank (nearest rank, as spc/summary.h), whatever
// the values and however many sketches were merged. Values ≤ 0 (a cost of zero) are counted
// apart and read as 0; NaN is not counted. This is the DDSketch of Masson, Rim and Lee (VLDB
// 2019) with buckets kept densely between the lowest and highest used: an hour of a latency
// series uses ~100 buckets at α = 1 %. Written here because no Debian package offers a mergeable
// relative-error sketch for C++.
//
// Pure: no I/O. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace llmscope::spc {

class QuantileSketch {
 public:
  // α: every percentile is within 1 % of the exact one.
  static constexpr double kRelativeAccuracy = 0.01;

  void Add(double value);
  // Adds every value `other` counts.
  void Merge(const QuantileSketch& other);

  int64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // The nearest-rank p-th percentile (0 < p ≤ 100) within relative error kRelativeAccuracy;
  // nullopt when empty.
  std::optional<double> Percentile(double p) const;

  // A compact byte string (a version byte, then varints: the count of values ≤ 0, the number of
  // used buckets, and per used bucket its index's step from the previous one and its count),
  // read back by Decode. Equal sketches encode alike.
  std::string Encode() const;
  // "invalid_sketch" for bytes Encode did not write (another version, truncated, trailing).
  static Result<QuantileSketch> Decode(std::string_view bytes);

  friend bool operator==(const QuantileSketch&, const QuantileSketch&) = default;

 private:
  void AddToBucket(int32_t index, int64_t count);

  int64_t count_ = 0;
  int64_t non_positive_ = 0;
  int32_t first_index_ = 0;             // the index of counts_[0]
  std::vector<int64_t> counts_;         // buckets first_index_ ... first_index_ + size - 1
};

}  // namespace llmscope::spc
