// The sidebar's sources: narrowed by a search text, grouped by provider and ordered so that
// trouble comes first: the most urgent state among a source's series, then its name.
import type { SeriesInfo, SeriesState, SourceKey } from '../api/types';
import { sourceId, sourceLabel, sourceOf } from './series_key';

// Most urgent first.
const STATE_ORDER: readonly SeriesState[] = ['violation', 'degraded', 'learning', 'in_control'];

export interface SourceRow {
  source: SourceKey;
  worst: SeriesState;
  series: SeriesInfo[]; // in the order the server listed them
}

export interface ProviderGroup {
  provider: string;
  worst: SeriesState;
  sources: SourceRow[];
}

const rank = (s: SeriesState) => STATE_ORDER.indexOf(s);

export function worstState(states: SeriesState[]): SeriesState {
  return states.reduce((worst, s) => (rank(s) < rank(worst) ? s : worst), 'in_control');
}

// Whether every word of `search` is part of the source's provider, model, site or profile,
// ignoring case. An empty search matches every source.
export function matchesSearch(s: SourceKey, search: string): boolean {
  const fields = [s.provider, s.model, s.site, s.profile].map((f) => (f ?? '').toLowerCase());
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => fields.some((f) => f.includes(word)));
}

// The items with the same key, in the order their first member came.
function groupBy<T>(items: T[], key: (x: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(x);
  }
  return [...groups.values()];
}

function byStateThenName<T>(state: (x: T) => SeriesState, name: (x: T) => string) {
  return (a: T, b: T) => rank(state(a)) - rank(state(b)) || name(a).localeCompare(name(b));
}

export function sourceGroups(series: SeriesInfo[], search: string): ProviderGroup[] {
  const rows = groupBy(
    series.filter((s) => matchesSearch(s, search)),
    sourceId,
  ).map((items): SourceRow => ({ source: sourceOf(items[0]), worst: worstState(items.map((s) => s.state)), series: items }));
  return groupBy(rows, (r) => r.source.provider)
    .map(
      (sources): ProviderGroup => ({
        provider: sources[0].source.provider,
        worst: worstState(sources.map((r) => r.worst)),
        sources: sources.sort(byStateThenName((r) => r.worst, (r) => sourceLabel(r.source))),
      }),
    )
    .sort(byStateThenName((g) => g.worst, (g) => g.provider));
}
