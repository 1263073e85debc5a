// The app in Chromium against the local registry: time from navigation to
// the rendered verified panel (median of 10 loads, each in a fresh browser
// context), and a 100-version history verified while the page stays
// responsive (longest main-thread task and longest frame gap meanwhile), and
// the same history scrolled through in an ordinary window.
// Prints `BENCH name value` lines.
import { chromium } from 'playwright-core';
import { chromiumArgs } from '../tests/e2e/harness.mjs';

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: chromiumArgs });

/** Time from navigation to the rendered panel (the app marks "report-rendered"). */
const panelTime = (page) => page.evaluate(() => new Promise((resolve) => {
  const poll = () => {
    const mark = performance.getEntriesByName('report-rendered')[0];
    if (mark) resolve(mark.startTime); else setTimeout(poll, 10);
  };
  poll();
}));

// 1. Navigation to the rendered panel.
const loads = [];
for (let i = 0; i < 10; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${process.env.APP_URL}/package/sigstore`);
  await page.locator('[data-verdict="verified"]').waitFor({ timeout: 30000 });
  await page.getByTestId('provenance-panel').waitFor();
  loads.push(await panelTime(page));
  await context.close();
}
loads.sort((a, b) => a - b);
console.log(`BENCH panel_ms_median ${((loads[4] + loads[5]) / 2).toFixed(0)}`);
console.log(`BENCH panel_ms_first ${loads.length ? loads[0].toFixed(0) : 'NaN'}`);

// 1a. The same over a slower network: Chromium's emulation, 100 ms added to
// every round trip and 10 Mbit/s each way, which applies to the page's
// requests and its workers' (the verifier's module and the registry's
// documents arrive at the emulated rate). Median of 5 cold loads of `url`.
async function slowNetworkPanel(url) {
  const slow = [];
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 100, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8,
    });
    await page.goto(url);
    await page.locator('[data-verdict="verified"]').waitFor({ timeout: 60000 });
    slow.push(await panelTime(page));
    await context.close();
  }
  slow.sort((a, b) => a - b);
  return slow[2].toFixed(0);
}
console.log(`BENCH panel_slow_network_ms_median ${await slowNetworkPanel(`${process.env.APP_URL}/package/sigstore`)}`);
// 1a'. The same when the server names a TUF repository: the browser's own
// refresh from an empty cache (the root chain, timestamp, snapshot,
// targets) beside the registry's documents.
console.log(`BENCH panel_tuf_slow_network_ms_median ${await slowNetworkPanel(`${process.env.TUF_APP_URL}/package/trust-trusted-publisher/v/1.0.0`)}`);

// 1b. What the home page downloads (bytes on the wire, as the server encodes
// them for Chromium): no wasm, the app loads on first use (public/boot.js).
{
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${process.env.APP_URL}/`);
  await page.waitForLoadState('networkidle');
  const bytes = await page.evaluate(() => performance.getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'))
    .reduce((sum, e) => sum + e.encodedBodySize, 0));
  console.log(`BENCH home_page_bytes ${bytes}`);
  await context.close();
}

// 1c. What a first visit of a package page downloads from the app's own
// server (the page, its wasm and the verifier's, every request of the page
// and its workers; the registry's documents not counted).
{
  const context = await browser.newContext();
  const page = await context.newPage();
  const sizes = [];
  page.on('requestfinished', (r) => {
    if (r.url().startsWith(process.env.APP_URL)) sizes.push(r.sizes().then((s) => s.responseBodySize));
  });
  await page.goto(`${process.env.APP_URL}/package/sigstore`);
  await page.locator('[data-verdict="verified"]').waitFor({ timeout: 30000 });
  await page.waitForLoadState('networkidle');
  const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
  console.log(`BENCH package_page_bytes ${bytes}`);
  await context.close();
}

// 2. A 100-version history (synthetic registry), all rows in view at once.
const context = await browser.newContext({ viewport: { width: 1200, height: 9000 } });
const page = await context.newPage();
await page.addInitScript(() => {
  window.__longest = 0;
  window.__frameGap = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
  }).observe({ type: 'longtask', buffered: true });
});
await page.goto(`${process.env.SYNTHETIC_APP_URL}/package/bench-history`);
await page.locator('[data-verdict="verified"]').waitFor({ timeout: 30000 });
const result = await page.evaluate(() => new Promise((resolve) => {
  // From now on, measure: frame gaps and long tasks while the rows verify.
  window.__longest = 0;
  const start = performance.now();
  let last = start;
  const frame = (t) => {
    window.__frameGap = Math.max(window.__frameGap, t - last);
    last = t;
    const done = document.querySelectorAll('.history-table [data-status="verified"]').length;
    if (done >= 100) resolve({ ms: performance.now() - start, longest: window.__longest, gap: window.__frameGap, done });
    else requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}));
console.log(`BENCH history100_ms ${result.ms.toFixed(0)}`);
console.log(`BENCH longest_task_ms ${result.longest.toFixed(0)}`);
console.log(`BENCH longest_frame_gap_ms ${result.gap.toFixed(0)}`);
// 3. What a person sees: a 1200x900 window scrolled 40 px a frame down the
// history while its rows verify as they come into view.
{
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${process.env.SYNTHETIC_APP_URL}/package/bench-history`);
  await page.locator('[data-verdict="verified"]').waitFor({ timeout: 30000 });
  const scrolled = await page.evaluate(() => new Promise((resolve) => {
    let last = performance.now();
    const start = last;
    let gap = 0;
    const frame = (t) => {
      gap = Math.max(gap, t - last);
      last = t;
      window.scrollBy(0, 40);
      const done = document.querySelectorAll('.history-table [data-status="verified"]').length;
      if (done >= 100 || t - start > 30000) resolve({ gap, ms: t - start, done });
      else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }));
  console.log(`BENCH scroll_frame_gap_ms ${scrolled.gap.toFixed(0)}`);
  console.log(`BENCH scroll_history_ms ${scrolled.ms.toFixed(0)}`);
  await context.close();
}
await browser.close();
