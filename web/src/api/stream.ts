// The live event stream, GET /api/stream. The server wants "Authorization: Bearer <key>" on
// every /api route (unless reads are public), and EventSource cannot send headers, so the
// stream is read with fetch() and a streaming body reader. When it ends or fails it reconnects
// after the server's `retry` delay (3 s), doubling up to 30 s while it keeps failing; a 401
// stops it (the key is wrong, retrying will not help).
import { UNAUTHORIZED_MESSAGE } from './client';
import type { StageEvent, StreamSample, Violation } from './types';
import { SseParser, type SseEvent } from '../lib/sse_parser';

// The events the server sends (src/server/http_api.cc), their data parsed. `hello` (sent on
// connecting) and keep-alive comments carry nothing for the page.
export type StreamEvent =
  | { type: 'sample'; sample: StreamSample }
  | { type: 'violation'; violation: Violation } // with `change`: opened, updated or status
  | { type: 'stage'; stage: StageEvent };

// The event of one SSE block, or null for one the page ignores (hello, an unknown type, data
// that is not a JSON object).
export function parseStreamEvent(e: SseEvent): StreamEvent | null {
  if (e.type !== 'sample' && e.type !== 'violation' && e.type !== 'stage') return null;
  let data: unknown;
  try {
    data = JSON.parse(e.data);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  if (e.type === 'sample') return { type: 'sample', sample: data as StreamSample };
  if (e.type === 'violation') return { type: 'violation', violation: data as Violation };
  return { type: 'stage', stage: data as StageEvent };
}

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface StreamOptions {
  url?: string;
  key: () => string;
  onEvent: (e: SseEvent) => void;
  onState: (s: StreamState, detail?: string) => void;
  fetchImpl?: typeof fetch;
  minDelayMs?: number;
  maxDelayMs?: number;
}

// Starts the stream; the returned function stops it for good.
export function openStream(o: StreamOptions): () => void {
  const fetchImpl = o.fetchImpl ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const maxDelay = o.maxDelayMs ?? 30000;
  let stopped = false;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;

  const schedule = (retryMs: number | null) => {
    if (stopped) return;
    const base = retryMs ?? o.minDelayMs ?? 3000;
    const delay = Math.min(maxDelay, base * 2 ** Math.min(failures, 5));
    failures += 1;
    o.onState('reconnecting', `reconnecting in ${Math.round(delay / 1000)} s`);
    timer = setTimeout(connect, delay);
  };

  async function connect() {
    if (stopped) return;
    controller = new AbortController();
    const parser = new SseParser();
    o.onState(failures === 0 ? 'connecting' : 'reconnecting');
    try {
      const res = await fetchImpl(o.url ?? '/api/stream', {
        headers: { Authorization: `Bearer ${o.key()}`, Accept: 'text/event-stream' },
        signal: controller.signal,
        cache: 'no-store',
      });
      if (res.status === 401) {
        o.onState('unauthorized', UNAUTHORIZED_MESSAGE);
        return;
      }
      if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
      o.onState('open');
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const e of parser.push(decoder.decode(value, { stream: true }))) {
          if (e.type === 'hello') failures = 0;
          o.onEvent(e);
        }
      }
    } catch (e) {
      if (stopped) return;
      void e;
    }
    schedule(parser.retryMs);
  }

  void connect();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    controller?.abort();
    o.onState('closed');
  };
}
