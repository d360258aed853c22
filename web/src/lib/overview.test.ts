import type { SeriesInfo, SourceStatus } from '../api/types';
import { opensOnOverview, overviewRows, sourceCount, sparkPoints } from './overview';

function status(model: string, state: SourceStatus['state']): SourceStatus {
  return { provider: 'p', model, site: '', profile: '', state, last_sample: null, e2e_p50_ms: null, e2e_p95_ms: null };
}

function series(model: string, metric: SeriesInfo['metric']): SeriesInfo {
  const key = { provider: 'p', model, site: '', profile: '', metric, id: model + metric };
  return { ...key, state: 'in_control', points: 1, learning_points: 1, baseline_size: 1, open_events: 0, transform: 'log' };
}

test('sources are counted once for all their series; more than six open the overview', () => {
  const six = ['a', 'b', 'c', 'd', 'e', 'f'].flatMap((m) => [series(m, 'e2e_ms'), series(m, 'ttft_ms')]);
  expect(sourceCount(six)).toBe(6);
  expect(opensOnOverview(six)).toBe(false);
  expect(opensOnOverview([...six, series('g', 'e2e_ms')])).toBe(true);
});

test('rows put trouble first, then names in order', () => {
  const rows = overviewRows([status('b', 'in_control'), status('a', 'in_control'), status('z', 'silent'), status('y', 'violation'), status('x', 'learning'), status('w', 'degraded')]);
  expect(rows.map((r) => r.model)).toEqual(['y', 'w', 'z', 'x', 'a', 'b']);
});

test('a sparkline spans the width with the highest value at the top', () => {
  expect(sparkPoints([1, 3, 2], 100, 20)).toBe('0.0,20.0 50.0,0.0 100.0,10.0');
  expect(sparkPoints([5, 5], 10, 20)).toBe('0.0,10.0 10.0,10.0');
  expect(sparkPoints([5], 10, 20)).toBe('');
  expect(sparkPoints([], 10, 20)).toBe('');
});
