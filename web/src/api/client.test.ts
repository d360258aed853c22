// ApiClient against a real HTTP server on 127.0.0.1.
import { ApiClient, ApiError, UNAUTHORIZED_MESSAGE } from './client';
import { json, queryOf, requestsTo, startFakeServer, type FakeServer } from '../test/fake_server';
import { ollamaSample } from '../test/sample_fixture';

let server: FakeServer;
afterEach(() => server?.close());

test('sends the key as a Bearer header and reads JSON', async () => {
  server = await startFakeServer({ 'GET /api/series': (_q, res) => json(res, 200, { series: [] }) });
  const api = new ApiClient(() => 'k-123', server.base);
  expect(await api.series()).toEqual({ series: [] });
  expect(server.requests[0].headers.authorization).toBe('Bearer k-123');
});

test('a 401 becomes an unauthorized ApiError with a plain message', async () => {
  server = await startFakeServer({
    'GET /api/series': (_q, res) => json(res, 401, { error: { code: 'unauthorized', message: 'no' } }),
  });
  const err = await new ApiClient(() => 'bad', server.base).series().catch((e) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect(err.unauthorized).toBe(true);
  expect(err.message).toBe(UNAUTHORIZED_MESSAGE);
});

test("other errors carry the server's code and message", async () => {
  server = await startFakeServer({
    'GET /api/stats/spc': (_q, res) => json(res, 400, { error: { code: 'invalid_parameter', message: 'hours: bad' } }),
  });
  const api = new ApiClient(() => 'k', server.base);
  const err = await api.spc({ provider: 'p', model: 'm', site: '', profile: '' }, 'e2e_ms', { hours: 1 }, 300).catch((e) => e);
  expect(err.status).toBe(400);
  expect(err.code).toBe('invalid_parameter');
  expect(err.message).toBe('hours: bad');
  expect(server.requests[0].url).toBe('/api/stats/spc?provider=p&model=m&metric=e2e_ms&hours=1&max_points=300&columns=chart');
});

test('a chart of a range sends both ends and the display points; one that ends now only its start', async () => {
  server = await startFakeServer({ 'GET /api/stats/spc': (_q, res) => json(res, 200, {}) });
  const api = new ApiClient(() => 'k', server.base);
  const source = { provider: 'p', model: 'm', site: 's', profile: '' };
  const since = Date.UTC(2026, 11, 1);
  await api.spc(source, 'ttft_ms', { sinceMs: since, untilMs: since + 86_400_000 }, 1600, { usl: 900 });
  await api.spc(source, 'ttft_ms', { sinceMs: since }, 200);
  const [range, open] = requestsTo(server, 'GET', '/api/stats/spc').map(queryOf);
  expect(Object.fromEntries(range)).toEqual({
    provider: 'p', model: 'm', site: 's', metric: 'ttft_ms', since: '2026-12-01T00:00:00Z', until: '2026-12-02T00:00:00Z',
    max_points: '1600', usl: '900', columns: 'chart',
  });
  expect(open.get('since')).toBe('2026-12-01T00:00:00Z');
  expect(open.has('until')).toBe(false);
  expect(open.has('hours')).toBe(false);
  expect(open.has('limit')).toBe(false);
});

test('an unreachable server says so', async () => {
  const err = await new ApiClient(() => 'k', 'http://127.0.0.1:1').series().catch((e) => e);
  expect(err.code).toBe('network');
});

test('a new stage posts to the series path; names are escaped, a model may hold a slash', async () => {
  server = await startFakeServer({});
  const api = new ApiClient(() => 'k', server.base);
  await api.newStage({ provider: 'open ai', model: 'meta/llama 3', metric: 'ttft_ms', site: 'eu', profile: '' }).catch(() => {});
  expect(server.requests[0].method).toBe('POST');
  expect(server.requests[0].url).toBe('/api/series/open%20ai/meta/llama%203/ttft_ms/stages?site=eu');
});

test('acknowledge posts who did it', async () => {
  server = await startFakeServer({ 'POST /api/violations/7/acknowledge': (_q, res) => json(res, 200, { id: 7, status: 'acknowledged' }) });
  const v = await new ApiClient(() => 'k', server.base).setStatus(7, 'acknowledge');
  expect(v.status).toBe('acknowledged');
  expect(JSON.parse(server.requests[0].body)).toEqual({ by: 'dashboard' });
});

test('getSample reads one stored sample; one the server no longer has is null, other failures throw', async () => {
  const stored = new Map([[99, ollamaSample()]]);
  server = await startFakeServer({
    'GET /api/samples/:id': (q, res) => {
      const s = stored.get(Number(q.params.id));
      if (s) json(res, 200, s);
      else json(res, 404, { error: { code: 'not_found', message: 'no such sample' } });
    },
    'GET /api/samples/500': (_q, res) => json(res, 500, { error: { code: 'internal', message: 'the store failed' } }),
  });
  const api = new ApiClient(() => 'k', server.base);
  const s = await api.getSample(99);
  expect(s?.load_duration_ms).toBe(4210.7);
  expect(s?.prompt_hash).toMatch(/^3f79/);
  expect(server.requests[0].url).toBe('/api/samples/99');
  expect(server.requests[0].headers.authorization).toBe('Bearer k');
  expect(await api.getSample(7)).toBeNull(); // deleted by retention
  const err = await api.getSample(500).catch((e) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect(err.message).toBe('the store failed');
});

test('a server without the route (404 no such route) has no sample either', async () => {
  server = await startFakeServer({});
  expect(await new ApiClient(() => 'k', server.base).getSample(1)).toBeNull();
});
