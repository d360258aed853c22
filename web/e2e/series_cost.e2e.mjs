// End to end, the per-series SLO and the Cost view: the built dashboard in the real `llmscope
// serve` (baseline of 20 points), driven in Debian's Chromium through playwright-core. Proves: an
// SLO typed in the stats panel is stored on the server and Cp/Cpk show (and show again after a
// reload, without typing); a baseline size saved in Series settings asks "start a new stage?"
// and, confirmed, starts a stage of that size; the Cost view shows the spend of calls with a cost
// per model, as a chart of daily bars stacked by model (names as text) and a table, and a price
// edited there is stored and shown as set now instead of built-in.
// Screenshots go to LLMSCOPE_ARTIFACTS (default build/test-artifacts/web-e2e).
//
// Usage: node e2e/series_cost.e2e.mjs <path to llmscope> (or the path in LLMSCOPE_BINARY).
// Without Chromium it exits 77 (skipped), unless CI=true, where a missing Chromium is a failure.
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  artifactsDir,
  failureScreenshot,
  inControlSamples,
  launchChromium,
  newPage,
  openDashboard,
  requireChromium,
  scriptArgs,
  startServer,
  step,
} from './harness.mjs';

const [binary] = scriptArgs('series_cost.e2e.mjs');
requireChromium();
const artifacts = artifactsDir();

let server;
let browser;
let page;
try {
  server = await startServer({ binary, env: { LLMSCOPE_SPC_BASELINE: '20' }, args: ['--no-simulated'] });
  step('a baseline of priced calls');
  const samples = inControlSamples({ provider: 'openai', model: 'gpt-4o-mini', n: 30, stepMs: 1000 });
  for (const s of samples) s.cost_usd = 0.002;
  await server.post(samples);

  browser = await launchChromium({ viewport: { width: 1400, height: 1000 } });
  const opened = await newPage(browser.context);
  page = opened.page;
  // No target of its own: the setup wizard opens; this run skips it.
  await openDashboard(page, server);

  step('an SLO typed in the stats panel is stored, and Cp/Cpk show');
  await page.locator('button.series-item', { hasText: 'E2E latency' }).first().click();
  await page.getByText('Set an SLO for Cp/Cpk/Pp/Ppk.').waitFor();
  await page.getByLabel('upper spec limit').fill('2600');
  await page.getByLabel('lower spec limit').fill('1400');
  await page.getByLabel('lower spec limit').blur();
  await page.getByTestId('stat-cpk').waitFor();
  const cpk = Number(await page.getByTestId('stat-cpk').textContent());
  assert.ok(cpk > 1, `Cpk of a 2000 ms process within 1400..2600 ms: ${cpk}`);
  const stored = await server.api('GET', '/api/series/openai/gpt-4o-mini/e2e_ms/slo');
  assert.equal(stored.usl, 2600);
  assert.equal(stored.lsl, 1400);
  await page.reload();
  await page.locator('button.series-item', { hasText: 'E2E latency' }).first().click();
  await page.getByTestId('stat-cpk').waitFor();
  assert.equal(await page.getByLabel('upper spec limit').inputValue(), '2600', 'the stored SLO is shown after a reload');
  await page.screenshot({ path: path.join(artifacts, '05-slo.png'), fullPage: true });

  step('a baseline size in Series settings asks before starting a new stage');
  const settings = page.getByRole('form', { name: 'series settings' });
  await settings.getByLabel(/Baseline B/).fill('30');
  await settings.getByRole('button', { name: 'Save settings' }).click();
  const ask = page.getByRole('alertdialog', { name: 'Start a new stage?' });
  await ask.getByText('This changes the limits: start a new stage?', { exact: false }).waitFor();
  await ask.getByRole('button', { name: 'Start new stage' }).click();
  await page.getByTestId('settings-saved').waitFor();
  await page.getByTestId('settings-baseline-source').getByText('30 (override)').waitFor();
  const overridden = await server.api('GET', '/api/series/openai/gpt-4o-mini/e2e_ms/settings');
  assert.equal(overridden.source.baseline, 'override');
  assert.equal(overridden.stage.baseline, 30, 'the new stage learns 30 points');
  assert.equal(overridden.stage.learning, true);
  await page.screenshot({ path: path.join(artifacts, '05b-series-settings.png'), fullPage: true });

  step('the Cost view charts and lists the spend per model (a hostile name as text) and edits a price');
  const hostile = '<img src=x onerror=window.__pwned=1>';
  await server.post([{ provider: 'openai', model: hostile, latency_ms: 900, cost_usd: 0.01 }]);
  await page.getByRole('navigation', { name: 'view' }).getByRole('button', { name: 'Cost' }).click();
  await page.getByTestId('cost-table').waitFor();
  const chart = page.getByTestId('cost-chart');
  await chart.locator('canvas').waitFor();
  const legend = await chart.locator('.u-legend').textContent();
  assert.ok(legend.includes('openai/gpt-4o-mini') && legend.includes(`openai/${hostile}`), `the chart's legend: ${legend}`);
  assert.equal(await page.locator('section.cost img').count(), 0, 'a model name is text, not markup');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.getByTestId('cost-total').first().textContent(), '$0.0600', '30 calls at $0.002');
  const row = page.getByTestId('price-table').locator('tr', { hasText: 'openai/gpt-4o-mini' });
  await row.getByText(/built-in/).waitFor();
  await page.getByLabel('input price of openai/gpt-4o-mini').fill('1.5');
  await page.getByLabel('output price of openai/gpt-4o-mini').fill('6');
  await row.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('price-table').locator('tr', { hasText: 'openai/gpt-4o-mini' }).getByText(/^\d{4}-\d\d-\d\dT/).waitFor();
  const prices = await server.api('GET', '/api/prices');
  const edited = prices.prices.find((p) => p.provider === 'openai' && p.model === 'gpt-4o-mini');
  assert.equal(edited.source, 'store');
  assert.equal(edited.input_usd_per_mtok, 1.5);
  await page.screenshot({ path: path.join(artifacts, '06-cost.png'), fullPage: true });

  assert.deepEqual(opened.errors, [], 'no errors in the page');
  console.log('PASS: series SLO and cost end to end');
} catch (e) {
  console.error('FAIL:', e);
  await failureScreenshot(page, 'failure-series-cost.png');
  process.exitCode = 1;
} finally {
  await browser?.close();
  await server?.stop();
}
