// applyStreamEvent: each event the server streams (sample, violation opened / updated / status,
// stage), against what the page shows; the inputs are never changed.
import type { StreamEvent } from '../api/stream';
import type { Limits, SeriesInfo, StageEvent, StreamSample, Violation } from '../api/types';
import type { ChartModel } from './chart_data';
import {
  applyStreamEvent,
  INITIAL_LIVE_STATE,
  RECENT_VIOLATIONS,
  violationsSince,
  withChartReload,
  withIncoming,
  withSeriesReload,
  type LiveState,
  type LiveView,
} from './live_state';

const SOURCE = { provider: 'ollama', model: 'llama3.2', site: '', profile: '' };
const OTHER = { ...SOURCE, model: 'qwen' };
const NOW = 1_700_000_100_000;
const LIMITS: Limits = { cl: 100, ucl: 130, lcl: 70, upper_2s: 120, lower_2s: 80, upper_1s: 110, lower_1s: 90 };

function model(): ChartModel {
  return {
    x: [1_700_000_000, 1_700_000_010],
    y: [100, 110],
    ids: [1, 2],
    telemetry: { cpu: [10, 11], memory: [20, 21], gpu: [null, null] },
    segments: [{ from: 1_700_000_000, limits: LIMITS }],
    stageStarts: [],
    markers: [],
    provisional: false,
    zones: true,
  };
}

function series(id: string, state: SeriesInfo['state'] = 'in_control'): SeriesInfo {
  return { ...SOURCE, metric: 'e2e_ms', id, state, points: 2, learning_points: 2, baseline_size: 2, open_events: 0, transform: 'log' };
}

function state(over: Partial<LiveState> = {}): LiveState {
  return {
    ...INITIAL_LIVE_STATE,
    series: [series('s-e2e'), series('s-ttft')],
    chart: { model: model(), capability: null, byRule: { R1: 1 }, marksTruncated: false, windowStats: null, note: '', load: 1 },
    ...over,
  };
}

const VIEW: LiveView = { live: true, source: SOURCE, metric: 'e2e_ms', span: { hours: 1 }, nowMs: NOW };

function sample(over: Partial<StreamSample> = {}): StreamEvent {
  const s = {
    ...SOURCE,
    id: 3,
    time_ms: 1_700_000_020_000,
    e2e_ms: 120,
    ttft_ms: 40,
    tpot_ms: 5,
    tokens_per_s: 50,
    cost_usd: null,
    error: false,
    error_kind: '',
    cpu_percent: 12,
    memory_percent: 22,
    gpu_percent: null,
    gpu_memory_percent: null,
    gpu_temp_c: null,
    ...over,
  };
  return { type: 'sample', sample: s };
}

function violation(over: Partial<Violation> = {}): StreamEvent {
  const v = {
    id: 9,
    series: { ...SOURCE, metric: 'e2e_ms', id: 's-e2e' },
    provider: SOURCE.provider,
    model: SOURCE.model,
    metric: 'e2e_ms',
    rule: 'R1',
    meaning: 'one point beyond 3 sigma',
    phase: 'monitoring',
    stage: 1,
    first_index: 2,
    last_index: 2,
    count: 1,
    first_time: '',
    last_time: '',
    first_time_ms: 1_700_000_010_000,
    last_time_ms: 1_700_000_010_000,
    value: 110,
    worst_value: 110,
    deviation_sigma: 3.2,
    mean: 100,
    sigma: 3,
    limits: LIMITS,
    status: 'open',
    status_by: '',
    status_time: null,
    change: 'opened',
    severity: 'info',
    ...over,
  } as Violation;
  return { type: 'violation', violation: v };
}

function stage(metric: StageEvent['series']['metric'], source = SOURCE): StreamEvent {
  const st: StageEvent = {
    number: 2,
    start_index: 40,
    start_time: '',
    start_time_ms: NOW,
    baseline_size: 100,
    transform: 'log',
    sigma_method: 'mr_mean',
    frozen: false,
    series: { ...source, metric, id: 'x' },
  };
  return { type: 'stage', stage: st };
}

// Applies `e` and checks that `s` itself is left as it was.
function apply(s: LiveState, e: StreamEvent, view: LiveView = VIEW): LiveState {
  const before = structuredClone(s);
  const next = applyStreamEvent(s, e, view);
  expect(s).toEqual(before);
  return next;
}

describe('a sample', () => {
  test('of the shown series grows a new chart model; the rest of the state is shared', () => {
    const s = state();
    const next = apply(s, sample());
    expect(next.chart!.model.x).toEqual([1_700_000_000, 1_700_000_010, 1_700_000_020]);
    expect(next.chart!.model.y).toEqual([100, 110, 120]);
    expect(next.chart!.model.ids).toEqual([1, 2, 3]);
    expect(next.chart!.model.telemetry.cpu).toEqual([10, 11, 12]);
    expect(next.chart!.load).toBe(1); // the same chart, grown: not rebuilt
    expect(next.chart!.model.segments).toBe(s.chart!.model.segments);
    expect(next.series).toBe(s.series);
    expect(next.incoming).toBe(s.incoming);
  });

  test('takes the value of the metric shown; a failed call has no latency', () => {
    expect(apply(state(), sample(), { ...VIEW, metric: 'ttft_ms' }).chart!.model.y.at(-1)).toBe(40);
    expect(apply(state(), sample({ error: true }), VIEW).chart!.model.y.at(-1)).toBeNull();
  });

  test('drops the points that left the window', () => {
    // One hour before now is 1_700_000_005 s: the first point goes.
    const next = apply(state(), sample(), { ...VIEW, nowMs: 1_700_000_005_000 + 3_600_000 });
    expect(next.chart!.model.x).toEqual([1_700_000_010, 1_700_000_020]);
    expect(next.chart!.model.telemetry.memory).toEqual([21, 22]);
  });

  test('changes nothing when it is not for the chart on screen', () => {
    const s = state();
    expect(apply(s, sample({ ...OTHER }))).toBe(s); // another source
    expect(apply(s, sample({ site: 'eu' }))).toBe(s); // another site of the same model
    expect(apply(s, sample(), { ...VIEW, live: false })).toBe(s); // paused
    expect(apply(s, sample(), { ...VIEW, span: { sinceMs: NOW - 3_600_000, untilMs: NOW - 60_000 } })).toBe(s); // a window in the past
    expect(apply(s, sample(), { ...VIEW, source: null })).toBe(s);
    expect(apply(s, sample({ id: 2, time_ms: 1_700_000_010_000 }))).toBe(s); // a duplicate after a reconnect
    const loading = state({ chart: null });
    expect(apply(loading, sample())).toBe(loading);
  });

  test('of a shown p-chart marks it stale (it is fetched again), once', () => {
    const s = state();
    const view = { ...VIEW, metric: 'error' as const };
    const stale = apply(s, sample({ error: true }), view);
    expect(stale.pchartStale).toBe(true);
    expect(stale.chart).toBe(s.chart); // its points are the server's subgroups: not grown here
    expect(apply(stale, sample({ id: 4 }), view)).toBe(stale);
    expect(apply(s, sample({ ...OTHER }), view)).toBe(s);
    expect(withChartReload(stale)).toMatchObject({ pchartStale: false, chartReloads: 1 });
  });
});

describe('a violation', () => {
  test('opened on the shown series reaches the log, marks the chart at its value and counts its rule', () => {
    const s = state();
    const next = apply(s, violation());
    expect(next.incoming).toEqual({ seq: 1, recent: [expect.objectContaining({ id: 9 })] });
    expect(next.chart!.model.markers).toEqual([{ x: 1_700_000_010, y: 110, rule: 'R1', violationId: 9, severity: 'info' }]);
    expect(next.chart!.byRule).toEqual({ R1: 2 });
    expect(next.chart!.model.x).toBe(s.chart!.model.x); // the points are shared
    expect(next.series).toBe(s.series); // info level: no episode
  });

  test('without a value or a point at its time is marked at zero', () => {
    const next = apply(state(), violation({ value: null, first_time_ms: NOW }));
    expect(next.chart!.model.markers[0]).toMatchObject({ x: NOW / 1000, y: 0, violationId: 9 });
  });

  test('on a p-chart sits on the subgroup that holds its onset', () => {
    const pchart = state();
    pchart.chart = { ...pchart.chart!, model: { ...pchart.chart!.model, y: [0.05, 0.5], shares: true } };
    const next = apply(pchart, violation({ metric: 'error', rule: 'ERRORS', value: 1, severity: 'critical', first_time_ms: 1_700_000_005_000 }), {
      ...VIEW,
      metric: 'error',
    });
    expect(next.chart!.model.markers[0]).toMatchObject({ x: 1_700_000_005, y: 0.5, rule: 'ERRORS' });
  });

  test('an alert puts its series in the violation state; an older server’s unclassified one too', () => {
    const s = state();
    const warned = apply(s, violation({ rule: 'SHIFT', severity: 'warning' }));
    expect(warned.series.map((x) => x.state)).toEqual(['violation', 'in_control']);
    expect(warned.series[1]).toBe(s.series[1]);
    const old = apply(s, violation({ severity: undefined }));
    expect(old.series[0].state).toBe('violation');
    // an alert of a series not shown changes the list, not the chart
    const elsewhere = apply(s, violation({ severity: 'critical', series: { ...OTHER, metric: 'e2e_ms', id: 's-e2e' } }));
    expect(elsewhere.series[0].state).toBe('violation');
    expect(elsewhere.chart).toBe(s.chart);
  });

  test('reaches the log but not the chart when it is not of the chart shown', () => {
    const s = state();
    for (const [e, view] of [
      [violation({ metric: 'ttft_ms' }), VIEW],
      [violation({ series: { ...OTHER, metric: 'e2e_ms', id: 'o' } }), VIEW],
      [violation({ phase: 'baseline' }), VIEW],
      [violation(), { ...VIEW, live: false }],
    ] as const) {
      const next = apply(s, e, view);
      expect(next.chart).toBe(s.chart);
      expect(next.incoming.seq).toBe(1);
    }
  });

  test('updated or with a new status only reaches the log', () => {
    const s = state();
    for (const change of ['updated', 'status'] as const) {
      const next = apply(s, violation({ change, severity: 'critical', status: 'acknowledged' }));
      expect(next.incoming.recent).toEqual([expect.objectContaining({ id: 9, change })]);
      expect(next.chart).toBe(s.chart);
      expect(next.series).toBe(s.series);
    }
  });

  test('events count up and the recent ones are kept, so that the log sees each of a burst', () => {
    const once = apply(state(), violation({ change: 'updated' }));
    const twice = apply(once, violation({ id: 10 }));
    expect(twice.incoming.seq).toBe(2);
    expect(twice.incoming.recent.map((v) => v.id)).toEqual([9, 10]);
    expect(violationsSince(twice.incoming, 0).map((v) => v.id)).toEqual([9, 10]); // both came in one render
    expect(violationsSince(twice.incoming, 1).map((v) => v.id)).toEqual([10]);
    expect(violationsSince(twice.incoming, 2)).toEqual([]);
    expect(withIncoming(twice, twice.incoming.recent[0]).incoming.seq).toBe(3);
  });

  test('only the last RECENT_VIOLATIONS events are kept', () => {
    let s = INITIAL_LIVE_STATE;
    for (let id = 1; id <= RECENT_VIOLATIONS + 5; id++) s = withIncoming(s, { id } as Violation);
    expect(s.incoming.recent).toHaveLength(RECENT_VIOLATIONS);
    expect(s.incoming.recent[0].id).toBe(6);
    expect(violationsSince(s.incoming, 0)).toHaveLength(RECENT_VIOLATIONS); // a log that fell far behind gets what is held
  });
});

describe('a stage', () => {
  test('of the shown series asks for the series list and the chart again', () => {
    const s = state({ pchartStale: true });
    const next = apply(s, stage('e2e_ms'));
    expect(next).toMatchObject({ seriesReloads: 1, chartReloads: 1, pchartStale: false });
    expect(next.chart).toBe(s.chart);
  });

  test('of another series (or metric) asks for the series list only', () => {
    expect(apply(state(), stage('ttft_ms'))).toMatchObject({ seriesReloads: 1, chartReloads: 0 });
    expect(apply(state(), stage('e2e_ms', OTHER))).toMatchObject({ seriesReloads: 1, chartReloads: 0 });
    expect(apply(state(), stage('e2e_ms'), { ...VIEW, source: null })).toMatchObject({ seriesReloads: 1, chartReloads: 0 });
    expect(withSeriesReload(INITIAL_LIVE_STATE).seriesReloads).toBe(1);
  });
});
