#include "server/ingest_payload.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "core/time_format.h"

namespace llmscope::server {
namespace {

using nlohmann::json;

// The sample fields a body may carry (see the header).
enum class Field {
  kProvider,
  kModel,
  kSite,
  kProfile,
  kLatencyMs,
  kE2eMs,
  kTtftMs,
  kTpotMs,
  kTokensPerS,
  kCostUsd,
  kTotalDuration,
  kLoadDuration,
  kPromptEvalDuration,
  kEvalDuration,
  kPromptEvalCount,
  kEvalCount,
  kTokensIn,
  kTokensOut,
  kCpuPercent,
  kMemoryPercent,
  kGpuPercent,
  kGpuMemoryPercent,
  kGpuTempC,
  kTimestamp,
  kError,
  kErrorKind,
  kErrorMessage,
  kPromptHash,
  kPromptText,
  kIngestKey,
  kSuccess,
  kTokensPerSecond,
  kPromptEfficiency
};

const std::unordered_map<std::string_view, Field>& Fields() {
  static const std::unordered_map<std::string_view, Field> fields = {
      {"provider", Field::kProvider},
      {"model", Field::kModel},
      {"site", Field::kSite},
      {"profile", Field::kProfile},
      {"latency_ms", Field::kLatencyMs},
      {"e2e_ms", Field::kE2eMs},
      {"ttft_ms", Field::kTtftMs},
      {"tpot_ms", Field::kTpotMs},
      {"tokens_per_s", Field::kTokensPerS},
      {"cost_usd", Field::kCostUsd},
      {"total_duration_ms", Field::kTotalDuration},
      {"load_duration_ms", Field::kLoadDuration},
      {"prompt_eval_duration_ms", Field::kPromptEvalDuration},
      {"eval_duration_ms", Field::kEvalDuration},
      {"prompt_eval_count", Field::kPromptEvalCount},
      {"eval_count", Field::kEvalCount},
      {"tokens_in", Field::kTokensIn},
      {"tokens_out", Field::kTokensOut},
      {"cpu_percent", Field::kCpuPercent},
      {"memory_percent", Field::kMemoryPercent},
      {"gpu_percent", Field::kGpuPercent},
      {"gpu_memory_percent", Field::kGpuMemoryPercent},
      {"gpu_temp_c", Field::kGpuTempC},
      {"timestamp", Field::kTimestamp},
      {"error", Field::kError},
      {"error_kind", Field::kErrorKind},
      {"error_message", Field::kErrorMessage},
      {"prompt_hash", Field::kPromptHash},
      {"prompt_text", Field::kPromptText},
      {"ingest_key", Field::kIngestKey},
      // The original monitor's own names.
      {"success", Field::kSuccess},
      {"tokens_per_second", Field::kTokensPerSecond},
      {"prompt_efficiency", Field::kPromptEfficiency},
  };
  return fields;
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

class SampleReader {
 public:
  // Keys that are no sample field are added to `ignored`.
  SampleReader(const json& object, std::string path, int64_t now_ms, const IngestLimits& limits,
               std::set<std::string>& ignored)
      : object_(object),
        path_(std::move(path)),
        now_ms_(now_ms),
        limits_(limits),
        ignored_(ignored) {}

  Result<Sample> Read() {
    if (!object_.is_object()) return Fail("invalid_field", "", "must be a JSON object");
    Sample s;
    std::optional<double> latency_ms, tokens_per_second, prompt_efficiency;
    std::optional<bool> error, success;
    std::optional<int64_t> timestamp;
    std::optional<std::string> prompt_text;
    const double max_ms = limits_.max_latency_ms;
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      const std::string& k = it.key();
      const json& v = it.value();
      auto f = Fields().find(k);
      if (f == Fields().end()) {
        ignored_.insert(k);
        continue;
      }
      bool ok = true;
      switch (f->second) {
        case Field::kProvider:
          ok = Name(k, v, s.source.provider);
          break;
        case Field::kModel:
          ok = Name(k, v, s.source.model);
          break;
        case Field::kSite:
          ok = Name(k, v, s.source.site);
          break;
        case Field::kProfile:
          ok = Name(k, v, s.source.profile);
          break;
        case Field::kLatencyMs:
          ok = Bounded(k, v, latency_ms, max_ms, "max_latency_ms");
          break;
        case Field::kE2eMs:
          ok = Bounded(k, v, s.e2e_ms, max_ms, "max_latency_ms");
          break;
        case Field::kTtftMs:
          ok = Bounded(k, v, s.ttft_ms, max_ms, "max_latency_ms");
          break;
        case Field::kTpotMs:
          ok = Bounded(k, v, s.tpot_ms, max_ms, "max_latency_ms");
          break;
        case Field::kTokensPerS:
          ok = Bounded(k, v, s.tokens_per_s, limits_.max_tokens_per_s, "max_tokens_per_s");
          break;
        case Field::kTokensPerSecond:
          ok = Bounded(k, v, tokens_per_second, limits_.max_tokens_per_s, "max_tokens_per_s");
          break;
        case Field::kPromptEfficiency:  // checked only: the counts and durations give it
          ok = Bounded(k, v, prompt_efficiency, limits_.max_tokens_per_s, "max_tokens_per_s");
          break;
        case Field::kCostUsd:
          ok = Bounded(k, v, s.cost_usd, limits_.max_cost_usd, "max_cost_usd");
          break;
        case Field::kTotalDuration:
          ok = Bounded(k, v, s.total_duration_ms, max_ms, "max_latency_ms");
          break;
        case Field::kLoadDuration:
          ok = Bounded(k, v, s.load_duration_ms, max_ms, "max_latency_ms");
          break;
        case Field::kPromptEvalDuration:
          ok = Bounded(k, v, s.prompt_eval_duration_ms, max_ms, "max_latency_ms");
          break;
        case Field::kEvalDuration:
          ok = Bounded(k, v, s.eval_duration_ms, max_ms, "max_latency_ms");
          break;
        case Field::kPromptEvalCount:
          ok = Count(k, v, s.prompt_eval_count);
          break;
        case Field::kEvalCount:
          ok = Count(k, v, s.eval_count);
          break;
        case Field::kTokensIn:
          ok = Count(k, v, s.tokens_in);
          break;
        case Field::kTokensOut:
          ok = Count(k, v, s.tokens_out);
          break;
        case Field::kCpuPercent:
          ok = Number(k, v, s.telemetry.cpu_percent, 0, 100);
          break;
        case Field::kMemoryPercent:
          ok = Number(k, v, s.telemetry.memory_percent, 0, 100);
          break;
        case Field::kGpuPercent:
          ok = Number(k, v, s.telemetry.gpu_percent, 0, 100);
          break;
        case Field::kGpuMemoryPercent:
          ok = Number(k, v, s.telemetry.gpu_memory_percent, 0, 100);
          break;
        case Field::kGpuTempC:
          ok = Number(k, v, s.telemetry.gpu_temp_c, -50, 150);
          break;
        case Field::kTimestamp:
          ok = Time(k, v, timestamp);
          break;
        case Field::kError:
          ok = Bool(k, v, error);
          break;
        case Field::kSuccess:
          ok = Bool(k, v, success);
          break;
        case Field::kErrorKind:
          ok = Text(k, v, s.error_kind, limits_.max_name);
          break;
        case Field::kErrorMessage:
          ok = Text(k, v, s.error_message, limits_.max_text);
          break;
        case Field::kPromptHash:
          ok = Text(k, v, s.prompt_hash, limits_.max_name);
          break;
        case Field::kPromptText: {
          std::string text;
          ok = Text(k, v, text, limits_.max_text);
          if (ok && !v.is_null()) prompt_text = std::move(text);
          break;
        }
        case Field::kIngestKey:
          ok = IngestKey(k, v, s.ingest_key);
          break;
      }
      if (!ok) return error_;
    }
    if (s.source.provider.empty()) return Fail("missing_field", "provider", "is required");
    if (s.source.model.empty()) return Fail("missing_field", "model", "is required");
    if (!Alias("latency_ms", latency_ms, "e2e_ms", s.e2e_ms)) return error_;
    if (!Alias("tokens_per_second", tokens_per_second, "tokens_per_s", s.tokens_per_s)) {
      return error_;
    }
    if (error && success && *error == *success) {
      return Fail("invalid_field", "success", "contradicts error; send one of them");
    }
    s.error = error ? *error : success.has_value() && !*success;
    s.time_ms = timestamp.value_or(now_ms_);
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
    if (limits_.store_prompt_text) s.prompt_text = std::move(prompt_text);
    return s;
  }

 private:
  Error Fail(const std::string& code, const std::string& field, const std::string& message) {
    std::string where = path_;
    if (!field.empty()) where += (where.empty() ? "" : ".") + field;
    return Error{code, (where.empty() ? "" : where + ": ") + message};
  }
  bool Reject(const std::string& field, const std::string& message) {
    error_ = Fail("invalid_field", field, message);
    return false;
  }

  bool Number(const std::string& k, const json& v, std::optional<double>& out, double min,
              double max) {
    if (v.is_null()) return true;
    if (!v.is_number()) return Reject(k, "must be a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) return Reject(k, "must be finite");
    if (d < min || d > max) {
      return Reject(k, std::isinf(max) ? "must be >= " + Short(min)
                                       : "must be within [" + Short(min) + ", " + Short(max) + "]");
    }
    out = d;
    return true;
  }
  // A number >= 0 and at most `max`, the sane bound of [ingest] key `bound`.
  bool Bounded(const std::string& k, const json& v, std::optional<double>& out, double max,
               const char* bound) {
    std::optional<double> d;
    if (!Number(k, v, d, 0, std::numeric_limits<double>::infinity())) return false;
    if (d && *d > max) return OverBound(k, Short(max), bound);
    out = d;
    return true;
  }
  bool OverBound(const std::string& k, const std::string& max, const char* bound) {
    return Reject(k, "must be at most " + max + " ([ingest] " + bound + ")");
  }
  // The original's name for one of LLMscope's fields: either may be sent, both when they agree.
  bool Alias(const std::string& alias, const std::optional<double>& value, const std::string& field,
             std::optional<double>& out) {
    if (!value) return true;
    if (out && *out != *value) return Reject(alias, "differs from " + field + "; send one of them");
    out = value;
    return true;
  }
  // A token count: a whole number within [0, max_token_count].
  bool Count(const std::string& k, const json& v, std::optional<int64_t>& out) {
    if (v.is_null()) return true;
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
      return Reject(k, "must be a whole number >= 0");
    }
    const int64_t max = limits_.max_token_count;
    if (v.get<uint64_t>() > static_cast<uint64_t>(max)) {
      return OverBound(k, std::to_string(max), "max_token_count");
    }
    out = v.get<int64_t>();
    return true;
  }
  bool Text(const std::string& k, const json& v, std::string& out, size_t max) {
    if (v.is_null()) return true;
    if (!v.is_string()) return Reject(k, "must be a string");
    const std::string& s = v.get_ref<const std::string&>();
    if (s.size() > max) return Reject(k, "is longer than " + std::to_string(max) + " bytes");
    out = s;
    return true;
  }
  // Names key series: no control characters, at most max_name bytes.
  bool Name(const std::string& k, const json& v, std::string& out) {
    if (v.is_null()) return true;
    if (!Text(k, v, out, limits_.max_name)) return false;
    for (unsigned char c : out) {
      if (c < 0x20 || c == 0x7f) return Reject(k, "must not contain control characters");
    }
    return true;
  }
  // The sender's idempotency key: 1 to kMaxIngestKeyBytes printable ASCII characters.
  bool IngestKey(const std::string& k, const json& v, std::optional<std::string>& out) {
    if (v.is_null()) return true;
    std::string key;
    if (!Text(k, v, key, kMaxIngestKeyBytes)) return false;
    if (key.empty()) return Reject(k, "must not be empty");
    for (unsigned char c : key) {
      if (c < 0x20 || c > 0x7e) return Reject(k, "must be printable ASCII");
    }
    out = std::move(key);
    return true;
  }
  bool Bool(const std::string& k, const json& v, std::optional<bool>& out) {
    if (v.is_null()) return true;
    if (v.is_boolean()) {
      out = v.get<bool>();
      return true;
    }
    if (v.is_number_integer() && (v.get<int64_t>() == 0 || v.get<int64_t>() == 1)) {
      out = v.get<int64_t>() == 1;
      return true;
    }
    return Reject(k, "must be true or false");
  }
  bool Time(const std::string& k, const json& v, std::optional<int64_t>& out) {
    if (v.is_null()) return true;
    if (!v.is_string()) return Reject(k, "must be an ISO 8601 time, e.g. 2026-11-23T15:04:05Z");
    out = ParseIsoUtc(v.get_ref<const std::string&>());
    if (!out) return Reject(k, "is not an ISO 8601 time, e.g. 2026-11-23T15:04:05Z");
    return true;
  }
  const json& object_;
  std::string path_;
  int64_t now_ms_;
  const IngestLimits& limits_;
  std::set<std::string>& ignored_;
  Error error_;
};

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

Result<IngestBody> ParseIngestBody(std::string_view body, int64_t now_ms,
                                   const IngestLimits& limits) {
  json doc;
  try {
    doc = json::parse(body);
  } catch (const json::exception& e) {
    // e.what() is "[json.exception.KIND.N] why": a syntax error with its line and column, or a
    // number out of double's range.
    std::string why = e.what();
    const size_t bracket = why.find("] ");
    if (bracket != std::string::npos) why = why.substr(bracket + 2);
    // The parser quotes what it read, which may be the invalid bytes themselves.
    for (char& c : why) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    return Error{"invalid_json", "the body is not valid JSON: " + why};
  }
  IngestBody out;
  std::set<std::string> ignored;
  if (doc.is_object() && doc.contains("samples")) {
    const json& items = doc["samples"];
    if (doc.size() != 1) return Error{"unknown_field", "a batch holds only \"samples\""};
    if (!items.is_array()) return Error{"invalid_field", "samples: must be an array"};
    if (items.empty()) return Error{"invalid_field", "samples: must not be empty"};
    if (static_cast<int64_t>(items.size()) > limits.max_batch) {
      return Error{"batch_too_large", "samples: at most " + std::to_string(limits.max_batch) +
                                          " per request, got " + std::to_string(items.size())};
    }
    out.samples.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      Result<Sample> s =
          SampleReader(items[i], "samples[" + std::to_string(i) + "]", now_ms, limits, ignored)
              .Read();
      if (!s) return s.error();
      out.samples.push_back(std::move(*s));
    }
  } else {
    Result<Sample> s = SampleReader(doc, "", now_ms, limits, ignored).Read();
    if (!s) return s.error();
    out.samples.push_back(std::move(*s));
  }
  out.ignored_fields.assign(ignored.begin(), ignored.end());
  return out;
}

}  // namespace llmscope::server
