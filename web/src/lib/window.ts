// The time window a person picks: a preset that counts back from now, or a custom range with
// both ends (`toMs` absent: it ends now). What the API is asked for follows from it: a preset
// asks for `hours` (so a later fetch counts back from its own now), a custom range for
// `since`/`until`; every chart asks for about as many display points as its plot has pixels.
export type WindowPreset = '1h' | '6h' | '24h' | '7d' | '30d' | '90d' | 'custom';

export type PresetWindow = Exclude<WindowPreset, 'custom'>;
export type TimeWindow = { preset: PresetWindow } | { preset: 'custom'; fromMs: number; toMs?: number };

export const PRESETS: WindowPreset[] = ['1h', '6h', '24h', '7d', '30d', '90d', 'custom'];

const PRESET_HOURS: Record<PresetWindow, number> = {
  '1h': 1,
  '6h': 6,
  '24h': 24,
  '7d': 168,
  '30d': 720,
  '90d': 2160,
};

// A span of time to fetch: the last `hours`, or [sinceMs, untilMs) (no untilMs: until now).
export type Span = { hours: number } | { sinceMs: number; untilMs?: number };

export function isPreset(text: string | null | undefined): text is PresetWindow {
  return text !== null && text !== undefined && Object.hasOwn(PRESET_HOURS, text);
}

export function windowSpan(w: TimeWindow): Span {
  if (w.preset !== 'custom') return { hours: PRESET_HOURS[w.preset] };
  return w.toMs === undefined ? { sinceMs: w.fromMs } : { sinceMs: w.fromMs, untilMs: w.toMs };
}

// Where a span begins and ends at `nowMs`, and whether it ends now (live samples extend it).
export function spanStart(span: Span, nowMs: number): number {
  return 'hours' in span ? nowMs - span.hours * 3600000 : span.sinceMs;
}

export function spanEnd(span: Span, nowMs: number): number {
  return 'untilMs' in span && span.untilMs !== undefined ? span.untilMs : nowMs;
}

export function endsNow(span: Span): boolean {
  return !('untilMs' in span) || span.untilMs === undefined;
}

// The part of [fromMs, toMs) (a zoomed x range) within `span` at `nowMs`, whole milliseconds;
// null when nothing is left.
export function withinSpan(span: Span, fromMs: number, toMs: number, nowMs: number): { sinceMs: number; untilMs: number } | null {
  const sinceMs = Math.max(Math.floor(fromMs), spanStart(span, nowMs));
  const untilMs = Math.min(Math.ceil(toMs), spanEnd(span, nowMs));
  return untilMs > sinceMs ? { sinceMs, untilMs } : null;
}

// The part of the window a downsampled chart's points fill (times in seconds, in order), when it
// is less than half of the window (a new install's 7 d holds one day); null otherwise.
export function filledPart(xS: number[], span: Span, nowMs: number): { minS: number; maxS: number } | null {
  if (xS.length < 2) return null;
  const minS = xS[0];
  const maxS = xS[xS.length - 1];
  const windowS = (spanEnd(span, nowMs) - spanStart(span, nowMs)) / 1000;
  return maxS > minS && maxS - minS < windowS / 2 ? { minS, maxS } : null;
}

export function sameWindow(a: TimeWindow, b: TimeWindow): boolean {
  if (a.preset !== 'custom' || b.preset !== 'custom') return a.preset === b.preset;
  return a.fromMs === b.fromMs && a.toMs === b.toMs;
}

// ISO 8601 UTC without milliseconds when there are none (2026-12-01T00:00:00Z).
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

// The query parameters of a span: `hours`, or `since` and (when it does not end now) `until`.
export function spanParams(span: Span): { hours?: number; since?: string; until?: string } {
  if ('hours' in span) return { hours: span.hours };
  return span.untilMs === undefined ? { since: isoUtc(span.sinceMs) } : { since: isoUtc(span.sinceMs), until: isoUtc(span.untilMs) };
}

export const MIN_DISPLAY_POINTS = 200;
export const MAX_DISPLAY_POINTS = 4000;

// The display points to ask for: one per device pixel of the plot's width, within
// MIN_DISPLAY_POINTS..MAX_DISPLAY_POINTS (the server's M4 keeps each pixel's first, last, lowest
// and highest point, so the line looks as with every point).
export function displayPoints(devicePixels: number): number {
  if (!Number.isFinite(devicePixels)) return MIN_DISPLAY_POINTS;
  return Math.min(MAX_DISPLAY_POINTS, Math.max(MIN_DISPLAY_POINTS, Math.round(devicePixels)));
}
