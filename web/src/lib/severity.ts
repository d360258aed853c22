// Severity of a violation: critical and warning are alerts (they reach people and set a series'
// state to `violation`); info is a chart signal (the Nelson rules, EWMA and CUSUM by default),
// logged but drawn small and faint so that a healthy day does not look like an incident. Each
// severity has a word and a shape besides its colour. A violation without a severity comes from
// a server older than the alerting layer: it is treated as before (an alert, shown everywhere).
import type { Severity, Violation } from '../api/types';

export interface SeverityStyle {
  severity: Severity;
  symbol: string;
  text: string;
}

export const SEVERITIES: SeverityStyle[] = [
  { severity: 'critical', symbol: '◆', text: 'critical' },
  { severity: 'warning', symbol: '▲', text: 'warning' },
  { severity: 'info', symbol: '○', text: 'info' },
];

export function severityStyle(s: Severity): SeverityStyle {
  return SEVERITIES.find((x) => x.severity === s) ?? SEVERITIES[2];
}

// The `severity` parameter of GET /api/violations (a comma list) the log's choices send.
export const ALERTS = 'critical,warning';
export const SEVERITY_CHOICES: { value: string; label: string }[] = [
  { value: ALERTS, label: 'alerts (critical + warning)' },
  { value: '', label: 'all severities' },
  { value: 'info', label: 'info only' },
];

// Whether a violation is alert-level: critical, warning, or unclassified (an older server).
export function isAlert(severity: Severity | undefined): boolean {
  return severity !== 'info';
}

// Whether `v` passes a severity filter (a comma list, empty for all), as the server filters.
// An unclassified violation passes any filter: the server that sent it ignored the parameter.
export function matchesSeverity(v: Pick<Violation, 'severity'>, filter: string | undefined): boolean {
  if (!filter || !v.severity) return true;
  return filter.split(',').includes(v.severity);
}
