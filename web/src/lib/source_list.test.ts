import type { SeriesInfo, SeriesState, SourceKey } from '../api/types';
import { matchesSearch, sourceGroups, worstState } from './source_list';

let next = 0;
function series(source: Partial<SourceKey>, state: SeriesState, metric: SeriesInfo['metric'] = 'e2e_ms'): SeriesInfo {
  const key = { provider: 'ollama', model: 'm', site: '', profile: '', ...source };
  return { ...key, metric, id: `s${next++}`, state, points: 0, learning_points: 0, baseline_size: 20, open_events: 0, transform: 'log' };
}

const names = (groups: ReturnType<typeof sourceGroups>) =>
  groups.map((g) => [g.provider, g.worst, g.sources.map((r) => `${r.source.model}:${r.worst}`)]);

test('the worst state is the most urgent: violation, degraded, learning, in control', () => {
  expect(worstState(['in_control', 'learning', 'degraded'])).toBe('degraded');
  expect(worstState(['learning', 'violation', 'degraded'])).toBe('violation');
  expect(worstState(['in_control', 'learning'])).toBe('learning');
  expect(worstState(['in_control'])).toBe('in_control');
});

test('a search matches any of provider, model, site and profile, ignoring case; every word must match', () => {
  const s = { provider: 'Ollama', model: 'llama3.2', site: 'eu-West', profile: 'long' };
  expect(matchesSearch(s, '')).toBe(true);
  expect(matchesSearch(s, '   ')).toBe(true);
  expect(matchesSearch(s, 'OLLA')).toBe(true);
  expect(matchesSearch(s, 'west')).toBe(true);
  expect(matchesSearch(s, 'LONG')).toBe(true);
  expect(matchesSearch(s, 'llama west')).toBe(true);
  expect(matchesSearch(s, 'llama east')).toBe(false);
  expect(matchesSearch({ provider: 'p', model: 'm', site: '', profile: '' }, 'x')).toBe(false);
});

test('sources are grouped by provider; providers and their sources come by worst state, then name', () => {
  const groups = sourceGroups(
    [
      series({ provider: 'zeta', model: 'b' }, 'in_control'),
      series({ provider: 'zeta', model: 'a' }, 'in_control'),
      series({ provider: 'alpha', model: 'ok' }, 'in_control'),
      series({ provider: 'alpha', model: 'new' }, 'learning'),
      series({ provider: 'ollama', model: 'calm' }, 'in_control'),
      series({ provider: 'ollama', model: 'warned' }, 'in_control'),
      series({ provider: 'ollama', model: 'warned' }, 'degraded', 'ttft_ms'),
      series({ provider: 'ollama', model: 'bad' }, 'learning'),
      series({ provider: 'ollama', model: 'bad' }, 'violation', 'tpot_ms'),
    ],
    '',
  );
  expect(names(groups)).toEqual([
    ['ollama', 'violation', ['bad:violation', 'warned:degraded', 'calm:in_control']],
    ['alpha', 'learning', ['new:learning', 'ok:in_control']],
    ['zeta', 'in_control', ['a:in_control', 'b:in_control']],
  ]);
  // a source keeps its series in the order the server listed them
  expect(groups[0].sources[0].series.map((s) => s.metric)).toEqual(['e2e_ms', 'tpot_ms']);
});

test('sources of one model at different sites or profiles are separate rows, named in full', () => {
  const groups = sourceGroups(
    [series({ site: 'b' }, 'in_control'), series({ site: 'a', profile: 'long' }, 'in_control'), series({ site: 'a' }, 'in_control')],
    '',
  );
  expect(groups[0].sources.map((r) => [r.source.site, r.source.profile])).toEqual([
    ['a', ''],
    ['a', 'long'],
    ['b', ''],
  ]);
});

test('the search leaves out sources that do not match, and providers left with none', () => {
  const all = [
    series({ provider: 'local', model: 'llama3.2' }, 'violation'),
    series({ provider: 'local', model: 'qwen' }, 'in_control'),
    series({ provider: 'openai', model: 'gpt', profile: 'llama-like' }, 'in_control'),
  ];
  expect(names(sourceGroups(all, 'LLAMA'))).toEqual([
    ['local', 'violation', ['llama3.2:violation']],
    ['openai', 'in_control', ['gpt:in_control']],
  ]);
  expect(names(sourceGroups(all, 'qwen'))).toEqual([['local', 'in_control', ['qwen:in_control']]]);
  expect(sourceGroups(all, 'nothing')).toEqual([]);
});
