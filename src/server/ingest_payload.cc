#include "server/ingest_payload.h"

#include <cmath>
#include <functional>
#include <limits>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace llmscope::server {
namespace {

using nlohmann::json;

struct FieldError {
  std::string code, field, message;
};

class SampleReader {
 public:
  SampleReader(const json& object, std::string path, int64_t now_ms, const IngestLimits& limits)
      : object_(object), path_(std::move(path)), now_ms_(now_ms), limits_(limits) {}

  Result<Sample> Read() {
    if (!object_.is_object()) return Fail("invalid_field", "", "must be a JSON object");
    Sample s;
    using Setter = std::function<bool(const std::string&, const json&)>;
    auto number = [&](std::optional<double>& out, double min, double max) -> Setter {
      return [&out, this, min, max](const std::string& k, const json& v) {
        return Number(k, v, out, min, max);
      };
    };
    auto count = [&](std::optional<int64_t>& out) -> Setter {
      return [&out, this](const std::string& k, const json& v) { return Count(k, v, out); };
    };
    auto name = [&](std::string& out) -> Setter {
      return [&out, this](const std::string& k, const json& v) { return Name(k, v, out); };
    };
    constexpr double kInf = std::numeric_limits<double>::infinity();
    std::optional<double> latency_ms;
    std::optional<int64_t> timestamp;
    std::optional<std::string> prompt_text;
    const std::unordered_map<std::string, Setter> fields = {
        {"provider", name(s.source.provider)},
        {"model", name(s.source.model)},
        {"site", name(s.source.site)},
        {"profile", name(s.source.profile)},
        {"latency_ms", number(latency_ms, 0, kInf)},
        {"e2e_ms", number(s.e2e_ms, 0, kInf)},
        {"ttft_ms", number(s.ttft_ms, 0, kInf)},
        {"tpot_ms", number(s.tpot_ms, 0, kInf)},
        {"tokens_per_s", number(s.tokens_per_s, 0, kInf)},
        {"cost_usd", number(s.cost_usd, 0, kInf)},
        {"total_duration_ms", number(s.total_duration_ms, 0, kInf)},
        {"load_duration_ms", number(s.load_duration_ms, 0, kInf)},
        {"prompt_eval_duration_ms", number(s.prompt_eval_duration_ms, 0, kInf)},
        {"eval_duration_ms", number(s.eval_duration_ms, 0, kInf)},
        {"prompt_eval_count", count(s.prompt_eval_count)},
        {"eval_count", count(s.eval_count)},
        {"tokens_in", count(s.tokens_in)},
        {"tokens_out", count(s.tokens_out)},
        {"cpu_percent", number(s.telemetry.cpu_percent, 0, 100)},
        {"memory_percent", number(s.telemetry.memory_percent, 0, 100)},
        {"gpu_percent", number(s.telemetry.gpu_percent, 0, 100)},
        {"gpu_memory_percent", number(s.telemetry.gpu_memory_percent, 0, 100)},
        {"gpu_temp_c", number(s.telemetry.gpu_temp_c, -50, 150)},
        {"timestamp", [&](const std::string& k, const json& v) { return Time(k, v, timestamp); }},
        {"error", [&](const std::string& k, const json& v) { return Bool(k, v, s.error); }},
        {"error_kind", [&](const std::string& k, const json& v) {
           return Text(k, v, s.error_kind, limits_.max_name);
         }},
        {"error_message", [&](const std::string& k, const json& v) {
           return Text(k, v, s.error_message, limits_.max_text);
         }},
        {"prompt_hash", [&](const std::string& k, const json& v) {
           return Text(k, v, s.prompt_hash, limits_.max_name);
         }},
        {"prompt_text", [&](const std::string& k, const json& v) {
           std::string text;
           if (!Text(k, v, text, limits_.max_text)) return false;
           if (!v.is_null()) prompt_text = std::move(text);
           return true;
         }},
    };
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      auto f = fields.find(it.key());
      if (f == fields.end()) {
        return Fail("unknown_field", it.key(),
                    "is not a sample field (see the API reference in README.md)");
      }
      if (!f->second(it.key(), it.value())) return error_;
    }
    if (s.source.provider.empty()) return Fail("missing_field", "provider", "is required");
    if (s.source.model.empty()) return Fail("missing_field", "model", "is required");
    if (latency_ms) {
      if (s.e2e_ms && *s.e2e_ms != *latency_ms) {
        return Fail("invalid_field", "latency_ms", "differs from e2e_ms; send one of them");
      }
      s.e2e_ms = latency_ms;
    }
    s.time_ms = timestamp.value_or(now_ms_);
    if (s.time_ms > now_ms_ + limits_.max_future_ms) {
      return Fail("invalid_field", "timestamp", "is in the future (" + FormatIsoUtc(s.time_ms) +
                                                    "; now is " + FormatIsoUtc(now_ms_) + ")");
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
  bool Count(const std::string& k, const json& v, std::optional<int64_t>& out) {
    if (v.is_null()) return true;
    if (v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0)) {
      if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        return Reject(k, "is too large");
      }
      out = v.get<int64_t>();
      return true;
    }
    return Reject(k, "must be a whole number >= 0");
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
  bool Bool(const std::string& k, const json& v, bool& out) {
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
  static std::string Short(double d) {
    std::string s = std::to_string(d);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }

  const json& object_;
  std::string path_;
  int64_t now_ms_;
  const IngestLimits& limits_;
  Error error_;
};

}  // namespace

Result<std::vector<Sample>> ParseIngestBody(std::string_view body, int64_t now_ms,
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
  std::vector<Sample> out;
  if (doc.is_object() && doc.contains("samples")) {
    const json& items = doc["samples"];
    if (doc.size() != 1) return Error{"unknown_field", "a batch holds only \"samples\""};
    if (!items.is_array()) return Error{"invalid_field", "samples: must be an array"};
    if (items.empty()) return Error{"invalid_field", "samples: must not be empty"};
    if (static_cast<int64_t>(items.size()) > limits.max_batch) {
      return Error{"batch_too_large", "samples: at most " + std::to_string(limits.max_batch) +
                                          " per request, got " + std::to_string(items.size())};
    }
    out.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      Result<Sample> s =
          SampleReader(items[i], "samples[" + std::to_string(i) + "]", now_ms, limits).Read();
      if (!s) return s.error();
      out.push_back(std::move(*s));
    }
    return out;
  }
  Result<Sample> s = SampleReader(doc, "", now_ms, limits).Read();
  if (!s) return s.error();
  out.push_back(std::move(*s));
  return out;
}

}  // namespace llmscope::server
