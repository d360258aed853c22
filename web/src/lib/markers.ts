// Violation markers: where each violation of a chart is drawn, and in which order. Pure, so the
// placement is tested without a canvas. Times are seconds (uPlot's x unit).
import type { Severity, SpcView, Violation } from '../api/types';
import { isAlert } from './severity';

// A violation on the chart at its first time (for SHIFT/JUMP/ERRORS the estimated onset), with
// its severity (info: drawn small and faint; absent: an older server, drawn as an alert) and,
// when the detector signalled later, the time it did (a line joins the two).
export interface Marker {
  x: number;
  y: number;
  rule: string;
  violationId?: number;
  severity?: Severity;
  detectedX?: number;
  count?: number; // a display bucket's mark: how many violations of the rule began there (> 1)
}

// Index of the first x ≥ t (x sorted ascending).
export function lowerBound(x: number[], t: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The marker of one violation: at its value, or (no value, or `atPoint`: a p-chart, whose
// points are subgroups the violation's value does not describe) at the first point at or after
// its time; null when neither is known.
export function violationMarker(v: Violation, x: number[], y: (number | null)[], atPoint = false): Marker | null {
  const t = v.first_time_ms / 1000;
  const i = lowerBound(x, t);
  const point = i < y.length ? y[i] : null;
  const yv = atPoint ? (point ?? v.value) : (v.value ?? point);
  if (yv === null || !Number.isFinite(yv)) return null;
  const m: Marker = { x: t, y: yv, rule: v.rule, violationId: v.id };
  if (v.severity) m.severity = v.severity;
  if (v.detected_time_ms !== undefined && v.detected_time_ms > v.first_time_ms) m.detectedX = v.detected_time_ms / 1000;
  return m;
}

export function violationMarkers(violations: Violation[], x: number[], y: (number | null)[], atPoint = false): Marker[] {
  const out: Marker[] = [];
  for (const v of violations) {
    if (v.phase !== 'monitoring') continue;
    const m = violationMarker(v, x, y, atPoint);
    if (m) out.push(m);
  }
  return out;
}

// Info-level markers first, alert-level ones last, so that an alert is drawn on top.
export function drawOrder(markers: Marker[]): Marker[] {
  return [...markers.filter((m) => !isAlert(m.severity)), ...markers.filter((m) => isAlert(m.severity))];
}

// The value of the listed point nearest in time to `t` (a failed call's null skipped), or null
// when there is none. A window's display points are the server's M4 with every violating point
// kept, so for a rule that fires at a point this is that point itself; for a change dated back
// to its onset it is the line where the change began.
export function nearestValue(x: number[], y: (number | null)[], t: number): number | null {
  const i = lowerBound(x, t);
  let before = i - 1;
  let after = i;
  while (before >= 0 && y[before] === null) before--;
  while (after < y.length && y[after] === null) after++;
  if (before < 0 && after >= y.length) return null;
  if (before < 0) return y[after];
  if (after >= y.length) return y[before];
  return t - x[before] <= x[after] - t ? y[before] : y[after];
}

function severityOf(text: string | undefined): Severity | undefined {
  return text === 'critical' || text === 'warning' || text === 'info' ? text : undefined;
}

// A marker for every violation of the window (`violation_marks`), none of which needs a point of
// its own in the reply: those detailed in `violations` (the newest 200) at their value and with
// their detection time, the others at the value of the nearest listed point. A window read from
// rollups marks each display bucket once per rule, with no id and its count (at the bucket's
// highest point). Baseline-phase violations are left out where the detail says so. A server
// from before violation_marks: the detailed ones only.
export function windowMarkers(view: SpcView, x: number[], y: (number | null)[]): Marker[] {
  const marks = view.violation_marks;
  if (!marks) return violationMarkers(view.violations, x, y);
  const detail = new Map(view.violations.map((v) => [v.id, v]));
  const out: Marker[] = [];
  marks.ids.forEach((id, i) => {
    const v = id === null ? undefined : detail.get(id);
    if (v?.phase === 'baseline') return;
    const t = marks.time_ms[i] / 1000;
    const m = v ? violationMarker(v, x, y) : null;
    const value = m ? m.y : nearestValue(x, y, t);
    if (value === null) return;
    const severity = severityOf(marks.severities[i]);
    const count = marks.counts?.[i] ?? 1;
    out.push({
      ...m,
      x: t,
      y: value,
      rule: marks.rules[i],
      ...(id === null ? {} : { violationId: id }),
      ...(severity ? { severity } : {}),
      ...(count > 1 ? { count } : {}),
    });
  });
  return out;
}
