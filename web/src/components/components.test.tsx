// The main components in jsdom, talking to a real HTTP server on 127.0.0.1 where they fetch.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { SeriesInfo, Violation } from '../api/types';
import { ApiClient } from '../api/client';
import { App, KEY_STORAGE } from '../App';
import { json, startFakeServer, type FakeServer } from '../test/fake_server';
import { Sidebar } from './Sidebar';
import { StatsPanel } from './StatsPanel';
import { ViolationLog } from './ViolationLog';
import { ViolationModal } from './ViolationModal';

const EVIL = '<img src=x onerror=alert(1)>';
let server: FakeServer;
afterEach(() => server?.close());

function violation(id: number, over: Partial<Violation> = {}): Violation {
  const series = { provider: EVIL, model: 'm1', site: '', profile: '', metric: 'e2e_ms' as const, id: 'x' };
  return {
    id,
    series,
    provider: series.provider,
    model: series.model,
    metric: 'e2e_ms',
    rule: 'R1',
    meaning: 'one point beyond 3 sigma',
    phase: 'monitoring',
    stage: 1,
    first_index: 30,
    last_index: 30,
    count: 1,
    first_time: '',
    last_time: '',
    first_time_ms: 1_700_000_000_000,
    last_time_ms: 1_700_000_000_000,
    value: 9000,
    worst_value: 9000,
    deviation_sigma: 12.5,
    mean: 7.6,
    sigma: 0.05,
    limits: { cl: 2000, ucl: 2300, lcl: 1700, upper_2s: 2200, lower_2s: 1800, upper_1s: 2100, lower_1s: 1900 },
    status: 'open',
    status_by: '',
    status_time: null,
    ...over,
  };
}

test('the sidebar shows each series with a state in words and names as text', () => {
  const series: SeriesInfo[] = [
    { provider: EVIL, model: 'm', site: '', profile: '', metric: 'e2e_ms', id: 'a', state: 'violation', points: 5, learning_points: 20, baseline_size: 20, open_events: 1, transform: 'log' },
    { provider: EVIL, model: 'm', site: '', profile: '', metric: 'ttft_ms', id: 'b', state: 'learning', points: 5, learning_points: 5, baseline_size: 20, open_events: 0, transform: 'log' },
  ];
  const picked: string[] = [];
  const { container } = render(
    <Sidebar series={series} selected={null} metric="e2e_ms" onSelect={(_s, m) => picked.push(m)} window={{ preset: '1h' }} onWindow={() => {}} live onLive={() => {}} streamState="open" />,
  );
  expect(container.querySelector('img')).toBeNull();
  expect(screen.getByText(`${EVIL} / m`)).toBeTruthy();
  expect(screen.getByText('violation')).toBeTruthy();
  expect(screen.getByText('5/20')).toBeTruthy();
  fireEvent.click(screen.getByText('TTFT'));
  expect(picked).toEqual(['ttft_ms']);
});

test('the stats panel computes the window statistics and shows capability when given', () => {
  render(
    <StatsPanel
      values={[1, 2, 3, 4, 5]}
      version={0}
      metric="e2e_ms"
      capability={{ cp: 1.5, cpk: 1.2, pp: 1.4, ppk: 1.1, share_beyond_spec: 0, n: 5 }}
      byRule={{ R1: 2 }}
      slo={{ usl: 10 }}
      onSlo={() => {}}
    />,
  );
  expect(screen.getByTestId('stat-n').textContent).toBe('5');
  expect(screen.getByText('1.50')).toBeTruthy();
  expect(screen.getByText('R1:').textContent).toBe('R1: 2');
});

test('the violation log lists, filters, merges live events and opens a row', async () => {
  server = await startFakeServer({
    'GET /api/violations': (_q, res) => json(res, 200, { violations: [violation(1), violation(2, { rule: 'R2', status: 'resolved' })], count: 2 }),
  });
  const opened: number[] = [];
  const api = new ApiClient(() => 'k', server.base);
  const { container, rerender } = render(
    <ViolationLog api={api} incoming={{ seq: 0, violation: null }} onOpen={(id) => opened.push(id)} onFilter={() => {}} onError={() => {}} />,
  );
  await waitFor(() => expect(container.querySelectorAll('tbody tr')).toHaveLength(2));
  expect(container.querySelector('img')).toBeNull();
  expect(within(container.querySelector('tbody')!).getAllByText(`${EVIL} / m1 · E2E latency`)).toHaveLength(2);
  rerender(
    <ViolationLog api={api} incoming={{ seq: 1, violation: violation(3, { rule: 'R5' }) }} onOpen={(id) => opened.push(id)} onFilter={() => {}} onError={() => {}} />,
  );
  expect(container.querySelectorAll('tbody tr')).toHaveLength(3);
  fireEvent.change(screen.getByLabelText('status filter'), { target: { value: 'open' } });
  await waitFor(() => expect(server.requests.some((r) => r.url.includes('status=open'))).toBe(true));
  fireEvent.click(container.querySelector('tr[data-violation="1"]')!);
  expect(opened).toEqual([1]);
});

test('the modal shows limits, telemetry and deliveries, and acknowledges', async () => {
  const full = violation(5, {
    context: {
      points: [{ index: 30, sample_id: 99, time_ms: 1_700_000_000_000, value: 9000, telemetry: { cpu_percent: 55, memory_percent: 40, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: null } }],
      telemetry: { cpu_percent: 55, memory_percent: 40, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: 61 },
    },
    deliveries: [{ sink: 'ops-hook', kind: 'webhook', state: 'failed', attempts: 3, last_error: 'HTTP 500', delivered_ms: null }],
  });
  server = await startFakeServer({
    'GET /api/violations/5': (_q, res) => json(res, 200, full),
    'POST /api/violations/5/acknowledge': (_q, res) => json(res, 200, { ...full, context: undefined, status: 'acknowledged', status_by: 'dashboard' }),
  });
  const changed: Violation[] = [];
  render(<ViolationModal api={new ApiClient(() => 'k', server.base)} id={5} onClose={() => {}} onChanged={(v) => changed.push(v)} />);
  await screen.findByText('Alert deliveries');
  expect(screen.getByText('ops-hook')).toBeTruthy();
  expect(screen.getByText('HTTP 500')).toBeTruthy();
  expect(screen.getByText('2300 ms')).toBeTruthy(); // UCL at the time
  expect(screen.getByText('61 °C')).toBeTruthy();
  expect(screen.getByText('12.50 σ')).toBeTruthy();
  await act(async () => fireEvent.click(screen.getByText('Acknowledge')));
  await waitFor(() => expect(screen.getByTestId('modal-status').textContent).toBe('acknowledged'));
  expect(changed[0].status).toBe('acknowledged');
});

test('the app asks for the key, keeps it, and says plainly when the server refuses it', async () => {
  server = await startFakeServer({
    'GET /api/series': (q, res) =>
      q.headers.authorization === 'Bearer good'
        ? json(res, 200, { series: [] })
        : json(res, 401, { error: { code: 'unauthorized', message: 'the API key is not valid' } }),
    'GET /api/violations': (_q, res) => json(res, 200, { violations: [], count: 0 }),
    'GET /api/system': (_q, res) => json(res, 200, { cpu_percent: 12, memory_percent: 34, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: null, time: '' }),
    'GET /api/stream': (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('event: hello\ndata: {}\n\n');
    },
  });
  render(<App base={server.base} />);
  fireEvent.change(screen.getByLabelText('API key'), { target: { value: 'bad' } });
  fireEvent.click(screen.getByText('Save key'));
  await screen.findByRole('alert');
  expect(screen.getByRole('alert').textContent).toMatch(/refused the API key \(401/);
  expect(localStorage.getItem(KEY_STORAGE)).toBe('bad');
  fireEvent.change(screen.getByLabelText('API key'), { target: { value: 'good' } });
  fireEvent.click(screen.getByText('Save key'));
  await screen.findByText('Waiting for the first samples.');
  expect(localStorage.getItem(KEY_STORAGE)).toBe('good');
  await waitFor(() => expect(screen.getByText('12 %')).toBeTruthy());
});

test('a live error-rate p-chart is fetched again as samples of its source arrive, at most once per interval', async () => {
  localStorage.setItem(KEY_STORAGE, 'k');
  const source = { provider: 'ollama', model: 'llama3.2', site: '', profile: '' };
  let stream: import('node:http').ServerResponse | null = null;
  let pcharts = 0;
  server = await startFakeServer({
    'GET /api/series': (_q, res) =>
      json(res, 200, {
        series: [{ ...source, metric: 'e2e_ms', id: 's1', state: 'in_control', points: 3, learning_points: 3, baseline_size: 100, open_events: 0, transform: 'log' }],
      }),
    'GET /api/violations': (_q, res) => json(res, 200, { violations: [], count: 0 }),
    'GET /api/system': (_q, res) => json(res, 200, { cpu_percent: 1, memory_percent: 2, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: null, time: '' }),
    'GET /api/stats/spc': (_q, res) => json(res, 404, { error: { code: 'not_found', message: 'not in this test' } }),
    'GET /api/stats/pchart': (_q, res) => {
      pcharts += 1;
      json(res, 200, {
        series: source, subgroup_size: 20, baseline_subgroups: 5, calls: 40, failed: 1, pending_calls: 0,
        subgroups: { time_ms: [1_700_000_000_000, 1_700_000_060_000], p: [0, 0.05], failed: [0, 1] },
        limits: null, firings: [],
        live: { state: 'monitoring', stage: 0, calls: 140, learning_calls: 100, baseline_calls: 100, limits: { p_bar: 0.02, ucl: 0.11391, lcl: 0, estimable: true } },
      });
    },
    'GET /api/stream': (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('event: hello\ndata: {}\n\n');
      stream = res;
    },
  });
  render(<App base={server.base} />);
  fireEvent.click(await screen.findByRole('button', { name: 'Error rate (p-chart)' }));
  await waitFor(() => expect(pcharts).toBe(1));
  expect((await screen.findByText(/live chart/)).textContent).toMatch(/live chart \(stage 0\): p̄ = 0\.0200, UCL 0\.1139, LCL 0\.0000/);
  await waitFor(() => expect(stream).not.toBeNull());
  const sample = (id: number, provider: string) =>
    `event: sample\ndata: ${JSON.stringify({ ...source, provider, id, time_ms: 1_700_000_100_000 + id, error: id % 2 === 0, e2e_ms: 100 })}\n\n`;
  stream!.write(sample(1, 'openai')); // another source: no refetch
  for (let id = 2; id < 12; id++) stream!.write(sample(id, source.provider));
  await waitFor(() => expect(pcharts).toBe(2), { timeout: 6000 });
  await new Promise((r) => setTimeout(r, 500));
  expect(pcharts).toBe(2); // ten samples, one refetch
}, 15000);
