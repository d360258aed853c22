// The Targets page in jsdom against a fake server on 127.0.0.1: file targets are read-only,
// names are text, an edit sends the version it read and a new key only when one is typed.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { ApiClient } from '../api/client';
import type { Target } from '../api/targets';
import { json, requestsTo, startFakeServer, type FakeServer } from '../test/fake_server';
import { TargetsPage } from './TargetsPage';

const EVIL = '<img src=x onerror=alert(1)>';
let server: FakeServer;
afterEach(() => server?.close());

const target = (over: Partial<Target>): Target => ({
  id: 'x',
  name: 'x',
  source: 'store',
  version: 1,
  key_set: false,
  provider: 'ollama',
  base_url: 'http://127.0.0.1:11434',
  model: 'llama3',
  key_env: '',
  interval_s: 10,
  profiles: [{ name: 'short', prompt: 'p', max_tokens: 64 }],
  state: { probing: true, calls: 4, errors: 1 },
  ...over,
});

test('file targets are read-only; an edit sends the version read and keeps the stored key', async () => {
  const fromFile = target({ id: 'from-file', name: EVIL, source: 'file', version: 0 });
  const stored = target({ id: 'stored', name: 'ollama/llama3', version: 7, site: EVIL, key_set: true, provider: 'openai', base_url: 'https://api.openai.com' });
  server = await startFakeServer({
    'GET /api/targets': (_q, res) => json(res, 200, { targets: [fromFile, stored], demo_probing: false }),
    'PUT /api/targets/:id': (_q, res) => json(res, 200, { ...stored, version: 8 }),
  });
  const { container } = render(<TargetsPage api={new ApiClient(() => 'k', server.base)} onSetup={() => undefined} />);
  const fileRow = await screen.findByTestId('target-from-file');
  expect(fileRow.textContent).toContain(EVIL);
  expect(container.querySelector('img')).toBeNull();
  expect(within(fileRow).queryByRole('button', { name: 'Edit' })).toBeNull();
  expect(within(fileRow).getByText(/read-only/)).toBeTruthy();
  const row = screen.getByTestId('target-stored');
  expect(row.textContent).toContain('probing: 4 calls, 1 failed');
  expect(row.textContent).toContain(`site ${EVIL}`);
  fireEvent.click(within(row).getByRole('button', { name: 'Edit' }));
  const dialog = screen.getByRole('dialog', { name: 'edit target' });
  expect((within(dialog).getByLabelText('site') as HTMLInputElement).value).toBe(EVIL);
  fireEvent.change(within(dialog).getByLabelText('site'), { target: { value: ' eu-west ' } });
  fireEvent.change(within(dialog).getByLabelText('interval'), { target: { value: '30' } });
  fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
  await waitFor(() => expect(requestsTo(server, 'PUT', '/api/targets/stored')).toHaveLength(1));
  const sent = JSON.parse(requestsTo(server, 'PUT', '/api/targets/stored')[0].body);
  expect(sent).toMatchObject({ provider: 'openai', site: 'eu-west', interval_s: 30, version: 7 });
  expect(sent).not.toHaveProperty('key');
});
