// What the end-to-end scripts (e2e/*.e2e.mjs) and the benchmark (bench/dashboard_render_bench.mjs)
// share: a script's command line, Chromium's presence and the screenshot folder; the real
// `llmscope serve` on a free port of 127.0.0.1 in a temporary data directory, a key passed by
// LLMSCOPE_API_KEY, sample posting in batches; Debian's Chromium driven by playwright-core with
// the flags this machine needs, a page that records its errors, and the dashboard's first steps
// (the key, the setup wizard skipped); a local webhook receiver.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, openSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.LLMSCOPE_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumPresent() {
  return existsSync(CHROMIUM);
}

// The paths a script is given on its command line, one per name (the first may come from
// LLMSCOPE_BINARY); a missing one prints the usage and exits 2.
export function scriptArgs(script, names = ['path to llmscope']) {
  const args = process.argv.slice(2);
  if (args.length === 0 && process.env.LLMSCOPE_BINARY) args.push(process.env.LLMSCOPE_BINARY);
  if (args.length < names.length) {
    console.error(`usage: node e2e/${script} ${names.map((n) => `<${n}>`).join(' ')}`);
    process.exit(2);
  }
  return args;
}

// Without Chromium a script exits 77 (skipped), unless CI=true, where that is a failure.
export function requireChromium() {
  if (chromiumPresent()) return;
  if (process.env.CI === 'true') {
    console.error(`FAIL: Chromium not found at ${CHROMIUM} (CI=true); scripts/install-deps.sh installs it`);
    process.exit(1);
  }
  console.log(`SKIP: Chromium not found at ${CHROMIUM}`);
  process.exit(77);
}

// The folder screenshots go to, made if missing: LLMSCOPE_ARTIFACTS, else
// build/test-artifacts/web-e2e.
export function artifactsDir() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dir = process.env.LLMSCOPE_ARTIFACTS ?? path.resolve(here, '../../build/test-artifacts/web-e2e');
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Names a step of a script in its output.
export function step(name) {
  console.log(`-- ${name}`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts `llmscope serve`; resolves once /health answers (within `startMs`). `env` adds to its
// environment.
export async function startServer({ binary, env = {}, args = [], startMs = 15000 }) {
  if (!binary || !existsSync(binary)) throw new Error(`llmscope binary not found: ${binary}`);
  const root = mkdtempSync(path.join(os.tmpdir(), 'llmscope-web-'));
  const port = await freePort();
  const key = 'e2e-key-' + Math.random().toString(36).slice(2);
  const log = openSync(path.join(root, 'serve.log'), 'w');
  const child = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(root, 'data'), ...args], {
    env: { ...process.env, LLMSCOPE_API_KEY: key, ...env },
    stdio: ['ignore', log, log],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llmscope serve exited (${child.exitCode}); see ${root}/serve.log`);
    try {
      const r = await fetch(base + '/health');
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // else the script waits on it; its log stays for the reader
      throw new Error(`llmscope serve did not answer /health in ${startMs / 1000} s; see ${root}/serve.log`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    key,
    root,
    async api(method, route, body) {
      const r = await fetch(base + route, {
        method,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${route}: ${r.status} ${text}`);
      return text.startsWith('{') ? JSON.parse(text) : text;
    },
    // Posts samples in batches that stay under the server's 1 MiB body limit.
    async post(samples, batch = 4000) {
      for (let i = 0; i < samples.length; i += batch) await this.api('POST', '/api/stats', { samples: samples.slice(i, i + batch) });
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => (child.kill('SIGKILL'), r()), 10000);
          child.once('exit', () => (clearTimeout(t), r()));
        });
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// A browser context in a fresh profile directory (removed by close()); `options` are
// playwright's context options (viewport, acceptDownloads).
export async function launchChromium(options = {}) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'llmscope-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// A new page of `context` whose uncaught errors are collected in `errors` (a script ends by
// checking there were none).
export async function newPage(context) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { page, errors };
}

// Types `key` into the dashboard's key prompt and saves it.
export async function enterKey(page, key) {
  await page.getByLabel('API key').fill(key);
  await page.getByText('Save key').click();
}

// On a server without a target of its own, the setup wizard opens after the key; this skips it.
export async function skipSetup(page) {
  await page.getByRole('button', { name: 'Skip setup' }).click();
}

// Opens the dashboard of `server`, enters its key and skips the setup wizard.
export async function openDashboard(page, server) {
  await page.goto(server.base + '/');
  await enterKey(page, server.key);
  await skipSetup(page);
}

// A full-page screenshot of a failed run, named `name`; never fails itself.
export async function failureScreenshot(page, name) {
  await page?.screenshot({ path: path.join(artifactsDir(), name), fullPage: true }).catch(() => {});
}

// A latency series around `center` ms, one point per `stepMs` ending now, deterministic.
export function inControlSamples({ provider, model, n, center = 2000, stepMs = 2000, endMs = Date.now() }) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push({
      provider,
      model,
      latency_ms: center * Math.exp(0.05 * Math.sin(i)),
      cpu_percent: 20 + (i % 7),
      memory_percent: 40,
      timestamp: new Date(endMs - (n - i) * stepMs).toISOString(),
    });
  }
  return out;
}

// A webhook receiver on a free port of 127.0.0.1: records each request (path, headers, body) in
// `received` and answers 200 with {}.
export async function startReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ path: req.url, headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    received,
    url: (p) => `http://127.0.0.1:${server.address().port}${p}`,
    close: () => server.close(),
  };
}
