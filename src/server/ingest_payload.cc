#include "server/ingest_payload.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "core/time_format.h"

namespace llmscope::server {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The sample fields a body may carry (see the header), in the byte order of their keys: a sample
// is validated field by field in this order, so that a body with several bad fields is refused
// for the first of them in key order, as it was when the body was read into nlohmann's sorted
// objects.
enum class Field {
  kCostUsd,
  kCpuPercent,
  kE2eMs,
  kError,
  kErrorKind,
  kErrorMessage,
  kEvalCount,
  kEvalDuration,
  kGpuMemoryPercent,
  kGpuPercent,
  kGpuTempC,
  kIngestKey,
  kLatencyMs,
  kLoadDuration,
  kMemoryPercent,
  kModel,
  kProfile,
  kPromptEfficiency,
  kPromptEvalCount,
  kPromptEvalDuration,
  kPromptHash,
  kPromptText,
  kProvider,
  kSite,
  kSuccess,
  kTimestamp,
  kTokensIn,
  kTokensOut,
  kTokensPerS,
  kTokensPerSecond,
  kTotalDuration,
  kTpotMs,
  kTtftMs,
};

// Each field's key, indexed by Field.
constexpr std::array<std::string_view, 33> kFieldKeys = {
    "cost_usd",
    "cpu_percent",
    "e2e_ms",
    "error",
    "error_kind",
    "error_message",
    "eval_count",
    "eval_duration_ms",
    "gpu_memory_percent",
    "gpu_percent",
    "gpu_temp_c",
    "ingest_key",
    "latency_ms",  // the original monitor's name of e2e_ms
    "load_duration_ms",
    "memory_percent",
    "model",
    "profile",
    "prompt_efficiency",
    "prompt_eval_count",
    "prompt_eval_duration_ms",
    "prompt_hash",
    "prompt_text",
    "provider",
    "site",
    "success",  // the original monitor's name of !error
    "timestamp",
    "tokens_in",
    "tokens_out",
    "tokens_per_s",
    "tokens_per_second",  // the original monitor's name of tokens_per_s
    "total_duration_ms",
    "tpot_ms",
    "ttft_ms",
};
static_assert(std::is_sorted(kFieldKeys.begin(), kFieldKeys.end()));
static_assert(static_cast<size_t>(Field::kTtftMs) + 1 == kFieldKeys.size());

std::optional<Field> FieldOf(std::string_view key) {
  const auto it = std::lower_bound(kFieldKeys.begin(), kFieldKeys.end(), key);
  if (it == kFieldKeys.end() || *it != key) return std::nullopt;
  return static_cast<Field>(it - kFieldKeys.begin());
}

// Whether a sample measured one of the charted metrics of docs/spc.md §1 (the error flag aside).
bool HasMeasurement(const Sample& s) {
  for (Metric m : kAllMetrics) {
    if (m != Metric::kError && s.value(m)) return true;
  }
  return false;
}

// The shortest plain decimal that reads back as d: "100", "0.5", "10000000".
std::string Short(double d) {
  char buf[400];  // the longest: a subnormal's "0.000…" of about 330 characters
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  return std::string(buf, end);
}

bool IsNull(element v) {
  return v.type() == element_type::NULL_VALUE;
}

// Keys that are no sample field, each once, sorted; looked up without a copy of the key.
using IgnoredKeys = std::set<std::string, std::less<>>;

// What a sample's fields give beside the Sample itself: the original monitor's names, checked
// against LLMscope's own once every field is read, the timestamp and the prompt text.
struct OtherFields {
  std::optional<double> latency_ms, tokens_per_second, prompt_efficiency;
  std::optional<bool> error, success;
  std::optional<int64_t> timestamp;
  std::optional<std::string> prompt_text;
};

class SampleReader {
 public:
  // `path_prefix` and `index` name the sample in error messages: "" and none for a single
  // sample, "samples" and i for a batch's i-th. Keys that are no sample field are added to
  // `ignored`.
  SampleReader(element object, std::string_view path_prefix, std::optional<size_t> index,
               int64_t now_ms, const IngestLimits& limits, IgnoredKeys& ignored)
      : object_(object),
        path_prefix_(path_prefix),
        index_(index),
        now_ms_(now_ms),
        limits_(limits),
        ignored_(ignored) {}

  Result<Sample> Read() {
    if (object_.type() != element_type::OBJECT) {
      return Fail("invalid_field", "", "must be a JSON object");
    }
    // A key sent twice counts once, with its last value (RFC 8259 leaves it to the reader).
    std::array<element, kFieldKeys.size()> values;
    uint64_t present = 0;
    for (auto [key, value] : simdjson::dom::object(object_)) {
      const std::optional<Field> f = FieldOf(key);
      if (!f) {
        if (ignored_.find(key) == ignored_.end()) ignored_.emplace(key);
        continue;
      }
      values[static_cast<size_t>(*f)] = value;
      present |= uint64_t{1} << static_cast<int>(*f);
    }
    Sample s;
    OtherFields o;
    for (uint64_t rest = present; rest != 0; rest &= rest - 1) {
      const auto f = static_cast<Field>(std::countr_zero(rest));
      if (!ReadField(f, values[static_cast<size_t>(f)], s, o)) return error_;
    }
    if (s.source.provider.empty()) return Fail("missing_field", "provider", "is required");
    if (s.source.model.empty()) return Fail("missing_field", "model", "is required");
    if (!Alias("latency_ms", o.latency_ms, "e2e_ms", s.e2e_ms)) return error_;
    if (!Alias("tokens_per_second", o.tokens_per_second, "tokens_per_s", s.tokens_per_s)) {
      return error_;
    }
    if (o.error && o.success && *o.error == *o.success) {
      return Fail("invalid_field", "success", "contradicts error; send one of them");
    }
    s.error = o.error ? *o.error : o.success.has_value() && !*o.success;
    s.time_ms = o.timestamp.value_or(now_ms_);
    if (s.time_ms > now_ms_ + limits_.max_future_ms) {
      return Fail("invalid_field", "timestamp",
                  "is in the future (" + FormatIsoUtc(s.time_ms) + "; now is " +
                      FormatIsoUtc(now_ms_) + ")");
    }
    if (!s.error && !HasMeasurement(s)) {
      return Fail("missing_field", "",
                  "no measurement: send latency_ms (or e2e_ms), ttft_ms, tpot_ms, tokens_per_s or "
                  "cost_usd, or error: true for a failed call");
    }
    if (limits_.store_prompt_text) s.prompt_text = std::move(o.prompt_text);
    return s;
  }

 private:
  bool ReadField(Field f, element v, Sample& s, OtherFields& o) {
    const std::string_view k = kFieldKeys[static_cast<size_t>(f)];
    const double max_ms = limits_.max_latency_ms;
    switch (f) {
      case Field::kProvider:
        return Name(k, v, s.source.provider);
      case Field::kModel:
        return Name(k, v, s.source.model);
      case Field::kSite:
        return Name(k, v, s.source.site);
      case Field::kProfile:
        return Name(k, v, s.source.profile);
      case Field::kLatencyMs:
        return Bounded(k, v, o.latency_ms, max_ms, "max_latency_ms");
      case Field::kE2eMs:
        return Bounded(k, v, s.e2e_ms, max_ms, "max_latency_ms");
      case Field::kTtftMs:
        return Bounded(k, v, s.ttft_ms, max_ms, "max_latency_ms");
      case Field::kTpotMs:
        return Bounded(k, v, s.tpot_ms, max_ms, "max_latency_ms");
      case Field::kTokensPerS:
        return Bounded(k, v, s.tokens_per_s, limits_.max_tokens_per_s, "max_tokens_per_s");
      case Field::kTokensPerSecond:
        return Bounded(k, v, o.tokens_per_second, limits_.max_tokens_per_s, "max_tokens_per_s");
      case Field::kPromptEfficiency:  // checked only: the counts and durations give it
        return Bounded(k, v, o.prompt_efficiency, limits_.max_tokens_per_s, "max_tokens_per_s");
      case Field::kCostUsd:
        return Bounded(k, v, s.cost_usd, limits_.max_cost_usd, "max_cost_usd");
      case Field::kTotalDuration:
        return Bounded(k, v, s.total_duration_ms, max_ms, "max_latency_ms");
      case Field::kLoadDuration:
        return Bounded(k, v, s.load_duration_ms, max_ms, "max_latency_ms");
      case Field::kPromptEvalDuration:
        return Bounded(k, v, s.prompt_eval_duration_ms, max_ms, "max_latency_ms");
      case Field::kEvalDuration:
        return Bounded(k, v, s.eval_duration_ms, max_ms, "max_latency_ms");
      case Field::kPromptEvalCount:
        return Count(k, v, s.prompt_eval_count);
      case Field::kEvalCount:
        return Count(k, v, s.eval_count);
      case Field::kTokensIn:
        return Count(k, v, s.tokens_in);
      case Field::kTokensOut:
        return Count(k, v, s.tokens_out);
      case Field::kCpuPercent:
        return Number(k, v, s.telemetry.cpu_percent, 0, 100);
      case Field::kMemoryPercent:
        return Number(k, v, s.telemetry.memory_percent, 0, 100);
      case Field::kGpuPercent:
        return Number(k, v, s.telemetry.gpu_percent, 0, 100);
      case Field::kGpuMemoryPercent:
        return Number(k, v, s.telemetry.gpu_memory_percent, 0, 100);
      case Field::kGpuTempC:
        return Number(k, v, s.telemetry.gpu_temp_c, -50, 150);
      case Field::kTimestamp:
        return Time(k, v, o.timestamp);
      case Field::kError:
        return Bool(k, v, o.error);
      case Field::kSuccess:
        return Bool(k, v, o.success);
      case Field::kErrorKind:
        return Text(k, v, s.error_kind, limits_.max_name);
      case Field::kErrorMessage:
        return Text(k, v, s.error_message, limits_.max_text);
      case Field::kPromptHash:
        return Text(k, v, s.prompt_hash, limits_.max_name);
      case Field::kPromptText: {
        std::string text;
        if (!Text(k, v, text, limits_.max_text)) return false;
        if (!IsNull(v)) o.prompt_text = std::move(text);
        return true;
      }
      case Field::kIngestKey:
        return IngestKey(k, v, s.ingest_key);
    }
    return true;
  }

  Error Fail(const std::string& code, std::string_view field, const std::string& message) const {
    std::string where(path_prefix_);
    if (index_) where += "[" + std::to_string(*index_) + "]";
    if (!field.empty()) {
      if (!where.empty()) where += '.';
      where += field;
    }
    return Error{code, (where.empty() ? "" : where + ": ") + message};
  }
  bool Reject(std::string_view field, const std::string& message) {
    error_ = Fail("invalid_field", field, message);
    return false;
  }

  bool Number(std::string_view k, element v, std::optional<double>& out, double min, double max) {
    double d = 0;
    switch (v.type()) {
      case element_type::NULL_VALUE:
        return true;
      case element_type::INT64:
        d = static_cast<double>(int64_t(v));
        break;
      case element_type::UINT64:
        d = static_cast<double>(uint64_t(v));
        break;
      case element_type::DOUBLE:
        d = double(v);
        break;
      default:
        return Reject(k, "must be a number");
    }
    if (!std::isfinite(d)) return Reject(k, "must be finite");
    if (d < min || d > max) {
      return Reject(k, std::isinf(max) ? "must be >= " + Short(min)
                                       : "must be within [" + Short(min) + ", " + Short(max) + "]");
    }
    out = d;
    return true;
  }
  // A number >= 0 and at most `max`, the sane bound of [ingest] key `bound`.
  bool Bounded(std::string_view k, element v, std::optional<double>& out, double max,
               const char* bound) {
    std::optional<double> d;
    if (!Number(k, v, d, 0, std::numeric_limits<double>::infinity())) return false;
    if (d && *d > max) return OverBound(k, Short(max), bound);
    out = d;
    return true;
  }
  bool OverBound(std::string_view k, const std::string& max, const char* bound) {
    return Reject(k, "must be at most " + max + " ([ingest] " + bound + ")");
  }
  // The original's name for one of LLMscope's fields: either may be sent, both when they agree.
  bool Alias(std::string_view alias, const std::optional<double>& value, std::string_view field,
             std::optional<double>& out) {
    if (!value) return true;
    if (out && *out != *value) {
      return Reject(alias, "differs from " + std::string(field) + "; send one of them");
    }
    out = value;
    return true;
  }
  // A token count: a whole number within [0, max_token_count]. A number written with a fraction
  // or an exponent is no whole number, whatever its value.
  bool Count(std::string_view k, element v, std::optional<int64_t>& out) {
    uint64_t n = 0;
    if (v.type() == element_type::NULL_VALUE) return true;
    if (v.type() == element_type::UINT64) {
      n = uint64_t(v);
    } else if (v.type() == element_type::INT64 && int64_t(v) >= 0) {
      n = static_cast<uint64_t>(int64_t(v));
    } else {
      return Reject(k, "must be a whole number >= 0");
    }
    const int64_t max = limits_.max_token_count;
    if (n > static_cast<uint64_t>(max)) return OverBound(k, std::to_string(max), "max_token_count");
    out = static_cast<int64_t>(n);
    return true;
  }
  bool Text(std::string_view k, element v, std::string& out, size_t max) {
    if (IsNull(v)) return true;
    if (v.type() != element_type::STRING) return Reject(k, "must be a string");
    const std::string_view s(v);
    if (s.size() > max) return Reject(k, "is longer than " + std::to_string(max) + " bytes");
    out = s;
    return true;
  }
  // Names key series: no control characters, at most max_name bytes.
  bool Name(std::string_view k, element v, std::string& out) {
    if (IsNull(v)) return true;
    if (!Text(k, v, out, limits_.max_name)) return false;
    for (unsigned char c : out) {
      if (c < 0x20 || c == 0x7f) return Reject(k, "must not contain control characters");
    }
    return true;
  }
  // The sender's idempotency key: 1 to kMaxIngestKeyBytes printable ASCII characters.
  bool IngestKey(std::string_view k, element v, std::optional<std::string>& out) {
    if (IsNull(v)) return true;
    std::string key;
    if (!Text(k, v, key, kMaxIngestKeyBytes)) return false;
    if (key.empty()) return Reject(k, "must not be empty");
    for (unsigned char c : key) {
      if (c < 0x20 || c > 0x7e) return Reject(k, "must be printable ASCII");
    }
    out = std::move(key);
    return true;
  }
  // true, false, or the original monitor's 1 and 0.
  bool Bool(std::string_view k, element v, std::optional<bool>& out) {
    if (IsNull(v)) return true;
    if (v.type() == element_type::BOOL) {
      out = bool(v);
      return true;
    }
    if (v.type() == element_type::INT64 && (int64_t(v) == 0 || int64_t(v) == 1)) {
      out = int64_t(v) == 1;
      return true;
    }
    return Reject(k, "must be true or false");
  }
  bool Time(std::string_view k, element v, std::optional<int64_t>& out) {
    if (IsNull(v)) return true;
    if (v.type() != element_type::STRING) {
      return Reject(k, "must be an ISO 8601 time, e.g. 2026-11-23T15:04:05Z");
    }
    out = ParseIsoUtc(std::string_view(v));
    if (!out) return Reject(k, "is not an ISO 8601 time, e.g. 2026-11-23T15:04:05Z");
    return true;
  }

  element object_;
  std::string_view path_prefix_;
  std::optional<size_t> index_;
  int64_t now_ms_;
  const IngestLimits& limits_;
  IgnoredKeys& ignored_;
  Error error_;
};

// The reply to a body that is not JSON. nlohmann's message is "[json.exception.KIND.N] why": a
// syntax error with its line and column, or a number out of double's range.
Error InvalidJson(const nlohmann::json::exception& e) {
  std::string why = e.what();
  const size_t bracket = why.find("] ");
  if (bracket != std::string::npos) why = why.substr(bracket + 2);
  // The parser quotes what it read, which may be the invalid bytes themselves.
  for (char& c : why) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return Error{"invalid_json", "the body is not valid JSON: " + why};
}

Result<IngestBody> ReadSamples(element doc, int64_t now_ms, const IngestLimits& limits) {
  IngestBody out;
  IgnoredKeys ignored;
  // The batch's "samples" (its last, if sent twice), and whether any other key came beside it.
  std::optional<element> items;
  bool other_keys = false;
  if (doc.type() == element_type::OBJECT) {
    for (auto [key, value] : simdjson::dom::object(doc)) {
      if (key == "samples") {
        items = value;
      } else {
        other_keys = true;
      }
    }
  }
  if (items) {
    if (other_keys) return Error{"unknown_field", "a batch holds only \"samples\""};
    if (items->type() != element_type::ARRAY) {
      return Error{"invalid_field", "samples: must be an array"};
    }
    const simdjson::dom::array array(*items);
    if (array.size() == 0) return Error{"invalid_field", "samples: must not be empty"};
    // size() saturates at 2^24 - 1: beyond the bound, count them for the message.
    if (static_cast<int64_t>(array.size()) > limits.max_batch) {
      size_t count = 0;
      for ([[maybe_unused]] element item : array) ++count;
      return Error{"batch_too_large", "samples: at most " + std::to_string(limits.max_batch) +
                                          " per request, got " + std::to_string(count)};
    }
    out.samples.reserve(array.size());
    size_t i = 0;
    for (element item : array) {
      Result<Sample> s = SampleReader(item, "samples", i++, now_ms, limits, ignored).Read();
      if (!s) return s.error();
      out.samples.push_back(std::move(*s));
    }
  } else {
    Result<Sample> s = SampleReader(doc, "", std::nullopt, now_ms, limits, ignored).Read();
    if (!s) return s.error();
    out.samples.push_back(std::move(*s));
  }
  out.ignored_fields.assign(ignored.begin(), ignored.end());
  return out;
}

// Parsers kept between bodies so that their buffers are allocated once: at most kKeptParsers of
// them, whatever the number of handler threads (a parser per thread kept ~4 MB a thread, in up
// to 16 threads, after bodies near 1 MB: docs/design.md "Memory"), each for bodies up to
// kKeptParserCapacity. A larger body, or one that comes while every kept parser is in use, gets a
// parser of its own, freed after it.
constexpr size_t kKeptParsers = 4;
constexpr size_t kKeptParserCapacity = size_t{256} << 10;

class KeptParsers {
 public:
  // A parser for a body of `size` bytes; Return() it when done with what it parsed.
  std::unique_ptr<simdjson::dom::parser> Take(size_t size) {
    if (size <= kKeptParserCapacity) {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        std::unique_ptr<simdjson::dom::parser> parser = std::move(free_.back());
        free_.pop_back();
        return parser;
      }
    }
    return std::make_unique<simdjson::dom::parser>();
  }
  // Keeps the parser unless kKeptParsers are kept or it grew past kKeptParserCapacity.
  void Return(std::unique_ptr<simdjson::dom::parser> parser) {
    if (parser->capacity() > kKeptParserCapacity) return;
    std::lock_guard lock(mu_);
    if (free_.size() < kKeptParsers) free_.push_back(std::move(parser));
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<simdjson::dom::parser>> free_;
};

KeptParsers& kept_parsers() {
  static KeptParsers parsers;
  return parsers;
}

// A kept parser taken for one body, returned when it goes out of scope.
class ParserLease {
 public:
  explicit ParserLease(size_t size) : parser_(kept_parsers().Take(size)) {}
  ~ParserLease() { kept_parsers().Return(std::move(parser_)); }
  ParserLease(const ParserLease&) = delete;
  ParserLease& operator=(const ParserLease&) = delete;
  simdjson::dom::parser& operator*() { return *parser_; }

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
};

// The deepest nesting of arrays and objects in a JSON text (brackets inside strings skipped).
size_t NestingDepth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// How deep a body nlohmann writes out again may nest (its writer recurses once a level).
constexpr size_t kMaxRewrittenDepth = 1024;

// ValidateSample's checks, each returning false with `error` set.
class SampleCheck {
 public:
  explicit SampleCheck(const IngestLimits& limits) : limits_(limits) {}

  bool Name(const char* field, const std::string& value) {
    if (!Text(field, value, limits_.max_name)) return false;
    for (unsigned char c : value) {
      if (c < 0x20 || c == 0x7f) return Fail(field, "must not contain control characters");
    }
    return true;
  }
  bool Text(const char* field, const std::string& value, size_t max) {
    if (value.size() <= max) return true;
    return Fail(field, "is longer than " + std::to_string(max) + " bytes");
  }
  bool Value(const char* field, const std::optional<double>& v, double max, const char* bound) {
    if (!v) return true;
    if (!std::isfinite(*v) || *v < 0) return Fail(field, "must be a finite number >= 0");
    if (*v > max) return Fail(field, "must be at most " + Short(max) + " ([ingest] " + bound + ")");
    return true;
  }
  bool Count(const char* field, const std::optional<int64_t>& n) {
    if (!n) return true;
    if (*n < 0 || *n > limits_.max_token_count) {
      return Fail(field, "must be within [0, " + std::to_string(limits_.max_token_count) +
                             "] ([ingest] max_token_count)");
    }
    return true;
  }
  bool Percent(const char* field, const std::optional<double>& v, double min, double max) {
    if (!v || (std::isfinite(*v) && *v >= min && *v <= max)) return true;
    return Fail(field, "must be within [" + Short(min) + ", " + Short(max) + "]");
  }
  bool Fail(const char* field, const std::string& message, const char* code = "invalid_field") {
    error = Error{code, std::string(field) + ": " + message};
    return false;
  }

  Error error;

 private:
  const IngestLimits& limits_;
};

}  // namespace

Status ValidateSample(const Sample& s, int64_t now_ms, const IngestLimits& limits) {
  SampleCheck c(limits);
  const double max_ms = limits.max_latency_ms;
  const bool ok =
      c.Name("provider", s.source.provider) && c.Name("model", s.source.model) &&
      c.Name("site", s.source.site) && c.Name("profile", s.source.profile) &&
      c.Value("e2e_ms", s.e2e_ms, max_ms, "max_latency_ms") &&
      c.Value("ttft_ms", s.ttft_ms, max_ms, "max_latency_ms") &&
      c.Value("tpot_ms", s.tpot_ms, max_ms, "max_latency_ms") &&
      c.Value("tokens_per_s", s.tokens_per_s, limits.max_tokens_per_s, "max_tokens_per_s") &&
      c.Value("cost_usd", s.cost_usd, limits.max_cost_usd, "max_cost_usd") &&
      c.Value("total_duration_ms", s.total_duration_ms, max_ms, "max_latency_ms") &&
      c.Value("load_duration_ms", s.load_duration_ms, max_ms, "max_latency_ms") &&
      c.Value("prompt_eval_duration_ms", s.prompt_eval_duration_ms, max_ms, "max_latency_ms") &&
      c.Value("eval_duration_ms", s.eval_duration_ms, max_ms, "max_latency_ms") &&
      c.Count("prompt_eval_count", s.prompt_eval_count) && c.Count("eval_count", s.eval_count) &&
      c.Count("tokens_in", s.tokens_in) && c.Count("tokens_out", s.tokens_out) &&
      c.Percent("cpu_percent", s.telemetry.cpu_percent, 0, 100) &&
      c.Percent("memory_percent", s.telemetry.memory_percent, 0, 100) &&
      c.Percent("gpu_percent", s.telemetry.gpu_percent, 0, 100) &&
      c.Percent("gpu_memory_percent", s.telemetry.gpu_memory_percent, 0, 100) &&
      c.Percent("gpu_temp_c", s.telemetry.gpu_temp_c, -50, 150) &&
      c.Text("error_kind", s.error_kind, limits.max_name) &&
      c.Text("error_message", s.error_message, limits.max_text) &&
      c.Text("prompt_hash", s.prompt_hash, limits.max_name);
  if (!ok) return c.error;
  if (s.ingest_key) {
    const std::string& key = *s.ingest_key;
    if (key.empty() || key.size() > kMaxIngestKeyBytes) {
      return Error{"invalid_field",
                   "ingest_key: must be 1 to " + std::to_string(kMaxIngestKeyBytes) + " bytes"};
    }
    for (unsigned char ch : key) {
      if (ch < 0x20 || ch > 0x7e)
        return Error{"invalid_field", "ingest_key: must be printable ASCII"};
    }
  }
  if (s.source.provider.empty()) return Error{"missing_field", "provider: is required"};
  if (s.source.model.empty()) return Error{"missing_field", "model: is required"};
  if (s.time_ms > now_ms + limits.max_future_ms) {
    return Error{"invalid_field", "timestamp: is in the future (" + FormatIsoUtc(s.time_ms) +
                                      "; now is " + FormatIsoUtc(now_ms) + ")"};
  }
  if (!s.error && !HasMeasurement(s)) {
    return Error{"missing_field", "no measurement and not a failed call"};
  }
  return {};
}

// simdjson reads a body into its tape, copying it into the parser's padded buffer (simdjson
// reads up to SIMDJSON_PADDING bytes past the end; a string_view's bytes end where they end).
// A body nested deeper than simdjson's default 1,024 levels is read again with a parser as deep as
// the body. What simdjson still refuses, nlohmann's parser reads again: its message is the
// reply's (line, column, what was expected), and what it accepts that simdjson does not (an
// integer beyond 64 bits, read as a double; a byte order mark) is written out again by nlohmann
// in the form simdjson reads and parsed from that, unless it nests deeper than 1,024 levels
// (nlohmann writes recursively: a deep body would overflow the stack), which is refused.
Result<IngestBody> ParseIngestBody(std::string_view body, int64_t now_ms,
                                   const IngestLimits& limits) {
  ParserLease lease(body.size());
  simdjson::dom::parser& parser = *lease;
  element doc;
  const simdjson::error_code read = parser.parse(body.data(), body.size()).get(doc);
  if (read == simdjson::SUCCESS) return ReadSamples(doc, now_ms, limits);
  // Nesting needs two bytes a level; a body is at most that deep.
  simdjson::dom::parser deep_parser;
  if (read == simdjson::DEPTH_ERROR &&
      deep_parser.allocate(body.size(), body.size() / 2 + 1) == simdjson::SUCCESS &&
      deep_parser.parse(body.data(), body.size()).get(doc) == simdjson::SUCCESS) {
    return ReadSamples(doc, now_ms, limits);
  }
  std::string rewritten;
  try {
    const nlohmann::json parsed = nlohmann::json::parse(body);
    if (NestingDepth(body) > kMaxRewrittenDepth) {
      return Error{"invalid_json", "the body nests deeper than " +
                                       std::to_string(kMaxRewrittenDepth) +
                                       " levels and holds what only a rewrite reads"};
    }
    rewritten = parsed.dump();
  } catch (const nlohmann::json::exception& e) {
    return InvalidJson(e);
  }
  if (deep_parser.allocate(rewritten.size(), rewritten.size() / 2 + 1) != simdjson::SUCCESS ||
      deep_parser.parse(rewritten).get(doc) != simdjson::SUCCESS) {
    return Error{"invalid_json", "the body is not valid JSON"};
  }
  return ReadSamples(doc, now_ms, limits);
}

}  // namespace llmscope::server
