// The control limits named at the chart's right edge: UCL, CL and LCL of the limits in force
// there, each beside its line, moved apart where lines lie closer than a label is tall. Pure, so
// the placement is tested without a canvas.
import type { Limits } from '../api/types';
import type { LimitSegment } from './chart_data';

export interface LimitLabel {
  name: 'UCL' | 'CL' | 'LCL';
  value: number;
}

// The limits in force at `x` (seconds): the last segment that starts at or before it, else the
// first; null without segments.
export function limitsAt(segments: LimitSegment[], x: number): Limits | null {
  if (segments.length === 0) return null;
  let found = segments[0];
  for (const s of segments) if (s.from <= x) found = s;
  return found.limits;
}

// UCL, CL and LCL, those with a value, top to bottom.
export function limitLabels(l: Limits | null): LimitLabel[] {
  if (!l) return [];
  const all: { name: LimitLabel['name']; value: number | null }[] = [
    { name: 'UCL', value: l.ucl },
    { name: 'CL', value: l.cl },
    { name: 'LCL', value: l.lcl },
  ];
  return all.filter((a): a is LimitLabel => a.value !== null && Number.isFinite(a.value));
}

// Label positions (pixels, growing downwards) for lines at `ys`, top to bottom, within
// [lo, hi]: each at its line, or, where that is closer than `gap` to the one above, `gap` below
// it; those pushed past `hi` move up, `gap` apart (when they fit).
export function spreadApart(ys: number[], gap: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (const y of ys) out.push(Math.max(y, lo, out.length > 0 ? out[out.length - 1] + gap : lo));
  for (let i = out.length - 1; i >= 0; i--) out[i] = Math.min(out[i], i + 1 < out.length ? out[i + 1] - gap : hi);
  return out;
}
