// ChartModel: what the control chart draws, built from the API's views; pure functions, so the
// chart's content is tested without a canvas. Times are seconds (uPlot's x unit).
import type { Limits, PChartView, SpcView, Stage, StreamSample, Metric, Summary, Violation } from '../api/types';
import { lowerBound, violationMarkers, windowMarkers, type Marker } from './markers';
import { formatTime } from './metrics';

// Limits that hold from `from` (seconds) until the next segment (or the end).
export interface LimitSegment {
  from: number;
  limits: Limits;
}

export interface ChartModel {
  x: number[];
  y: (number | null)[];
  ids: number[];
  telemetry: { cpu: (number | null)[]; memory: (number | null)[]; gpu: (number | null)[] };
  segments: LimitSegment[];
  stageStarts: number[];
  markers: Marker[];
  provisional: boolean;
  zones: boolean; // A/B/C zones shaded (not for the p-chart)
  shares?: boolean; // the values are shares in [0, 1] (the p-chart)
}

// Limit segments: each frozen stage's limits from its start, and the current limits (which may
// be provisional while learning) for the newest stage when it has none of its own.
export function limitSegments(stages: Stage[], current: Limits | null, firstX: number): LimitSegment[] {
  const out: LimitSegment[] = [];
  const sorted = [...stages].sort((a, b) => a.start_time_ms - b.start_time_ms);
  sorted.forEach((s, i) => {
    const limits = s.limits ?? (i === sorted.length - 1 ? current : null);
    if (limits) out.push({ from: s.start_time_ms / 1000, limits });
  });
  if (out.length === 0 && current) out.push({ from: firstX, limits: current });
  return out;
}

export function modelFromSpc(view: SpcView): ChartModel {
  const x = view.time_ms.map((t) => t / 1000);
  const y = view.values;
  return {
    x,
    y,
    ids: view.ids,
    telemetry: { cpu: view.cpu_percents, memory: view.memory_percents, gpu: view.gpu_percents },
    segments: limitSegments(view.stages, view.limits, x[0] ?? 0),
    stageStarts: view.stages.filter((s) => s.number > 1).map((s) => s.start_time_ms / 1000),
    markers: windowMarkers(view, x, y),
    provisional: view.chart.limits_provisional,
    zones: true,
  };
}

// Monitoring-phase violations per rule in the window: all of them (firings_by_rule), or from a
// server before it, those among the newest 200.
export function firingsByRule(s: Summary): Record<string, number> {
  return { ...(s.firings_by_rule ?? s.violations_by_rule) };
}

// The p-chart of a window: its subgroups, p̄ and limits, R1 firings of the window (info-level
// chart signals), and `alerts`: the logged alert-level violations of the source's error rate
// (ERRORS), each at the subgroup that holds its onset.
export function modelFromPChart(view: PChartView, alerts: Violation[] = []): ChartModel {
  const x = view.subgroups.time_ms.map((t) => t / 1000);
  const y = [...view.subgroups.p];
  const l = view.limits;
  const limits: Limits | null = l
    ? { cl: l.p_bar, ucl: l.ucl, lcl: l.lcl, upper_2s: null, lower_2s: null, upper_1s: null, lower_1s: null }
    : null;
  return {
    x,
    y,
    ids: x.map(() => 0),
    telemetry: { cpu: x.map(() => null), memory: x.map(() => null), gpu: x.map(() => null) },
    segments: limits ? [{ from: x[0] ?? 0, limits }] : [],
    stageStarts: [],
    markers: [
      ...view.firings
        .filter((f) => f.phase === 'monitoring')
        .map((f): Marker => ({ x: f.time_ms / 1000, y: f.p, rule: 'R1', severity: 'info' })),
      ...violationMarkers(alerts, x, y, true),
    ],
    provisional: false,
    zones: false,
    shares: true,
  };
}

// The value of `metric` in a streamed sample, as the chart counts it: a failed call's latency
// does not count (as on the server), its error does.
export function sampleValue(s: StreamSample, metric: Metric): number | null {
  if (metric === 'error') return s.error ? 1 : 0;
  if (s.error) return null;
  const v = s[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

// The model with a live sample appended (points arrive in time order), or `m` itself when the
// sample is not newer than its last point (a duplicate after a reconnect).
export function withSample(m: ChartModel, s: StreamSample, metric: Metric): ChartModel {
  const t = s.time_ms / 1000;
  const n = m.x.length;
  if (n > 0 && (t < m.x[n - 1] || s.id <= m.ids[n - 1])) return m;
  return {
    ...m,
    x: [...m.x, t],
    y: [...m.y, sampleValue(s, metric)],
    ids: [...m.ids, s.id],
    telemetry: {
      cpu: [...m.telemetry.cpu, s.cpu_percent],
      memory: [...m.telemetry.memory, s.memory_percent],
      gpu: [...m.telemetry.gpu, s.gpu_percent],
    },
  };
}

// The points shown are limited to the window: the model without the points older than `sinceS`,
// or `m` itself when it has none.
export function trimmedBefore(m: ChartModel, sinceS: number): ChartModel {
  const k = lowerBound(m.x, sinceS);
  if (k === 0) return m;
  const t = m.telemetry;
  return {
    ...m,
    x: m.x.slice(k),
    y: m.y.slice(k),
    ids: m.ids.slice(k),
    telemetry: { cpu: t.cpu.slice(k), memory: t.memory.slice(k), gpu: t.gpu.slice(k) },
  };
}

// The model with its points and markers in [sinceS, untilS) replaced by those of `detail`, the
// same span fetched again at a finer resolution (the person zoomed in); detail's points outside
// the span are left out, so that the points stay in time order.
export function splicedDetail(m: ChartModel, detail: ChartModel, sinceS: number, untilS: number): ChartModel {
  const a = lowerBound(m.x, sinceS);
  const b = lowerBound(m.x, untilS);
  const da = lowerBound(detail.x, sinceS);
  const db = lowerBound(detail.x, untilS);
  const cat = <T>(outer: T[], inner: T[]) => [...outer.slice(0, a), ...inner.slice(da, db), ...outer.slice(b)];
  const t = m.telemetry;
  const d = detail.telemetry;
  const inside = (mk: Marker) => mk.x >= sinceS && mk.x < untilS;
  return {
    ...m,
    x: cat(m.x, detail.x),
    y: cat(m.y, detail.y),
    ids: cat(m.ids, detail.ids),
    telemetry: { cpu: cat(t.cpu, d.cpu), memory: cat(t.memory, d.memory), gpu: cat(t.gpu, d.gpu) },
    markers: [...m.markers.filter((mk) => !inside(mk)), ...detail.markers.filter(inside)],
  };
}

// The host telemetry of one point, for the system panel.
export interface TelemetryAt {
  label: string;
  cpu: number | null;
  memory: number | null;
  gpu: number | null;
}

// The telemetry at the point under the cursor (`hover`, an index), or at the newest point; null
// when there is no such point.
export function telemetryAt(m: ChartModel | null, hover: number | null): TelemetryAt | null {
  if (!m) return null;
  const i = hover ?? m.x.length - 1;
  if (i < 0 || i >= m.x.length) return null;
  return {
    label: hover === null ? 'newest sample' : 'at ' + formatTime(m.x[i] * 1000).slice(11),
    cpu: m.telemetry.cpu[i],
    memory: m.telemetry.memory[i],
    gpu: m.telemetry.gpu[i],
  };
}

// The y range that shows the points and every limit line, with a margin.
// The x range (seconds) uPlot asks for: its own for two or more distinct times; a single time
// (one sample, or one p-chart subgroup) gets a minute either side, where uPlot would give it
// 86,400,000 s (a day in its milliseconds, read as seconds: years on the axis).
export function xRange(m: ChartModel, min: number | null, max: number | null): [number, number] {
  const n = m.x.length;
  if (n > 0 && m.x[0] === m.x[n - 1]) return [m.x[0] - 60, m.x[0] + 60];
  if (min === null || max === null) {
    const now = Date.now() / 1000;
    return [now - 3600, now];
  }
  return [min, max];
}

// The y range: the points and the limits, padded by 5 %; a p-chart (shares) stays within [0, 1].
export function yRange(m: ChartModel): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of m.y) {
    if (v === null) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  for (const s of m.segments) {
    for (const v of [s.limits.ucl, s.limits.lcl, s.limits.cl]) {
      if (v === null || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo)) return [0, 1];
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.1 || (m.shares ? 0.05 : 1);
  if (m.shares) return [Math.max(0, lo - pad), Math.min(1, hi + pad)];
  return [lo - pad, hi + pad];
}
