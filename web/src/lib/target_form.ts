// The target form's state and what it sends (docs/design.md "Settings"): pure, no I/O.
// The key is either the name of an environment variable on the server, or the key itself,
// written once and never shown again (left empty on an edit: the stored key stays). The site
// names where the probe runs (a series' site; empty: the local server).
import type { ProviderName, Target, TargetWrite } from '../api/targets';

export const PROVIDERS: { value: ProviderName; label: string; defaultUrl: string }[] = [
  { value: 'ollama', label: 'Ollama', defaultUrl: 'http://127.0.0.1:11434' },
  { value: 'openai', label: 'OpenAI', defaultUrl: 'https://api.openai.com' },
  { value: 'anthropic', label: 'Anthropic', defaultUrl: 'https://api.anthropic.com' },
  { value: 'openai-compatible', label: 'OpenAI-compatible', defaultUrl: '' },
  { value: 'simulated', label: 'Simulated', defaultUrl: '' },
];

export const PROFILES = [
  { name: 'short', prompt: 'Reply with one short sentence: what is statistical process control?', max_tokens: 64 },
  { name: 'long', prompt: 'Explain statistical process control in about 300 words.', max_tokens: 512 },
];

export type KeyMode = 'none' | 'env' | 'secret';

export interface TargetFormState {
  provider: ProviderName;
  baseUrl: string;
  model: string;
  site: string;
  intervalS: string;
  profile: string;
  keyMode: KeyMode;
  keyEnv: string;
  key: string; // typed now; "" keeps a stored one
  version?: number;
  keySet: boolean;
}

export function defaultUrl(provider: ProviderName): string {
  return PROVIDERS.find((p) => p.value === provider)?.defaultUrl ?? '';
}

export function emptyForm(provider: ProviderName = 'ollama'): TargetFormState {
  return { provider, baseUrl: defaultUrl(provider), model: '', site: '', intervalS: '10', profile: 'short', keyMode: 'none', keyEnv: '', key: '', keySet: false };
}

export function formOf(t: Target): TargetFormState {
  return {
    provider: t.provider,
    baseUrl: t.base_url,
    model: t.model,
    site: t.site ?? '',
    intervalS: String(t.interval_s),
    profile: t.profiles?.[0]?.name ?? 'short',
    keyMode: t.key_set ? 'secret' : t.key_env ? 'env' : 'none',
    keyEnv: t.key_env,
    key: '',
    version: t.version,
    keySet: t.key_set,
  };
}

// The body of POST/PUT /api/targets. The server checks every field (a 400 names the one at
// fault); here only what the form itself holds is shaped.
export function writeOf(f: TargetFormState): TargetWrite {
  const profile = PROFILES.find((p) => p.name === f.profile) ?? PROFILES[0];
  const w: TargetWrite = {
    provider: f.provider,
    base_url: f.baseUrl.trim(),
    model: f.model.trim(),
    site: f.site.trim(),
    key_env: f.keyMode === 'env' ? f.keyEnv.trim() : '',
    interval_s: Number(f.intervalS),
    profiles: [profile],
  };
  if (f.keyMode === 'secret' && f.key !== '') w.key = f.key;
  if (f.keyMode !== 'secret' && f.keySet) w.key = ''; // switching away removes the stored key
  if (f.version !== undefined) w.version = f.version;
  return w;
}

// Whether the provider can list its models through the server (simulated: one, not worth it).
export function canListModels(provider: ProviderName): boolean {
  return provider !== 'simulated';
}
