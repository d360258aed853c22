import type { Violation } from '../api/types';
import { around, listedInstead, selected, withRoute, type Selection } from './selection';

const SOURCE = { provider: 'ollama', model: 'llama3.2', site: '', profile: '' };
const NOW = Date.UTC(2026, 11, 10, 12);
const SEL: Selection = { source: SOURCE, metric: 'e2e_ms', window: { preset: '24h' } };

function violation(over: Partial<Violation>): Violation {
  return { id: 7, series: { ...SOURCE, metric: 'e2e_ms', id: 's' }, metric: 'e2e_ms', first_time_ms: NOW - 3_600_000, last_time_ms: NOW - 3_600_000, ...over } as Violation;
}

test('a violation the chart already shows changes nothing', () => {
  expect(around(SEL, violation({}), NOW)).toBe(SEL);
});

test('a violation of another series or time brings its series and the hours around it', () => {
  const old = violation({ first_time_ms: NOW - 5 * 86_400_000, last_time_ms: NOW - 5 * 86_400_000 + 60_000, detected_time_ms: NOW - 5 * 86_400_000 + 120_000 });
  expect(around(SEL, old, NOW)).toEqual({
    source: SOURCE,
    metric: 'e2e_ms',
    window: { preset: 'custom', fromMs: old.first_time_ms - 3_600_000, toMs: old.first_time_ms + 120_000 + 3_600_000 },
  });
  const recent = violation({ series: { ...SOURCE, model: 'qwen', metric: 'ttft_ms', id: 'q' }, metric: 'ttft_ms', first_time_ms: NOW - 60_000 });
  expect(around(SEL, recent, NOW)).toEqual({
    source: { ...SOURCE, model: 'qwen' },
    metric: 'ttft_ms',
    window: { preset: 'custom', fromMs: NOW - 60_000 - 3_600_000 }, // its hour after is not over: until now
  });
});

test('a series link selects its series and window, keeping what is the same', () => {
  const same = withRoute(SEL, { kind: 'series', source: { ...SOURCE }, metric: 'e2e_ms', window: { preset: '24h' } });
  expect(same).toBe(SEL);
  const other = withRoute(SEL, { kind: 'series', source: { ...SOURCE }, metric: 'tpot_ms' });
  expect(other).toEqual({ ...SEL, metric: 'tpot_ms' });
  expect(other.source).toBe(SEL.source); // the same source object: its chart is not fetched for nothing
  expect(other.window).toBe(SEL.window); // no window in the link: the one shown
  expect(withRoute(SEL, { kind: 'violation', id: 3 })).toBe(SEL);
  expect(selected(SEL, SOURCE, 'e2e_ms', { preset: '7d' }).window).toEqual({ preset: '7d' });
});

test('a link that leaves out the site or profile means the listed source with the rest', () => {
  const chat = { provider: 'openai', model: 'gpt-4o', site: 'eu', profile: 'chat' };
  const long = { provider: 'openai', model: 'gpt-4o', site: 'eu', profile: 'long' };
  const list = [SOURCE, chat, long];
  expect(listedInstead(SOURCE, list)).toBeNull(); // listed as named
  expect(listedInstead({ provider: 'openai', model: 'gpt-4o', site: '', profile: '' }, list)).toEqual(chat);
  expect(listedInstead({ provider: 'openai', model: 'gpt-4o', site: '', profile: 'long' }, list)).toEqual(long);
  expect(listedInstead({ provider: 'openai', model: 'gpt-4o', site: 'us', profile: '' }, list)).toBeNull(); // another site
  expect(listedInstead({ provider: 'openai', model: 'gpt-4', site: '', profile: '' }, list)).toBeNull();
});
