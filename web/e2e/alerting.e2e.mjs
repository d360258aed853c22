// End to end in Chromium against the real `llmscope serve`: on the Alerts page, add a webhook sink
// that points at a receiver in this script (127.0.0.1), press "Send test", and see "Delivered"
// once the receiver has the signed test alert; the signing secret never appears in the page.
// Usage: node e2e/alerting.e2e.mjs <path to llmscope>. Exit 77: skipped (no Chromium).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, chromiumPresent, launchChromium, startReceiver, startServer } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const binary = process.argv[2] ?? process.env.LLMSCOPE_BINARY;
const artifacts = process.env.LLMSCOPE_ARTIFACTS ?? path.resolve(here, '../../build/test-artifacts/web-e2e');
const SECRET = 'e2e-hook-secret-0c41';

if (!binary) {
  console.error('usage: node e2e/alerting.e2e.mjs <path to llmscope>');
  process.exit(2);
}
if (!chromiumPresent()) {
  if (process.env.CI === 'true') {
    console.error(`FAIL: Chromium not found at ${CHROMIUM} (CI=true)`);
    process.exit(1);
  }
  console.log(`SKIP: Chromium not found at ${CHROMIUM}`);
  process.exit(77);
}
mkdirSync(artifacts, { recursive: true });

// The local receiver: records each POST and answers 200.
const receiver = await startReceiver();
const received = receiver.received;
const hookUrl = receiver.url('/e2e-hook');

const step = (name) => console.log(`-- ${name}`);
let server;
let browser;
let page;
try {
  server = await startServer({ binary });
  browser = await launchChromium({ viewport: { width: 1400, height: 1000 } });
  page = await browser.context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(server.base + '/');
  await page.getByLabel('API key').fill(server.key);
  await page.getByText('Save key').click();
  // No target of its own: the setup wizard opens; this run skips it.
  await page.getByRole('button', { name: 'Skip setup' }).click();

  step('the Alerts page: add a webhook sink');
  await page.getByRole('button', { name: 'Alerts', exact: true }).click();
  await page.getByRole('button', { name: 'Add sink' }).click();
  const form = page.getByRole('form', { name: 'sink form' });
  await form.getByLabel('Name').fill('e2e-hook');
  await form.getByLabel('Type').selectOption('webhook');
  await form.getByLabel('url').fill(hookUrl);
  await form.getByLabel('secret').fill(SECRET);
  await form.getByRole('button', { name: 'Save sink' }).click();
  const row = page.getByTestId('sink-e2e-hook');
  await row.waitFor();
  assert.match(await row.innerText(), /webhook/);

  step('send test: delivered at the local receiver, and the page says so');
  await row.getByRole('button', { name: 'Send test' }).click();
  await page.getByTestId('test-outcome-e2e-hook').filter({ hasText: 'Delivered' }).waitFor({ timeout: 20000 });
  assert.equal(received.length, 1, 'the receiver got one request');
  assert.equal(received[0].path, '/e2e-hook');
  assert.match(received[0].headers['x-llmscope-signature'] ?? '', /^sha256=[0-9a-f]{64}$/);
  await page.screenshot({ path: path.join(artifacts, '10-alerting.png'), fullPage: true });

  assert.equal((await page.content()).includes(SECRET), false, 'the secret is not in the page');
  assert.deepEqual(pageErrors, [], 'no errors in the page');
  console.log('PASS: alerting end to end');
} catch (e) {
  console.error('FAIL:', e);
  if (page) await page.screenshot({ path: path.join(artifacts, 'alerting-failure.png'), fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser?.close();
  await server?.stop();
  receiver.close();
}
