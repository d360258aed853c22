#include "otlp/span_samples.h"

#include "otlp/genai_attributes.h"

namespace llmscope::otlp {
namespace {

using opentelemetry::proto::resource::v1::Resource;
using opentelemetry::proto::trace::v1::Span;
using opentelemetry::proto::trace::v1::Status;

constexpr double kMsPerSecond = 1000.0;

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

// The first of `keys` that the span carries, in seconds, as milliseconds.
std::optional<double> SecondsAsMillis(const Attributes& attributes,
                                      std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (auto s = NumberAttribute(attributes, key)) return *s * kMsPerSecond;
  }
  return std::nullopt;
}

// A token count: the first of `keys` that holds a whole number >= 0.
std::optional<int64_t> TokenCount(const Attributes& attributes,
                                  std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    auto n = NumberAttribute(attributes, key);
    if (n && *n >= 0 && *n == static_cast<double>(static_cast<int64_t>(*n))) {
      return static_cast<int64_t>(*n);
    }
  }
  return std::nullopt;
}

void AddSpan(const Resource& resource, const Span& span, ExportOutcome& out) {
  const Attributes& attributes = span.attributes();
  if (!HasGenAiAttributes(attributes)) {
    ++out.ignored;
    return;
  }
  const std::string where = "span " + Hex(span.span_id()) + " (" + span.name() + ")";
  Sample s;
  s.source = GenAiSource(resource, attributes);
  if (s.source.provider.empty()) {
    return out.Reject(where + ": no gen_ai.provider.name (or gen_ai.system)");
  }
  if (s.source.model.empty()) {
    return out.Reject(where + ": no gen_ai.response.model (or gen_ai.request.model)");
  }
  if (span.end_time_unix_nano() < span.start_time_unix_nano() || span.end_time_unix_nano() == 0) {
    return out.Reject(where + ": ends before it starts");
  }
  s.time_ms = NanosToMillis(span.end_time_unix_nano());
  s.e2e_ms = static_cast<double>(span.end_time_unix_nano() - span.start_time_unix_nano()) / 1e6;
  s.ttft_ms =
      SecondsAsMillis(attributes, {"gen_ai.server.time_to_first_token", "gen_ai.server.ttft"});
  s.tpot_ms =
      SecondsAsMillis(attributes, {"gen_ai.server.time_per_output_token", "gen_ai.server.tbt"});
  s.tokens_in = TokenCount(attributes, {"gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"});
  s.tokens_out =
      TokenCount(attributes, {"gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"});
  s.cost_usd = NumberAttribute(attributes, "gen_ai.usage.cost");
  const std::optional<std::string> error_type = StringAttribute(attributes, "error.type");
  if (span.status().code() == Status::STATUS_CODE_ERROR || error_type) {
    s.error = true;
    s.error_kind = error_type.value_or("error");
    s.error_message = span.status().message();
  }
  if (!span.trace_id().empty() && !span.span_id().empty()) {
    s.ingest_key = "otlp/" + Hex(span.trace_id()) + "/" + Hex(span.span_id());
  }
  out.samples.push_back(std::move(s));
}

}  // namespace

ExportOutcome SamplesFromTraces(
    const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& request) {
  ExportOutcome out;
  for (const auto& resource_spans : request.resource_spans()) {
    for (const auto& scope_spans : resource_spans.scope_spans()) {
      for (const Span& span : scope_spans.spans()) {
        AddSpan(resource_spans.resource(), span, out);
      }
    }
  }
  return out;
}

}  // namespace llmscope::otlp
