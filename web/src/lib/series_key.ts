// Identity of sources and series on the page.
import type { SeriesKey, SourceKey } from '../api/types';

export function sourceId(s: SourceKey): string {
  return [s.provider, s.model, s.site, s.profile].join('\u0000');
}

export function sameSource(a: SourceKey, b: SourceKey): boolean {
  return a.provider === b.provider && a.model === b.model && (a.site ?? '') === (b.site ?? '') && (a.profile ?? '') === (b.profile ?? '');
}

export function sourceLabel(s: SourceKey): string {
  let label = `${s.provider} / ${s.model}`;
  if (s.site) label += ` @${s.site}`;
  if (s.profile) label += ` #${s.profile}`;
  return label;
}

export function sourceOf(k: SeriesKey | SourceKey): SourceKey {
  return { provider: k.provider, model: k.model, site: k.site ?? '', profile: k.profile ?? '' };
}
