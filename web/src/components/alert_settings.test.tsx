// The Alerts page's routes and mute windows in jsdom against a fake server on 127.0.0.1: the
// file's items are read-only and their names text; Edit fills the form, Save sends a PUT with the
// version read, and a 409 reaches the page's error with the server's message.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { ApiClient, ApiError } from '../api/client';
import type { MuteView, RouteView } from '../api/alert_settings';
import { json, requestsTo, startFakeServer, type FakeServer } from '../test/fake_server';
import { AlertSettingsView } from './AlertSettingsView';

const EVIL = '<img src=x onerror=alert(1)>';
let server: FakeServer;
afterEach(() => server?.close());

const fileRoute: RouteView = { name: 'from-file', source: 'file', match: { provider: [EVIL] }, sinks: ['ops'] };
const storedRoute: RouteView = { name: 'pager', source: 'store', version: 3, match: { severity: ['critical'] }, sinks: ['ops'] };
const storedMute: MuteView = { name: 'nights', source: 'store', version: 5, match: {}, days: ['mon', 'tue'], from: '22:00', to: '06:00' };
const onceMute: MuteView = { name: 'upgrade', source: 'store', version: 1, match: { model: ['llama3'] }, start: '2026-05-01T22:00:00Z', end: '2026-05-02T06:00:00Z' };

async function startWith(routes: Record<string, Parameters<typeof startFakeServer>[0][string]>) {
  server = await startFakeServer({
    'GET /api/alerts/sinks': (_q, res) => json(res, 200, { sinks: [] }),
    'GET /api/alerts/routes': (_q, res) => json(res, 200, { routes: [fileRoute, storedRoute] }),
    'GET /api/alerts/mutes': (_q, res) => json(res, 200, { mutes: [storedMute, onceMute] }),
    'GET /api/silences': (_q, res) => json(res, 200, { silences: [] }),
    ...routes,
  });
  const onError = vi.fn();
  const view = render(<AlertSettingsView api={new ApiClient(() => 'k', server.base)} onError={onError} />);
  return { onError, view };
}

test('a file route is read-only; Edit fills the form and Save sends the version read', async () => {
  const { view } = await startWith({ 'PUT /api/alerts/routes/:name': (_q, res) => json(res, 200, { ...storedRoute, version: 4 }) });
  const fileRow = await screen.findByTestId('alert routes-from-file');
  expect(fileRow.textContent).toContain(EVIL);
  expect(view.container.querySelector('img')).toBeNull();
  expect(within(fileRow).queryByRole('button', { name: 'Edit' })).toBeNull();
  expect(within(fileRow).getByText(/read-only/)).toBeTruthy();

  fireEvent.click(within(screen.getByTestId('alert routes-pager')).getByRole('button', { name: 'Edit' }));
  const form = screen.getByRole('form', { name: 'edit route' });
  expect((within(form).getByLabelText('Name') as HTMLInputElement).readOnly).toBe(true);
  expect((within(form).getByLabelText('severity') as HTMLInputElement).value).toBe('critical');
  fireEvent.change(within(form).getByLabelText(/^Sinks/), { target: { value: 'ops, mail' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Save route' }));
  await waitFor(() => expect(requestsTo(server, 'PUT', '/api/alerts/routes/pager')).toHaveLength(1));
  expect(JSON.parse(requestsTo(server, 'PUT', '/api/alerts/routes/pager')[0].body)).toEqual({
    name: 'pager',
    match: { severity: ['critical'] },
    sinks: ['ops', 'mail'],
    version: 3,
  });
  await screen.findByRole('form', { name: 'route form' });
  expect(requestsTo(server, 'GET', '/api/alerts/routes').length).toBeGreaterThanOrEqual(2);
});

test('a stale edit of a mute window shows the server 409 message and closes the edit', async () => {
  const stale = 'mute window "nights" was changed since version 5 (now 6)';
  const { onError } = await startWith({
    'PUT /api/alerts/mutes/:name': (_q, res) => json(res, 409, { error: { code: 'conflict', message: stale } }),
  });
  fireEvent.click(within(await screen.findByTestId('mute windows-nights')).getByRole('button', { name: 'Edit' }));
  const form = screen.getByRole('form', { name: 'edit mute window' });
  expect((within(form).getByLabelText('From (UTC)') as HTMLInputElement).value).toBe('22:00');
  fireEvent.click(within(form).getByLabelText('wed'));
  fireEvent.click(within(form).getByRole('button', { name: 'Save mute window' }));
  await waitFor(() => expect(onError).toHaveBeenCalled());
  const error = onError.mock.calls[0][0] as ApiError;
  expect(error.status).toBe(409);
  expect(error.message).toContain(stale);
  expect(JSON.parse(requestsTo(server, 'PUT', '/api/alerts/mutes/nights')[0].body)).toMatchObject({
    days: ['mon', 'tue', 'wed'],
    from: '22:00',
    to: '06:00',
    version: 5,
  });
  await waitFor(() => expect(screen.queryByRole('form', { name: 'edit mute window' })).toBeNull()); // its version is stale
  await waitFor(() => expect(requestsTo(server, 'GET', '/api/alerts/mutes')).toHaveLength(2)); // the list again
});

test('a once mute window is edited as once, with its start and end', async () => {
  await startWith({ 'PUT /api/alerts/mutes/:name': (_q, res) => json(res, 200, { ...onceMute, version: 2 }) });
  fireEvent.click(within(await screen.findByTestId('mute windows-upgrade')).getByRole('button', { name: 'Edit' }));
  const form = screen.getByRole('form', { name: 'edit mute window' });
  fireEvent.change(within(form).getByLabelText('End (ISO 8601)'), { target: { value: '2026-05-02T08:00:00Z' } });
  fireEvent.click(within(form).getByRole('button', { name: 'Save mute window' }));
  await waitFor(() => expect(requestsTo(server, 'PUT', '/api/alerts/mutes/upgrade')).toHaveLength(1));
  expect(JSON.parse(requestsTo(server, 'PUT', '/api/alerts/mutes/upgrade')[0].body)).toEqual({
    name: 'upgrade',
    match: { model: ['llama3'] },
    start: '2026-05-01T22:00:00Z',
    end: '2026-05-02T08:00:00Z',
    version: 1,
  });
});
