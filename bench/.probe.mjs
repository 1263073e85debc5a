// Timeline of a cold package-page visit: resources (page and workers, via CDP
// network events), marks, and the panel time. APP_URL required.
import { chromium } from 'playwright-core';
import { chromiumArgs } from '../tests/e2e/harness.mjs';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
const runs = Number(process.env.RUNS || 5);
const path = process.env.PAGE || '/package/sigstore';
const all = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const t0 = Date.now();
  const events = [];
  context.on('request', (r) => events.push([Date.now() - t0, 'req ', r.url().replace(process.env.APP_URL, '')]));
  context.on('requestfinished', (r) => events.push([Date.now() - t0, 'done', r.url().replace(process.env.APP_URL, '')]));
  await page.goto(`${process.env.APP_URL}${path}`);
  await page.locator('[data-verdict]').first().waitFor({ timeout: 30000 });
  const ms = await page.evaluate(() => new Promise((resolve) => {
    const poll = () => {
      const mark = performance.getEntriesByName('report-rendered')[0];
      if (mark) resolve(mark.startTime); else setTimeout(poll, 10);
    };
    poll();
  }));
  const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]));
  all.push(ms);
  if (i === runs - 1 || process.env.VERBOSE) {
    for (const e of events) console.log(e.join(' ').slice(0, 140));
    console.log('marks', JSON.stringify(marks));
  }
  await context.close();
}
all.sort((a, b) => a - b);
console.log('panel ms', all.map((x) => x.toFixed(0)).join(' '), 'median', all[Math.floor(all.length / 2)].toFixed(0));
await browser.close();
