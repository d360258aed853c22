// Which sample a violation's modal shows, and which of its fields.
import type { ContextPoint, Violation } from '../api/types';
import { ollamaSample } from '../test/sample_fixture';
import { sampleRows, violatingSampleId } from './violation_sample';

const point = (index: number, sample_id: number, time_ms = 0): ContextPoint => ({
  index,
  sample_id,
  time_ms,
  value: 1,
  telemetry: { cpu_percent: null, memory_percent: null, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: null },
});

test('the violating sample is the context point at the first index', () => {
  const v = (points: ContextPoint[] | null) =>
    ({ first_index: 30, last_index: 32, context: points && { points, telemetry: null } }) as Violation;
  expect(violatingSampleId(v([point(29, 98), point(30, 99), point(31, 100)]))).toBe(99);
  expect(violatingSampleId(v([point(40, 120), point(41, 121)]))).toBeNull(); // an onset before the context
  expect(violatingSampleId(v([point(30, 0)]))).toBeNull(); // no sample named
  expect(violatingSampleId(v(null))).toBeNull();
  expect(violatingSampleId({ first_index: 30 } as Violation)).toBeNull();
});

test("an alarm whose onset precedes its context shows the sample at its detection", () => {
  const points = [point(40, 120, 80_000), point(41, 121, 82_000), point(42, 122, 84_000)];
  const alarm = { first_index: 30, detected_time_ms: 82_500, context: { points, telemetry: null } } as Violation;
  expect(violatingSampleId(alarm)).toBe(121);
  expect(violatingSampleId({ ...alarm, first_index: 42 })).toBe(122); // the onset itself when kept
});

test("an Ollama sample's metrics, durations, counts and prompt hash, in order, formatted", () => {
  expect(sampleRows(ollamaSample()).map((r) => [r.label, r.value])).toEqual([
    ['E2E latency', '9000 ms'],
    ['TTFT', '350 ms'],
    ['Tokens/s', '41.5 tok/s'],
    ['total duration', '8995.2 ms'],
    ['load duration', '4210.7 ms'],
    ['prompt eval duration', '180.3 ms'],
    ['eval duration', '4600.0 ms'],
    ['prompt eval count (prompt tokens)', '26'],
    ['eval count (output tokens)', '191'],
    ['prompt hash', '3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea'],
  ]);
});

test('fields not recorded have no row; a failed call says why', () => {
  const other = ollamaSample({
    provider: 'openai',
    e2e_ms: 1200,
    ttft_ms: null,
    tokens_per_s: null,
    total_duration_ms: null,
    load_duration_ms: null,
    prompt_eval_duration_ms: null,
    eval_duration_ms: null,
    prompt_eval_count: null,
    eval_count: null,
    tokens_in: 12,
    tokens_out: 80,
    prompt_hash: '',
    error: true,
    error_kind: 'http_5xx',
    error_message: 'HTTP 503',
  });
  expect(sampleRows(other).map((r) => `${r.key}=${r.value}`)).toEqual(['e2e_ms=1200 ms', 'error=http_5xx: HTTP 503', 'tokens_in=12', 'tokens_out=80']);
  // an older server's sample: only the stream's fields
  const { id, time_ms, provider, model, site, profile, e2e_ms, ttft_ms, tpot_ms, tokens_per_s, cost_usd, error, error_kind } = ollamaSample();
  const bare = { id, time_ms, provider, model, site, profile, e2e_ms, ttft_ms, tpot_ms, tokens_per_s, cost_usd, error, error_kind };
  const telemetry = { cpu_percent: null, memory_percent: null, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: null };
  expect(sampleRows({ ...bare, ...telemetry }).map((r) => r.key)).toEqual(['e2e_ms', 'ttft_ms', 'tokens_per_s']);
  expect(sampleRows({ ...bare, ...telemetry, e2e_ms: null, ttft_ms: null, tokens_per_s: null, error: true, error_kind: '' })).toEqual([
    { key: 'error', label: 'error', value: 'failed' },
  ]);
});
