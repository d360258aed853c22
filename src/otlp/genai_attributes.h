// Reading OpenTelemetry GenAI attributes (the semantic conventions' gen_ai.* names) off OTLP
// resources, spans and metric data points, and the LLMscope source they name
// (docs/design.md "OpenTelemetry ingest"). Pure: no I/O.
//
//   provider  gen_ai.provider.name, else the older gen_ai.system, lower-cased: the conventions'
//             "openai", "anthropic" and OpenLit's "ollama" are LLMscope's provider names, and
//             OpenLLMetry's "OpenAI" becomes "openai"; any other name is kept as the provider.
//   model     gen_ai.response.model, else gen_ai.request.model.
//   site      llmscope.site (the item's attributes, then the resource's), else the resource's
//             deployment.environment.name, else deployment.environment; "" when none.
//   profile   llmscope.profile (the item's, then the resource's), else the resource's
//             service.name (the application, as the proxy's X-LLMscope-App header) unless it is
//             the SDKs' default "unknown_service…"; "" when none.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/sample.h"
#include "opentelemetry/proto/common/v1/common.pb.h"
#include "opentelemetry/proto/resource/v1/resource.pb.h"

namespace llmscope::otlp {

using Attributes = google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>;

// The value of `key` among `attributes`, or nullptr (the first one when a key repeats).
const opentelemetry::proto::common::v1::AnyValue* FindAttribute(const Attributes& attributes,
                                                                std::string_view key);
// A string attribute's value; nullopt when absent, empty or not a string.
std::optional<std::string> StringAttribute(const Attributes& attributes, std::string_view key);
// A numeric attribute (int or double; a numeric string too, as some SDKs send) as a double;
// nullopt when absent or not a finite number.
std::optional<double> NumberAttribute(const Attributes& attributes, std::string_view key);

// Whether an item carries the GenAI attributes that make it an LLM call: gen_ai.operation.name,
// gen_ai.provider.name, gen_ai.system, gen_ai.request.model or gen_ai.response.model.
bool HasGenAiAttributes(const Attributes& attributes);

// The source (provider, model, site, profile) of an item, by the rules above; provider or model
// left "" when the item names none.
SourceKey GenAiSource(const opentelemetry::proto::resource::v1::Resource& resource,
                      const Attributes& attributes);

// Nanoseconds since the epoch to milliseconds, rounded down.
int64_t NanosToMillis(uint64_t unix_nanos);

}  // namespace llmscope::otlp
