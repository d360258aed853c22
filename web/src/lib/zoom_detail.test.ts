// A zoomed span fetched again at a finer resolution: where it is asked for and how its points
// replace the coarse ones.
import type { ChartModel } from './chart_data';
import { splicedDetail } from './chart_data';
import { INITIAL_LIVE_STATE, withZoomDetail } from './live_state';
import { withinSpan } from './window';

function model(x: number[], markers: number[] = []): ChartModel {
  return {
    x,
    y: x.map((t) => t * 10),
    ids: x.map((t) => t),
    telemetry: { cpu: x.map(() => 1), memory: x.map(() => 2), gpu: x.map(() => null) },
    segments: [],
    stageStarts: [],
    markers: markers.map((t) => ({ x: t, y: t * 10, rule: 'R1', violationId: t })),
    provisional: false,
    zones: true,
  };
}

test('the finer points of a zoomed span replace the coarse ones there, in time order', () => {
  const coarse = model([0, 10, 20, 30, 40], [10, 30]);
  const fine = model([9, 20, 21, 22, 23, 24, 25, 35], [21, 24]); // 9 and 35 lie outside the span
  const m = splicedDetail(coarse, fine, 20, 30);
  expect(m.x).toEqual([0, 10, 20, 21, 22, 23, 24, 25, 30, 40]);
  expect(m.y).toEqual(m.x.map((t) => t * 10));
  expect(m.ids).toEqual(m.x);
  expect(m.telemetry.cpu).toHaveLength(10);
  expect(m.markers.map((mk) => mk.x)).toEqual([10, 30, 21, 24]);
  expect(coarse.x).toEqual([0, 10, 20, 30, 40]); // unchanged
});

test('a zoomed range is asked for within the window, in whole milliseconds', () => {
  const now = 1_000_000;
  expect(withinSpan({ hours: 0.1 }, 700_000.4, 800_000.2, now)).toEqual({ sinceMs: 700_000, untilMs: 800_001 });
  expect(withinSpan({ hours: 0.1 }, 0, 2_000_000, now)).toEqual({ sinceMs: 640_000, untilMs: now }); // zoomed out past both ends
  expect(withinSpan({ sinceMs: 100, untilMs: 500 }, 0, 900, now)).toEqual({ sinceMs: 100, untilMs: 500 });
  expect(withinSpan({ sinceMs: 100, untilMs: 500 }, 600, 900, now)).toBeNull(); // panned out of the window
});

test('finer points reach only the chart they were zoomed on', () => {
  const chart = { model: model([0, 10, 20]), capability: null, byRule: {}, marksTruncated: false, windowStats: null, note: '', load: 2 };
  const s = { ...INITIAL_LIVE_STATE, chart };
  expect(withZoomDetail(s, 2, model([5, 6]), 1, 9).chart!.model.x).toEqual([0, 5, 6, 10, 20]);
  expect(withZoomDetail(s, 1, model([5, 6]), 1, 9)).toBe(s); // another fetch replaced it since
  expect(withZoomDetail(INITIAL_LIVE_STATE, 2, model([5]), 1, 9)).toBe(INITIAL_LIVE_STATE);
});
