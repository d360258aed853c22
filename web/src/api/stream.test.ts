// openStream against a real SSE server on 127.0.0.1: header auth, events, reconnection, 401;
// and what parseStreamEvent makes of each event the server sends.
import { openStream, parseStreamEvent, type StreamState } from './stream';
import { json, startFakeServer, type FakeServer } from '../test/fake_server';

let server: FakeServer;
afterEach(() => server?.close());

function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => (cond() ? resolve() : Date.now() > end ? reject(new Error('timed out')) : setTimeout(tick, 10));
    tick();
  });
}

test('reads events with the key in a header and reconnects after the stream ends', async () => {
  let connections = 0;
  server = await startFakeServer({
    'GET /api/stream': (req, res) => {
      if (req.headers.authorization !== 'Bearer sk') return json(res, 401, { error: { code: 'unauthorized', message: '' } });
      connections += 1;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('retry: 20\nevent: hello\ndata: {}\n\n');
      res.write(`event: sample\ndata: {"id":${connections}}\n\n`);
      setTimeout(() => res.end(), 20); // the server goes away: the client must come back
    },
  });
  const events: string[] = [];
  const states: StreamState[] = [];
  const stop = openStream({
    url: server.base + '/api/stream',
    key: () => 'sk',
    onEvent: (e) => events.push(`${e.type}:${e.data}`),
    onState: (s) => states.push(s),
  });
  await waitFor(() => connections >= 2 && events.includes('sample:{"id":2}'));
  stop();
  expect(events).toContain('sample:{"id":1}');
  expect(states).toContain('open');
  expect(states).toContain('reconnecting');
  expect(states[states.length - 1]).toBe('closed');
});

test('a 401 stops the stream and says why', async () => {
  server = await startFakeServer({
    'GET /api/stream': (_q, res) => json(res, 401, { error: { code: 'unauthorized', message: '' } }),
  });
  const states: string[] = [];
  let detail = '';
  const stop = openStream({
    url: server.base + '/api/stream',
    key: () => 'wrong',
    minDelayMs: 10,
    onEvent: () => {},
    onState: (s, d) => {
      states.push(s);
      if (s === 'unauthorized') detail = d ?? '';
    },
  });
  await waitFor(() => states.includes('unauthorized'));
  await new Promise((r) => setTimeout(r, 100));
  stop();
  expect(server.requests).toHaveLength(1);
  expect(detail).toMatch(/401/);
});

test('each event the server sends is parsed; hello, unknown types and bad data are ignored', () => {
  expect(parseStreamEvent({ type: 'sample', data: '{"id":3,"e2e_ms":120}' })).toEqual({ type: 'sample', sample: { id: 3, e2e_ms: 120 } });
  expect(parseStreamEvent({ type: 'violation', data: '{"id":9,"change":"opened"}' })).toEqual({
    type: 'violation',
    violation: { id: 9, change: 'opened' },
  });
  expect(parseStreamEvent({ type: 'stage', data: '{"number":2,"series":{"metric":"e2e_ms"}}' })).toEqual({
    type: 'stage',
    stage: { number: 2, series: { metric: 'e2e_ms' } },
  });
  expect(parseStreamEvent({ type: 'hello', data: '{}' })).toBeNull();
  expect(parseStreamEvent({ type: 'message', data: '{}' })).toBeNull();
  expect(parseStreamEvent({ type: 'sample', data: '{"id":' })).toBeNull();
  expect(parseStreamEvent({ type: 'sample', data: 'null' })).toBeNull();
  expect(parseStreamEvent({ type: 'violation', data: '7' })).toBeNull();
});
