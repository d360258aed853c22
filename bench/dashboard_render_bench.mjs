// The dashboard in headless Chromium against a real `llmscope serve` holding one series of
// 43,200 samples (a day at about one point per 2 s), posted in batches before the page opens
// (with the key and the 24 h window already chosen, as a returning visitor has them). Prints,
// over RUNS page loads (default 5): the time from the chart's data request to the first draw of
// all 43,200 points (fetch + JSON parse + model + uPlot draw; target ≤ 300 ms) split into its
// parts by Resource Timing and the page's marks, and the time from page navigation to that draw; then, over LIVE samples (default 20) posted one at a time, the time from the sample's
// arrival on the stream to the redraw that shows it, and from the POST to that redraw.
//
// With `windows` as the second argument it measures instead the paint of each window of a long
// history under a running probe: the server runs its simulated probe, one series holds DAYS
// (default 90) days at one sample per STEP_S (default 60) seconds, and for each of the 1 h,
// 24 h, 7 d, 30 d and 90 d windows, over RUNS fresh page loads of the series' link
// (`#/series/bench/history/e2e_ms?window=…`), it prints the time from navigation to the chart's
// first draw of that window (target ≤ 300 ms each), the data request's share, and the points.
//
// Usage (after scripts/build.sh, with web/ built and npm ci done in web/):
//   node bench/dashboard_render_bench.mjs build/src/app/llmscope
//   node bench/dashboard_render_bench.mjs build/src/app/llmscope windows
import { inControlSamples, launchChromium, startServer } from '../web/e2e/harness.mjs';

const binary = process.argv[2] ?? 'build/src/app/llmscope';
const mode = process.argv[3] ?? 'day';
const RUNS = Number(process.env.RUNS ?? 5);
const LIVE = Number(process.env.LIVE ?? 20);
const N = 43200;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `median ${median(xs).toFixed(1)} ms, min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}`;

if (mode === 'windows') await windowsBench();
else await dayBench();

async function windowsBench() {
  const DAYS = Number(process.env.DAYS ?? 90);
  const STEP_S = Number(process.env.STEP_S ?? 60);
  const WINDOWS = [['1h', 1], ['24h', 24], ['7d', 168], ['30d', 720], ['90d', 2160]].filter(([, h]) => h <= DAYS * 24);
  // The simulated probe runs (no --no-probe): the paints are timed under its load.
  const server = await startServer({ binary, env: { LLMSCOPE_STORE_RETENTION_DAYS: String(DAYS + 2) } });
  const browser = await launchChromium({ viewport: { width: 1400, height: 900 } });
  try {
    const t0 = Date.now();
    const n = Math.floor((DAYS * 86400) / STEP_S);
    const endMs = Date.now();
    for (let i = 0; i < n; i += 40000) {
      const part = inControlSamples({ provider: 'bench', model: 'history', n: Math.min(40000, n - i), stepMs: STEP_S * 1000, endMs: endMs - (n - Math.min(n, i + 40000)) * STEP_S * 1000 });
      await server.post(part);
    }
    console.log(`prefilled ${n} samples (${DAYS} days, one per ${STEP_S} s) in ${((Date.now() - t0) / 1000).toFixed(1)} s; the simulated probe runs`);
    await browser.context.addInitScript((key) => localStorage.setItem('llmscope.apiKey', key), server.key);
    const page = await browser.context.newPage();
    console.log('window  navigation -> chart drawn (median, min, max)   data request -> drawn (median)   points');
    for (const [name, hours] of WINDOWS) {
      const fromNavigation = [], fromRequest = [];
      let points = 0;
      for (let run = 0; run < RUNS; run++) {
        await page.goto('about:blank');
        await page.goto(`${server.base}/#/series/bench/history/e2e_ms?window=${name}`);
        const m = await page.waitForFunction((h) => {
          const drawn = performance.getEntriesByName('llmscope:chart-drawn').at(-1);
          const asked = performance.getEntriesByName('llmscope:data-requested').at(-1);
          const loaded = performance.getEntriesByName('llmscope:data-loaded').at(-1);
          const fetched = performance.getEntriesByType('resource').some((e) => e.name.includes(`hours=${h}&`) && e.name.includes('model=history'));
          if (!drawn || !asked || !loaded || !fetched || drawn.startTime < loaded.startTime || drawn.detail.points === 0) return null;
          return { drawn: drawn.startTime, asked: asked.startTime, points: drawn.detail.points };
        }, hours, { polling: 5, timeout: 60000 }).then((h) => h.jsonValue());
        fromNavigation.push(m.drawn);
        fromRequest.push(m.drawn - m.asked);
        points = m.points;
      }
      console.log(
        `${name.padEnd(6)}  ${median(fromNavigation).toFixed(0).padStart(5)} ms (${Math.min(...fromNavigation).toFixed(0)}, ${Math.max(...fromNavigation).toFixed(0)})` +
          `${''.padEnd(22)}${median(fromRequest).toFixed(0).padStart(5)} ms${''.padEnd(22)}${points}`,
      );
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function dayBench() {
  const server = await startServer({ binary, args: ['--no-probe'] });
  const browser = await launchChromium({ viewport: { width: 1400, height: 900 } });
  try {
    const t0 = Date.now();
    // 1.99 s apart: all of them stay inside the last 24 h for the few minutes the bench runs.
    await server.post(inControlSamples({ provider: 'bench', model: 'day', n: N, stepMs: 1990 }));
    console.log(`prefilled ${N} samples in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const context = browser.context;
    // The key and the 24 h window as a returning visitor has them: the first chart is the day.
    await context.addInitScript((key) => {
      localStorage.setItem('llmscope.apiKey', key);
      localStorage.setItem('llmscope.window', '24h');
    }, server.key);
    const page = await context.newPage();
    const firstDraw = [], afterData = [], fromNavigation = [], fetchOnly = [], beforeFetch = [], parse = [];
    for (let run = 0; run < RUNS; run++) {
      await page.goto(server.base + '/');
      const m = await page.waitForFunction((n) => {
        const drawn = performance.getEntriesByName('llmscope:chart-drawn').at(-1);
        const asked = performance.getEntriesByName('llmscope:data-requested').at(-1);
        const loaded = performance.getEntriesByName('llmscope:data-loaded').at(-1);
        if (!drawn || !asked || !loaded || drawn.detail.points !== n || loaded.detail.points !== n) return null;
        const fetched = performance.getEntriesByType('resource').filter((e) => e.name.includes('hours=24&')).at(-1);
        return {
          drawn: drawn.startTime,
          asked: asked.startTime,
          loaded: loaded.startTime,
          fetchStart: fetched?.startTime ?? NaN,
          fetchEnd: fetched?.responseEnd ?? NaN,
        };
      }, N, { polling: 5, timeout: 60000 }).then((h) => h.jsonValue());
      fetchOnly.push(m.fetchEnd - m.fetchStart);
      beforeFetch.push(m.fetchStart - m.asked);
      parse.push(m.loaded - m.fetchEnd);
      firstDraw.push(m.drawn - m.asked);
      afterData.push(m.drawn - m.loaded);
      fromNavigation.push(m.drawn);
    }
    console.log(`first render of ${N} points, data request -> drawn: ${fmt(firstDraw)}  (target <= 300 ms)`);
    console.log(`  of which before the request started: ${fmt(beforeFetch)}`);
    console.log(`  of which the HTTP exchange (request started -> last byte, Resource Timing): ${fmt(fetchOnly)}`);
    console.log(`  of which the body reaching the page + JSON parse + chart model: ${fmt(parse)}`);
    console.log(`  of which rendering after the model was ready (React + uPlot draw): ${fmt(afterData)}`);
    console.log(`page navigation -> first render of the ${N} points: ${fmt(fromNavigation)}`);

    await page.getByTestId('stream-state').filter({ hasText: 'open' }).waitFor();
    const streamToDraw = [], postToDraw = [];
    for (let i = 0; i < LIVE; i++) {
      const before = await page.evaluate(() => performance.getEntriesByName('llmscope:chart-drawn').at(-1).detail.points);
      const postedAt = await page.evaluate(() => performance.now());
      await server.api('POST', '/api/stats', { provider: 'bench', model: 'day', latency_ms: 2000 });
      const m = await page.waitForFunction((n) => {
        const drawn = performance.getEntriesByName('llmscope:chart-drawn').at(-1);
        const live = performance.getEntriesByName('llmscope:live-sample').at(-1);
        if (!drawn || !live || drawn.detail.points <= n || drawn.startTime < live.startTime) return null;
        return { drawn: drawn.startTime, live: live.startTime };
      }, before, { polling: 'raf', timeout: 10000 }).then((h) => h.jsonValue());
      streamToDraw.push(m.drawn - m.live);
      postToDraw.push(m.drawn - postedAt);
    }
    console.log(`live update of a ${N}-point chart, sample on the stream -> redrawn: ${fmt(streamToDraw)}`);
    console.log(`  POST /api/stats -> redrawn in the page: ${fmt(postToDraw)}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}
