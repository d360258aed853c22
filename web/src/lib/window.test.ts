import { displayPoints, endsNow, filledPart, isoUtc, sameWindow, spanParams, spanStart, windowSpan } from './window';

const NOW = Date.UTC(2026, 10, 23, 12);

test('presets ask for their hours, counted back from now by the server', () => {
  expect(spanParams(windowSpan({ preset: '6h' }))).toEqual({ hours: 6 });
  expect(spanParams(windowSpan({ preset: '7d' }))).toEqual({ hours: 168 });
  expect(spanParams(windowSpan({ preset: '30d' }))).toEqual({ hours: 720 });
  expect(spanParams(windowSpan({ preset: '90d' }))).toEqual({ hours: 2160 });
  expect(spanStart(windowSpan({ preset: '24h' }), NOW)).toBe(NOW - 86_400_000);
  expect(endsNow(windowSpan({ preset: '1h' }))).toBe(true);
});

test('a custom window sends both of its ends; without an end it runs until now', () => {
  const from = Date.UTC(2026, 11, 1);
  const closed = windowSpan({ preset: 'custom', fromMs: from, toMs: from + 36 * 3_600_000 });
  expect(spanParams(closed)).toEqual({ since: '2026-12-01T00:00:00Z', until: '2026-12-02T12:00:00Z' });
  expect(endsNow(closed)).toBe(false);
  expect(spanStart(closed, NOW)).toBe(from);
  const open = windowSpan({ preset: 'custom', fromMs: from });
  expect(spanParams(open)).toEqual({ since: '2026-12-01T00:00:00Z' });
  expect(endsNow(open)).toBe(true);
  expect(isoUtc(from + 1234)).toBe('2026-12-01T00:00:01.234Z');
});

test('display points follow the plot width in device pixels, within 200..4000', () => {
  expect(displayPoints(1500)).toBe(1500);
  expect(displayPoints(1234.6)).toBe(1235);
  expect(displayPoints(0)).toBe(200);
  expect(displayPoints(NaN)).toBe(200);
  expect(displayPoints(10_000)).toBe(4000);
});

test('windows are equal by what they cover', () => {
  expect(sameWindow({ preset: '24h' }, { preset: '24h' })).toBe(true);
  expect(sameWindow({ preset: '24h' }, { preset: '7d' })).toBe(false);
  expect(sameWindow({ preset: 'custom', fromMs: 1, toMs: 2 }, { preset: 'custom', fromMs: 1, toMs: 2 })).toBe(true);
  expect(sameWindow({ preset: 'custom', fromMs: 1 }, { preset: 'custom', fromMs: 1, toMs: 2 })).toBe(false);
});

test('the filled part of a window: only when the points fill less than half of it', () => {
  const now = Date.UTC(2026, 11, 7, 12);
  const week = { hours: 168 };
  const dayS = 86400;
  const lastDay = [now / 1000 - dayS, now / 1000 - dayS / 2, now / 1000];
  expect(filledPart(lastDay, week, now)).toEqual({ minS: now / 1000 - dayS, maxS: now / 1000 });
  expect(filledPart(lastDay, { hours: 24 }, now)).toBeNull();
  expect(filledPart(lastDay, { hours: 36 }, now)).toBeNull();
  expect(filledPart([now / 1000], week, now)).toBeNull();
  expect(filledPart([], week, now)).toBeNull();
  const custom = { sinceMs: now - 10 * dayS * 1000, untilMs: now - 3 * dayS * 1000 };
  const twoDays = [custom.untilMs / 1000 - 2 * dayS, custom.untilMs / 1000];
  expect(filledPart(twoDays, custom, now)).toEqual({ minS: twoDays[0], maxS: twoDays[1] });
});
