import { MAX_POINTS, pointLimit, windowHours } from './window';

test('presets ask for their hours; custom windows count back from now and may end earlier', () => {
  const now = Date.UTC(2026, 10, 23, 12);
  expect(windowHours({ preset: '6h' }, now)).toEqual({ hours: 6 });
  expect(windowHours({ preset: '7d' }, now)).toEqual({ hours: 168 });
  const custom = windowHours({ preset: 'custom', fromMs: now - 5 * 3600000, toMs: now - 3600000 }, now);
  expect(custom.hours).toBeCloseTo(5, 9);
  expect(custom.untilMs).toBe(now - 3600000);
  expect(windowHours({ preset: 'custom', fromMs: now + 1000 }, now).hours).toBe(0.01);
});

test('a point every 2 s of the window, at most MAX_POINTS', () => {
  expect(pointLimit(1)).toBe(1801);
  expect(pointLimit(24)).toBe(43201);
  expect(pointLimit(168)).toBe(MAX_POINTS);
});
