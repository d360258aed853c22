import { formatHash, parseHash, type Route } from './route';

const SOURCE = { provider: 'ollama', model: 'llama3.2', site: '', profile: '' };

test('a series link carries its window, site and profile', () => {
  const route: Route = { kind: 'series', source: { ...SOURCE, site: 'eu-1', profile: 'short' }, metric: 'ttft_ms', window: { preset: '24h' } };
  const hash = formatHash(route);
  expect(hash).toBe('#/series/ollama/llama3.2/ttft_ms?window=24h&site=eu-1&profile=short');
  expect(parseHash(hash)).toEqual(route);
});

test('a custom window link has both ends in ISO 8601 UTC; without "to" it runs until now', () => {
  const fromMs = Date.UTC(2026, 11, 1);
  const closed: Route = { kind: 'series', source: SOURCE, metric: 'e2e_ms', window: { preset: 'custom', fromMs, toMs: fromMs + 7_200_000 } };
  expect(formatHash(closed)).toBe('#/series/ollama/llama3.2/e2e_ms?window=custom&from=2026-12-01T00%3A00%3A00Z&to=2026-12-01T02%3A00%3A00Z');
  expect(parseHash(formatHash(closed))).toEqual(closed);
  expect(parseHash('#/series/ollama/llama3.2/e2e_ms?window=custom&from=2026-12-01T00:00:00Z')).toEqual({
    ...closed,
    window: { preset: 'custom', fromMs },
  });
});

test('hostile names survive the round trip', () => {
  for (const name of ['<img src=x onerror=alert(1)>', 'a/b', 'q?x=1&y=2', 'h#sh', '100%', 'sp ace+plus', '../..', 'é😀', '%41']) {
    const route: Route = { kind: 'series', source: { provider: name, model: name + '/m', site: name, profile: name }, metric: 'cost_usd', window: { preset: '7d' } };
    expect(parseHash(formatHash(route))).toEqual(route);
  }
});

test('a violation link opens its id', () => {
  expect(formatHash({ kind: 'violation', id: 42 })).toBe('#/violations/42');
  expect(parseHash('#/violations/42')).toEqual({ kind: 'violation', id: 42 });
});

test('the overview and the other pages have their own links', () => {
  expect(formatHash({ kind: 'page', page: 'overview' })).toBe('#/overview');
  for (const page of ['overview', 'compare', 'targets', 'alerts', 'cost'] as const) {
    expect(parseHash(formatHash({ kind: 'page', page }))).toEqual({ kind: 'page', page });
    expect(parseHash(`#/${page}/x`)).toEqual({ kind: 'home' });
  }
  expect(parseHash('#/settings')).toEqual({ kind: 'home' });
});

test('anything else is the home view; a bad window keeps the one shown', () => {
  for (const hash of ['', '#', '#/', '#/violations/', '#/violations/4x', '#/violations/-1', '#/series/a/b', '#/series/a/b/latency', '#/series/%E0%A4%A/m/e2e_ms', 'series/a/b/e2e_ms', '#/nope']) {
    expect(parseHash(hash)).toEqual({ kind: 'home' });
  }
  expect(parseHash('#/series/a/b/e2e_ms?window=3y')).toEqual({ kind: 'series', source: { provider: 'a', model: 'b', site: '', profile: '' }, metric: 'e2e_ms' });
  expect(parseHash('#/series/a/b/e2e_ms?window=custom&from=yesterday')).toEqual(parseHash('#/series/a/b/e2e_ms'));
  expect(parseHash('#/')).toEqual(parseHash(formatHash({ kind: 'home' })));
});
