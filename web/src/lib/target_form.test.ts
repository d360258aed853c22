import { describe, expect, it } from 'vitest';
import type { Target } from '../api/targets';
import { emptyForm, formOf, writeOf } from './target_form';

const stored: Target = {
  id: 'openai-gpt',
  name: 'openai/gpt',
  source: 'store',
  version: 3,
  key_set: true,
  provider: 'openai',
  base_url: 'https://api.openai.com',
  model: 'gpt',
  key_env: '',
  interval_s: 30,
  profiles: [{ name: 'long', prompt: 'p', max_tokens: 5 }],
  state: { probing: true },
};

describe('target form', () => {
  it('sends a new Ollama target with the default URL and no key', () => {
    const w = writeOf({ ...emptyForm('ollama'), model: ' llama3 ', intervalS: '5' });
    expect(w).toMatchObject({ provider: 'ollama', base_url: 'http://127.0.0.1:11434', model: 'llama3', site: '', interval_s: 5, key_env: '' });
    expect(w.key).toBeUndefined();
    expect(w.version).toBeUndefined();
  });
  it('keeps a stored key on an edit unless a new one is typed, and sends the version read', () => {
    const f = formOf(stored);
    expect(f.keyMode).toBe('secret');
    expect(writeOf(f).key).toBeUndefined();
    expect(writeOf(f).version).toBe(3);
    expect(writeOf({ ...f, key: 'sk-new' }).key).toBe('sk-new');
    expect(writeOf(f).profiles?.[0].name).toBe('long');
  });
  it('reads and sends the site, trimmed; clearing it sends an empty one', () => {
    const f = formOf({ ...stored, site: 'eu-west' });
    expect(f.site).toBe('eu-west');
    expect(writeOf({ ...f, site: ' us-east ' }).site).toBe('us-east');
    expect(writeOf({ ...f, site: '' }).site).toBe('');
  });
  it('removes the stored key when the form switches to an environment variable', () => {
    const w = writeOf({ ...formOf(stored), keyMode: 'env', keyEnv: 'OPENAI_API_KEY' });
    expect(w.key).toBe('');
    expect(w.key_env).toBe('OPENAI_API_KEY');
  });
});
