// The page's address after '#', so that a link opens a view: `#/overview` the overview of all
// sources (lib/overview.ts), `#/compare`, `#/targets`, `#/alerts` and `#/cost` those pages,
// `#/violations/{id}` one violation
// (its modal, with its series and a window around it behind), `#/series/{provider}/{model}/
// {metric}?window=24h&site=…&profile=…` one chart (a custom window: `window=custom&from=…&to=…`,
// ISO 8601 UTC; no `to`: until now). Names are URI-encoded, so any name (a slash, '?', '#', '%',
// spaces, markup) survives the round trip. Anything else is the home view.
import type { Metric, SourceKey } from '../api/types';
import { METRICS } from './metrics';
import { isoUtc, isPreset, type TimeWindow } from './window';

// The views with an address of their own (the chart's is its series').
export const PAGES = ['overview', 'compare', 'targets', 'alerts', 'cost'] as const;
export type Page = (typeof PAGES)[number];

export type Route =
  | { kind: 'home' }
  | { kind: 'page'; page: Page }
  | { kind: 'violation'; id: number }
  | { kind: 'series'; source: SourceKey; metric: Metric; window?: TimeWindow }; // no window: keep the one shown

const HOME: Route = { kind: 'home' };

export function formatHash(route: Route): string {
  if (route.kind === 'home') return '#/';
  if (route.kind === 'page') return `#/${route.page}`;
  if (route.kind === 'violation') return `#/violations/${route.id}`;
  const { source, metric, window: w } = route;
  const q = new URLSearchParams();
  if (w) {
    q.set('window', w.preset);
    if (w.preset === 'custom') {
      q.set('from', isoUtc(w.fromMs));
      if (w.toMs !== undefined) q.set('to', isoUtc(w.toMs));
    }
  }
  if (source.site) q.set('site', source.site);
  if (source.profile) q.set('profile', source.profile);
  const query = q.toString();
  const path = [source.provider, source.model].map(encodeURIComponent).join('/');
  return `#/series/${path}/${metric}${query ? '?' + query : ''}`;
}

export function parseHash(hash: string): Route {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const cut = text.indexOf('?');
  const path = (cut < 0 ? text : text.slice(0, cut)).split('/');
  const query = new URLSearchParams(cut < 0 ? '' : text.slice(cut + 1));
  if (path[0] !== '') return HOME;
  const page = PAGES.find((p) => p === path[1]);
  if (path.length === 2 && page) return { kind: 'page', page };
  if (path.length === 3 && path[1] === 'violations' && /^\d{1,15}$/.test(path[2])) return { kind: 'violation', id: Number(path[2]) };
  if (path.length !== 5 || path[1] !== 'series') return HOME;
  const metric = METRICS.find((m) => m.metric === path[4])?.metric;
  const provider = decoded(path[2]);
  const model = decoded(path[3]);
  if (!metric || !provider || model === null) return HOME;
  const source = { provider, model, site: query.get('site') ?? '', profile: query.get('profile') ?? '' };
  const window = windowOf(query);
  return window ? { kind: 'series', source, metric, window } : { kind: 'series', source, metric };
}

// A URI component decoded, or null when it is malformed (a lone '%').
function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function windowOf(q: URLSearchParams): TimeWindow | undefined {
  const preset = q.get('window');
  if (isPreset(preset)) return { preset };
  if (preset !== 'custom') return undefined;
  const from = Date.parse(q.get('from') ?? '');
  const to = Date.parse(q.get('to') ?? '');
  if (!Number.isFinite(from)) return undefined;
  return Number.isFinite(to) && to > from ? { preset: 'custom', fromMs: from, toMs: to } : { preset: 'custom', fromMs: from };
}
