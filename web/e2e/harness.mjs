// What the end-to-end suite (dashboard.e2e.mjs) and the benchmark (bench/dashboard_render_bench.mjs)
// share: the real `llmscope serve` on a free port of 127.0.0.1 in a temporary data directory, a
// key passed by LLMSCOPE_API_KEY, sample posting in batches, and Debian's Chromium driven by
// playwright-core with the flags this machine needs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, openSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.LLMSCOPE_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumPresent() {
  return existsSync(CHROMIUM);
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
    if (Date.now() > deadline) throw new Error(`llmscope serve did not answer /health in ${startMs / 1000} s`);
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
