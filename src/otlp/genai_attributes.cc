#include "otlp/genai_attributes.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace llmscope::otlp {

using opentelemetry::proto::common::v1::AnyValue;

const AnyValue* FindAttribute(const Attributes& attributes, std::string_view key) {
  for (const auto& kv : attributes) {
    if (kv.key() == key) return &kv.value();
  }
  return nullptr;
}

std::optional<std::string> StringAttribute(const Attributes& attributes, std::string_view key) {
  const AnyValue* v = FindAttribute(attributes, key);
  if (v == nullptr || !v->has_string_value() || v->string_value().empty()) return std::nullopt;
  return v->string_value();
}

std::optional<double> NumberAttribute(const Attributes& attributes, std::string_view key) {
  const AnyValue* v = FindAttribute(attributes, key);
  if (v == nullptr) return std::nullopt;
  double d = 0;
  if (v->has_int_value()) {
    d = static_cast<double>(v->int_value());
  } else if (v->has_double_value()) {
    d = v->double_value();
  } else if (v->has_string_value()) {
    const std::string& s = v->string_value();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

bool HasGenAiAttributes(const Attributes& attributes) {
  static constexpr std::string_view kMarkers[] = {"gen_ai.operation.name", "gen_ai.provider.name",
                                                  "gen_ai.system", "gen_ai.request.model",
                                                  "gen_ai.response.model"};
  return std::any_of(std::begin(kMarkers), std::end(kMarkers), [&](std::string_view key) {
    return FindAttribute(attributes, key) != nullptr;
  });
}

namespace {

std::string ProviderName(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

// The item's own attribute, else the resource's.
std::optional<std::string> ItemOrResource(const Attributes& item, const Attributes& resource,
                                          std::string_view key) {
  if (auto v = StringAttribute(item, key)) return v;
  return StringAttribute(resource, key);
}

}  // namespace

SourceKey GenAiSource(const opentelemetry::proto::resource::v1::Resource& resource,
                      const Attributes& attributes) {
  const Attributes& res = resource.attributes();
  SourceKey key;
  if (auto p = StringAttribute(attributes, "gen_ai.provider.name")) {
    key.provider = ProviderName(*p);
  } else if (auto s = StringAttribute(attributes, "gen_ai.system")) {
    key.provider = ProviderName(*s);
  }
  if (auto m = StringAttribute(attributes, "gen_ai.response.model")) {
    key.model = *m;
  } else if (auto r = StringAttribute(attributes, "gen_ai.request.model")) {
    key.model = *r;
  }
  if (auto site = ItemOrResource(attributes, res, "llmscope.site")) {
    key.site = *site;
  } else if (auto env = StringAttribute(res, "deployment.environment.name")) {
    key.site = *env;
  } else if (auto old_env = StringAttribute(res, "deployment.environment")) {
    key.site = *old_env;
  }
  if (auto profile = ItemOrResource(attributes, res, "llmscope.profile")) {
    key.profile = *profile;
  } else if (auto service = StringAttribute(res, "service.name");
             service && !service->starts_with("unknown_service")) {
    key.profile = *service;
  }
  return key;
}

int64_t NanosToMillis(uint64_t unix_nanos) {
  return static_cast<int64_t>(unix_nanos / 1'000'000);
}

}  // namespace llmscope::otlp
