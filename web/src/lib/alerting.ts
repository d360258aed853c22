// The words for a series' alert detector (GET /api/series `alerting`): its false-alert budget,
// the delay it needs to alert a given change, its learning progress and where its statistic
// stands against its thresholds. Pure functions, so the wording is tested without a page.
import type { Alerting, Metric } from '../api/types';
import { formatValue, metricInfo } from './metrics';

// A figure with two significant digits (0.02, 3.1, 1, 12.3), for budgets and CUSUM values.
export function short(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return String(Number(v.toPrecision(2)));
}

// A duration in the unit a person reads it in: 45 s, 1.6 min, 2.5 h, 3.0 days.
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

function known(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function detectorText(a: Alerting): string {
  if (a.detector === 'errors') return 'error-rate detector (CUSUM on each call): alerts when the error rate rises';
  const size = a.subgroup_size ? ` of ${a.subgroup_size} points` : '';
  return `shift detector (CUSUM on subgroup means${size}): alerts when the level ${a.direction === 'down' ? 'falls' : 'rises'}`;
}

// "learning 12/40 subgroups", or null once learnt.
export function learningText(a: Alerting): string | null {
  if (!a.learning) return null;
  return `learning ${a.learning_progress}/${a.learning_needed} ${a.detector === 'errors' ? 'calls' : 'subgroups'}`;
}

// "Alert budget: 1 false alert / 30 days · expected 0.02 at current settings".
export function budgetText(a: Alerting): string | null {
  if (!known(a.budget_per_30d)) return null;
  const b = a.budget_per_30d;
  const budget = `Alert budget: ${short(b)} false alert${b === 1 ? '' : 's'} / 30 days`;
  if (!known(a.expected_false_alerts_per_30d)) return `${budget} · expected rate known once learnt`;
  return `${budget} · expected ${expectedCount(a.expected_false_alerts_per_30d)} at current settings`;
}

// An expected count per 30 days: "0.02", "3.1"; one below a thousandth as "< 0.001" (the design
// of a very quiet series gives figures like 3.6e-9, which read as noise).
function expectedCount(v: number): string {
  return v > 0 && v < 0.001 ? '< 0.001' : short(v);
}

// "Early warning (degraded): about 3.1 / 30 days on healthy data".
export function degradedText(a: Alerting): string | null {
  if (!known(a.expected_degraded_per_30d)) return null;
  const expected = expectedCount(a.expected_degraded_per_30d);
  return `Early warning (degraded): ${expected.startsWith('<') ? '' : 'about '}${expected} / 30 days on healthy data`;
}

// "A ×1.2 shift is alerted in about 1.6 min".
export function delayText(a: Alerting): string {
  const target = a.detection_target ?? (a.detector === 'errors' ? '+5% errors' : '×1.2');
  const what = a.detector === 'errors' ? `A rise of the error rate (${target})` : `A ${target} shift`;
  if (!known(a.detection_delay_s)) return `${what}: detection delay known once learnt`;
  return `${what} is alerted in about ${formatDuration(a.detection_delay_s)}`;
}

// The level learnt in the metric's unit; the error rate as a percentage.
export function baselineText(a: Alerting, metric: Metric): string | null {
  if (!known(a.baseline)) return null;
  if (metric === 'error' || a.detector === 'errors') return `Baseline level: ${(a.baseline * 100).toFixed(1)} % errors`;
  const info = metricInfo(metric);
  return `Baseline level: ${formatValue(a.baseline, info.digits, info.unit)}`;
}

export type StatisticLevel = 'below' | 'early-warning' | 'alert';

// Where the statistic stands: under the early-warning level, past it, or past the alert level;
// with its share of the bar's scale (the alert level at 80 %) and the thresholds' positions.
export function statisticGauge(a: Alerting): {
  level: StatisticLevel;
  statistic: number;
  threshold: number;
  degraded: number | null;
  fill: number;
  degradedAt: number | null;
  thresholdAt: number;
  text: string;
} | null {
  if (!known(a.statistic) || !known(a.threshold) || a.threshold <= 0) return null;
  const degraded = known(a.degraded_threshold) ? a.degraded_threshold : null;
  const level: StatisticLevel =
    a.statistic >= a.threshold ? 'alert' : degraded !== null && a.statistic >= degraded ? 'early-warning' : 'below';
  const scale = Math.max(a.threshold * 1.25, a.statistic);
  const at = (v: number) => Math.min(100, Math.max(0, (v / scale) * 100));
  const where =
    level === 'alert'
      ? 'at or above the alert level'
      : level === 'early-warning'
        ? 'past the early-warning level'
        : degraded !== null
          ? 'below the early-warning level'
          : 'below the alert level';
  return {
    level,
    statistic: a.statistic,
    threshold: a.threshold,
    degraded,
    fill: at(a.statistic),
    degradedAt: degraded === null ? null : at(degraded),
    thresholdAt: at(a.threshold),
    text:
      `CUSUM ${short(a.statistic)}: ${where} (` +
      (degraded !== null ? `early warning at ${short(degraded)}, ` : '') +
      `alert at ${short(a.threshold)})`,
  };
}
