// End to end: OpenTelemetry's own JS SDK exporters (OTLP/HTTP protobuf and JSON, from npm) send
// GenAI spans and metrics to the real `llmscope serve`, and the samples they become are read
// back through the API (docs/design.md "OpenTelemetry ingest"). Proves: spans become samples
// with the provider, model, site, profile, e2e, TTFT, token counts and errors of the mapping;
// spans without GenAI attributes are accepted, ignored and counted in partial_success; delta
// histograms give one sample per export at the interval's mean; cumulative ones are differenced
// (the first export only sets the baseline); /metrics counts the items by outcome; bad payloads
// get the OTLP error reply (400, 413, 415) and a missing key 401.
//
// Usage: node otlp_export.test.mjs <path to llmscope> (run by ctest through run_otlp_js_test.sh).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonMetricExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

const binary = process.argv[2] ?? process.env.LLMSCOPE_BINARY;
if (!binary) {
  console.error('usage: node otlp_export.test.mjs <path to llmscope>');
  process.exit(2);
}
const step = (name) => console.log(`-- ${name}`);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// `llmscope serve` on a free port in a temporary data directory, no probe; resolves once /health
// answers.
async function startServer() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'llmscope-otlp-'));
  const port = await freePort();
  const key = 'otlp-key-' + Math.random().toString(36).slice(2);
  const log = openSync(path.join(root, 'serve.log'), 'w');
  const child = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(root, 'data'), '--no-probe'], {
    env: { ...process.env, LLMSCOPE_API_KEY: key },
    stdio: ['ignore', log, log],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llmscope serve exited (${child.exitCode}): ${readFileSync(path.join(root, 'serve.log'), 'utf8')}`);
    try {
      if ((await fetch(base + '/health')).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('llmscope serve did not answer /health in 15 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    key,
    auth: { Authorization: `Bearer ${key}` },
    // The source's samples, oldest first, from GET /api/export/samples (CSV; the test's names
    // hold no commas).
    async samples({ provider, model, site = '', profile = '' }) {
      const q = new URLSearchParams({ provider, model, site, profile, hours: '1' });
      const r = await fetch(`${base}/api/export/samples?${q}`, { headers: this.auth });
      assert.equal(r.status, 200, await r.clone().text());
      const [header, ...rows] = (await r.text()).trim().split('\n');
      const names = header.split(',');
      return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [names[i], v])));
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => (child.kill('SIGKILL'), r()), 10000);
        child.once('exit', () => (clearTimeout(t), r()));
      });
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// A GenAI chat span from `startMs` lasting `durationMs` (explicit times: the values are known).
function chatSpan(tracer, { attributes, startMs, durationMs, error }) {
  const span = tracer.startSpan('chat', { startTime: new Date(startMs), attributes });
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
  span.end(new Date(startMs + durationMs));
}

const server = await startServer();
try {
  const now = Date.now();
  const resource = resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment.name': 'prod' });

  step('GenAI spans through the protobuf exporter become samples');
  {
    const exporter = new ProtoTraceExporter({ url: `${server.base}/v1/traces`, headers: server.auth });
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
    const tracer = provider.getTracer('otlp-test');
    for (let i = 0; i < 5; i++) {
      chatSpan(tracer, {
        startMs: now - 60000 + i * 1000,
        durationMs: 800 + i * 10,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.usage.input_tokens': 12 + i,
          'gen_ai.usage.output_tokens': 40,
          'gen_ai.server.time_to_first_token': 0.25,
        },
      });
    }
    chatSpan(tracer, {
      startMs: now - 50000,
      durationMs: 120,
      error: 'rate limited',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'error.type': '429',
      },
    });
    tracer.startSpan('SELECT orders').end();  // no GenAI attributes: ignored
    await provider.forceFlush();
    await provider.shutdown();
    const rows = await server.samples({ provider: 'openai', model: 'gpt-4o-mini-2024-07-18', site: 'prod', profile: 'checkout' });
    assert.equal(rows.length, 6, JSON.stringify(rows));
    const ok = rows.filter((r) => r.error === '0');
    assert.deepEqual(ok.map((r) => Number(r.e2e_ms)).sort((a, b) => a - b), [800, 810, 820, 830, 840]);
    assert.ok(ok.every((r) => Number(r.ttft_ms) === 250 && Number(r.tokens_out) === 40));
    assert.deepEqual(ok.map((r) => Number(r.tokens_in)).sort((a, b) => a - b), [12, 13, 14, 15, 16]);
    const failed = rows.find((r) => r.error === '1');
    assert.equal(failed.error_kind, '429');
    assert.equal(failed.error_message, 'rate limited');
  }

  step('the older gen_ai.system through the JSON exporter; OpenLLMetry-style capitalised names');
  {
    const exporter = new JsonTraceExporter({ url: `${server.base}/v1/traces`, headers: server.auth });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'support-bot', 'llmscope.site': 'eu-west' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('otlp-test');
    for (let i = 0; i < 3; i++) {
      chatSpan(tracer, {
        startMs: now - 40000 + i * 1000,
        durationMs: 1500 + i,
        attributes: { 'gen_ai.system': 'Anthropic', 'gen_ai.request.model': 'claude-3-5-haiku', 'gen_ai.usage.output_tokens': 7 },
      });
    }
    await provider.forceFlush();
    await provider.shutdown();
    const rows = await server.samples({ provider: 'anthropic', model: 'claude-3-5-haiku', site: 'eu-west', profile: 'support-bot' });
    assert.deepEqual(rows.map((r) => Number(r.e2e_ms)).sort((a, b) => a - b), [1500, 1501, 1502]);
  }

  step('partial_success counts the ignored spans and the refused ones; a resent batch is stored once');
  {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] });
    const tracer = provider.getTracer('otlp-test');
    chatSpan(tracer, { startMs: now - 30000, durationMs: 900, attributes: { 'gen_ai.provider.name': 'ollama', 'gen_ai.request.model': 'llama3' } });
    chatSpan(tracer, { startMs: now - 30000, durationMs: 900, attributes: { 'gen_ai.operation.name': 'chat' } });  // no provider: refused
    tracer.startSpan('GET /').end();
    tracer.startSpan('render').end();
    const body = ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans());
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await fetch(`${server.base}/v1/traces`, {
        method: 'POST',
        headers: { ...server.auth, 'Content-Type': 'application/x-protobuf' },
        body,
      });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/x-protobuf');
      const reply = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await r.arrayBuffer()));
      assert.equal(Number(reply.partialSuccess.rejectedSpans), 1);
      assert.match(reply.partialSuccess.errorMessage, /no gen_ai.provider.name/);
      assert.match(reply.partialSuccess.errorMessage, /2 spans accepted and ignored/);
    }
    const rows = await server.samples({ provider: 'ollama', model: 'llama3', site: 'prod', profile: 'checkout' });
    assert.equal(rows.length, 1, 'the resent span was stored once (its ingest key)');
    const metrics = await (await fetch(`${server.base}/metrics`, { headers: server.auth })).text();
    const count = (outcome) => Number(metrics.match(new RegExp(`llmscope_otlp_items_total\\{signal="traces",outcome="${outcome}"\\} (\\d+)`))[1]);
    assert.equal(count('rejected'), 2, metrics);
    assert.equal(count('ignored'), 1 + 2 * 2, 'the first export\'s non-GenAI span, and these two twice');
    assert.equal(count('sampled'), 6 + 3 + 2, 'the duplicate is still a sampled item');
  }

  step('delta histograms: one sample per export at the interval mean (protobuf exporter)');
  {
    const reader = new PeriodicExportingMetricReader({
      exporter: new ProtoMetricExporter({
        url: `${server.base}/v1/metrics`,
        headers: server.auth,
        temporalityPreference: AggregationTemporalityPreference.DELTA,
      }),
      exportIntervalMillis: 3600000,
    });
    const meterProvider = new MeterProvider({ resource, readers: [reader] });
    const meter = meterProvider.getMeter('otlp-test');
    const duration = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's' });
    const ttft = meter.createHistogram('gen_ai.server.time_to_first_token', { unit: 's' });
    const tokens = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}' });
    const attrs = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'ollama', 'gen_ai.request.model': 'qwen2.5' };
    for (const v of [0.5, 1.0, 1.5]) duration.record(v, attrs);
    for (const v of [0.1, 0.3]) ttft.record(v, attrs);
    tokens.record(100, { ...attrs, 'gen_ai.token.type': 'input' });
    duration.record(9, { ...attrs, 'error.type': 'timeout' });  // a failed call: no sample
    await reader.forceFlush();
    for (const v of [2.0, 4.0]) duration.record(v, attrs);
    await reader.forceFlush();
    await meterProvider.shutdown();
    const rows = await server.samples({ provider: 'ollama', model: 'qwen2.5', site: 'prod', profile: 'checkout' });
    const e2e = rows.filter((r) => r.e2e_ms !== '').map((r) => Number(r.e2e_ms));
    const ttfts = rows.filter((r) => r.ttft_ms !== '').map((r) => Number(r.ttft_ms));
    assert.deepEqual(e2e, [1000, 3000]);
    assert.equal(ttfts.length, 1);
    assert.ok(Math.abs(ttfts[0] - 200) < 1e-9, String(ttfts[0]));
  }

  step('cumulative histograms are differenced per stream (JSON exporter)');
  {
    const reader = new PeriodicExportingMetricReader({
      exporter: new JsonMetricExporter({ url: `${server.base}/v1/metrics`, headers: server.auth }),
      exportIntervalMillis: 3600000,
    });
    const meterProvider = new MeterProvider({ resource, readers: [reader] });
    const duration = meterProvider.getMeter('otlp-test').createHistogram('gen_ai.client.operation.duration', { unit: 's' });
    const attrs = { 'gen_ai.provider.name': 'mistral_ai', 'gen_ai.response.model': 'mistral-small' };
    duration.record(1.0, attrs);
    await reader.forceFlush();  // the stream's first point: its baseline only
    duration.record(3.0, attrs);
    duration.record(5.0, attrs);
    await reader.forceFlush();  // adds count 2, sum 8
    await reader.forceFlush();  // adds nothing
    await meterProvider.shutdown();
    const rows = await server.samples({ provider: 'mistral_ai', model: 'mistral-small', site: 'prod', profile: 'checkout' });
    assert.deepEqual(rows.map((r) => Number(r.e2e_ms)), [4000]);
  }

  step('bad payloads get the OTLP error reply');
  {
    const post = (route, headers, body) =>
      fetch(`${server.base}${route}`, { method: 'POST', headers: { ...server.auth, ...headers }, body });
    let r = await post('/v1/traces', { 'Content-Type': 'application/x-protobuf' }, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('content-type'), 'application/x-protobuf');
    assert.ok((await r.arrayBuffer()).byteLength > 0, 'a google.rpc.Status');

    r = await post('/v1/metrics', { 'Content-Type': 'application/json' }, '{"resourceMetrics": 7}');
    assert.equal(r.status, 400);
    let status = await r.json();
    assert.equal(status.code, 3);
    assert.match(status.message, /OTLP\/JSON/);

    r = await post('/v1/traces', { 'Content-Type': 'text/plain' }, 'hello');
    assert.equal(r.status, 415);
    assert.equal((await r.json()).code, 3);

    r = await post('/v1/traces', { 'Content-Type': 'application/json', 'Content-Encoding': 'zstd' }, '{}');
    assert.equal(r.status, 415);

    // 64 MiB of zeros gzip to ~64 KiB: under the body limit, over it once inflated.
    const bomb = gzipSync(Buffer.alloc(64 << 20));
    r = await post('/v1/traces', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, bomb);
    assert.equal(r.status, 413);
    status = await r.json();
    assert.match(status.message, /larger than 1048576 bytes \(inflated\)/);

    const gzipped = gzipSync(JSON.stringify({ resourceSpans: [] }));
    r = await post('/v1/traces', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, gzipped);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), {});

    r = await fetch(`${server.base}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(r.status, 401, 'the key is needed');

    // Last: the library stops reading a body it cannot inflate, so its connection is not reused.
    r = await post('/v1/traces', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, Buffer.from('not gzip'));
    assert.equal(r.status, 400);
    assert.equal((await r.json()).code, 3);
  }
  console.log('PASS');
} finally {
  await server.stop();
}
