// A target's form (add or edit): provider, base URL, model (picked from the provider's list when
// the server can fetch it), site (where the probe runs, optional), interval, prompt profile, and the key as the name of an environment
// variable on the server or as the key itself (write-only: never shown back). Test makes one
// call with what is typed, saved or not, and shows the sample or the error in words.
import { useState } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import { providerModels, testTarget, type ProviderName, type TestResult } from '../api/targets';
import { canListModels, defaultUrl, PROFILES, PROVIDERS, writeOf, type TargetFormState } from '../lib/target_form';

interface Props {
  api: ApiClient;
  form: TargetFormState;
  onChange: (f: TargetFormState) => void;
  models?: string[]; // offered already (the wizard found them)
}

export function TargetFields({ api, form, onChange, models: offered = [] }: Props) {
  const [models, setModels] = useState<string[]>(offered);
  const [modelsNote, setModelsNote] = useState('');
  const set = (patch: Partial<TargetFormState>) => onChange({ ...form, ...patch });
  const listModels = () => {
    setModelsNote('Asking the provider…');
    providerModels(api, form.provider, form.baseUrl, form.keyMode === 'env' ? form.keyEnv : '').then(
      (r) => {
        setModels(r.models);
        setModelsNote(r.models.length ? `${r.models.length} model(s) offered` : 'The provider lists no models');
        if (!form.model && r.models.length) set({ model: r.models[0] });
      },
      (e: unknown) => setModelsNote(e instanceof ApiError ? e.message : String(e)),
    );
  };
  return (
    <div className="target-fields">
      <label>
        Provider
        <select
          aria-label="provider"
          value={form.provider}
          onChange={(e) => {
            const provider = e.target.value as ProviderName;
            setModels([]);
            set({ provider, baseUrl: defaultUrl(provider) });
          }}
        >
          {PROVIDERS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      {form.provider !== 'simulated' ? (
        <label>
          Base URL
          <input aria-label="base URL" value={form.baseUrl} onChange={(e) => set({ baseUrl: e.target.value })} placeholder="http://host:port" />
        </label>
      ) : null}
      <label>
        Model
        <span className="inline">
          {models.length ? (
            <select aria-label="model" value={form.model} onChange={(e) => set({ model: e.target.value })}>
              {models.includes(form.model) ? null : <option value={form.model}>{form.model || '(choose)'}</option>}
              {models.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          ) : (
            <input aria-label="model" value={form.model} onChange={(e) => set({ model: e.target.value })} />
          )}
          {canListModels(form.provider) ? (
            <button type="button" onClick={listModels}>
              List models
            </button>
          ) : null}
        </span>
        {modelsNote ? <span className="muted" data-testid="models-note">{modelsNote}</span> : null}
      </label>
      <label>
        Site
        <input aria-label="site" value={form.site} onChange={(e) => set({ site: e.target.value })} placeholder="optional: where the probe runs" />
      </label>
      <label>
        Every (seconds)
        <input aria-label="interval" type="number" min="0" step="any" value={form.intervalS} onChange={(e) => set({ intervalS: e.target.value })} />
      </label>
      <label>
        Prompt profile
        <select aria-label="profile" value={form.profile} onChange={(e) => set({ profile: e.target.value })}>
          {PROFILES.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} ({p.max_tokens} tokens at most)
            </option>
          ))}
        </select>
      </label>
      {form.provider !== 'simulated' ? (
        <fieldset>
          <legend>API key</legend>
          <label>
            <input type="radio" checked={form.keyMode === 'none'} onChange={() => set({ keyMode: 'none' })} /> none
          </label>
          <label>
            <input type="radio" checked={form.keyMode === 'env'} onChange={() => set({ keyMode: 'env' })} /> environment variable on the server
          </label>
          <label>
            <input type="radio" checked={form.keyMode === 'secret'} onChange={() => set({ keyMode: 'secret' })} /> the key (stored sealed, never shown)
          </label>
          {form.keyMode === 'env' ? (
            <input aria-label="key variable" value={form.keyEnv} onChange={(e) => set({ keyEnv: e.target.value })} placeholder="OPENAI_API_KEY" />
          ) : null}
          {form.keyMode === 'secret' ? (
            <input
              aria-label="key"
              type="password"
              autoComplete="off"
              value={form.key}
              onChange={(e) => set({ key: e.target.value })}
              placeholder={form.keySet ? 'stored: type to replace' : ''}
            />
          ) : null}
        </fieldset>
      ) : null}
    </div>
  );
}

// The outcome of one test call, in words.
export function TestOutcome({ result }: { result: TestResult | string | null }) {
  if (result === null) return null;
  if (typeof result === 'string') {
    return (
      <p className="alert" role="status" data-testid="test-outcome">
        {result}
      </p>
    );
  }
  const s = result.sample;
  return (
    <p className={result.ok ? 'ok' : 'alert'} role="status" data-testid="test-outcome">
      {result.ok
        ? `It answered: ${Math.round(s.e2e_ms ?? 0)} ms end to end${s.ttft_ms != null ? `, first token after ${Math.round(s.ttft_ms)} ms` : ''}.`
        : `It failed: ${result.error ?? 'no reason given'}`}
    </p>
  );
}

// Runs a test of what the form holds.
export function useTargetTest(api: ApiClient) {
  const [result, setResult] = useState<TestResult | string | null>(null);
  const run = (form: TargetFormState) => {
    setResult('Calling…');
    testTarget(api, writeOf(form)).then(setResult, (e: unknown) => setResult(e instanceof ApiError ? e.message : String(e)));
  };
  return { result, run, clear: () => setResult(null) };
}
