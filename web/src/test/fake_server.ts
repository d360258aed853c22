// A small HTTP server on 127.0.0.1 for component and client tests: each test gives the routes
// it needs ("GET /api/series" → handler; a `:name` segment, as in "GET /api/samples/:id",
// matches any one segment and reaches the handler in `params`; an exact route wins); every
// request is recorded. The end-to-end suite (e2e/) runs against the real `llmscope serve`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  params: Record<string, string>; // the :name segments of the route that matched, decoded
}

export type Handler = (req: Recorded, res: http.ServerResponse) => void;

export interface FakeServer {
  base: string;
  requests: Recorded[];
  close: () => Promise<void>;
}

// The query parameters of a recorded request, decoded (a comma list arrives as %2C).
export function queryOf(req: Recorded): URLSearchParams {
  return new URL(req.url, 'http://fake').searchParams;
}

// The requests made to `path` (without the query), in order.
export function requestsTo(server: FakeServer, method: string, path: string): Recorded[] {
  return server.requests.filter((r) => r.method === method && r.url.split('?')[0] === path);
}

// An event-stream response held open: `send` writes one event to it.
export function openEventStream(res: http.ServerResponse): { send: (event: string, data: unknown) => void } {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  res.write('event: hello\ndata: {}\n\n');
  return { send: (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`) };
}

export function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

// The values of the :name segments when `path` matches `pattern`, else null.
function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

// The handler for `method path` with its params: the exact route, else the first pattern that
// matches; null when none does.
function route(routes: Record<string, Handler>, method: string, path: string): { handler: Handler; params: Record<string, string> } | null {
  const exact = routes[`${method} ${path}`];
  if (exact) return { handler: exact, params: {} };
  for (const [key, handler] of Object.entries(routes)) {
    const [m, pattern] = key.split(' ');
    const params = m === method ? matchPath(pattern, path) : null;
    if (params) return { handler, params };
  }
  return null;
}

export async function startFakeServer(routes: Record<string, Handler>): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const method = req.method ?? '';
      const found = route(routes, method, (req.url ?? '').split('?')[0]);
      const rec: Recorded = { method, url: req.url ?? '', headers: req.headers, body, params: found?.params ?? {} };
      requests.push(rec);
      if (found) found.handler(rec, res);
      else json(res, 404, { error: { code: 'not_found', message: 'no such route' } });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
