// The sample behind a violation, as its modal shows it: which sample it is (the context point at
// the violation's first index), and the fields of it that were recorded, labelled and formatted.
import type { Sample, Violation } from '../api/types';
import { formatValue, METRICS } from './metrics';

// The id of the sample of the violation's first point; for an alarm whose onset lies before the
// points kept around its detection, the sample at its detection (the context point nearest
// detected_time_ms). Null when the context holds neither or the point names no sample.
export function violatingSampleId(v: Violation): number | null {
  const points = v.context?.points ?? [];
  let point = points.find((p) => p.index === v.first_index);
  if (!point && v.detected_time_ms !== undefined && points.length > 0) {
    const at = v.detected_time_ms;
    point = points.reduce((best, p) => (Math.abs(p.time_ms - at) < Math.abs(best.time_ms - at) ? p : best));
  }
  return point && point.sample_id > 0 ? point.sample_id : null;
}

export interface SampleRow {
  key: string;
  label: string;
  value: string;
}

// Ollama's own durations (ms) and the token counts, in the order shown.
const DURATIONS = [
  ['total_duration_ms', 'total duration'],
  ['load_duration_ms', 'load duration'],
  ['prompt_eval_duration_ms', 'prompt eval duration'],
  ['eval_duration_ms', 'eval duration'],
] as const;
const COUNTS = [
  ['prompt_eval_count', 'prompt eval count (prompt tokens)'],
  ['eval_count', 'eval count (output tokens)'],
  ['tokens_in', 'input tokens'],
  ['tokens_out', 'output tokens'],
] as const;

// The recorded fields of `s`: its metrics, the error of a failed call, Ollama's durations, the
// token counts and the prompt's hash; a field that is null, absent or empty has no row.
export function sampleRows(s: Sample): SampleRow[] {
  const rows: SampleRow[] = [];
  const number = (key: string, label: string, v: number | null | undefined, digits: number, unit: string) => {
    if (typeof v === 'number' && Number.isFinite(v)) rows.push({ key, label, value: formatValue(v, digits, unit) });
  };
  for (const m of METRICS) if (m.metric !== 'error') number(m.metric, m.label, s[m.metric], m.digits, m.unit);
  if (s.error) rows.push({ key: 'error', label: 'error', value: [s.error_kind, s.error_message].filter(Boolean).join(': ') || 'failed' });
  for (const [key, label] of DURATIONS) number(key, label, s[key], 1, 'ms');
  for (const [key, label] of COUNTS) number(key, label, s[key], 0, '');
  if (s.prompt_hash) rows.push({ key: 'prompt_hash', label: 'prompt hash', value: s.prompt_hash });
  return rows;
}
