// A small HTTP server on 127.0.0.1 for component and client tests: each test gives the routes
// it needs ("GET /api/series" → handler); every request is recorded. The end-to-end suite
// (e2e/) runs against the real `llmscope serve`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: Recorded, res: http.ServerResponse) => void;

export interface FakeServer {
  base: string;
  requests: Recorded[];
  close: () => Promise<void>;
}

export function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeServer(routes: Record<string, Handler>): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const rec: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(rec);
      const path = (req.url ?? '').split('?')[0];
      const handler = routes[`${req.method} ${path}`];
      if (handler) handler(rec, res);
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
