// The proxy driven by the official SDKs (openai, @anthropic-ai/sdk, ollama), streamed and not:
// the real `llmscope serve` with a [proxy] in front of the tests' fake provider (its delays
// injected: first token at 80 ms, then one every 10 ms). What each SDK receives through the proxy
// must be what it receives from the fake directly, byte for byte, and each call's sample must
// show the fake's delays within 3 ms: the times the fake actually sent its first token and last
// byte (it reports them; on a loaded machine it wakes late by more than 3 ms): the median error
// of the streamed calls' TTFT and e2e within 3 ms, each one within 25 ms (a process not
// scheduled for a while on a loaded machine is no error of the proxy's). A whole reply is
// marked sent when the fake hands it to its HTTP library, which writes it after the handler
// returns, a moment the fake cannot report: there only the lower bound is checked.
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

function assertNear(measured, sent, injected, what) {
  assert.ok(sent >= injected, `${what}: the fake sent at ${sent} ms, before ${injected} ms`);
  assert.ok(measured >= sent - 0.5 && measured < sent + 25,
            `${what}: measured ${measured} ms, the fake sent at ${sent} ms`);
  errorsMs.push(measured - sent);
}

async function checkSample({ provider, model, app, streamed, timed = true }) {
  const sent = await fakeSent();
  const s = await nextSample();
  assert.equal(s.error, false, `${s.error_kind}: ${s.error_message}`);
  assert.equal(s.provider, provider);
  assert.equal(s.model, model);
  assert.equal(s.profile, app);
  assert.equal(s.tokens_out, TOKENS);
  if (!timed) return;
  if (streamed) {
    assertNear(s.ttft_ms, sent.first_token_sent_ms, FIRST_TOKEN_MS, "ttft");
    assertNear(s.e2e_ms, sent.last_byte_sent_ms, LAST_TOKEN_MS, "e2e");
  } else {
    assert.equal(s.ttft_ms, null);
    assert.ok(s.e2e_ms >= sent.last_byte_sent_ms,
              `e2e: measured ${s.e2e_ms} ms, the fake sent at ${sent.last_byte_sent_ms} ms`);
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

test("openai: chat completions, whole and streamed, through the proxy as direct", async () => {
  const via = new OpenAI({ apiKey: "sk-test", baseURL: `${proxyUrl}/openai/v1`,
                           defaultHeaders: proxyHeaders("checkout") });
  const direct = new OpenAI({ apiKey: "sk-test", baseURL: `${fakeUrl}/v1`,
                              defaultHeaders: identity });
  const params = { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] };

  await warmUp(via.models.list());
  const a = await via.chat.completions.create(params);
  await checkSample({ provider: "openai", model: "gpt-4o-mini", app: "checkout", streamed: false });
  assert.deepEqual(a, await direct.chat.completions.create(params));

  const streamed = { ...params, stream: true, stream_options: { include_usage: true } };
  const collect = async (c) => {
    const chunks = [];
    for await (const chunk of await c.chat.completions.create(streamed)) chunks.push(chunk);
    return chunks;
  };
  const viaChunks = await collect(via);
  await checkSample({ provider: "openai", model: "gpt-4o-mini", app: "checkout", streamed: true });
  assert.deepEqual(viaChunks, await collect(direct));
  assert.ok(viaChunks.length > TOKENS);

  // The bytes themselves.
  const raw = async (c) => (await c.chat.completions.create(streamed).asResponse()).text();
  const viaBytes = await raw(via);
  await checkSample({ provider: "openai", model: "gpt-4o-mini", app: "checkout", streamed: true });
  assert.equal(viaBytes, await raw(direct));
});

test("anthropic: messages, whole and streamed, through the proxy as direct", async () => {
  const via = new Anthropic({ apiKey: "sk-ant-test", baseURL: `${proxyUrl}/anthropic`,
                              defaultHeaders: proxyHeaders("support-bot") });
  const direct = new Anthropic({ apiKey: "sk-ant-test", baseURL: fakeUrl,
                                 defaultHeaders: identity });
  const params = { model: "claude-test", max_tokens: 16,
                   messages: [{ role: "user", content: "hi" }] };

  await warmUp(via.models.list());
  const a = await via.messages.create(params);
  await checkSample({ provider: "anthropic", model: "claude-test", app: "support-bot",
                      streamed: false });
  assert.deepEqual(a, await direct.messages.create(params));

  const collect = async (c) => {
    const events = [];
    for await (const e of await c.messages.create({ ...params, stream: true })) events.push(e);
    return events;
  };
  const viaEvents = await collect(via);
  await checkSample({ provider: "anthropic", model: "claude-test", app: "support-bot",
                      streamed: true });
  assert.deepEqual(viaEvents, await collect(direct));

  const raw = async (c) =>
    (await c.messages.create({ ...params, stream: true }).asResponse()).text();
  const viaBytes = await raw(via);
  await checkSample({ provider: "anthropic", model: "claude-test", app: "support-bot",
                      streamed: true });
  assert.equal(viaBytes, await raw(direct));
});

test("ollama: generate and chat, whole and streamed, through the proxy as direct", async () => {
  const via = new Ollama({ host: `${proxyUrl}/local`, headers: proxyHeaders("batch") });
  const direct = new Ollama({ host: fakeUrl, headers: identity });

  const g = { model: "llama3.2", prompt: "hi" };
  await warmUp(via.list());
  const a = await via.generate({ ...g, stream: false });
  await checkSample({ provider: "ollama", model: "llama3.2", app: "batch", streamed: false });
  assert.deepEqual(a, await direct.generate({ ...g, stream: false }));

  const collect = async (c, call) => {
    const parts = [];
    for await (const p of await call(c)) parts.push(p);
    return parts;
  };
  const chat = (c) => c.chat({ model: "llama3.2", stream: true,
                                messages: [{ role: "user", content: "hi" }] });
  const viaParts = await collect(via, chat);
  await checkSample({ provider: "ollama", model: "llama3.2", app: "batch", streamed: true });
  assert.deepEqual(viaParts, await collect(direct, chat));
  assert.equal(viaParts.at(-1).done, true);
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
                      streamed: false, timed: false });
  assert.deepEqual(viaBody, await direct.chat.completions.create(params));
});

test("the proxy key is required and never reaches the upstream's reply path", async () => {
  const keyless = new OpenAI({ apiKey: "sk-test", baseURL: `${proxyUrl}/openai/v1`,
                               maxRetries: 0 });
  await assert.rejects(
    keyless.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }),
    (e) => e.status === 401);
});
