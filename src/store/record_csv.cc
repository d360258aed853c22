#include "store/record_csv.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/time_format.h"
#include "spc/firing.h"
#include "spc/rule.h"

namespace llmscope::store {
namespace {

std::string OptNumber(const std::optional<double>& v) {
  return v ? CsvNumber(*v) : "";
}
std::string OptInt(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : "";
}

// ",cpu,memory,gpu,gpu_memory,gpu_temp" from a violation's context_json: the "telemetry" object
// (that of its first point); a field is empty where it is null or absent.
std::string TelemetryFields(const std::string& context_json) {
  const nlohmann::json context = nlohmann::json::parse(context_json, nullptr, false);
  const nlohmann::json* telemetry = nullptr;
  if (context.is_object() && context.contains("telemetry") && context["telemetry"].is_object()) {
    telemetry = &context["telemetry"];
  }
  std::string out;
  for (const char* name :
       {"cpu_percent", "memory_percent", "gpu_percent", "gpu_memory_percent", "gpu_temp_c"}) {
    out += ',';
    if (telemetry && telemetry->contains(name) && (*telemetry)[name].is_number()) {
      out += CsvNumber((*telemetry)[name].get<double>());
    }
  }
  return out;
}

}  // namespace

const char kSamplesCsvHeader[] =
    "id,time,provider,model,site,profile,e2e_ms,ttft_ms,tpot_ms,tokens_per_s,cost_usd,error,"
    "error_kind,error_message,total_duration_ms,load_duration_ms,prompt_eval_duration_ms,"
    "eval_duration_ms,prompt_eval_count,eval_count,tokens_in,tokens_out,cpu_percent,"
    "memory_percent,gpu_percent,gpu_memory_percent,gpu_temp_c,prompt_hash\n";

const char kViolationsCsvHeader[] =
    "id,provider,model,site,profile,metric,rule,phase,stage,first_index,last_index,count,"
    "first_time,last_time,value,worst_value,deviation_sigma,cl,ucl,lcl,status,status_by,"
    "cpu_percent,memory_percent,gpu_percent,gpu_memory_percent,gpu_temp_c\n";

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvNumber(double value) {
  if (!std::isfinite(value)) return "";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, end);
}

void WriteSampleCsvRows(std::ostream& out, const std::vector<Sample>& samples) {
  for (const Sample& s : samples) {
    const SourceKey& k = s.source;
    const Telemetry& t = s.telemetry;
    out << s.id << ',' << FormatIsoUtc(s.time_ms) << ',' << CsvField(k.provider) << ','
        << CsvField(k.model) << ',' << CsvField(k.site) << ',' << CsvField(k.profile) << ','
        << OptNumber(s.e2e_ms) << ',' << OptNumber(s.ttft_ms) << ',' << OptNumber(s.tpot_ms) << ','
        << OptNumber(s.tokens_per_s) << ',' << OptNumber(s.cost_usd) << ',' << (s.error ? 1 : 0)
        << ',' << CsvField(s.error_kind) << ',' << CsvField(s.error_message) << ','
        << OptNumber(s.total_duration_ms) << ',' << OptNumber(s.load_duration_ms) << ','
        << OptNumber(s.prompt_eval_duration_ms) << ',' << OptNumber(s.eval_duration_ms) << ','
        << OptInt(s.prompt_eval_count) << ',' << OptInt(s.eval_count) << ',' << OptInt(s.tokens_in)
        << ',' << OptInt(s.tokens_out) << ',' << OptNumber(t.cpu_percent) << ','
        << OptNumber(t.memory_percent) << ',' << OptNumber(t.gpu_percent) << ','
        << OptNumber(t.gpu_memory_percent) << ',' << OptNumber(t.gpu_temp_c) << ','
        << CsvField(s.prompt_hash) << '\n';
  }
}

void WriteViolationCsvRows(std::ostream& out, const std::vector<ViolationRecord>& violations) {
  for (const ViolationRecord& v : violations) {
    const SourceKey& k = v.series.source;
    out << v.id << ',' << CsvField(k.provider) << ',' << CsvField(k.model) << ','
        << CsvField(k.site) << ',' << CsvField(k.profile) << ',' << MetricName(v.series.metric)
        << ',' << spc::RuleName(v.rule) << ',' << spc::PhaseName(v.phase) << ',' << v.stage << ','
        << v.first_index << ',' << v.last_index << ',' << v.count << ','
        << FormatIsoUtc(v.first_time_ms) << ',' << FormatIsoUtc(v.last_time_ms) << ','
        << CsvNumber(v.value) << ',' << CsvNumber(v.worst_value) << ',' << OptNumber(v.deviation)
        << ',' << CsvNumber(v.limits.center) << ',' << CsvNumber(v.limits.ucl) << ','
        << CsvNumber(v.limits.lcl) << ',' << ViolationStatusName(v.status) << ','
        << CsvField(v.status_by) << TelemetryFields(v.context_json) << '\n';
  }
}

}  // namespace llmscope::store
