// End to end: a new user sets LLMscope up from the browser. The real `llmscope serve` (no target
// configured: it probes its simulated demo), the fake provider server as a program speaking
// Ollama's wire format, Debian's Chromium through playwright-core. Proves: after the key, the
// setup wizard opens; it lists the fake Ollama's models through the server, tests one call,
// adds a webhook sink whose test alert reaches a local receiver, saves the target and ends on
// its live chart, whose points grow as the probe runs; on the
// Targets page, a changed interval applies to the running probe without a restart.
// Screenshots go to LLMSCOPE_ARTIFACTS (default build/test-artifacts/web-e2e).
//
// Usage: node e2e/targets.e2e.mjs <path to llmscope> <path to fake_provider_server>. Without
// Chromium it exits 77 (skipped), unless CI=true.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import {
  artifactsDir,
  enterKey,
  failureScreenshot,
  launchChromium,
  newPage,
  requireChromium,
  scriptArgs,
  startReceiver,
  startServer,
  step,
} from './harness.mjs';

const [binary, fakeBinary] = scriptArgs('targets.e2e.mjs', ['path to llmscope', 'path to fake_provider_server']);
requireChromium();
const artifacts = artifactsDir();

// The fake provider as a program: it prints "port N" and serves until its stdin closes.
async function startFake() {
  const child = spawn(fakeBinary, ['--first-token-ms', '5', '--per-token-ms', '1', '--tokens', '5'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const port = await new Promise((resolve, reject) => {
    lines.once('line', (l) => resolve(Number(/^port (\d+)$/.exec(l)?.[1])));
    child.once('exit', (code) => reject(new Error(`fake provider exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.stdin.end() };
}

let server;
let fake;
let browser;
let page;
let receiver;
try {
  server = await startServer({ binary, args: ['--demo=false'] });
  fake = await startFake();
  const calls = async () => (await server.api('GET', '/api/targets/ollama-fake-llm')).state.calls ?? 0;

  browser = await launchChromium({ viewport: { width: 1400, height: 1000 } });
  const opened = await newPage(browser.context);
  page = opened.page;

  step('after the key, the setup wizard opens; it never shows the key');
  await page.goto(server.base + '/');
  await enterKey(page, server.key);
  const wizard = page.getByRole('dialog', { name: 'setup' });
  await wizard.waitFor();
  assert.equal(await wizard.getByText(server.key).count(), 0, 'the wizard does not show the API key');
  await wizard.getByRole('button', { name: 'Next' }).click();

  step("the fake Ollama's models are listed through the server; one call is tested");
  await wizard.getByTestId('ollama-detection').waitFor();
  await wizard.getByLabel('base URL').fill(fake.url);
  await wizard.getByRole('button', { name: 'List models' }).click();
  await wizard.getByTestId('models-note').filter({ hasText: '2 model(s) offered' }).waitFor();
  await wizard.getByLabel('model').selectOption('fake-llm');
  await wizard.getByLabel('interval').fill('0.5');
  await wizard.getByRole('button', { name: 'Test' }).click();
  await wizard.getByTestId('test-outcome').filter({ hasText: 'It answered' }).waitFor();
  await page.screenshot({ path: path.join(artifacts, 'targets-1-wizard.png'), fullPage: true });
  await wizard.getByRole('button', { name: 'Next' }).click();

  step('the alert step adds a webhook sink and its test alert arrives at a local receiver');
  receiver = await startReceiver();
  await wizard.getByLabel('alert URL').fill(receiver.url('/wizard-hook'));
  await wizard.getByRole('button', { name: 'Add and send a test' }).click();
  await wizard.getByTestId('wizard-alert-outcome').filter({ hasText: 'Delivered' }).waitFor({ timeout: 20000 });
  assert.equal(receiver.received.length, 1, 'the receiver got the test alert');
  assert.equal(receiver.received[0].path, '/wizard-hook');
  await wizard.getByRole('button', { name: 'Start probing' }).click();

  step('the wizard ends on the live chart of the new target, which grows');
  await wizard.waitFor({ state: 'detached' });
  await page.locator('.chart-head h2', { hasText: 'ollama / fake-llm' }).waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="control-chart"]')?.dataset.points) >= 3, null, {
    timeout: 20000,
  });
  await page.screenshot({ path: path.join(artifacts, 'targets-2-chart.png'), fullPage: true });

  step('the Targets page lists it; a new interval applies without a restart');
  await page.getByRole('button', { name: 'Targets', exact: true }).click();
  const row = page.getByTestId('target-ollama-fake-llm');
  await row.getByTestId('interval').filter({ hasText: '0.5 s' }).waitFor();
  await row.getByRole('button', { name: 'Edit' }).click();
  const editor = page.getByRole('dialog', { name: 'edit target' });
  await editor.getByLabel('interval').fill('60');
  await editor.getByRole('button', { name: 'Save' }).click();
  await row.getByTestId('interval').filter({ hasText: '60 s' }).waitFor();
  await page.screenshot({ path: path.join(artifacts, 'targets-3-page.png'), fullPage: true });
  // Every 60 s now: at most the first tick (within 6 s) in the next 4 s, where 0.5 s gave ~8.
  await new Promise((r) => setTimeout(r, 500));
  const before = await calls();
  await new Promise((r) => setTimeout(r, 4000));
  const after = await calls();
  assert.ok(after - before <= 1, `the probe slowed down at once (${after - before} calls in 4 s)`);

  assert.deepEqual(opened.errors, [], 'no errors in the page');
  console.log('PASS: targets end to end');
} catch (e) {
  console.error('FAIL:', e);
  await failureScreenshot(page, 'failure-targets.png');
  process.exitCode = 1;
} finally {
  await browser?.close();
  receiver?.close();
  fake?.stop();
  await server?.stop();
}
