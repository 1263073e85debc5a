// The lockfile audit of N synthetic packages (REGISTRY_URL/synthetic, each
// with testkit-signed provenance and publish attestation), in one run: the
// app's /audit page in Chromium (SYNTHETIC_APP_URL, a fresh browser profile
// each time so the browser's caches are empty, then once more in the same
// page, from the browser's cache), and sigstore-js on Node verifying the
// same bundles (the engine `npm audit signatures` uses; verification alone,
// documents fetched before the clock starts). The command line is timed by
// scripts/bench.sh. Prints `BENCH name value` lines.
//
// Chromium is driven over the DevTools protocol directly, with only the
// Runtime and Performance domains: Playwright enables the Network domain on
// the page and every worker, and reporting each of 2,000 requests to it cost
// the browser 1.3 to 1.6 s of the measured time (the same build: 6.9 s under
// Playwright, 5.3 s without), which no user pays.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { chromiumArgs } from '../tests/e2e/harness.mjs';

const n = Number(process.env.AUDIT_PACKAGES || 1000);
const registry = process.env.REGISTRY_URL;
const lockfile = await (await fetch(`${registry}/-/test/audit-lockfile.json?n=${n}`)).text();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * CPU time (ms) used so far by a process and all its descendants: Chromium's
 * browser, network, GPU and renderer processes (Linux /proc).
 */
function treeCpuMs(root) {
  const stats = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      stats.set(Number(pid), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch { /* ended meanwhile */ }
  }
  const inTree = (pid) => { for (let p = pid, i = 0; p > 1 && i < 64; p = stats.get(p)?.ppid ?? 0, i++) if (p === root) return true; return false; };
  let ticks = 0;
  for (const [pid, s] of stats) if (inTree(pid)) ticks += s.ticks;
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** Chromium with a fresh profile, spoken to over --remote-debugging-pipe. */
function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  const proc = spawn(process.env.CHROMIUM || '/usr/bin/chromium',
    [...chromiumArgs, '--headless=new', '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  const waiting = new Map();
  let id = 0;
  let buffered = '';
  proc.stdio[4].on('data', (chunk) => {
    buffered += chunk.toString();
    let end;
    while ((end = buffered.indexOf('\0')) >= 0) {
      const message = JSON.parse(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      const w = waiting.get(message.id);
      if (w) { waiting.delete(message.id); message.error ? w.reject(new Error(message.error.message)) : w.resolve(message.result); }
    }
  });
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const i = ++id;
    waiting.set(i, { resolve, reject });
    proc.stdio[3].write(JSON.stringify({ id: i, method, params, sessionId }) + '\0');
  });
  return {
    send,
    cpuMs: () => treeCpuMs(proc.pid),
    async page(url) {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      const on = (method, params) => send(method, params, sessionId);
      await on('Page.addScriptToEvaluateOnNewDocument', { source: `window.__longest = 0;
        new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration); })
          .observe({ type: 'longtask', buffered: true });` });
      await on('Page.navigate', { url });
      const evaluate = async (expression) => {
        const r = await on('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
        if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
        return r.result.value;
      };
      for (let i = 0; i < 200 && !(await evaluate(`!!document.querySelector('[data-testid=lockfile]')`).catch(() => false)); i++) await sleep(50);
      return { evaluate, on };
    },
    async close() {
      const exited = new Promise((r) => proc.once('exit', r));
      await send('Browser.close').catch(() => proc.kill());
      await exited;
      await sleep(500); // its helper processes end after it
      try { rmSync(profile, { recursive: true, force: true, maxRetries: 5 }); } catch { /* left in the temporary directory */ }
    },
  };
}

// Clicks Audit and waits for every row and the end of the run; the page's
// own clock.
const AUDIT = `new Promise((resolve) => {
  const start = performance.now();
  [...document.querySelectorAll('.audit button[type=submit]')][0].click();
  const poll = () => {
    const p = document.querySelector('[data-testid=audit-progress] progress');
    const idle = !document.querySelector('.audit button[type=submit]').disabled;
    if (p && Number(p.max) === ${n} && Number(p.value) === ${n} && idle) resolve(performance.now() - start);
    else setTimeout(poll, 10);
  };
  setTimeout(poll, 10);
})`;

// 1. The app: paste, Audit, until every row is in; the main thread's longest
// task meanwhile; the page's JavaScript heap at the end.
const runs = [];
let cached;
for (let i = 0; i < 3; i++) {
  const browser = launch();
  const page = await browser.page(`${process.env.SYNTHETIC_APP_URL}/audit`);
  await page.evaluate(`(() => { const t = document.querySelector('[data-testid=lockfile]');
    t.value = ${JSON.stringify(lockfile)}; t.dispatchEvent(new Event('input', { bubbles: true })); })()`);
  // The verifier's first worker is started by the page; let it load first,
  // as it does while someone picks a file.
  await sleep(1500);
  await page.evaluate('window.__longest = 0');
  const cpuBefore = browser.cpuMs();
  const ms = await page.evaluate(AUDIT);
  const cpu = browser.cpuMs() - cpuBefore;
  const verified = await page.evaluate(`document.querySelector('[data-testid=audit-summary] h2').textContent`);
  if (!verified.startsWith(`${n} of ${n}`)) throw new Error(`the audit did not verify every package: ${verified}`);
  await page.on('Performance.enable');
  const metrics = Object.fromEntries((await page.on('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  runs.push({ ms, cpu, longest: await page.evaluate('window.__longest'), heap: metrics.JSHeapUsedSize ?? 0 });
  if (i === 2) {
    // Once more in the same page: the documents now come from the browser's
    // cache (written after the first run; give it time to finish).
    await sleep(10000);
    cached = await page.evaluate(AUDIT);
  }
  await browser.close();
}
console.log(`BENCH app_ms ${median(runs.map((r) => r.ms)).toFixed(0)}`);
console.log(`BENCH app_cached_ms ${cached.toFixed(0)}`);
console.log(`BENCH app_longest_task_ms ${Math.max(...runs.map((r) => r.longest)).toFixed(0)}`);
console.log(`BENCH app_heap_mb ${(median(runs.map((r) => r.heap)) / 1048576).toFixed(1)}`);
console.log(`BENCH app_cpu_ms ${median(runs.map((r) => r.cpu)).toFixed(0)}`);

// 1b. The floor under the app's audit on this machine: the same 2,000
// documents fetched from the same page with fetch(), 12 at a time, not into
// the HTTP cache (as the app asks for them), nothing verified, in a fresh
// profile; wall time and the CPU of all of Chromium's processes (the
// registry's own CPU not counted, as a remote registry's is not).
{
  const browser = launch();
  const page = await browser.page(`${process.env.SYNTHETIC_APP_URL}/audit`);
  await sleep(1500);
  const cpuBefore = browser.cpuMs();
  const ms = await page.evaluate(`(async () => {
    const urls = [];
    for (let i = 0; i < ${n}; i++) urls.push('${registry}/synthetic/audit-' + i + '/1.0.0', '${registry}/synthetic/-/npm/v1/attestations/audit-' + i + '@1.0.0');
    let next = 0;
    const start = performance.now();
    const one = async () => { while (next < urls.length) { const r = await fetch(urls[next++], { cache: 'no-store' }); if (!r.ok) throw new Error(r.url + ' ' + r.status); await r.text(); } };
    await Promise.all(Array.from({ length: 12 }, one));
    return performance.now() - start;
  })()`);
  console.log(`BENCH fetch_floor_ms ${ms.toFixed(0)}`);
  console.log(`BENCH fetch_floor_cpu_ms ${(browser.cpuMs() - cpuBefore).toFixed(0)}`);
  await browser.close();
}

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
