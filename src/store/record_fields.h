// How each record's fields map to a row's columns, once for every Store implementation: the
// bind functions write the fields in their table's column order (every column but id, the column
// lists of sql_statements.h), the read functions read them back in their SELECT column order (id
// first). `Params` and `Row` are an implementation's parameter binder and row reader with the
// same small vocabulary: Int, Bool, Double, Text, OptDouble, OptInt, OptText for both, Int32 for
// a row, and a row's Fail(message), which records the first malformed value as the row's error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/sample.h"
#include "spc/baseline.h"
#include "spc/firing.h"
#include "spc/rule.h"
#include "spc/stage.h"
#include "spc/transform.h"
#include "store/daily_sample_count.h"
#include "store/records.h"
#include "store/store.h"

namespace llmscope::store::record_fields {

inline std::optional<spc::Phase> ParsePhase(std::string_view name) {
  for (spc::Phase p : {spc::Phase::kBaseline, spc::Phase::kMonitoring}) {
    if (name == spc::PhaseName(p)) return p;
  }
  return std::nullopt;
}

// The enumerator named by a text column, through its Parse function; a name that does not parse
// (a corrupt or foreign row) fails the row and reads as the enumeration's first value.
template <typename Row, typename Parse>
auto ReadName(Row& c, Parse parse, std::string_view column) {
  std::string text = c.Text();
  auto parsed = parse(text);
  if (!parsed) c.Fail("corrupt row: " + std::string(column) + " is '" + text + "'");
  return parsed.value_or(typename decltype(parsed)::value_type{});
}

// A SourceKey is four text columns (provider, model, site, profile; "" for an absent site or
// profile), a SeriesKey those and the metric's name.
template <typename Params>
void BindSource(Params& b, const SourceKey& k) {
  b.Text(k.provider).Text(k.model).Text(k.site).Text(k.profile);
}

template <typename Params>
void BindSeries(Params& b, const SeriesKey& k) {
  BindSource(b, k.source);
  b.Text(MetricName(k.metric));
}

template <typename Row>
SourceKey ReadSource(Row& c) {
  SourceKey k;
  k.provider = c.Text();
  k.model = c.Text();
  k.site = c.Text();
  k.profile = c.Text();
  return k;
}

// A row of sql::SelectSampleCountsByDay.
template <typename Row>
DailySampleCount ReadDailySampleCount(Row& c) {
  DailySampleCount d;
  d.source = ReadSource(c);
  d.day = c.Int();
  d.samples = c.Int();
  d.errors = c.Int();
  return d;
}

template <typename Row>
SeriesKey ReadSeries(Row& c) {
  SeriesKey k;
  k.source = ReadSource(c);
  k.metric = ReadName(c, ParseMetric, "metric");
  return k;
}

template <typename Params>
void BindSample(Params& b, const Sample& s) {
  b.Int(s.time_ms);
  BindSource(b, s.source);
  b.OptDouble(s.e2e_ms).OptDouble(s.ttft_ms).OptDouble(s.tpot_ms).OptDouble(s.tokens_per_s);
  b.OptDouble(s.cost_usd);
  b.Bool(s.error).Text(s.error_kind).Text(s.error_message);
  b.OptDouble(s.total_duration_ms).OptDouble(s.load_duration_ms);
  b.OptDouble(s.prompt_eval_duration_ms).OptDouble(s.eval_duration_ms);
  b.OptInt(s.prompt_eval_count).OptInt(s.eval_count).OptInt(s.tokens_in).OptInt(s.tokens_out);
  const Telemetry& t = s.telemetry;
  b.OptDouble(t.cpu_percent).OptDouble(t.memory_percent).OptDouble(t.gpu_percent);
  b.OptDouble(t.gpu_memory_percent).OptDouble(t.gpu_temp_c);
  b.Text(s.prompt_hash).OptText(s.prompt_text).OptText(s.ingest_key);
}

// The columns both sample reads begin with: id, time, source, the metrics' values and error.
template <typename Row>
Sample ReadSampleHead(Row& c) {
  Sample s;
  s.id = c.Int();
  s.time_ms = c.Int();
  s.source = ReadSource(c);
  s.e2e_ms = c.OptDouble();
  s.ttft_ms = c.OptDouble();
  s.tpot_ms = c.OptDouble();
  s.tokens_per_s = c.OptDouble();
  s.cost_usd = c.OptDouble();
  s.error = c.Bool();
  return s;
}

template <typename Row>
void ReadTelemetry(Row& c, Telemetry& t) {
  t.cpu_percent = c.OptDouble();
  t.memory_percent = c.OptDouble();
  t.gpu_percent = c.OptDouble();
  t.gpu_memory_percent = c.OptDouble();
  t.gpu_temp_c = c.OptDouble();
}

template <typename Row>
Sample ReadSample(Row& c) {
  Sample s = ReadSampleHead(c);
  s.error_kind = c.Text();
  s.error_message = c.Text();
  s.total_duration_ms = c.OptDouble();
  s.load_duration_ms = c.OptDouble();
  s.prompt_eval_duration_ms = c.OptDouble();
  s.eval_duration_ms = c.OptDouble();
  s.prompt_eval_count = c.OptInt();
  s.eval_count = c.OptInt();
  s.tokens_in = c.OptInt();
  s.tokens_out = c.OptInt();
  ReadTelemetry(c, s.telemetry);
  s.prompt_hash = c.Text();
  s.prompt_text = c.OptText();
  s.ingest_key = c.OptText();
  return s;
}

// The columns of sql::kSampleMeasureColumns (id first); the rest of the Sample stays empty.
template <typename Row>
Sample ReadSampleMeasures(Row& c) {
  Sample s = ReadSampleHead(c);
  ReadTelemetry(c, s.telemetry);
  return s;
}

// The reader of a SELECT of sql::SampleColumnsOf(fields).
template <typename Row>
auto SampleReader(SampleFields fields) -> Sample (*)(Row&) {
  return fields == SampleFields::kAll ? &ReadSample<Row> : &ReadSampleMeasures<Row>;
}

template <typename Params>
void BindStage(Params& b, const StageRecord& r) {
  const spc::Stage& s = r.stage;
  BindSeries(b, r.series);
  b.Int(s.number).Int(s.start_index).Int(s.baseline_size);
  b.Text(spc::TransformName(s.transform)).Text(spc::SigmaMethodName(s.sigma_method));
  b.Double(s.mean).Double(s.sigma).Bool(r.frozen).Bool(r.external_baseline);
  b.Int(r.start_sample_id).Int(r.start_time_ms).Int(r.created_ms);
}

template <typename Row>
StageRecord ReadStage(Row& c) {
  StageRecord r;
  r.series = ReadSeries(c);
  spc::Stage& s = r.stage;
  s.number = c.Int32();
  s.start_index = c.Int();
  s.baseline_size = c.Int32();
  s.transform = ReadName(c, spc::ParseTransform, "transform");
  s.sigma_method = ReadName(c, spc::ParseSigmaMethod, "sigma_method");
  s.mean = c.Double();
  s.sigma = c.Double();
  r.frozen = c.Bool();
  r.external_baseline = c.Bool();
  r.start_sample_id = c.Int();
  r.start_time_ms = c.Int();
  r.created_ms = c.Int();
  return r;
}

template <typename Params>
void BindViolation(Params& b, const ViolationRecord& v) {
  BindSeries(b, v.series);
  b.Text(spc::RuleName(v.rule)).Text(spc::PhaseName(v.phase)).Int(v.stage);
  b.Int(v.first_index).Int(v.last_index).Int(v.count).Int(v.first_time_ms).Int(v.last_time_ms);
  b.Double(v.value).Double(v.worst_value).OptDouble(v.deviation).Double(v.mean).Double(v.sigma);
  const spc::Limits& l = v.limits;
  b.Double(l.center).Double(l.ucl).Double(l.lcl).Double(l.upper_2s).Double(l.lower_2s);
  b.Double(l.upper_1s).Double(l.lower_1s);
  b.Text(v.context_json).Text(ViolationStatusName(v.status)).Text(v.status_by);
  b.Int(v.status_time_ms).Int(v.created_ms);
}

template <typename Row>
ViolationRecord ReadViolation(Row& c) {
  ViolationRecord v;
  v.id = c.Int();
  v.series = ReadSeries(c);
  v.rule = ReadName(c, spc::ParseRuleName, "rule");
  v.phase = ReadName(c, ParsePhase, "phase");
  v.stage = c.Int32();
  v.first_index = c.Int();
  v.last_index = c.Int();
  v.count = c.Int();
  v.first_time_ms = c.Int();
  v.last_time_ms = c.Int();
  v.value = c.Double();
  v.worst_value = c.Double();
  v.deviation = c.OptDouble();
  v.mean = c.Double();
  v.sigma = c.Double();
  spc::Limits& l = v.limits;
  l.center = c.Double();
  l.ucl = c.Double();
  l.lcl = c.Double();
  l.upper_2s = c.Double();
  l.lower_2s = c.Double();
  l.upper_1s = c.Double();
  l.lower_1s = c.Double();
  v.context_json = c.Text();
  v.status = ReadName(c, ParseViolationStatus, "status");
  v.status_by = c.Text();
  v.status_time_ms = c.Int();
  v.created_ms = c.Int();
  return v;
}

template <typename Row>
ViolationMark ReadViolationMark(Row& c) {
  ViolationMark m;
  m.id = c.Int();
  m.first_time_ms = c.Int();
  m.rule = ReadName(c, spc::ParseRuleName, "rule");
  m.phase = ReadName(c, ParsePhase, "phase");
  return m;
}

// The row EnqueueDelivery stores for `d`: unclaimed, and updated when created, whatever the
// record says.
inline DeliveryRecord NewDeliveryRow(DeliveryRecord d) {
  d.claimed_by.clear();
  d.claimed_until_ms = 0;
  d.updated_ms = d.created_ms;
  return d;
}

template <typename Params>
void BindDelivery(Params& b, const DeliveryRecord& d) {
  b.Text(d.key).Int(d.violation_id).Text(d.sink).Text(DeliveryKindName(d.kind));
  b.Text(d.payload_json).Text(DeliveryStateName(d.state)).Int(d.attempts);
  b.Int(d.next_attempt_ms).Text(d.last_error).Text(d.claimed_by).Int(d.claimed_until_ms);
  b.Int(d.created_ms).Int(d.updated_ms).Int(d.delivered_ms);
}

template <typename Row>
DeliveryRecord ReadDelivery(Row& c) {
  DeliveryRecord d;
  d.id = c.Int();
  d.key = c.Text();
  d.violation_id = c.Int();
  d.sink = c.Text();
  d.kind = ReadName(c, ParseDeliveryKind, "kind");
  d.payload_json = c.Text();
  d.state = ReadName(c, ParseDeliveryState, "state");
  d.attempts = c.Int32();
  d.next_attempt_ms = c.Int();
  d.last_error = c.Text();
  d.claimed_by = c.Text();
  d.claimed_until_ms = c.Int();
  d.created_ms = c.Int();
  d.updated_ms = c.Int();
  d.delivered_ms = c.Int();
  return d;
}

template <typename Params>
void BindSilence(Params& b, const SilenceRecord& r) {
  b.Text(r.provider).Text(r.model).Text(r.metric).Text(r.rule).Int(r.starts_ms).Int(r.ends_ms);
  b.Text(r.created_by).Text(r.comment).Int(r.created_ms);
}

template <typename Row>
SilenceRecord ReadSilence(Row& c) {
  SilenceRecord r;
  r.id = c.Int();
  r.provider = c.Text();
  r.model = c.Text();
  r.metric = c.Text();
  r.rule = c.Text();
  r.starts_ms = c.Int();
  r.ends_ms = c.Int();
  r.created_by = c.Text();
  r.comment = c.Text();
  r.created_ms = c.Int();
  return r;
}

}  // namespace llmscope::store::record_fields
