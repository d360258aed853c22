// The time window a person picks: a preset, or a custom range from/to (local time inputs).
export type WindowPreset = '1h' | '6h' | '24h' | '7d' | 'custom';

export interface TimeWindow {
  preset: WindowPreset;
  fromMs?: number;
  toMs?: number;
}

const PRESET_HOURS: Record<Exclude<WindowPreset, 'custom'>, number> = { '1h': 1, '6h': 6, '24h': 24, '7d': 168 };

// Points requested at most: 7 days at one point per 2 s is 302,400; the chart keeps the newest.
export const MAX_POINTS = 100000;

// The `hours` to ask the API for (it counts back from now), and the end of the window when it
// is not now.
export function windowHours(w: TimeWindow, nowMs: number): { hours: number; untilMs?: number } {
  if (w.preset !== 'custom') return { hours: PRESET_HOURS[w.preset] };
  const from = w.fromMs ?? nowMs - 3600000;
  const hours = Math.max(0.01, (nowMs - from) / 3600000);
  return { hours: Math.min(hours, 8784), untilMs: w.toMs };
}

export function pointLimit(hours: number): number {
  return Math.min(MAX_POINTS, Math.ceil(hours * 1800) + 1);
}
