// The proxy driven by the official SDKs (openai, @anthropic-ai/sdk, ollama), streamed and not:
// the real `llmscope serve` with a [proxy] in front of the tests' fake provider (its delays
// injected: first token at 80 ms, then one every 10 ms). What each SDK receives through the proxy
// must be what it receives from the fake directly, byte for byte, and each call's sample must
// lie between two moments: no earlier than the fake actually sent its first token and last byte
// (it reports them), and no later than the SDK got them, timed around the call (the proxy's
// interval lies inside the client's, so this holds however loaded the machine). Beyond that the
// median error of the streamed calls' TTFT and e2e must be within 3 ms of the fake's send times.
// A whole reply is marked sent when the fake hands it to its HTTP library, which writes it after
// the handler returns, a moment the fake cannot report: there the client's time bounds it.
//   node --test proxy_sdk.test.mjs   with LLMSCOPE_BINARY and FAKE_PROVIDER_BINARY set.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { createInterface } from "node:readline";
import { join } from "node:path";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";

const FIRST_TOKEN_MS = 80;
const PER_TOKEN_MS = 10;
const TOKENS = 5;
const LAST_TOKEN_MS = FIRST_TOKEN_MS + (TOKENS - 1) * PER_TOKEN_MS;
const API_KEY = "proxy-sdk-test-key-0123456789";

let fake, serve, dir, fakeUrl, proxyUrl, apiUrl;
let samplesSeen = 0;
let fakeLines;  // the fake's stdout, line by line

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitFor(check, what) {
  for (let i = 0; i < 200; i++) {
    try {
      if (await check()) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

before(async () => {
  fake = spawn(process.env.FAKE_PROVIDER_BINARY, [
    "--first-token-ms", String(FIRST_TOKEN_MS),
    "--per-token-ms", String(PER_TOKEN_MS),
    "--tokens", String(TOKENS),
  ], { stdio: ["pipe", "pipe", "inherit"] });
  fakeLines = createInterface({ input: fake.stdout })[Symbol.asyncIterator]();
  const first = await fakeLines.next();
  const port = Number(first.value.match(/port (\d+)/)[1]);
  fakeUrl = `http://127.0.0.1:${port}`;

  dir = mkdtempSync(join(tmpdir(), "llmscope-proxy-sdk-"));
  const proxyPort = await freePort();
  const apiPort = await freePort();
  proxyUrl = `http://127.0.0.1:${proxyPort}`;
  apiUrl = `http://127.0.0.1:${apiPort}`;
  const config = join(dir, "llmscope.toml");
  writeFileSync(config, `[proxy]
listen = "127.0.0.1:${proxyPort}"
require_key = true

[[proxy.upstreams]]
name = "openai"
provider = "openai"
base_url = "${fakeUrl}"

[[proxy.upstreams]]
name = "anthropic"
provider = "anthropic"
base_url = "${fakeUrl}"

[[proxy.upstreams]]
name = "local"
provider = "ollama"
base_url = "${fakeUrl}"
`);
  serve = spawn(process.env.LLMSCOPE_BINARY, [
    "serve", "--config", config, "--listen", `127.0.0.1:${apiPort}`,
    "--data-dir", join(dir, "data"), "--no-simulated",
  ], { env: { ...process.env, LLMSCOPE_API_KEY: API_KEY }, stdio: ["ignore", "ignore", "inherit"] });
  await waitFor(async () => (await fetch(`${apiUrl}/health`)).ok, "llmscope serve");
});

after(() => {
  serve?.kill("SIGTERM");
  fake?.stdin.end();
  fake?.kill("SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The next stored sample (samples are numbered from 1 in a fresh store).
async function nextSample() {
  const id = ++samplesSeen;
  let sample;
  await waitFor(async () => {
    const r = await fetch(`${apiUrl}/api/samples/${id}`, {
      headers: { Authorization: `Bearer ${API_KEY}` },
    });
    if (!r.ok) return false;
    sample = await r.json();
    return true;
  }, `sample ${id}`);
  return sample;
}

// When the fake sent the latest request's first token and last byte, in ms after it got it.
async function fakeSent() {
  fake.stdin.write("?\n");
  return JSON.parse((await fakeLines.next()).value);
}

const errorsMs = [];  // measured − sent, of every streamed call's TTFT and e2e

// `sent`: when the fake sent it; `received`: when the SDK had it, both from the call's start.
function assertBetween(measured, sent, received, injected, what) {
  assert.ok(sent >= injected, `${what}: the fake sent at ${sent} ms, before ${injected} ms`);
  assert.ok(measured >= sent - 0.5 && measured <= received + 0.5,
            `${what}: measured ${measured} ms, the fake sent at ${sent} ms, ` +
            `the client had it at ${received} ms`);
  errorsMs.push(measured - sent);
}

// Times a call as its client sees it: `call()` returns the reply, or for a stream an async
// iterable; `isContent` marks the first part that carries a token. Returns the reply (or its
// parts) and `client`: when the first content arrived and when the call ended, in ms.
async function timedCall(call, isContent) {
  const start = performance.now();
  const reply = await call();
  if (!isContent) return { reply, client: { endMs: performance.now() - start } };
  const parts = [];
  let firstContentMs;
  for await (const part of reply) {
    if (firstContentMs === undefined && isContent(part)) firstContentMs = performance.now() - start;
    parts.push(part);
  }
  return { reply: parts, client: { firstContentMs, endMs: performance.now() - start } };
}

async function checkSample({ provider, model, app, streamed, client }) {
  const sent = await fakeSent();
  const s = await nextSample();
  assert.equal(s.error, false, `${s.error_kind}: ${s.error_message}`);
  assert.equal(s.provider, provider);
  assert.equal(s.model, model);
  assert.equal(s.profile, app);
  assert.equal(s.tokens_out, TOKENS);
  if (!client) return;
  if (streamed) {
    assertBetween(s.ttft_ms, sent.first_token_sent_ms, client.firstContentMs ?? client.endMs,
                  FIRST_TOKEN_MS, "ttft");
    assertBetween(s.e2e_ms, sent.last_byte_sent_ms, client.endMs, LAST_TOKEN_MS, "e2e");
  } else {
    assert.equal(s.ttft_ms, null);
    assert.ok(s.e2e_ms >= sent.last_byte_sent_ms && s.e2e_ms <= client.endMs + 0.5,
              `e2e: measured ${s.e2e_ms} ms, the fake sent at ${sent.last_byte_sent_ms} ms, ` +
              `the client had it at ${client.endMs} ms`);
  }
}

// The fake compresses what a client accepts, brotli at quality 11, which costs it ~20 ms of its
// own: the calls whose times are checked ask for no compression; the last test asks for it.
const identity = { "Accept-Encoding": "identity" };
// A first, unmeasured request through each SDK client (to a path the proxy forwards without a
// sample), so the proxy's upstream connection is open when the measured calls come: the fake
// reports its times from when its handler started, after any connection set-up.
const warmUp = (request) => request.catch(() => {});

const proxyHeaders = (app) => ({ ...identity, "X-LLMscope-Key": API_KEY, "X-LLMscope-App": app });

const openaiContent = (chunk) => Boolean(chunk.choices?.[0]?.delta?.content);
const anthropicContent = (event) => event.type === "content_block_delta";
const ollamaContent = (part) => Boolean(part.message?.content ?? part.response);

test("openai: chat completions, whole and streamed, through the proxy as direct", async () => {
  const via = new OpenAI({ apiKey: "sk-test", baseURL: `${proxyUrl}/openai/v1`,
                           defaultHeaders: proxyHeaders("checkout") });
  const direct = new OpenAI({ apiKey: "sk-test", baseURL: `${fakeUrl}/v1`,
                              defaultHeaders: identity });
  const params = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
  const sample = { provider: "openai", model: "gpt-4o-mini", app: "checkout" };

  await warmUp(via.models.list());
  const a = await timedCall(() => via.chat.completions.create(params));
  await checkSample({ ...sample, streamed: false, client: a.client });
  assert.deepEqual(a.reply, await direct.chat.completions.create(params));

  const streamed = { ...params, stream: true, stream_options: { include_usage: true } };
  const stream = (c) => timedCall(() => c.chat.completions.create(streamed), openaiContent);
  const viaChunks = await stream(via);
  await checkSample({ ...sample, streamed: true, client: viaChunks.client });
  assert.deepEqual(viaChunks.reply, (await stream(direct)).reply);
  assert.ok(viaChunks.reply.length > TOKENS);

  // The bytes themselves.
  const raw = (c) => timedCall(async () =>
    (await c.chat.completions.create(streamed).asResponse()).text());
  const viaBytes = await raw(via);
  await checkSample({ ...sample, streamed: true, client: viaBytes.client });
  assert.equal(viaBytes.reply, (await raw(direct)).reply);
});

test("anthropic: messages, whole and streamed, through the proxy as direct", async () => {
  const via = new Anthropic({ apiKey: "sk-ant-test", baseURL: `${proxyUrl}/anthropic`,
                              defaultHeaders: proxyHeaders("support-bot") });
  const direct = new Anthropic({ apiKey: "sk-ant-test", baseURL: fakeUrl,
                                 defaultHeaders: identity });
  const params = { model: "claude-test", max_tokens: 16,
                   messages: [{ role: "user", content: "hi" }] };
  const sample = { provider: "anthropic", model: "claude-test", app: "support-bot" };

  await warmUp(via.models.list());
  const a = await timedCall(() => via.messages.create(params));
  await checkSample({ ...sample, streamed: false, client: a.client });
  assert.deepEqual(a.reply, await direct.messages.create(params));

  const stream = (c) =>
    timedCall(() => c.messages.create({ ...params, stream: true }), anthropicContent);
  const viaEvents = await stream(via);
  await checkSample({ ...sample, streamed: true, client: viaEvents.client });
  assert.deepEqual(viaEvents.reply, (await stream(direct)).reply);

  const raw = (c) => timedCall(async () =>
    (await c.messages.create({ ...params, stream: true }).asResponse()).text());
  const viaBytes = await raw(via);
  await checkSample({ ...sample, streamed: true, client: viaBytes.client });
  assert.equal(viaBytes.reply, (await raw(direct)).reply);
});

test("ollama: generate and chat, whole and streamed, through the proxy as direct", async () => {
  const via = new Ollama({ host: `${proxyUrl}/local`, headers: proxyHeaders("batch") });
  const direct = new Ollama({ host: fakeUrl, headers: identity });
  const sample = { provider: "ollama", model: "llama3.2", app: "batch" };

  const g = { model: "llama3.2", prompt: "hi" };
  await warmUp(via.list());
  const a = await timedCall(() => via.generate({ ...g, stream: false }));
  await checkSample({ ...sample, streamed: false, client: a.client });
  assert.deepEqual(a.reply, await direct.generate({ ...g, stream: false }));

  const chat = (c) => timedCall(() => c.chat({ model: "llama3.2", stream: true,
                                               messages: [{ role: "user", content: "hi" }] }),
                                ollamaContent);
  const viaParts = await chat(via);
  await checkSample({ ...sample, streamed: true, client: viaParts.client });
  assert.deepEqual(viaParts.reply, (await chat(direct)).reply);
  assert.equal(viaParts.reply.at(-1).done, true);
});

test("the streamed calls' TTFT and e2e are the fake's send times within 3 ms (median)", () => {
  assert.ok(errorsMs.length >= 10, `only ${errorsMs.length} streamed measures`);
  const sorted = [...errorsMs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  assert.ok(median < 3, `median error ${median} ms of ${JSON.stringify(sorted)}`);
});

test("a compressed reply reaches the SDK as sent and is still read for its usage", async () => {
  const via = new OpenAI({ apiKey: "sk-test", baseURL: `${proxyUrl}/openai/v1`,
                           defaultHeaders: { "X-LLMscope-Key": API_KEY,
                                             "X-LLMscope-App": "compressed" } });
  const direct = new OpenAI({ apiKey: "sk-test", baseURL: `${fakeUrl}/v1` });
  const params = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };
  const response = await via.chat.completions.create(params).asResponse();
  assert.match(response.headers.get("content-encoding") ?? "", /^(gzip|br|deflate)$/);
  const viaBody = await response.json();
  await checkSample({ provider: "openai", model: "gpt-4o-mini", app: "compressed",
                      streamed: false });
  assert.deepEqual(viaBody, await direct.chat.completions.create(params));
});

test("the proxy key is required and never reaches the upstream's reply path", async () => {
  const keyless = new OpenAI({ apiKey: "sk-test", baseURL: `${proxyUrl}/openai/v1`,
                               maxRetries: 0 });
  await assert.rejects(
    keyless.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }),
    (e) => e.status === 401);
});
