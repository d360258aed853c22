#include "spc/quantile_sketch.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace llmscope::spc {

namespace {

constexpr double kGamma = (1 + QuantileSketch::kRelativeAccuracy) /
                          (1 - QuantileSketch::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
constexpr uint8_t kFormatVersion = 1;

int32_t BucketOf(double value) {  // value > 0 and finite
  return static_cast<int32_t>(std::ceil(std::log(value) / kLogGamma));
}

double RepresentativeOf(int32_t index) {
  return 2 * std::pow(kGamma, index) / (kGamma + 1);
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// Reads a varint of at most 10 bytes from `in` at `pos`; nullopt when truncated or too long.
std::optional<uint64_t> GetVarint(std::string_view in, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && pos < in.size(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in[pos++]);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  return std::nullopt;
}

Error Invalid(const std::string& why) { return Error{"invalid_sketch", "quantile sketch: " + why}; }

}  // namespace

void QuantileSketch::Add(double value) {
  if (std::isnan(value)) return;
  if (value <= 0) {
    ++non_positive_;
    ++count_;
    return;
  }
  if (std::isinf(value)) value = std::numeric_limits<double>::max();
  AddToBucket(BucketOf(value), 1);
  ++count_;
}

void QuantileSketch::AddToBucket(int32_t index, int64_t count) {
  if (counts_.empty()) {
    first_index_ = index;
    counts_.assign(1, 0);
  } else if (index < first_index_) {
    counts_.insert(counts_.begin(), static_cast<size_t>(first_index_ - index), 0);
    first_index_ = index;
  } else if (index >= first_index_ + static_cast<int64_t>(counts_.size())) {
    counts_.resize(static_cast<size_t>(index - first_index_) + 1, 0);
  }
  counts_[static_cast<size_t>(index - first_index_)] += count;
}

void QuantileSketch::Merge(const QuantileSketch& other) {
  if (other.counts_.empty()) {
    non_positive_ += other.non_positive_;
    count_ += other.count_;
    return;
  }
  // Widen once to cover both ranges, then add bucket by bucket.
  AddToBucket(other.first_index_, 0);
  AddToBucket(other.first_index_ + static_cast<int32_t>(other.counts_.size()) - 1, 0);
  const auto offset = static_cast<size_t>(other.first_index_ - first_index_);
  for (size_t i = 0; i < other.counts_.size(); ++i) counts_[offset + i] += other.counts_[i];
  non_positive_ += other.non_positive_;
  count_ += other.count_;
}

std::optional<double> QuantileSketch::Percentile(double p) const {
  if (count_ == 0) return std::nullopt;
  // Nearest rank, 1-based, as spc::NearestRankPercentile: p · n first, exact for whole p and n.
  const auto rank = std::clamp<int64_t>(
      static_cast<int64_t>(std::ceil(p * static_cast<double>(count_) / 100.0)), 1, count_);
  int64_t seen = non_positive_;
  if (seen >= rank) return 0.0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return RepresentativeOf(first_index_ + static_cast<int32_t>(i));
  }
  return RepresentativeOf(first_index_ + static_cast<int32_t>(counts_.size()) - 1);
}

std::string QuantileSketch::Encode() const {
  std::string out(1, static_cast<char>(kFormatVersion));
  PutVarint(out, static_cast<uint64_t>(non_positive_));
  const auto used = std::count_if(counts_.begin(), counts_.end(), [](int64_t c) { return c > 0; });
  PutVarint(out, static_cast<uint64_t>(used));
  int64_t previous = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const int64_t index = first_index_ + static_cast<int64_t>(i);
    PutVarint(out, ZigZag(index - previous));
    PutVarint(out, static_cast<uint64_t>(counts_[i]));
    previous = index;
  }
  return out;
}

Result<QuantileSketch> QuantileSketch::Decode(std::string_view bytes) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != kFormatVersion) {
    return Invalid("unknown format");
  }
  size_t pos = 1;
  QuantileSketch s;
  std::optional<uint64_t> non_positive = GetVarint(bytes, pos);
  std::optional<uint64_t> used = GetVarint(bytes, pos);
  constexpr uint64_t kMaxCount = std::numeric_limits<int64_t>::max() / 2;
  if (!non_positive || !used || *non_positive > kMaxCount) return Invalid("truncated header");
  // Each used bucket takes at least two bytes: a count beyond that is not this format's.
  if (*used > (bytes.size() - pos) / 2) return Invalid("more buckets than bytes");
  s.non_positive_ = static_cast<int64_t>(*non_positive);
  s.count_ = s.non_positive_;
  int64_t index = 0;
  for (uint64_t b = 0; b < *used; ++b) {
    std::optional<uint64_t> step = GetVarint(bytes, pos);
    std::optional<uint64_t> count = GetVarint(bytes, pos);
    if (!step || !count) return Invalid("truncated bucket");
    index += UnZigZag(*step);
    // Indexes of finite doubles lie within ±40,000; counts are positive and bounded.
    if ((b > 0 && UnZigZag(*step) <= 0) || index < -40'000 || index > 40'000 || *count == 0 ||
        *count > kMaxCount - static_cast<uint64_t>(s.count_)) {
      return Invalid("bucket out of range");
    }
    s.AddToBucket(static_cast<int32_t>(index), static_cast<int64_t>(*count));
    s.count_ += static_cast<int64_t>(*count);
  }
  if (pos != bytes.size()) return Invalid("trailing bytes");
  return s;
}

}  // namespace llmscope::spc
