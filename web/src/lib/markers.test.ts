import type { SpcView, Violation } from '../api/types';
import { nearestValue, windowMarkers } from './markers';

// Display points at 10, 20, 30, 40 s; the one at 30 s a failed call (no value).
const X = [10, 20, 30, 40];
const Y = [100, 200, null, 400];

test('a mark takes the value of the listed point nearest in time, failed calls skipped', () => {
  expect(nearestValue(X, Y, 20)).toBe(200); // the point itself
  expect(nearestValue(X, Y, 14)).toBe(100);
  expect(nearestValue(X, Y, 16)).toBe(200);
  expect(nearestValue(X, Y, 29)).toBe(200); // 30 s has no value: 20 s is nearer than 40 s
  expect(nearestValue(X, Y, 31)).toBe(400);
  expect(nearestValue(X, Y, 36)).toBe(400);
  expect(nearestValue(X, Y, 1)).toBe(100); // before the first point
  expect(nearestValue(X, Y, 99)).toBe(400); // after the last
  expect(nearestValue([], [], 5)).toBeNull();
  expect(nearestValue([1, 2], [null, null], 5)).toBeNull();
});

function spc(over: Partial<SpcView>): SpcView {
  return { violations: [], ...over } as SpcView;
}

test('every violation of the window is marked, not only the detailed newest ones', () => {
  const detailed = { id: 7, rule: 'SHIFT', phase: 'monitoring', first_time_ms: 20_000, detected_time_ms: 38_000, value: 250, severity: 'warning' } as Violation;
  const baseline = { id: 3, rule: 'R2', phase: 'baseline', first_time_ms: 10_000, value: 100 } as Violation;
  const view = spc({
    violations: [detailed, baseline],
    violation_marks: {
      ids: [1, 3, 5, 7],
      time_ms: [12_000, 10_000, 29_000, 20_000],
      rules: ['R1', 'R2', 'JUMP', 'SHIFT'],
      severities: ['info', 'info', 'critical', 'warning'],
    },
  });
  expect(windowMarkers(view, X, Y)).toEqual([
    { x: 12, y: 100, rule: 'R1', violationId: 1, severity: 'info' }, // no detail: the nearest point
    { x: 29, y: 200, rule: 'JUMP', violationId: 5, severity: 'critical' }, // between points, no value at 30 s
    { x: 20, y: 250, rule: 'SHIFT', violationId: 7, severity: 'warning', detectedX: 38 }, // detail: its value and detection
  ]);
});

test('a mark of an unknown severity is drawn as an alert; nothing to place it on, no marker', () => {
  const view = spc({ violation_marks: { ids: [1], time_ms: [12_000], rules: ['R9'], severities: [''] } });
  expect(windowMarkers(view, X, Y)).toEqual([{ x: 12, y: 100, rule: 'R9', violationId: 1 }]);
  expect(windowMarkers(view, [], [])).toEqual([]);
});

test('a window read from rollups: a mark per bucket and rule, with its count and no id', () => {
  const detailed = { id: 9, rule: 'R1', phase: 'monitoring', first_time_ms: 40_000, value: 420, severity: 'critical' } as Violation;
  const view = spc({
    violations: [detailed],
    violation_marks: {
      ids: [null, null, 9],
      time_ms: [20_000, 20_000, 40_000],
      rules: ['R1', 'R5', 'R1'],
      severities: ['critical', 'info', 'critical'],
      counts: [12, 1, 1],
    },
  });
  expect(windowMarkers(view, X, Y)).toEqual([
    { x: 20, y: 200, rule: 'R1', severity: 'critical', count: 12 }, // the bucket's point, its count
    { x: 20, y: 200, rule: 'R5', severity: 'info' }, // a bucket's single violation: no count shown
    { x: 40, y: 420, rule: 'R1', violationId: 9, severity: 'critical' }, // a listed one: itself
  ]);
});

test('a server without violation_marks: the detailed monitoring violations, as before', () => {
  const v = { id: 9, rule: 'R1', phase: 'monitoring', first_time_ms: 40_000, value: 999 } as Violation;
  expect(windowMarkers(spc({ violations: [v] }), X, Y)).toEqual([{ x: 40, y: 999, rule: 'R1', violationId: 9 }]);
});
