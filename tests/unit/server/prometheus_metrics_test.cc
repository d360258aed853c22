// PrometheusMetrics on hand-made monitor events: escaped labels, seconds in the histogram,
// the current stage's limits and latest point per series, and the cardinality cap.
#include "server/prometheus_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace llmscope::server {
namespace {

Sample SampleOf(const SourceKey& source, double e2e_ms, bool error = false) {
  Sample s;
  s.source = source;
  s.e2e_ms = e2e_ms;
  s.error = error;
  return s;
}

monitor::MonitorEvent ViolationEvent(const SourceKey& source, spc::Rule rule, spc::Phase phase) {
  monitor::MonitorEvent e;
  e.kind = monitor::MonitorEvent::Kind::kViolationOpened;
  e.violation.series = {source, Metric::kE2eMs};
  e.violation.rule = rule;
  e.violation.phase = phase;
  return e;
}

// The samples, then the events, as the monitor hands a batch to its listeners.
void Observe(PrometheusMetrics& metrics, const std::vector<Sample>& samples,
             const std::vector<monitor::MonitorEvent>& events = {}) {
  metrics.Observe(monitor::MonitorBatch{samples, events});
}

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

// The value on the line that starts with `name_and_labels`; NaN when there is none.
double ValueOf(const std::string& text, const std::string& name_and_labels) {
  const size_t at = text.find("\n" + name_and_labels + " ");
  return at == std::string::npos ? std::nan("")
                                 : std::stod(text.substr(at + name_and_labels.size() + 2));
}

TEST(PrometheusMetricsTest, EscapesLabelValuesAndCountsErrorsApart) {
  PrometheusMetrics metrics;
  const SourceKey odd{"pro\"vider", "mo\\del", "line\nbreak", ""};
  Observe(metrics, {SampleOf(odd, 120), SampleOf(odd, 9000, /*error=*/true)});
  const std::string text = metrics.Render({}, 0, 0);
  const std::string labels =
      R"(provider="pro\"vider",model="mo\\del",site="line\nbreak",profile="")";
  EXPECT_TRUE(Has(text, "llmscope_samples_total{" + labels + "} 2")) << text;
  EXPECT_TRUE(Has(text, "llmscope_sample_errors_total{" + labels + "} 1")) << text;
  // The failed call's latency measures the failure: only the 120 ms call is in the histogram.
  EXPECT_TRUE(Has(text, "llmscope_latency_seconds_count{" + labels + R"(,metric="e2e_ms"} 1)"));
  EXPECT_TRUE(Has(text, "llmscope_latency_seconds_sum{" + labels + R"(,metric="e2e_ms"} 0.12)"));
  EXPECT_TRUE(
      Has(text, "llmscope_latency_seconds_bucket{" + labels + R"(,metric="e2e_ms",le="0.1"} 0)"))
      << text;
  EXPECT_TRUE(
      Has(text, "llmscope_latency_seconds_bucket{" + labels + R"(,metric="e2e_ms",le="0.25"} 1)"))
      << text;
}

TEST(PrometheusMetricsTest, CountsMonitoringViolationsByRuleOnly) {
  PrometheusMetrics metrics;
  const SourceKey src{"ollama", "llama3", "", ""};
  Observe(metrics, {SampleOf(src, 100)},
          {ViolationEvent(src, spc::Rule::kR1, spc::Phase::kMonitoring),
           ViolationEvent(src, spc::Rule::kR1, spc::Phase::kMonitoring),
           ViolationEvent(src, spc::Rule::kR2, spc::Phase::kBaseline),
           ViolationEvent(src, spc::Rule::kShift, spc::Phase::kMonitoring)});
  const std::string text = metrics.Render({}, 3, 0);
  const std::string series =
      R"(provider="ollama",model="llama3",site="",profile="",metric="e2e_ms")";
  EXPECT_TRUE(Has(text, "llmscope_violations_total{" + series + R"(,rule="R1",severity="info"} 2)"))
      << text;
  EXPECT_TRUE(
      Has(text, "llmscope_violations_total{" + series + R"(,rule="SHIFT",severity="warning"} 1)"))
      << text;
  EXPECT_EQ(text.find(R"(rule="R2")"), std::string::npos) << text;
  EXPECT_TRUE(Has(text, "llmscope_open_violations 3"));
}

TEST(PrometheusMetricsTest, ExportsStageLimitsAndLatestPointInOriginalUnit) {
  monitor::SeriesView v;
  v.key = {{"ollama", "llama3", "", ""}, Metric::kTtftMs};
  v.learning = false;
  v.state = monitor::SeriesState::kViolation;
  v.alarm.detection_delay_ms = 95000;
  v.stage =
      spc::Stage{0, 0, 100, spc::Transform::kLog, spc::SigmaMethod::kMrMean, std::log(200.0), 0.1};
  v.last = monitor::ChartPoint{150, 151, 1700000000500, 350.5, {}};
  const std::string text = PrometheusMetrics().Render({v}, 0, 2);
  const std::string series =
      R"(provider="ollama",model="llama3",site="",profile="",metric="ttft_ms")";
  EXPECT_TRUE(Has(text, "llmscope_series_value{" + series + "} 350.5")) << text;
  EXPECT_TRUE(
      Has(text, "llmscope_series_last_point_timestamp_seconds{" + series + "} 1700000000.5"));
  EXPECT_TRUE(Has(text, "llmscope_series_in_violation{" + series + "} 1"));
  EXPECT_TRUE(Has(text, "llmscope_series_learning{" + series + "} 0"));
  EXPECT_TRUE(Has(text, "llmscope_series_degraded{" + series + "} 0"));
  EXPECT_TRUE(Has(text, "llmscope_series_detection_delay_seconds{" + series + "} 95"));
  // Under log the limits are exp(μ̂ ± 3σ̂): asymmetric around the center.
  const std::string limit = "llmscope_control_limit{" + series + ",limit=";
  EXPECT_NEAR(ValueOf(text, limit + R"("cl"})"), 200, 1e-9) << text;
  EXPECT_NEAR(ValueOf(text, limit + R"("ucl"})"), 200 * std::exp(0.3), 1e-9) << text;
  EXPECT_NEAR(ValueOf(text, limit + R"("lcl"})"), 200 * std::exp(-0.3), 1e-9) << text;
  EXPECT_TRUE(Has(text, "llmscope_stream_clients 2"));
}

TEST(PrometheusMetricsTest, CapsTheExportedSourcesAndCountsWhatItLeavesOut) {
  PrometheusMetrics metrics(/*max_sources=*/2);
  std::vector<Sample> samples;
  std::vector<monitor::MonitorEvent> events;
  std::vector<monitor::SeriesView> series;
  for (const char* model : {"a", "b", "c"}) {
    const SourceKey src{"p", model, "", ""};
    samples.push_back(SampleOf(src, 100));
    samples.push_back(SampleOf(src, 100));
    events.push_back(ViolationEvent(src, spc::Rule::kR1, spc::Phase::kMonitoring));
    for (Metric m : {Metric::kE2eMs, Metric::kTtftMs}) {
      monitor::SeriesView v;
      v.key = {src, m};
      series.push_back(v);
    }
  }
  Observe(metrics, samples, events);
  const std::string text = metrics.Render(series, 0, 0);
  EXPECT_TRUE(Has(text, "llmscope_samples_omitted_total 2")) << text;
  EXPECT_TRUE(Has(text, "llmscope_series_omitted 2")) << text;
  EXPECT_EQ(text.find(R"(model="c")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(model="b")"), std::string::npos) << text;
}

TEST(PrometheusMetricsTest, CountsOtlpItemsBySignalAndOutcome) {
  PrometheusMetrics metrics;
  metrics.CountOtlpItems("traces", 5, 2, 1);
  metrics.CountOtlpItems("traces", 1, 0, 0);
  const std::string text = metrics.Render({}, 0, 0);
  EXPECT_NE(text.find(R"(llmscope_otlp_items_total{signal="traces",outcome="sampled"} 6)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(llmscope_otlp_items_total{signal="traces",outcome="ignored"} 2)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(llmscope_otlp_items_total{signal="metrics",outcome="rejected"} 0)"),
            std::string::npos)
      << "every series is exported from the start";
}

}  // namespace
}  // namespace llmscope::server
