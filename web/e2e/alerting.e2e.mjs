// End to end in Chromium against the real `llmscope serve`: on the Alerts page, add a webhook sink
// that points at a receiver in this script (127.0.0.1), press "Send test", and see "Delivered"
// once the receiver has the signed test alert; the signing secret never appears in the page.
// A route to the sink is added, then edited in place (Edit fills the form; the server stores
// the change as the next version); an edit of a version changed meanwhile shows the server's 409
// message and changes nothing.
// Usage: node e2e/alerting.e2e.mjs <path to llmscope>. Exit 77: skipped (no Chromium).
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  artifactsDir,
  failureScreenshot,
  launchChromium,
  newPage,
  openDashboard,
  requireChromium,
  scriptArgs,
  startReceiver,
  startServer,
  step,
} from './harness.mjs';

const [binary] = scriptArgs('alerting.e2e.mjs');
requireChromium();
const artifacts = artifactsDir();
const SECRET = 'e2e-hook-secret-0c41';

// The local receiver: records each POST and answers 200.
const receiver = await startReceiver();
const received = receiver.received;
const hookUrl = receiver.url('/e2e-hook');

let server;
let browser;
let page;
try {
  server = await startServer({ binary, args: ['--demo=false'] });
  browser = await launchChromium({ viewport: { width: 1400, height: 1000 } });
  const opened = await newPage(browser.context);
  page = opened.page;
  await openDashboard(page, server);

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

  step('a route to the sink is added, then edited in place');
  const routeForm = page.getByRole('form', { name: 'route form' });
  await routeForm.getByLabel('Name').fill('pager');
  await routeForm.getByLabel(/^Sinks/).fill('e2e-hook');
  await routeForm.getByRole('button', { name: 'Add route' }).click();
  const route = page.getByTestId('alert routes-pager');
  await route.filter({ hasText: 'every alert' }).waitFor();
  await route.getByRole('button', { name: 'Edit' }).click();
  const editor = page.getByRole('form', { name: 'edit route' });
  assert.equal(await editor.getByLabel(/^Sinks/).inputValue(), 'e2e-hook', 'the form is filled in');
  await editor.getByLabel('severity').fill('critical');
  await editor.getByRole('button', { name: 'Save route' }).click();
  await route.filter({ hasText: 'severity critical' }).waitFor();
  const saved = await server.api('GET', '/api/alerts/routes/pager');
  assert.deepEqual(saved.match, { severity: ['critical'] });
  assert.equal(saved.version, 2);

  step('an edit of a version changed meanwhile shows the 409 and changes nothing');
  await route.getByRole('button', { name: 'Edit' }).click();
  await server.api('PUT', '/api/alerts/routes/pager', { name: 'pager', match: {}, sinks: ['e2e-hook'], version: 2 });
  await editor.getByLabel('severity').fill('critical, warning');
  await editor.getByRole('button', { name: 'Save route' }).click();
  await page.getByRole('alert').filter({ hasText: 'changed meanwhile' }).waitFor();
  await route.filter({ hasText: 'every alert' }).waitFor(); // the list shows what is stored now
  const kept = await server.api('GET', '/api/alerts/routes/pager');
  assert.deepEqual(kept.match, {}, 'the other change stays');
  assert.equal(kept.version, 3);
  await page.screenshot({ path: path.join(artifacts, '11-alerting-conflict.png'), fullPage: true });
  await editor.waitFor({ state: 'detached' }); // the stale edit is closed
  await route.getByRole('button', { name: 'Edit' }).click();
  assert.equal(await editor.getByLabel('severity').inputValue(), '', 'Edit starts from the stored version');
  await editor.getByLabel('severity').fill('critical, warning');
  await editor.getByRole('button', { name: 'Save route' }).click();
  await route.filter({ hasText: 'severity critical|warning' }).waitFor();
  assert.equal((await server.api('GET', '/api/alerts/routes/pager')).version, 4);

  assert.equal((await page.content()).includes(SECRET), false, 'the secret is not in the page');
  assert.deepEqual(opened.errors, [], 'no errors in the page');
  console.log('PASS: alerting end to end');
} catch (e) {
  console.error('FAIL:', e);
  await failureScreenshot(page, 'failure-alerting.png');
  process.exitCode = 1;
} finally {
  await browser?.close();
  await server?.stop();
  receiver.close();
}
