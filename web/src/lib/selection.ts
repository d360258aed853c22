// What the chart shows: a source, a metric and a window; how a link (lib/route.ts) or an opened
// violation changes it. Each function returns `sel` itself when nothing changes, so that the
// chart is not fetched again.
import type { Metric, SourceKey, Violation } from '../api/types';
import type { Route } from './route';
import { sameSource, sourceOf } from './series_key';
import { sameWindow, spanEnd, spanStart, windowSpan, type TimeWindow } from './window';

export interface Selection {
  source: SourceKey | null;
  metric: Metric;
  window: TimeWindow;
}

// Around a violation: an hour before its onset to an hour after its last point (or its
// detection, when later), or until now when that is later.
export const AROUND_MS = 3_600_000;

export function selected(sel: Selection, source: SourceKey, metric: Metric, window: TimeWindow = sel.window): Selection {
  const same = sel.source !== null && sameSource(sel.source, source);
  if (same && sel.metric === metric && sameWindow(sel.window, window)) return sel;
  return { source: same ? sel.source : source, metric, window: sameWindow(sel.window, window) ? sel.window : window };
}

// The listed source a link means when the list lacks the one it names: a link written by hand or
// by an alert template may leave out the site or the profile (an empty one). Then the first
// listed source with its provider and model, and its site and profile where it gives them.
// Null when the list holds the named source or no source matches.
export function listedInstead(source: SourceKey, list: readonly SourceKey[]): SourceKey | null {
  if (list.some((s) => sameSource(s, source))) return null;
  const fits = (s: SourceKey) =>
    s.provider === source.provider && s.model === source.model && (!source.site || s.site === source.site) && (!source.profile || s.profile === source.profile);
  return list.find(fits) ?? null;
}

export function withRoute(sel: Selection, route: Route): Selection {
  return route.kind === 'series' ? selected(sel, route.source, route.metric, route.window) : sel;
}

// Whether the chart of `sel` already shows `v` (its series, its onset within the window).
export function shows(sel: Selection, v: Violation, nowMs: number): boolean {
  if (!sel.source || !sameSource(sel.source, v.series) || sel.metric !== v.metric) return false;
  const span = windowSpan(sel.window);
  return v.first_time_ms >= spanStart(span, nowMs) && v.first_time_ms < spanEnd(span, nowMs);
}

// The selection with `v` on screen: as it is when it shows `v`, else its series and a window
// around it.
export function around(sel: Selection, v: Violation, nowMs: number): Selection {
  if (shows(sel, v, nowMs)) return sel;
  const last = Math.max(v.last_time_ms, v.detected_time_ms ?? 0);
  const toMs = last + AROUND_MS;
  const window: TimeWindow = toMs < nowMs ? { preset: 'custom', fromMs: v.first_time_ms - AROUND_MS, toMs } : { preset: 'custom', fromMs: v.first_time_ms - AROUND_MS };
  return selected(sel, sourceOf(v.series), v.metric, window);
}
