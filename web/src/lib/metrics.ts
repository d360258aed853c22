// The metrics a person can switch between, with their labels and units.
import type { Metric, Telemetry } from '../api/types';

export interface MetricInfo {
  metric: Metric;
  label: string;
  unit: string;
  digits: number;
}

export const METRICS: MetricInfo[] = [
  { metric: 'e2e_ms', label: 'E2E latency', unit: 'ms', digits: 0 },
  { metric: 'ttft_ms', label: 'TTFT', unit: 'ms', digits: 0 },
  { metric: 'tpot_ms', label: 'TPOT', unit: 'ms', digits: 1 },
  { metric: 'tokens_per_s', label: 'Tokens/s', unit: 'tok/s', digits: 1 },
  { metric: 'cost_usd', label: 'Cost', unit: 'USD', digits: 5 },
  { metric: 'error', label: 'Error rate (p-chart)', unit: '', digits: 3 },
];

export function metricInfo(m: Metric): MetricInfo {
  return METRICS.find((x) => x.metric === m) ?? METRICS[0];
}

export function formatValue(v: number | null | undefined, digits = 2, unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const text = Math.abs(v) >= 1e6 ? v.toExponential(2) : v.toFixed(digits);
  return unit ? `${text} ${unit}` : text;
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export const TELEMETRY_FIELDS: { key: keyof Telemetry; label: string; unit: string }[] = [
  { key: 'cpu_percent', label: 'CPU', unit: '%' },
  { key: 'memory_percent', label: 'Memory', unit: '%' },
  { key: 'gpu_percent', label: 'GPU', unit: '%' },
  { key: 'gpu_memory_percent', label: 'GPU memory', unit: '%' },
  { key: 'gpu_temp_c', label: 'GPU temp', unit: '°C' },
];
