// A stored sample of an Ollama call as GET /api/samples/{id} gives it (SampleJson), for the tests.
import type { Sample } from '../api/types';

export function ollamaSample(overrides: Partial<Sample> = {}): Sample {
  return {
    id: 99,
    timestamp: '2023-11-14T22:13:20Z',
    time_ms: 1_700_000_000_000,
    provider: 'ollama',
    model: 'llama3.2',
    site: '',
    profile: '',
    e2e_ms: 9000,
    ttft_ms: 350,
    tpot_ms: null,
    tokens_per_s: 41.5,
    cost_usd: null,
    error: false,
    error_kind: '',
    error_message: '',
    total_duration_ms: 8995.2,
    load_duration_ms: 4210.7,
    prompt_eval_duration_ms: 180.25,
    eval_duration_ms: 4600,
    prompt_eval_count: 26,
    eval_count: 191,
    tokens_in: null,
    tokens_out: null,
    cpu_percent: 55,
    memory_percent: 40,
    gpu_percent: null,
    gpu_memory_percent: null,
    gpu_temp_c: null,
    prompt_hash: '3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea',
    ...overrides,
  };
}
