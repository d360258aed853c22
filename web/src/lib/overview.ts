// The overview of all sources (docs/design.md "Dashboard"): shown first when there are more than
// a few sources; one row per source from GET /api/status, trouble first, with a sparkline of its
// recent e2e latency.
import type { SeriesInfo, SourceState, SourceStatus } from '../api/types';
import { sourceId, sourceLabel } from './series_key';

// More sources than this and the dashboard opens on the overview.
export const OVERVIEW_AFTER_SOURCES = 6;

// Most urgent first.
const STATE_ORDER: readonly SourceState[] = ['violation', 'degraded', 'silent', 'learning', 'in_control'];

export function sourceCount(series: SeriesInfo[]): number {
  return new Set(series.map(sourceId)).size;
}

export function opensOnOverview(series: SeriesInfo[]): boolean {
  return sourceCount(series) > OVERVIEW_AFTER_SOURCES;
}

// The sources in trouble first, then by name.
export function overviewRows(sources: SourceStatus[]): SourceStatus[] {
  const rank = (s: SourceState) => {
    const i = STATE_ORDER.indexOf(s);
    return i < 0 ? STATE_ORDER.length : i;
  };
  return [...sources].sort((a, b) => rank(a.state) - rank(b.state) || sourceLabel(a).localeCompare(sourceLabel(b)));
}

// The points of an SVG polyline drawing `values` left to right across width × height (the
// highest value at the top); a flat line at mid-height when all are equal; empty with fewer than
// two values.
export function sparkPoints(values: number[], width: number, height: number): string {
  if (values.length < 2) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const y = (v: number) => (hi === lo ? height / 2 : height - ((v - lo) / (hi - lo)) * height);
  const step = width / (values.length - 1);
  return values.map((v, i) => `${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
}
