// The main components in jsdom, talking to a real HTTP server on 127.0.0.1 where they fetch.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { Alerting, SeriesInfo, SpcView, Violation } from '../api/types';
import { ApiClient } from '../api/client';
import { App } from '../App';
import { KEY_STORAGE } from '../hooks/useApiSession';
import { json, openEventStream, queryOf, requestsTo, startFakeServer, type FakeServer } from '../test/fake_server';
import { AlertingPanel } from './AlertingPanel';
import { SampleSection } from './SampleSection';
import { Sidebar } from './Sidebar';
import { StatsPanel } from './StatsPanel';
import { ViolationLog } from './ViolationLog';
import { ViolationModal } from './ViolationModal';
import { learntAlerting } from '../test/alerting_fixture';
import { ollamaSample } from '../test/sample_fixture';

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
    { provider: EVIL, model: 'm', site: '', profile: '', metric: 'tpot_ms', id: 'c', state: 'degraded', points: 50, learning_points: 20, baseline_size: 20, open_events: 0, transform: 'log' },
  ];
  const picked: string[] = [];
  const { container } = render(
    <Sidebar series={series} selected={null} metric="e2e_ms" onSelect={(_s, m) => picked.push(m)} window={{ preset: '1h' }} onWindow={() => {}} live onLive={() => {}} streamState="open" />,
  );
  expect(container.querySelector('img')).toBeNull();
  expect(screen.getByText(`${EVIL} / m`)).toBeTruthy();
  expect(screen.getByText('violation')).toBeTruthy();
  expect(screen.getByText('5/20')).toBeTruthy();
  // degraded (the shift detector's early warning) has its own word and shape, not only a colour
  const degraded = container.querySelector('[data-series="c"] .status')!;
  expect(degraded.className).toContain('status-degraded');
  expect(degraded.textContent).toBe('△ degraded');
  fireEvent.click(screen.getByText('TTFT'));
  expect(picked).toEqual(['ttft_ms']);
});

test('the sidebar groups sources by provider, trouble first, and its search box narrows them', () => {
  const info = (provider: string, model: string, state: SeriesInfo['state'], id: string): SeriesInfo => ({
    provider, model, site: '', profile: id === 'd' ? 'long' : '', metric: 'e2e_ms', id, state, points: 50, learning_points: 20, baseline_size: 20, open_events: 0, transform: 'log',
  });
  const series = [info('openai', 'gpt', 'in_control', 'a'), info('ollama', 'qwen', 'in_control', 'b'), info('ollama', 'llama3.2', 'violation', 'c'), info('openai', 'gpt', 'degraded', 'd')];
  const picked: string[] = [];
  const { container } = render(
    <Sidebar series={series} selected={null} metric="e2e_ms" onSelect={(s) => picked.push(s.model)} window={{ preset: '1h' }} onWindow={() => {}} live onLive={() => {}} streamState="open" />,
  );
  const headings = () => screen.queryAllByRole('heading', { level: 3 }).map((h) => h.textContent);
  const rows = () => [...container.querySelectorAll('.source-name')].map((r) => r.textContent);
  expect(headings()).toEqual(['ollama', 'openai']);
  expect(rows()).toEqual(['▲ ollama / llama3.2', '● ollama / qwen', '△ openai / gpt #long', '● openai / gpt']);
  expect(within(screen.getByRole('region', { name: 'provider ollama' })).getByRole('img', { name: 'violation' })).toBeTruthy();

  const box = screen.getByLabelText('Search sources');
  fireEvent.change(box, { target: { value: 'LONG' } });
  expect(headings()).toEqual(['openai']);
  expect(rows()).toEqual(['△ openai / gpt #long']);
  fireEvent.change(box, { target: { value: 'zzz' } });
  expect(headings()).toEqual([]);
  expect(screen.getByText('No source matches the search.')).toBeTruthy();
  fireEvent.change(box, { target: { value: 'qw' } });
  fireEvent.click(container.querySelector('[data-series="b"]')!);
  expect(picked).toEqual(['qwen']);
});

test('the stats panel computes the window statistics and shows capability when given', () => {
  render(
    <StatsPanel
      values={[1, 2, 3, 4, 5]}
      windowStats={null}
      limits={{ cl: 2000, ucl: 2300, lcl: 1700, upper_2s: null, lower_2s: null, upper_1s: null, lower_1s: null }}
      metric="e2e_ms"
      capability={{ cp: 1.5, cpk: 1.2, pp: 1.4, ppk: 1.1, share_beyond_spec: 0, n: 5 }}
      byRule={{ R1: 2 }}
      marksTruncated={false}
      slo={{ usl: 10 }}
      onSlo={() => {}}
    />,
  );
  expect(screen.getByTestId('stat-n').textContent).toBe('5');
  expect(screen.getByText('1.50')).toBeTruthy();
  expect(screen.getByText('R1:').textContent).toBe('R1: 2');
  expect(screen.queryByTestId('marks-truncated')).toBeNull();
  expect(['ucl', 'cl', 'lcl'].map((n) => screen.getByTestId(`stat-${n}`).textContent)).toEqual(['2300 ms', '2000 ms', '1700 ms']);
});

test('a downsampled chart: the stats panel shows the window\'s statistics and says when it marks fewer violations than the window holds', () => {
  const windowStats = { n: 900_000, mean: 800, median: 790, sigma: 40, p50: 790, p95: 870, p99: 910 };
  render(<StatsPanel values={[1]} windowStats={windowStats} limits={null} metric="e2e_ms" capability={null} byRule={{ R1: 25000 }} marksTruncated slo={{}} onSlo={() => {}} />);
  expect(screen.getByText('R1:').textContent).toBe('R1: 25000');
  expect(screen.getByTestId('stat-n').textContent).toBe('900000'); // the window's, not the display points'
  expect(screen.getByTestId('window-stats')).toBeTruthy();
  expect(screen.getByTestId('marks-truncated').textContent).toMatch(/marks 20,000 of this window's violations/);
  expect(screen.getByTestId('stat-p95').textContent).toBe('870 ms'); // exact: no mark
});

test('percentiles from hourly sketches are marked approximate, with their bound', () => {
  const windowStats = { n: 3_888_000, mean: 800, median: 790, sigma: 40, p50: 790, p95: 870, p99: 910, percentileError: 0.01 };
  render(<StatsPanel values={[1]} windowStats={windowStats} limits={null} metric="e2e_ms" capability={null} byRule={{}} marksTruncated={false} slo={{}} onSlo={() => {}} />);
  expect(screen.getByTestId('stat-p95').textContent).toBe('≈ 870 ms');
  expect(screen.getByTestId('stat-p95').querySelector('span')!.title).toBe('within 1 % of the exact value');
  expect(screen.getByTestId('window-stats').textContent).toMatch(/percentiles from hourly sketches, within 1 %/);
});

test('the violation log lists, filters, merges live events and opens a row', async () => {
  server = await startFakeServer({
    'GET /api/violations': (_q, res) => json(res, 200, { violations: [violation(1), violation(2, { rule: 'R2', status: 'resolved' })], count: 2 }),
  });
  const opened: number[] = [];
  const api = new ApiClient(() => 'k', server.base);
  const { container, rerender } = render(
    <ViolationLog api={api} incoming={{ seq: 0, recent: [] }} onOpen={(id) => opened.push(id)} onFilter={() => {}} onError={() => {}} />,
  );
  await waitFor(() => expect(container.querySelectorAll('tbody tr')).toHaveLength(2));
  expect(container.querySelector('img')).toBeNull();
  expect(within(container.querySelector('tbody')!).getAllByText(`${EVIL} / m1 · E2E latency`)).toHaveLength(2);
  rerender(
    <ViolationLog api={api} incoming={{ seq: 1, recent: [violation(3, { rule: 'R5' })] }} onOpen={(id) => opened.push(id)} onFilter={() => {}} onError={() => {}} />,
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

const ALERTING: Alerting = learntAlerting({ statistic: 3.2 });

test('the alerting panel says the budget, the detection delay, learning and the statistic against its levels', () => {
  const { rerender, container } = render(<AlertingPanel alerting={ALERTING} metric="e2e_ms" />);
  expect(screen.getByTestId('alert-budget').textContent).toBe('Alert budget: 1 false alert / 30 days · expected 0.02 at current settings');
  expect(screen.getByTestId('alert-delay').textContent).toBe('A ×1.2 shift is alerted in about 1.6 min');
  expect(screen.getByTestId('alert-baseline').textContent).toBe('Baseline level: 812 ms');
  expect(screen.getByTestId('alert-statistic').textContent).toBe('CUSUM 3.2: past the early-warning level (early warning at 2.9, alert at 4.2)');
  expect(screen.queryByTestId('alerting-learning')).toBeNull();
  rerender(
    <AlertingPanel
      alerting={{ ...ALERTING, learning: true, learning_progress: 12, expected_false_alerts_per_30d: null, detection_delay_s: null, statistic: null }}
      metric="e2e_ms"
    />,
  );
  expect(screen.getByTestId('alerting-learning').textContent).toMatch(/learning 12\/40 subgroups/);
  expect(screen.getByTestId('alert-delay').textContent).toBe('A ×1.2 shift: detection delay known once learnt');
  rerender(<AlertingPanel alerting={undefined} metric="e2e_ms" />); // an older server, or no detector
  expect(container.textContent).toBe('');
});

test('the violation log shows alerts by default (severity=critical,warning, filtered by the server), all or info on request', async () => {
  const all = [
    violation(1, { rule: 'SHIFT', severity: 'warning', detected_time_ms: 1_700_000_095_000 }),
    violation(2, { rule: 'JUMP', severity: 'critical' }),
    violation(3, { rule: 'R1', severity: 'info' }),
  ];
  server = await startFakeServer({
    'GET /api/violations': (q, res) => {
      const wanted = queryOf(q).get('severity')?.split(',');
      const list = wanted ? all.filter((v) => wanted.includes(v.severity!)) : all;
      json(res, 200, { violations: list, count: list.length });
    },
  });
  const api = new ApiClient(() => 'k', server.base);
  const filters: (string | undefined)[] = [];
  const props = { api, onOpen: () => {}, onFilter: (f: { severity?: string }) => filters.push(f.severity), onError: () => {} };
  const { container, rerender } = render(<ViolationLog {...props} incoming={{ seq: 0, recent: [] }} />);
  await waitFor(() => expect(container.querySelectorAll('tbody tr')).toHaveLength(2));
  expect((screen.getByLabelText('severity filter') as HTMLSelectElement).value).toBe('critical,warning');
  const first = requestsTo(server, 'GET', '/api/violations')[0];
  expect(queryOf(first).get('severity')).toBe('critical,warning');
  expect(filters[0]).toBe('critical,warning'); // the CSV export gets the same filter
  // severity in words and shapes
  expect(container.querySelector('tr[data-violation="2"] .severity')!.textContent).toBe('◆ critical');
  expect(container.querySelector('tr[data-violation="1"] .severity')!.textContent).toBe('▲ warning');
  expect(container.querySelector('tr[data-violation="3"]')).toBeNull();
  // a live info-level signal is not merged into the alerts view; a live alert is
  const info = violation(4, { rule: 'R5', severity: 'info', change: 'opened' });
  const critical = violation(5, { rule: 'ERRORS', severity: 'critical', change: 'opened' });
  rerender(<ViolationLog {...props} incoming={{ seq: 1, recent: [info] }} />);
  rerender(<ViolationLog {...props} incoming={{ seq: 2, recent: [info, critical] }} />);
  expect(container.querySelector('tr[data-violation="4"]')).toBeNull();
  expect(container.querySelector('tr[data-violation="5"]')).not.toBeNull();
  // all severities: no severity parameter, the info row appears
  fireEvent.change(screen.getByLabelText('severity filter'), { target: { value: '' } });
  await waitFor(() => expect(container.querySelector('tr[data-violation="3"] .severity')?.textContent).toBe('○ info'));
  expect(queryOf(requestsTo(server, 'GET', '/api/violations').at(-1)!).has('severity')).toBe(false);
  // info only
  fireEvent.change(screen.getByLabelText('severity filter'), { target: { value: 'info' } });
  await waitFor(() => expect(queryOf(requestsTo(server, 'GET', '/api/violations').at(-1)!).get('severity')).toBe('info'));
  await waitFor(() => expect(container.querySelectorAll('tbody tr')).toHaveLength(1));
  expect(container.querySelector('tr[data-violation="3"]')).not.toBeNull();
});

test('the modal of a SHIFT says its severity, that its first time is the estimated onset, and when it was detected', async () => {
  const onset = new Date(2024, 0, 2, 10, 0, 0).getTime();
  const shift = violation(6, { rule: 'SHIFT', severity: 'warning', first_time_ms: onset, last_time_ms: onset + 120_000, detected_time_ms: onset + 95_000 });
  server = await startFakeServer({ 'GET /api/violations/6': (_q, res) => json(res, 200, shift) });
  render(<ViolationModal api={new ApiClient(() => 'k', server.base)} id={6} onClose={() => {}} onChanged={() => {}} />);
  const when = await screen.findByTestId('modal-when');
  expect(when.textContent).toMatch(/^estimated onset 2024-01-02 10:00:00 · detected 2024-01-02 10:01:35 \(1\.6 min after the onset\)/);
  expect(screen.getByTestId('modal-severity').textContent).toBe('warning');
  expect(screen.getByTestId('modal-detected').textContent).toBe('2024-01-02 10:01:35');
  expect(screen.getByRole('dialog').querySelector('h2 .severity')!.textContent).toBe('▲ warning');
});

function spcView(source: { provider: string; model: string; site: string; profile: string }): SpcView {
  const time_ms = [1_700_000_000_000, 1_700_000_001_000, 1_700_000_002_000];
  return {
    series: { ...source, metric: 'e2e_ms', id: 's1' },
    count: 3,
    values: [800, 810, 820],
    time_ms,
    ids: [1, 2, 3],
    errors: [0, 0, 0],
    cpu_percents: [null, null, null],
    memory_percents: [null, null, null],
    gpu_percents: [null, null, null],
    gpu_memory_percents: [null, null, null],
    chart: { state: 'monitoring', transform: 'log', baseline_size: 3, learning_points: 3, limits_provisional: false },
    limits: null,
    stages: [],
    summary: { count: 3, mean: 810, median: 810, std: 10, min: 800, max: 820, p50: 810, p95: 820, p99: 820, error_rate: 0, violations_by_rule: {} },
    capability: null,
    violations: [],
    violations_truncated: false,
  };
}

test('the app shows a degraded series, its alerting figures, and only alerts change a series to violation', async () => {
  localStorage.setItem(KEY_STORAGE, 'k');
  const source = { provider: 'ollama', model: 'llama3.2', site: '', profile: '' };
  let stream: ReturnType<typeof openEventStream> | null = null;
  server = await startFakeServer({
    'GET /api/series': (_q, res) =>
      json(res, 200, {
        series: [{ ...source, metric: 'e2e_ms', id: 's1', state: 'degraded', points: 900, learning_points: 100, baseline_size: 100, open_events: 0, transform: 'log', alerting: ALERTING }],
      }),
    'GET /api/violations': (_q, res) => json(res, 200, { violations: [], count: 0 }),
    'GET /api/system': (_q, res) => json(res, 200, { cpu_percent: 1, memory_percent: 2, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: null, time: '' }),
    'GET /api/stats/spc': (_q, res) => json(res, 200, spcView(source)),
    'GET /api/stream': (_q, res) => {
      stream = openEventStream(res);
    },
  });
  const { container } = render(<App base={server.base} />);
  const item = () => container.querySelector('[data-series="s1"] .status')!;
  await waitFor(() => expect(item()?.textContent).toBe('△ degraded'));
  expect(container.querySelector('.chart-head .status')!.textContent).toBe('△ degraded');
  expect((await screen.findByTestId('alert-budget')).textContent).toBe('Alert budget: 1 false alert / 30 days · expected 0.02 at current settings');
  expect(screen.getByTestId('alert-delay').textContent).toBe('A ×1.2 shift is alerted in about 1.6 min');
  // the log asked the server for alerts only
  await waitFor(() => expect(requestsTo(server, 'GET', '/api/violations').length).toBeGreaterThan(0));
  expect(queryOf(requestsTo(server, 'GET', '/api/violations')[0]).get('severity')).toBe('critical,warning');
  // an info-level chart signal opens no episode: the series stays degraded
  await waitFor(() => expect(stream).not.toBeNull());
  const s1 = { ...source, metric: 'e2e_ms' as const, id: 's1' };
  await act(async () => {
    stream!.send('violation', violation(21, { series: s1, provider: source.provider, model: source.model, rule: 'R1', severity: 'info', change: 'opened' }));
    await new Promise((r) => setTimeout(r, 300));
  });
  expect(item().textContent).toBe('△ degraded');
  expect(container.querySelector('tr[data-violation="21"]')).toBeNull();
  // an alert does
  await act(async () => {
    stream!.send('violation', violation(22, { series: s1, provider: source.provider, model: source.model, rule: 'SHIFT', severity: 'warning', change: 'opened' }));
    await new Promise((r) => setTimeout(r, 300));
  });
  await waitFor(() => expect(item().textContent).toBe('▲ violation'));
  expect(container.querySelector('tr[data-violation="22"] .severity')!.textContent).toBe('▲ warning');
}, 15000);

test('the app grows the chart with live samples of its series and fetches it again on a new stage', async () => {
  localStorage.setItem(KEY_STORAGE, 'k');
  const source = { provider: 'ollama', model: 'llama3.2', site: '', profile: '' };
  let stream: ReturnType<typeof openEventStream> | null = null;
  server = await startFakeServer({
    'GET /api/series': (_q, res) =>
      json(res, 200, { series: [{ ...source, metric: 'e2e_ms', id: 's1', state: 'in_control', points: 3, learning_points: 3, baseline_size: 3, open_events: 0, transform: 'log' }] }),
    'GET /api/violations': (_q, res) => json(res, 200, { violations: [], count: 0 }),
    'GET /api/system': (_q, res) => json(res, 200, { cpu_percent: 1, memory_percent: 2, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: null, time: '' }),
    // points of the last minute, so that the 1 h window keeps them
    'GET /api/stats/spc': (_q, res) => json(res, 200, { ...spcView(source), time_ms: [3, 2, 1].map((s) => Date.now() - s * 1000) }),
    'GET /api/stream': (_q, res) => {
      stream = openEventStream(res);
    },
  });
  render(<App base={server.base} />);
  await waitFor(() => expect(screen.getByTestId('stat-n').textContent).toBe('3'));
  await waitFor(() => expect(stream).not.toBeNull());
  const sample = (id: number, over: object = {}) => ({ ...source, id, time_ms: Date.now(), e2e_ms: 830, error: false, cpu_percent: 5, memory_percent: 6, gpu_percent: null, ...over });
  await act(async () => {
    stream!.send('sample', sample(4));
    stream!.send('sample', sample(5, { provider: 'openai' })); // another source
    stream!.send('sample', sample(4)); // a duplicate
    await new Promise((r) => setTimeout(r, 300));
  });
  expect(screen.getByTestId('stat-n').textContent).toBe('4');
  const spcRequests = requestsTo(server, 'GET', '/api/stats/spc').length;
  await act(async () => {
    stream!.send('stage', { number: 2, series: { ...source, metric: 'e2e_ms', id: 's1' } });
    await new Promise((r) => setTimeout(r, 300));
  });
  await waitFor(() => expect(requestsTo(server, 'GET', '/api/stats/spc').length).toBe(spcRequests + 1));
  await waitFor(() => expect(screen.getByTestId('stat-n').textContent).toBe('3'));
}, 15000);

test("the modal shows the violating sample's Ollama durations, token counts and prompt hash", async () => {
  const telemetry = { cpu_percent: 55, memory_percent: 40, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: null };
  const points = [28, 29, 30, 31].map((index) => ({ index, sample_id: index + 69, time_ms: 1_700_000_000_000 + index, value: 2000, telemetry }));
  const spike = violation(5, { context: { points, telemetry } }); // first_index 30: sample 99
  server = await startFakeServer({
    'GET /api/violations/5': (_q, res) => json(res, 200, spike),
    'GET /api/samples/:id': (q, res) =>
      q.params.id === '99' ? json(res, 200, ollamaSample()) : json(res, 404, { error: { code: 'not_found', message: 'no such sample' } }),
  });
  render(<ViolationModal api={new ApiClient(() => 'k', server.base)} id={5} onClose={() => {}} onChanged={() => {}} />);
  const section = await screen.findByTestId('modal-sample');
  expect(within(section).getByRole('heading').textContent).toBe('Sample #99');
  const field = (key: string) => section.querySelector(`[data-field="${key}"]`)?.textContent;
  expect(field('total_duration_ms')).toBe('8995.2 ms');
  expect(field('load_duration_ms')).toBe('4210.7 ms');
  expect(field('prompt_eval_duration_ms')).toBe('180.3 ms');
  expect(field('eval_duration_ms')).toBe('4600.0 ms');
  expect(field('prompt_eval_count')).toBe('26');
  expect(field('eval_count')).toBe('191');
  expect(field('prompt_hash')).toBe('3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea');
  expect(field('tokens_in')).toBeUndefined(); // not recorded: no row
  expect(within(section).getByText('eval count (output tokens)')).toBeTruthy();
  expect(requestsTo(server, 'GET', '/api/samples/99')).toHaveLength(1);
});

test('the modal shows no sample section, and no error, when the sample is gone or unknown', async () => {
  const telemetry = { cpu_percent: null, memory_percent: null, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: null };
  const deleted = violation(6, { context: { points: [{ index: 30, sample_id: 7, time_ms: 1_700_000_000_000, value: 9000, telemetry }], telemetry } });
  const onsetOutside = violation(8, { rule: 'SHIFT', context: { points: [{ index: 45, sample_id: 120, time_ms: 1_700_000_000_000, value: 9000, telemetry }], telemetry } });
  server = await startFakeServer({
    'GET /api/violations/6': (_q, res) => json(res, 200, deleted),
    'GET /api/violations/8': (_q, res) => json(res, 200, onsetOutside),
    'GET /api/samples/:id': (_q, res) => json(res, 404, { error: { code: 'not_found', message: 'no such sample' } }),
  });
  const api = new ApiClient(() => 'k', server.base);
  const { unmount } = render(<ViolationModal api={api} id={6} onClose={() => {}} onChanged={() => {}} />);
  await screen.findByText('At the time');
  await waitFor(() => expect(requestsTo(server, 'GET', '/api/samples/7')).toHaveLength(1));
  await new Promise((r) => setTimeout(r, 100));
  expect(screen.queryByTestId('modal-sample')).toBeNull();
  expect(screen.getByRole('dialog').querySelector('.alert')).toBeNull();
  unmount();
  render(<ViolationModal api={api} id={8} onClose={() => {}} onChanged={() => {}} />);
  await screen.findByText('At the time');
  await new Promise((r) => setTimeout(r, 100));
  expect(screen.queryByTestId('modal-sample')).toBeNull();
  expect(server.requests.filter((r) => r.url.startsWith('/api/samples/'))).toHaveLength(1); // no id: not asked
});

test('the sample section says so when fetching the sample fails otherwise', async () => {
  server = await startFakeServer({ 'GET /api/samples/5': (_q, res) => json(res, 500, { error: { code: 'internal', message: 'the store failed' } }) });
  render(<SampleSection api={new ApiClient(() => 'k', server.base)} id={5} />);
  expect((await screen.findByTestId('modal-sample')).querySelector('.alert')!.textContent).toBe('the store failed');
});

test('violations that reach the app together all reach the log', async () => {
  localStorage.setItem(KEY_STORAGE, 'k');
  let stream: ReturnType<typeof openEventStream> | null = null;
  server = await startFakeServer({
    'GET /api/series': (_q, res) => json(res, 200, { series: [] }),
    'GET /api/violations': (_q, res) => json(res, 200, { violations: [], count: 0 }),
    'GET /api/system': (_q, res) => json(res, 200, { cpu_percent: 1, memory_percent: 2, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: null, time: '' }),
    'GET /api/stream': (_q, res) => {
      stream = openEventStream(res);
    },
  });
  const { container } = render(<App base={server.base} />);
  await waitFor(() => expect(stream).not.toBeNull());
  await act(async () => {
    for (const id of [31, 32, 33]) stream!.send('violation', violation(id, { rule: 'JUMP', severity: 'critical', change: 'opened' }));
    await new Promise((r) => setTimeout(r, 300));
  });
  await waitFor(() => expect([...container.querySelectorAll('tr[data-violation]')].map((r) => r.getAttribute('data-violation'))).toEqual(['33', '32', '31']));
});

// The routes an App test needs besides the ones it gives.
function appRoutes(series: SeriesInfo[], spc: (q: URLSearchParams) => SpcView): Record<string, import('../test/fake_server').Handler> {
  return {
    'GET /api/series': (_q, res) => json(res, 200, { series }),
    'GET /api/violations': (_q, res) => json(res, 200, { violations: [], count: 0 }),
    'GET /api/system': (_q, res) => json(res, 200, { cpu_percent: 1, memory_percent: 2, gpu_percent: null, gpu_memory_percent: null, gpu_temp_c: null, time: '' }),
    'GET /api/stats/spc': (q, res) => json(res, 200, spc(queryOf(q))),
    'GET /api/stream': (_q, res) => void openEventStream(res),
  };
}

const LLAMA = { provider: 'ollama', model: 'llama3.2', site: '', profile: '' };
const ODD = { provider: 'a/b?#%', model: 'm 1', site: 'eu', profile: '' };
const info = (s: typeof LLAMA, id: string): SeriesInfo => ({ ...s, metric: 'e2e_ms', id, state: 'in_control', points: 3, learning_points: 3, baseline_size: 3, open_events: 0, transform: 'log' });

test('a violation link opens its modal with its series and the hours around it; closing shows that chart', async () => {
  localStorage.setItem(KEY_STORAGE, 'k');
  const onset = Date.UTC(2026, 0, 5, 10);
  const old = violation(7, { series: { ...ODD, metric: 'e2e_ms', id: 'o' }, provider: ODD.provider, model: ODD.model, first_time_ms: onset, last_time_ms: onset });
  server = await startFakeServer({
    ...appRoutes([info(LLAMA, 'l'), info(ODD, 'o')], () => spcView(LLAMA)),
    'GET /api/violations/7': (_q, res) => json(res, 200, old),
  });
  window.history.replaceState(null, '', '/#/violations/7');
  render(<App base={server.base} />);
  await screen.findByTestId('modal-when');
  await waitFor(() => expect(requestsTo(server, 'GET', '/api/stats/spc').some((r) => queryOf(r).get('provider') === ODD.provider)).toBe(true));
  const q = queryOf(requestsTo(server, 'GET', '/api/stats/spc').find((r) => queryOf(r).get('provider') === ODD.provider)!);
  expect([q.get('model'), q.get('site'), q.get('since'), q.get('until')]).toEqual(['m 1', 'eu', '2026-01-05T09:00:00Z', '2026-01-05T11:00:00Z']);
  expect(Number(q.get('max_points'))).toBeGreaterThanOrEqual(200);
  expect(window.location.hash).toBe('#/violations/7');
  fireEvent.click(screen.getByRole('button', { name: 'close' })); // opened by the link: no Back out of the page
  await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  await waitFor(() =>
    expect(window.location.hash).toBe('#/series/a%2Fb%3F%23%25/m%201/e2e_ms?window=custom&from=2026-01-05T09%3A00%3A00Z&to=2026-01-05T11%3A00%3A00Z&site=eu'),
  );
}, 15000);

test('a series link opens that chart; picking another pushes its address, and Back returns', async () => {
  localStorage.setItem(KEY_STORAGE, 'k');
  server = await startFakeServer(appRoutes([info(LLAMA, 'l'), info(ODD, 'o')], () => spcView(LLAMA)));
  window.history.replaceState(null, '', '/#/series/a%2Fb%3F%23%25/m%201/e2e_ms?window=30d&site=eu');
  const { container } = render(<App base={server.base} />);
  expect(container.querySelector('.chart-head h2')?.textContent).toBe('a/b?#% / m 1 @eu');
  await waitFor(() => expect(requestsTo(server, 'GET', '/api/stats/spc')).toHaveLength(1));
  await waitFor(() => expect(screen.getByTestId('stat-n').textContent).toBe('3'));
  const first = queryOf(requestsTo(server, 'GET', '/api/stats/spc')[0]);
  expect([first.get('provider'), first.get('hours'), first.get('columns')]).toEqual(['a/b?#%', '720', 'chart']);
  expect(requestsTo(server, 'GET', '/api/stats/spc')).toHaveLength(1); // the first series of the list is not fetched as well
  fireEvent.click(container.querySelector('[data-series="l"]')!);
  await waitFor(() => expect(window.location.hash).toBe('#/series/ollama/llama3.2/e2e_ms?window=30d'));
  await waitFor(() => expect(container.querySelector('.chart-head h2')?.textContent).toBe('ollama / llama3.2'));
  await act(async () => {
    window.history.back();
    await new Promise((r) => setTimeout(r, 200));
  });
  await waitFor(() => expect(container.querySelector('.chart-head h2')?.textContent).toBe('a/b?#% / m 1 @eu'));
  expect(window.location.hash).toBe('#/series/a%2Fb%3F%23%25/m%201/e2e_ms?window=30d&site=eu');
}, 15000);

test('with more than six sources the page opens on the overview; names are text; a row opens its chart', async () => {
  localStorage.setItem(KEY_STORAGE, 'k');
  const sources = [{ ...LLAMA, provider: EVIL }, ...['a', 'b', 'c', 'd', 'e', 'f'].map((m) => ({ ...LLAMA, model: m }))];
  const status = sources.map((s, i) => ({
    ...s,
    state: i === 0 ? 'violation' : 'in_control',
    last_sample: null,
    e2e_p50_ms: 800 + i,
    e2e_p95_ms: 950.4,
    e2e_spark: [800, 900, 850],
  }));
  server = await startFakeServer({
    ...appRoutes(
      sources.map((s, i) => info(s, String(i))),
      (q) => spcView({ provider: q.get('provider')!, model: q.get('model')!, site: '', profile: '' }),
    ),
    'GET /api/status': (_q, res) => json(res, 200, { generated: '', overall: 'violation', sources: status }),
  });
  window.history.replaceState(null, '', '/');
  const { container } = render(<App base={server.base} />);
  // The series list, then the status report: bounded waits that a loaded machine still meets.
  const region = await screen.findByRole('region', { name: 'overview of all sources' }, { timeout: 5000 });
  await waitFor(() => expect(within(region).getAllByTestId('overview-row')).toHaveLength(7), { timeout: 5000 });
  expect(window.location.hash).toBe('#/overview');
  const rows = within(region).getAllByTestId('overview-row');
  expect(rows[0].querySelector('th')?.textContent).toBe(`${EVIL} / llama3.2`); // trouble first, as text
  expect(container.querySelector('img')).toBeNull();
  expect(within(rows[0]).getByText('violation')).toBeTruthy();
  expect(within(rows[0]).getByText('800 ms')).toBeTruthy();
  expect(within(rows[0]).getByText('950 ms')).toBeTruthy();
  expect(rows[0].querySelector('polyline')?.getAttribute('points')).toBe('0.0,22.0 60.0,0.0 120.0,11.0');
  fireEvent.click(within(rows[1]).getByRole('button'));
  await waitFor(() => expect(container.querySelector('.chart-head h2')?.textContent).toBe('ollama / a'), { timeout: 5000 });
  expect(window.location.hash).toBe('#/series/ollama/a/e2e_ms?window=1h');
  expect(screen.queryByRole('region', { name: 'overview of all sources' })).toBeNull();
}, 15000);

test('a few sources open on the chart; the overview link shows the overview', async () => {
  localStorage.setItem(KEY_STORAGE, 'k');
  server = await startFakeServer({
    ...appRoutes([info(LLAMA, 'l')], () => spcView(LLAMA)),
    'GET /api/status': (_q, res) =>
      json(res, 200, { generated: '', overall: 'in_control', sources: [{ ...LLAMA, state: 'in_control', last_sample: null, e2e_p50_ms: null, e2e_p95_ms: null }] }),
  });
  window.history.replaceState(null, '', '/');
  const { container } = render(<App base={server.base} />);
  await waitFor(() => expect(container.querySelector('.chart-head h2')?.textContent).toBe('ollama / llama3.2'), { timeout: 5000 });
  expect(screen.queryByRole('region', { name: 'overview of all sources' })).toBeNull();
  window.history.replaceState(null, '', '/#/overview');
  await act(async () => {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await new Promise((r) => setTimeout(r, 50));
  });
  const region = await screen.findByRole('region', { name: 'overview of all sources' }, { timeout: 5000 });
  await waitFor(() => expect(within(region).getAllByTestId('overview-row')).toHaveLength(1), { timeout: 5000 });
  expect(within(region).getAllByText('—')).toHaveLength(2);
}, 15000);
