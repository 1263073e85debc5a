// The lockfile audit of N synthetic packages (REGISTRY_URL/synthetic, each
// with testkit-signed provenance and publish attestation), three ways, in
// one run: the app's /audit page in Chromium (SYNTHETIC_APP_URL, a fresh
// browser context each time so the browser's cache is empty), and
// sigstore-js on Node verifying the same bundles (the engine
// `npm audit signatures` uses; verification alone, documents fetched
// before the clock starts). The command line is timed by scripts/bench.sh.
// Prints `BENCH name value` lines.
import { chromium } from 'playwright-core';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { chromiumArgs } from '../tests/e2e/harness.mjs';

const n = Number(process.env.AUDIT_PACKAGES || 1000);
const registry = process.env.REGISTRY_URL;
const lockfile = await (await fetch(`${registry}/-/test/audit-lockfile.json?n=${n}`)).text();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };

// 1. The app: paste, Audit, until every row is in; the main thread's longest
// task meanwhile; the page's JavaScript heap at the end.
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: chromiumArgs });
const runs = [];
for (let i = 0; i < 3; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${process.env.SYNTHETIC_APP_URL}/audit`);
  // Opened as a file, as people do (typing 300 kB into a textarea is not).
  await page.locator('input[type=file]').setInputFiles({ name: 'package-lock.json', mimeType: 'application/json', buffer: Buffer.from(lockfile) });
  await page.waitForFunction((len) => document.querySelector('[data-testid=lockfile]').value.length === len, lockfile.length);
  // The verifier's first worker is started by the page; let it load first,
  // as it does while someone picks a file.
  await page.waitForTimeout(1500);
  await page.evaluate(() => { window.__longest = 0; });
  const start = Date.now();
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.waitForFunction((total) => {
    const p = document.querySelector('[data-testid=audit-progress] progress');
    return p && Number(p.max) === total && Number(p.value) === total;
  }, n, { timeout: 300000, polling: 50 });
  const ms = Date.now() - start;
  const verified = await page.evaluate(() => document.querySelector('[data-testid=audit-summary] h2').textContent);
  if (!verified.startsWith(`${n} of ${n}`)) throw new Error(`the audit did not verify every package: ${verified}`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics').catch(() => ({ metrics: [] }))).metrics?.map((m) => [m.name, m.value]) ?? []);
  runs.push({ ms, longest: await page.evaluate(() => window.__longest), heap: metrics.JSHeapUsedSize ?? 0 });
  await context.close();
}
await browser.close();
console.log(`BENCH app_ms ${median(runs.map((r) => r.ms))}`);
console.log(`BENCH app_longest_task_ms ${Math.max(...runs.map((r) => r.longest)).toFixed(0)}`);
console.log(`BENCH app_heap_mb ${(median(runs.map((r) => r.heap)) / 1048576).toFixed(1)}`);

// 2. sigstore-js on the same bundles, trusting the same (testkit) root and key.
const root = TrustedRoot.fromJSON(JSON.parse(await (await fetch(`${registry}/-/test/trusted-root.json`)).text()));
const keysDoc = await (await fetch(`${registry}/-/test/keys.json`)).json();
const keys = Object.fromEntries(keysDoc.keys.map((k) => [k.keyid, {
  rawBytes: Buffer.from(k.key ?? k.publicKey?.rawBytes, 'base64'),
  keyDetails: 'PKIX_ECDSA_P256_SHA_256',
  validFor: { start: new Date(0), end: new Date('2100-01-01T00:00:00Z') },
}]));
const verifier = new Verifier(toTrustMaterial(root, keys));
const bundles = [];
for (let i = 0; i < n; i++) {
  const response = await (await fetch(`${registry}/synthetic/-/npm/v1/attestations/audit-${i}@1.0.0`)).json();
  for (const a of response.attestations) bundles.push(JSON.stringify(a.bundle));
}
const verifyAll = () => { for (const b of bundles) verifier.verify(toSignedEntity(bundleFromJSON(JSON.parse(b)))); };
verifyAll(); // warm-up: the same code the timed runs use
const times = [];
for (let i = 0; i < 3; i++) {
  const start = process.hrtime.bigint();
  verifyAll();
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
console.log(`BENCH sigstore_js_ms ${median(times).toFixed(0)}`);
console.log(`BENCH packages ${n}`);
