import type { Limits, PChartView, SpcView, Stage, StreamSample, Violation } from '../api/types';
import { limitSegments, modelFromPChart, modelFromSpc, telemetryAt, trimmedBefore, withSample, xRange, yRange } from './chart_data';
import { drawOrder, lowerBound, violationMarkers } from './markers';

const L = (cl: number): Limits => ({ cl, ucl: cl + 3, lcl: cl - 3, upper_2s: cl + 2, lower_2s: cl - 2, upper_1s: cl + 1, lower_1s: cl - 1 });

function stage(number: number, start: number, limits?: Limits): Stage {
  return { number, start_index: 0, start_time: '', start_time_ms: start, baseline_size: 20, transform: 'log', sigma_method: 'mr_mean', frozen: !!limits, limits };
}

function view(n: number): SpcView {
  const time_ms = Array.from({ length: n }, (_, i) => 1000 * (i + 1));
  return {
    series: null,
    count: n,
    timestamps: [],
    values: time_ms.map((_, i) => 100 + i),
    time_ms,
    ids: time_ms.map((_, i) => i + 1),
    errors: time_ms.map(() => 0),
    cpu_percents: time_ms.map(() => 10),
    memory_percents: time_ms.map(() => 20),
    gpu_percents: time_ms.map(() => null),
    gpu_memory_percents: time_ms.map(() => null),
    chart: { state: 'monitoring', transform: 'log', baseline_size: 20, learning_points: 20, limits_provisional: false },
    limits: L(105),
    stages: [stage(1, 1000, L(100)), stage(2, 6000)],
    summary: { count: n, mean: 0, median: 0, std: 0, min: 0, max: 0, p50: 0, p95: 0, p99: 0, error_rate: 0, violations_by_rule: {} },
    capability: null,
    violations: [
      { id: 9, rule: 'R1', phase: 'monitoring', first_time_ms: 4000, value: 500 } as Violation,
      { id: 8, rule: 'R2', phase: 'baseline', first_time_ms: 2000, value: 101 } as Violation,
    ],
    violations_truncated: false,
  };
}

test('each stage draws its own limits; the newest unfrozen stage the current ones', () => {
  const segs = limitSegments([stage(2, 6000), stage(1, 1000, L(100))], L(105), 0);
  expect(segs).toEqual([
    { from: 1, limits: L(100) },
    { from: 6, limits: L(105) },
  ]);
  expect(limitSegments([], L(1), 42)).toEqual([{ from: 42, limits: L(1) }]);
});

test('the SPC view becomes points, stage lines and markers of monitoring violations only', () => {
  const m = modelFromSpc(view(10));
  expect(m.x).toHaveLength(10);
  expect(m.x[0]).toBe(1);
  expect(m.stageStarts).toEqual([6]);
  expect(m.markers).toEqual([{ x: 4, y: 500, rule: 'R1', violationId: 9 }]);
});

test('live samples append in order into a new model; duplicates and failed latencies are handled', () => {
  const m = modelFromSpc(view(3));
  const before = structuredClone(m);
  const s = { id: 4, time_ms: 4000, e2e_ms: 321, error: false, cpu_percent: 1, memory_percent: 2, gpu_percent: null } as StreamSample;
  const one = withSample(m, s, 'e2e_ms');
  expect(one.x).toEqual([1, 2, 3, 4]);
  expect(one.telemetry.cpu.at(-1)).toBe(1);
  expect(withSample(one, s, 'e2e_ms')).toBe(one); // a duplicate
  expect(withSample(one, { ...s, id: 5, time_ms: 3500 }, 'e2e_ms')).toBe(one); // older than the last point
  const two = withSample(one, { ...s, id: 5, time_ms: 5000, error: true }, 'e2e_ms');
  expect(two.y.slice(-2)).toEqual([321, null]);
  expect(two.markers).toBe(m.markers); // what a sample leaves alone is shared
  const trimmed = trimmedBefore(two, 3);
  expect(trimmed.x).toEqual([3, 4, 5]);
  expect(trimmed.ids).toEqual([3, 4, 5]);
  expect(trimmed.telemetry.memory).toEqual([20, 2, 2]);
  expect(trimmedBefore(trimmed, 3)).toBe(trimmed);
  expect(two.x).toHaveLength(5);
  expect(m).toEqual(before); // the inputs are never changed
});

test('the y range holds the points and the limits', () => {
  const m = modelFromSpc(view(3));
  const [lo, hi] = yRange(m);
  expect(lo).toBeLessThan(97);
  expect(hi).toBeGreaterThan(108);
  expect(lowerBound([1, 2, 3], 2.5)).toBe(2);
});

test('the p-chart view draws subgroup shares against p-bar limits, R1 firings (info) and logged ERRORS alerts', () => {
  const v: PChartView = {
    series: {} as PChartView['series'],
    subgroup_size: 20,
    baseline_subgroups: 5,
    calls: 120,
    failed: 12,
    pending_calls: 0,
    subgroups: { time_ms: [1000, 2000], p: [0.05, 0.5], failed: [1, 10] },
    limits: { p_bar: 0.05, ucl: 0.196, lcl: 0, estimable: true },
    firings: [
      { subgroup: 1, time_ms: 2000, p: 0.5, phase: 'monitoring' },
      { subgroup: 0, time_ms: 1000, p: 0.05, phase: 'baseline' },
    ],
    live: null,
  };
  const m = modelFromPChart(v);
  expect(m.y).toEqual([0.05, 0.5]);
  expect(m.segments[0].limits.ucl).toBe(0.196);
  expect(m.markers).toEqual([{ x: 2, y: 0.5, rule: 'R1', severity: 'info' }]);
  expect(m.zones).toBe(false);
  // An ERRORS alert whose onset falls in the second subgroup sits on that subgroup's share, not
  // at its own value; its detection time is kept for the onset-to-detection line.
  const errors = { id: 7, rule: 'ERRORS', phase: 'monitoring', first_time_ms: 1500, detected_time_ms: 1900, value: 1, severity: 'critical' } as Violation;
  expect(modelFromPChart(v, [errors]).markers[1]).toEqual({ x: 1.5, y: 0.5, rule: 'ERRORS', violationId: 7, severity: 'critical', detectedX: 1.9 });
});

test('markers keep severity and detection time; alerts are drawn over info-level signals', () => {
  const x = [1, 2, 3];
  const y = [10, 20, 30];
  const ms = violationMarkers(
    [
      { id: 1, rule: 'SHIFT', phase: 'monitoring', first_time_ms: 1000, detected_time_ms: 3000, value: null, severity: 'warning' } as Violation,
      { id: 2, rule: 'R1', phase: 'monitoring', first_time_ms: 2000, detected_time_ms: 2000, value: 25, severity: 'info' } as Violation,
      { id: 3, rule: 'R2', phase: 'monitoring', first_time_ms: 3000, value: 31 } as Violation, // an older server: no severity
    ],
    x,
    y,
  );
  expect(ms).toEqual([
    { x: 1, y: 10, rule: 'SHIFT', violationId: 1, severity: 'warning', detectedX: 3 },
    { x: 2, y: 25, rule: 'R1', violationId: 2, severity: 'info' },
    { x: 3, y: 31, rule: 'R2', violationId: 3 },
  ]);
  expect(drawOrder(ms).map((m) => m.rule)).toEqual(['R1', 'SHIFT', 'R2']);
});

test('one point gets a minute either side; a p-chart stays within 0 and 1', () => {
  const p = modelFromPChart({
    series: {} as PChartView['series'],
    subgroup_size: 20,
    baseline_subgroups: 1,
    calls: 20,
    failed: 0,
    pending_calls: 0,
    subgroups: { time_ms: [1_000_000], p: [0] },
    limits: { p_bar: 0, ucl: 0, lcl: 0, estimable: false },
    firings: [],
    live: null,
  } as unknown as PChartView);
  expect(xRange(p, 1000, 1000 + 86_400_000)).toEqual([940, 1060]);
  p.x = [1000, 5000];
  p.y = [0, 0];
  expect(xRange(p, 1000, 5000)).toEqual([1000, 5000]);
  p.x = [];
  p.y = [];
  const [lo, hi] = xRange(p, null, null);
  expect(hi - lo).toBe(3600);
  p.x = [1000];
  p.y = [0];
  expect(yRange(p)).toEqual([0, 0.05]);
  p.y = [0.2, 1];
  const [plo, phi] = yRange(p);
  expect(plo).toBe(0); // p̄ = 0 is in the range; the padding below it is clipped
  expect(phi).toBe(1);
});

test('the telemetry at the point under the cursor, or at the newest', () => {
  const m = modelFromSpc(view(3));
  expect(telemetryAt(m, null)).toEqual({ label: 'newest sample', cpu: 10, memory: 20, gpu: null });
  expect(telemetryAt(m, 0)?.label).toMatch(/^at \d\d:\d\d:01$/);
  expect(telemetryAt(m, 3)).toBeNull();
  expect(telemetryAt(modelFromSpc(view(0)), null)).toBeNull();
  expect(telemetryAt(null, null)).toBeNull();
});
