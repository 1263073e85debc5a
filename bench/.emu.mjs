import { chromium } from 'playwright-core';
import { chromiumArgs } from '../tests/e2e/harness.mjs';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
for (let i = 0; i < 3; i++) {
const context = await browser.newContext();
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 100, downloadThroughput: 10e6 / 8, uploadThroughput: 10e6 / 8 });
const t0 = Date.now();
const ev = [];
context.on('requestfinished', (r) => ev.push([Date.now() - t0, r.url().slice(-40)]));
await page.goto(`${process.env.APP_URL}/package/sigstore`);
await page.locator('[data-verdict="verified"]').waitFor({ timeout: 30000 });
const ms = await page.evaluate(() => new Promise((resolve) => { const poll = () => { const m = performance.getEntriesByName('report-rendered')[0]; if (m) resolve(m.startTime); else setTimeout(poll, 10); }; poll(); }));
console.log('panel', ms.toFixed(0));
if (i == 2) for (const e of ev) console.log(e.join(' '));
await context.close();
}
await browser.close();
