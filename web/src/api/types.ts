// The shapes of the LLMscope HTTP API as the dashboard reads them (src/server/json_views.cc,
// spc_view.cc, dashboard_routes.cc). Numbers that the server cannot compute are null. Fields
// the alerting layer added (severity, detected time, `degraded`, `alerting`) are
// optional: a server from before it sends none of them and the dashboard still works.

export type Metric = 'e2e_ms' | 'ttft_ms' | 'tpot_ms' | 'tokens_per_s' | 'cost_usd' | 'error';
// violation: an alert (critical or warning) is open on the series; degraded: the shift
// detector's early-warning level is crossed (no alert); info-level firings never change it.
export type SeriesState = 'in_control' | 'degraded' | 'violation' | 'learning';
// A source's state on the status report: its worst series', or silent when it sent nothing for
// longer than its silent_after_ms (src/status/status_report.h).
export type SourceState = SeriesState | 'silent';
// critical and warning are alerts (they reach people); info is a chart signal (the Nelson rules,
// EWMA and CUSUM by default).
export type Severity = 'critical' | 'warning' | 'info';
export type ViolationStatus = 'open' | 'acknowledged' | 'resolved';

export interface Limits {
  cl: number | null;
  ucl: number | null;
  lcl: number | null;
  upper_2s: number | null;
  lower_2s: number | null;
  upper_1s: number | null;
  lower_1s: number | null;
}

export interface SourceKey {
  provider: string;
  model: string;
  site: string;
  profile: string;
}

export interface SeriesKey extends SourceKey {
  metric: Metric;
  id: string;
}

// The series' alert detector as GET /api/series reports it: a one-sided CUSUM on subgroup means
// ("shift") or on each call's error ("errors"), with the false-alert budget it was tuned to and
// what that costs in detection delay. Figures the server cannot know while learning are null.
export interface Alerting {
  detector: 'shift' | 'errors';
  direction: 'up' | 'down'; // the bad direction
  learning: boolean;
  learning_progress: number;
  learning_needed: number; // subgroups (shift) or calls (errors)
  subgroup_size?: number;
  interval_s?: number | null; // the sampling interval measured
  budget_per_30d?: number | null; // configured false alerts per series per 30 days
  expected_false_alerts_per_30d?: number | null; // at the estimated parameters
  expected_degraded_per_30d?: number | null;
  detection_delay_s?: number | null; // to alert `detection_target`
  detection_target?: string; // "×1.2" or "+5% errors"
  statistic?: number | null; // the CUSUM now
  threshold?: number | null; // alert level of the statistic
  degraded_threshold?: number | null; // early-warning level
  baseline?: number | null; // the level learnt, in the metric's unit (errors: a share)
}

export interface SeriesInfo extends SeriesKey {
  state: SeriesState;
  points: number;
  learning_points: number;
  baseline_size: number;
  open_events: number;
  transform: string;
  stage?: number;
  limits?: Limits;
  last_value?: number | null;
  last_time?: string;
  alerting?: Alerting | null; // absent: no detector on this series (or an older server)
}

export interface Stage {
  number: number;
  start_index: number;
  start_time: string;
  start_time_ms: number;
  baseline_size: number;
  transform: string;
  sigma_method: string;
  frozen: boolean;
  mean?: number | null;
  sigma?: number | null;
  limits?: Limits;
}

// A stage as the event stream announces it (a new stage, or a learning baseline frozen), with
// the series it belongs to.
export interface StageEvent extends Stage {
  series: SeriesKey;
}

export interface Telemetry {
  cpu_percent: number | null;
  memory_percent: number | null;
  gpu_percent: number | null;
  gpu_memory_percent: number | null;
  gpu_temp_c: number | null;
}

export interface ContextPoint {
  index: number;
  sample_id: number;
  time_ms: number;
  value: number;
  telemetry: Telemetry;
}

export interface Delivery {
  sink: string;
  kind?: string;
  state: string;
  attempts?: number;
  last_error?: string | null;
  delivered_ms?: number | null;
}

export interface Violation {
  id: number;
  series: SeriesKey;
  provider: string;
  model: string;
  metric: Metric;
  rule: string;
  meaning: string;
  phase: 'baseline' | 'monitoring';
  stage: number;
  first_index: number;
  last_index: number;
  count: number;
  first_time: string;
  last_time: string;
  first_time_ms: number;
  last_time_ms: number;
  value: number | null;
  worst_value: number | null;
  deviation_sigma: number | null;
  mean: number | null;
  sigma: number | null;
  limits: Limits;
  status: ViolationStatus;
  status_by: string;
  status_time: string | null;
  context?: { points: ContextPoint[]; telemetry: Telemetry | null } | null;
  deliveries?: Delivery[];
  change?: 'opened' | 'updated' | 'status';
  severity?: Severity;
  // When the detector signalled. For SHIFT/JUMP/ERRORS first_time is the estimated onset of the
  // change, which can be minutes earlier; for the Nelson rules both are the same.
  detected_time?: string;
  detected_time_ms?: number;
}

export interface Summary {
  count: number;
  mean: number | null;
  median: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  error_rate: number | null;
  // A window read from rollups: its percentiles (and median) from hourly sketches, each within
  // this relative error of the exact one; or none at all (`percentiles_omitted`).
  percentiles_relative_error?: number;
  percentiles_omitted?: boolean;
  violations_by_rule: Record<string, number>; // of the newest 200 listed in `violations`
  firings_by_rule?: Record<string, number>; // every monitoring-phase violation of the window
}

// The specification limits a person enters for capability (Cp, Cpk, Pp, Ppk).
export interface Slo {
  usl?: number;
  lsl?: number;
}

export interface Capability {
  cp: number | null;
  cpk: number | null;
  pp: number | null;
  ppk: number | null;
  share_beyond_spec: number | null;
  n: number;
  usl?: number | null;
  lsl?: number | null;
  spec_source?: 'query' | 'slo'; // the request's limits, or the series' stored SLO
}

// GET /api/series/{provider}/{model}/{metric}/slo
export interface SloReply {
  usl: number | null;
  lsl: number | null;
  version: number;
  updated_ms: number;
}

// GET …/settings: a series' overrides of the config file (docs/design.md "Per-series overrides").
export interface SeriesSettingValues {
  baseline: number;
  transform: 'log' | 'none';
  rules: string;
  false_alerts_per_30d: number;
}
export type SeriesSettingField = keyof SeriesSettingValues;
export interface SeriesSettingsReply {
  effective: SeriesSettingValues;
  source: Record<SeriesSettingField, 'override' | 'config'>;
  config: SeriesSettingValues;
  override: Partial<SeriesSettingValues> | null;
  stage: { number: number | null; baseline: number; transform: 'log' | 'none'; learning: boolean } | null;
  version: number | null;
}
// A PUT's body: a field left out (or null) takes the config file's value.
export type SeriesSettingsEdit = { [F in SeriesSettingField]?: SeriesSettingValues[F] | null };

// GET /api/prices: one priced model.
export interface PriceEntry {
  provider: string;
  model: string;
  input_usd_per_mtok: number;
  output_usd_per_mtok: number;
  source: 'builtin' | 'store';
  set_at: string;
}

// GET /api/cost: spend per group (a dimension not grouped by is "").
export interface CostRow {
  provider: string;
  model: string;
  day: string;
  spend_usd: number;
  calls: number;
  priced_calls: number;
  usd_per_1000_calls: number | null;
}

export interface CostReply {
  since: string;
  until: string;
  rows: CostRow[];
}

export interface SpcView {
  series: SeriesKey | null;
  count: number;
  timestamps?: string[]; // left out with columns=chart
  values: (number | null)[];
  time_ms: number[];
  ids: number[];
  errors: number[];
  cpu_percents: (number | null)[];
  memory_percents: (number | null)[];
  gpu_percents: (number | null)[];
  gpu_memory_percents: (number | null)[];
  chart: {
    state: string;
    transform: string;
    baseline_size: number;
    learning_points: number;
    limits_provisional: boolean;
  };
  limits: Limits | null;
  stages: Stage[];
  summary: Summary;
  capability: Capability | null;
  violations: Violation[]; // the newest 200, in full
  violations_truncated: boolean;
  // Every violation of the window, oldest first, for markers over all of it: each on its own (up
  // to 20,000), or per display bucket with a count when the window is read from rollups.
  violation_marks?: ViolationMarks;
  violation_marks_truncated?: boolean;
  // With max_points: whether points were left out (M4 per bucket of bucket_ms), and how many
  // points the window holds.
  downsampled?: boolean;
  bucket_ms?: number;
  window_count?: number;
}

// One mark per violation (ids set, counts 1), or, for a window read from rollups, one per
// display bucket and rule (id null) with how many violations of that rule began in the bucket.
export interface ViolationMarks {
  ids: (number | null)[];
  time_ms: number[];
  rules: string[];
  severities: string[];
  counts?: number[]; // absent from older servers: 1 each
}

export interface PChartView {
  series: SeriesKey;
  subgroup_size: number;
  baseline_subgroups: number;
  calls: number;
  failed: number;
  pending_calls: number;
  subgroups: { time_ms: number[]; p: number[]; failed: number[] };
  limits: { p_bar: number; ucl: number; lcl: number; estimable: boolean } | null;
  firings: { subgroup: number; time_ms: number; p: number; phase: string }[];
  // The server's live p-chart of the source (the one whose violations are logged), or null.
  live: {
    state: 'learning' | 'monitoring';
    stage: number;
    calls: number;
    learning_calls: number;
    baseline_calls: number;
    limits: { p_bar: number; ucl: number; lcl: number; estimable: boolean } | null;
  } | null;
}

export interface SystemNow {
  cpu_percent: number | null;
  memory_percent: number | null;
  gpu_percent: number | null;
  gpu_memory_percent: number | null;
  gpu_temp_c: number | null;
  time: string;
}

// A sample as the event stream sends it (SampleJson).
export interface StreamSample extends SourceKey, Telemetry {
  id: number;
  time_ms: number;
  e2e_ms: number | null;
  ttft_ms: number | null;
  tpot_ms: number | null;
  tokens_per_s: number | null;
  cost_usd: number | null;
  error: boolean;
  error_kind: string;
}

// One stored sample as GET /api/samples/{id} gives it: the fields of the samples export and the
// event stream (SampleJson), with Ollama's own durations and counts and the prompt's hash. A
// field not measured is null; one an older server does not send is absent.
export interface Sample extends StreamSample {
  timestamp?: string;
  error_message?: string;
  total_duration_ms?: number | null;
  load_duration_ms?: number | null;
  prompt_eval_duration_ms?: number | null;
  eval_duration_ms?: number | null;
  prompt_eval_count?: number | null; // prompt tokens, as Ollama counts them
  eval_count?: number | null; // output tokens, as Ollama counts them
  tokens_in?: number | null;
  tokens_out?: number | null;
  prompt_hash?: string; // empty when none was recorded
}

// GET /api/status (src/status/status_json.h), the fields the overview reads.
export interface SourceStatus extends SourceKey {
  state: SourceState;
  last_sample: string | null;
  e2e_p50_ms: number | null;
  e2e_p95_ms: number | null;
  e2e_spark?: number[]; // means of the recent calls' e2e, oldest first (absent from older servers)
}

export interface StatusReport {
  generated: string;
  overall: SourceState | null;
  sources: SourceStatus[];
}
