import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-dev-shm-usage','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
page.on('pageerror', e => console.log('pageerror:', e.message)); page.on('console', m => { if (m.type() === 'error') console.log('console error:', m.text()); });
page.on('worker', w => { w.on('console', m => console.log('worker console:', m.text())); });
await page.goto(process.argv[2]);
for (let i = 0; i < 10; i++) {
  await page.waitForTimeout(1000);
  const t = await page.evaluate(() => document.querySelector('main').innerText.slice(0, 80).replace(/\n/g, ' | '));
  console.log(i, t);
}
await page.screenshot({ path: process.argv[3], fullPage: process.argv[4] === 'full' }); if (process.argv[5]) { await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight)); await page.waitForTimeout(3000); await page.screenshot({ path: process.argv[5] }); }
await browser.close();
