// The targets routes (docs/design.md "Settings"): list, create, change (with the version it was
// read at: a 409 when another change came first), delete, test one call, and list a provider's
// models. A key is sent once and never comes back: replies say `key_set`.
import type { ApiClient } from './client';
import { query } from './client';
import type { Sample } from './types';

export type ProviderName = 'ollama' | 'openai' | 'anthropic' | 'openai-compatible' | 'simulated';

export interface PromptProfile {
  name: string;
  prompt: string;
  max_tokens: number;
}

export interface TargetFields {
  name?: string;
  provider: ProviderName;
  base_url: string;
  model: string;
  site?: string; // where the probe runs; "" or absent: the local server
  key_env: string;
  interval_s: number;
  profiles?: PromptProfile[];
}

export interface TargetState {
  probing: boolean;
  calls?: number;
  errors?: number;
  in_flight?: boolean;
}

export interface Target extends TargetFields {
  id: string;
  name: string;
  source: 'file' | 'store';
  version: number;
  key_set: boolean;
  state: TargetState;
}

// What the form sends: the fields, the key when one was typed ("" removes it), the version read.
export interface TargetWrite extends TargetFields {
  key?: string;
  version?: number;
}

export interface TestResult {
  ok: boolean;
  error?: string;
  sample: Sample;
}

export function listTargets(api: ApiClient) {
  return api.request<{ targets: Target[]; demo_probing: boolean }>('GET', '/api/targets');
}
export function createTarget(api: ApiClient, t: TargetWrite) {
  return api.request<Target>('POST', '/api/targets', t);
}
export function updateTarget(api: ApiClient, id: string, t: TargetWrite) {
  return api.request<Target>('PUT', `/api/targets/${encodeURIComponent(id)}`, t);
}
export function deleteTarget(api: ApiClient, id: string) {
  return api.raw('DELETE', `/api/targets/${encodeURIComponent(id)}`).then(() => undefined);
}
export function testTarget(api: ApiClient, t: TargetWrite) {
  return api.request<TestResult>('POST', '/api/targets/test', t);
}
export function testSavedTarget(api: ApiClient, id: string) {
  return api.request<TestResult>('POST', `/api/targets/${encodeURIComponent(id)}/test`);
}
export function providerModels(api: ApiClient, provider: ProviderName, baseUrl: string, keyEnv: string) {
  return api.request<{ models: string[] }>('GET', '/api/providers/models' + query({ provider, base_url: baseUrl, key_env: keyEnv }));
}
