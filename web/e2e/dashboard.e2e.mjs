// End to end: the built dashboard, embedded in the real `llmscope serve` (simulated provider on,
// baseline of 20 points), driven in Debian's Chromium through playwright-core. Proves: the key
// is asked for once and kept; the chart draws points and limits; an R1 violation forced through
// POST /api/stats reaches the log (an info-level chart signal: the log shows alerts only by
// default, so the run picks "all severities") and its modal opens with the context chart;
// acknowledging it survives a reload; an alert link (/#/violations/<id>) opens it over its
// series; the violations and samples CSV downloads hold the rows; a
// live sample grows the chart; two series are compared; a new stage (after its confirmation)
// restarts learning; the error rate as a p-chart with the live chart's state; a provider named
// like HTML is shown as text and runs nothing; with more than six sources the page opens on the
// overview of all sources, whose rows open their charts; the page fits a phone; a fresh start
// with the demo day (a second server, the README's first command) shows a day of violations on
// the first page load, and its delete button removes them.
// Screenshots go to LLMSCOPE_ARTIFACTS (default build/test-artifacts/web-e2e).
//
// Usage: node e2e/dashboard.e2e.mjs <path to llmscope> (or npm run e2e -- <path>; or the path in
// LLMSCOPE_BINARY). Without Chromium it exits 77 (skipped), unless CI=true, where a missing
// Chromium is a failure.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  artifactsDir,
  enterKey,
  failureScreenshot,
  inControlSamples,
  launchChromium,
  newPage,
  openDashboard,
  requireChromium,
  scriptArgs,
  skipSetup,
  startServer,
  step,
} from './harness.mjs';

const [binary] = scriptArgs('dashboard.e2e.mjs');
requireChromium();
const artifacts = artifactsDir();
const EVIL = '<img src=x onerror=alert(1)>';
const MODEL = 'e2e-model';
// No screenshot of an earlier run is left to mislead. Only this script's own files go: the other
// e2e scripts, run beside it, write theirs to the same folder.
const SHOTS = ['01-chart.png', '02-violation-modal.png', '02b-violation-link.png', '03-compare.png',
  '04-phone.png', '05-overview.png', '05-demo-day.png', 'failure-dashboard.png'];
for (const f of SHOTS) rmSync(path.join(artifacts, f), { force: true });

let server;
let demoServer;
let browser;
let page;
try {
  server = await startServer({ binary, env: { LLMSCOPE_SPC_BASELINE: '20' }, args: ['--demo=false'] });
  const index = await (await fetch(server.base + '/')).text();
  assert.match(index, /<div id="root">/, 'the binary serves the built dashboard (web/dist was embedded)');

  step('baseline of 20 points and a spike (R1) for a provider named like HTML');
  await server.post(inControlSamples({ provider: EVIL, model: MODEL, n: 30, stepMs: 1000 }));
  await server.api('POST', '/api/stats', { provider: EVIL, model: MODEL, latency_ms: 40000, cpu_percent: 97 });
  const logged = await server.api('GET', `/api/violations?rule=R1&model=${MODEL}`);
  assert.ok(logged.count >= 1, 'the server logged the R1 violation');

  browser = await launchChromium({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  const opened = await newPage(browser.context);
  page = opened.page;
  const dialogs = [];
  page.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));

  step('the key is asked for; a wrong one is refused in plain words');
  await page.goto(server.base + '/');
  await enterKey(page, 'not-the-key');
  await page.getByRole('alert').filter({ hasText: '401' }).waitFor();
  await enterKey(page, server.key);
  // No target of its own (only the demo): the setup wizard opens; this run skips it.
  await skipSetup(page);

  step('the chart of the HTML-named series draws points and limits');
  await page.locator('.source-name', { hasText: `${EVIL} / ${MODEL}` }).waitFor();
  await page
    .locator('.series-list > li', { has: page.locator('.source-name', { hasText: `${EVIL} / ${MODEL}` }) })
    .locator('button.series-item', { hasText: 'E2E latency' })
    .click();
  await page.locator('.chart-head h2', { hasText: `${EVIL} / ${MODEL}` }).waitFor();
  const chart = page.getByTestId('control-chart');
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="control-chart"]');
    return el && Number(el.dataset.points) >= 31 && Number(el.dataset.limits) >= 1 && Number(el.dataset.markers) >= 1;
  });
  // The canvas holds drawn pixels: the limit lines' amber (#E69F00) and the points' blue.
  const colours = await chart.locator('canvas').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let amber = 0;
    let blue = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] > 200 && d[i + 1] > 140 && d[i + 1] < 175 && d[i + 2] < 40) amber++;
      if (d[i] < 150 && d[i + 1] > 160 && d[i + 2] > 230) blue++;
    }
    return { amber, blue };
  });
  assert.ok(colours.amber > 200, `limit lines drawn (${colours.amber} amber pixels)`);
  assert.ok(colours.blue > 50, `points drawn (${colours.blue} blue pixels)`);
  assert.equal(await page.locator('img').count(), 0, 'no <img> element came from a name');
  await page.screenshot({ path: path.join(artifacts, '01-chart.png'), fullPage: true });

  step('a live sample grows the chart without a reload');
  await page.getByTestId('stream-state').filter({ hasText: 'open' }).waitFor();
  const before = Number(await chart.getAttribute('data-points'));
  await server.api('POST', '/api/stats', { provider: EVIL, model: MODEL, latency_ms: 2010 });
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="control-chart"]').dataset.points) > n, before);

  step('the violation is in the log (all severities: R1 is info-level); its modal opens with the context chart');
  await page.getByLabel('severity filter').selectOption({ label: 'all severities' });
  const row = page.locator('table.violations tbody tr', { hasText: 'R1' }).filter({ hasText: MODEL }).first();
  await row.waitFor();
  assert.match(await row.innerText(), /<img src=x onerror=alert\(1\)>/);
  assert.match(await row.locator('.severity').innerText(), /\binfo\b/, 'R1 is an info-level chart signal');
  await row.click();
  const modal = page.getByRole('dialog', { name: 'violation' });
  await modal.getByTestId('context-chart').waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="context-chart"]').dataset.points) >= 11);
  await modal.getByText('UCL').waitFor();
  await page.screenshot({ path: path.join(artifacts, '02-violation-modal.png') });

  step('acknowledging survives a reload');
  await modal.getByRole('button', { name: 'Acknowledge' }).click();
  await modal.getByTestId('modal-status').filter({ hasText: 'acknowledged' }).waitFor();
  await modal.getByRole('button', { name: 'close' }).click();
  await page.reload();
  await page.getByLabel('severity filter').selectOption({ label: 'all severities' });
  const rowAfter = page.locator('table.violations tbody tr', { hasText: 'R1' }).filter({ hasText: MODEL }).first();
  await rowAfter.locator('.vstatus', { hasText: 'acknowledged' }).waitFor();
  assert.equal(await page.getByLabel('API key').count(), 0, 'the key was kept: no prompt after reload');

  step("an alert link (/#/violations/<id>) opens the violation's modal over its series; closing shows that chart");
  const violationId = logged.violations[0].id;
  await page.goto('about:blank');
  const spcAsked = page.waitForRequest((r) => r.url().includes('/api/stats/spc?') && r.url().includes('max_points='));
  await page.goto(`${server.base}/#/violations/${violationId}`);
  const linked = page.getByRole('dialog', { name: 'violation' });
  await linked.getByTestId('context-chart').waitFor();
  await page.locator('.chart-head h2', { hasText: `${EVIL} / ${MODEL}` }).waitFor();
  const asked = new URL((await spcAsked).url()).searchParams;
  assert.equal(asked.get('provider'), EVIL);
  assert.ok(Number(asked.get('max_points')) >= 200 && Number(asked.get('max_points')) <= 4000, asked.toString());
  await linked.getByRole('button', { name: 'close' }).click();
  await page.waitForFunction(
    (prefix) => window.location.hash.startsWith(prefix),
    `#/series/${encodeURIComponent(EVIL)}/${MODEL}/e2e_ms?window=`,
  );
  await page.getByText('UCL', { exact: true }).first().waitFor(); // the limits named in the statistics
  await page.screenshot({ path: path.join(artifacts, '02b-violation-link.png') });
  await page.getByLabel('severity filter').selectOption({ label: 'all severities' }); // the CSV below exports R1

  step('CSV downloads hold the rows');
  await page
    .locator('.series-list > li', { has: page.locator('.source-name', { hasText: `${EVIL} / ${MODEL}` }) })
    .locator('button.series-item', { hasText: 'E2E latency' })
    .click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="control-chart"]')?.dataset.points) >= 32);
  const [violationsCsv] = await Promise.all([page.waitForEvent('download'), page.getByText('Violations CSV').click()]);
  const vLines = readFileSync(await violationsCsv.path(), 'utf8').trim().split('\n');
  assert.match(vLines[0], /^id,provider,model,/);
  assert.ok(vLines.some((l) => l.includes(`${EVIL},${MODEL}`) && l.includes(',R1,') && l.includes('acknowledged')), vLines.join('\n'));
  const [samplesCsv] = await Promise.all([page.waitForEvent('download'), page.getByText('Samples CSV').click()]);
  const sLines = readFileSync(await samplesCsv.path(), 'utf8').trim().split('\n');
  assert.match(sLines[0], /^id,time,provider,model,/);
  assert.equal(sLines.filter((l) => l.includes(MODEL)).length, 32, 'every sample of the series is in the CSV');
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByText('Chart PNG').click()]);
  assert.equal(readFileSync(await png.path()).subarray(1, 4).toString(), 'PNG');

  step('the simulated provider is charted too; two series compared on one time axis');
  await page.locator('.source-name', { hasText: 'simulated / sim-llm' }).waitFor({ timeout: 20000 });
  await page.getByRole('button', { name: 'Compare' }).click();
  const compare = page.getByRole('region', { name: 'comparison' });
  await compare.locator('table.compare-summary tbody tr').nth(1).waitFor();
  assert.equal(await compare.locator('table.compare-summary tbody tr').count(), 2);
  await compare.getByTestId('compare-chart').locator('canvas').waitFor();
  await page.screenshot({ path: path.join(artifacts, '03-compare.png') });

  step('a series link without the site and profile opens the listed source it means, then names it whole');
  const simName = await page.locator('.source-name', { hasText: 'simulated / sim-llm' }).first().textContent();
  const simLabel = simName.slice(simName.indexOf('simulated')).trim(); // without the state's sign
  assert.match(simLabel, /[@#]/, `the simulated source has a site or profile to leave out: ${simLabel}`);
  await page.goto('about:blank'); // opened from elsewhere, as a link in a chat is
  await page.goto(`${server.base}/#/series/simulated/sim-llm/e2e_ms`);
  await page.locator('.chart-head h2', { hasText: simLabel }).waitFor();
  await page.waitForFunction(() => /[?&](site|profile)=/.test(window.location.hash));
  await page.getByRole('button', { name: 'Compare' }).click();
  await compare.locator('table.compare-summary tbody tr').nth(1).waitFor();

  step('each page has its address: a reload stays on it, Back returns to the chart');
  await page.waitForFunction(() => window.location.hash === '#/compare');
  await page.reload();
  await page.getByRole('region', { name: 'comparison' }).waitFor();
  await page.getByRole('button', { name: 'Alerts', exact: true }).click();
  await page.waitForFunction(() => window.location.hash === '#/alerts');
  await page.goBack();
  await page.getByRole('region', { name: 'comparison' }).waitFor();
  await page.goBack();
  await page.waitForFunction(() => window.location.hash.startsWith('#/series/'));
  await page.getByTestId('control-chart').waitFor();
  await page.getByRole('button', { name: 'Compare' }).click();
  await compare.locator('table.compare-summary tbody tr').nth(1).waitFor();

  step('a new stage, after a confirmation, sends the series back to learning');
  await page
    .locator('.series-list > li', { has: page.locator('.source-name', { hasText: `${EVIL} / ${MODEL}` }) })
    .locator('button.series-item', { hasText: 'E2E latency' })
    .click();
  await page.getByRole('button', { name: 'New stage' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Start new stage' }).click();
  await page
    .locator('.series-list > li', { has: page.locator('.source-name', { hasText: `${EVIL} / ${MODEL}` }) })
    .locator('button.series-item', { hasText: 'E2E latency' })
    .locator('.status-learning')
    .waitFor();
  const series = await server.api('GET', '/api/series');
  assert.equal(series.series.find((s) => s.provider === EVIL && s.metric === 'e2e_ms').state, 'learning');

  step('the error rate as a p-chart of subgroups');
  await page.getByRole('button', { name: 'Error rate (p-chart)', exact: true }).click();
  await page.getByText('subgroups of 20 calls').waitFor();
  // The server's live p-chart of the source: its baseline (one subgroup at this B of 20) had no failure.
  await page.getByText(/live chart \(stage 0\): p̄ = 0, limits not estimable/).waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="control-chart"]')?.dataset.points) >= 1);

  step('more than six sources: the page opens on the overview, names as text, a row opens its chart');
  const many = Array.from({ length: 7 }, (_, i) => `many-${i}`);
  for (const model of many) await server.post(inControlSamples({ provider: EVIL, model, n: 25, stepMs: 1000 }));
  await page.goto(server.base + '/');
  const overview = page.getByRole('region', { name: 'overview of all sources' });
  await overview.waitFor();
  await page.waitForFunction(() => window.location.hash === '#/overview');
  await overview.getByTestId('overview-row').nth(8).waitFor(); // 7 + the HTML-named source + the simulated one
  const manyRow = overview.getByTestId('overview-row').filter({ hasText: `${EVIL} / many-3` });
  assert.equal(await manyRow.locator('th').textContent(), `${EVIL} / many-3`, 'the name is shown as text');
  assert.match(await manyRow.locator('td').nth(2).textContent(), /^\d+ ms$/, 'p50 of the recent calls');
  assert.ok((await manyRow.locator('polyline').getAttribute('points')).split(' ').length >= 2, 'a sparkline is drawn');
  await page.screenshot({ path: path.join(artifacts, '05-overview.png') });
  await manyRow.getByRole('button').click();
  await page.locator('.chart-head h2', { hasText: `${EVIL} / many-3` }).waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="control-chart"]')?.dataset.points) >= 25);
  assert.match(page.url(), /#\/series\/.*\/many-3\/e2e_ms/);

  step('the phone layout');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(artifacts, '04-phone.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling at phone width (overflow ${overflow}px)`);

  step('a fresh start fills the past day: the first page load shows violations; delete removes them');
  demoServer = await startServer({ binary, startMs: 90000 });
  const demo = await newPage(browser.context);
  const demoPage = demo.page;
  // A store with no target of its own opens the setup wizard over the demo day; skip it.
  await openDashboard(demoPage, demoServer);
  await demoPage.locator('.source-name', { hasText: 'simulated / sim-llm' }).waitFor();
  // The log's default view (alerts): the day's slowdown and outage.
  await demoPage.locator('table.violations tbody tr', { hasText: 'SHIFT' }).first().waitFor();
  await demoPage.locator('table.violations tbody tr', { hasText: 'ERRORS' }).first().waitFor();
  await demoPage.waitForFunction(() => Number(document.querySelector('[data-testid="control-chart"]')?.dataset.points) >= 100);
  await demoPage.screenshot({ path: path.join(artifacts, '05-demo-day.png'), fullPage: true });
  await demoPage.getByRole('button', { name: 'Demo data — delete' }).click();
  await Promise.all([
    demoPage.waitForEvent('load'),
    demoPage.getByRole('alertdialog').getByRole('button', { name: 'Delete demo data' }).click(),
  ]);
  // The live probe goes on: its series is back within a call or two, learning anew.
  await demoPage.locator('.source-name', { hasText: 'simulated / sim-llm' }).waitFor({ timeout: 20000 });
  assert.equal(await demoPage.getByRole('button', { name: 'Demo data — delete' }).count(), 0, 'no demo data: no button');
  assert.equal((await demoServer.api('GET', '/api/demo')).demo, false);
  assert.equal((await demoServer.api('GET', '/api/violations')).count, 0, 'the day\'s violations are gone');

  assert.deepEqual(dialogs, [], 'no script from a name ran');
  assert.deepEqual([...opened.errors, ...demo.errors], [], 'no errors in the pages');
  console.log('PASS: dashboard end to end');
} catch (e) {
  console.error('FAIL:', e);
  await failureScreenshot(page, 'failure-dashboard.png');
  process.exitCode = 1;
} finally {
  await browser?.close();
  await server?.stop();
  await demoServer?.stop();
}
