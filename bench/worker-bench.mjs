// The app's own verification path in Chromium: requests posted to the real
// verification worker (wasm + WebCrypto pre-verification), timed round trip
// from the page. Needs the app served (APP_URL). Prints `BENCH name median_ms`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs } from '../tests/e2e/harness.mjs';

const fixtures = process.env.NPM_PROVENANCE_FIXTURES || path.resolve(new URL('.', import.meta.url).pathname, '../tests/fixtures');
const response = readFileSync(path.join(fixtures, 'attestations/sigstore@2.3.1.json'), 'utf8');
const doc = JSON.parse(response);
const single = (i) => JSON.stringify({ attestations: [doc.attestations[i]] });
const integrity = 'sha512-8G+/XDU8wNsJOQS5ysDVO0Etg9/2uA5gR9l4ZwijjlwxBcrU6RPfwi2+jJmbP+Ap1Hlp/nVAaEO4Fj22/SL2gQ==';
// What the inspector posts for a pasted attestations response (src/protocol.rs,
// VerifyRequest::Inspect), for the package and integrity given.
const request = (attestations) => ({ Inspect: { json: attestations, package: ['sigstore', '2.3.1'], integrity, expected: {} } });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: chromiumArgs });
const page = await browser.newPage();
await page.goto(`${process.env.APP_URL}/inspect`);
const results = await page.evaluate(async (cases) => {
  // The worker protocol (src/protocol.rs): JSON text, serde's
  // externally tagged enums; the worker says "Ready" once it listens.
  const start = async () => {
    const worker = new Worker('/worker-loader.js');
    await new Promise((resolve) => worker.addEventListener('message', (e) => { if (JSON.parse(e.data) === 'Ready') resolve(); }, { once: true }));
    worker.postMessage(JSON.stringify({ Control: 'WarmUp' }));
    return { worker, id: 1 };
  };
  const roundTrip = (w, req, verdict) => new Promise((resolve, reject) => {
    const myId = w.id++;
    const onMessage = (e) => {
      const res = JSON.parse(e.data).Inspected;
      if (!res || res.id !== myId) return;
      w.worker.removeEventListener('message', onMessage);
      const report = res.result?.Ok?.report;
      if (verdict && report?.verdict !== verdict) reject(new Error(JSON.stringify(report?.summary ?? res.result)));
      resolve();
    };
    w.worker.addEventListener('message', onMessage);
    w.worker.postMessage(JSON.stringify({ Verify: { id: myId, request: req } }));
  });
  const out = {};
  // Fresh: a new worker for each sample, its trust material prepared and a
  // request without signatures answered first, so that only the bundle's
  // own work is timed, with no key imported before and an engine that has
  // not optimised the code yet: the first package a page verifies.
  const garbage = { Inspect: { json: '{}', package: null, integrity: null, expected: {} } };
  for (const [name, req, verdict] of cases) {
    const times = [];
    for (let i = 0; i < 9; i++) {
      const w = await start();
      await roundTrip(w, garbage, null);
      const t0 = performance.now();
      await roundTrip(w, req, verdict);
      times.push(performance.now() - t0);
      w.worker.terminate();
    }
    times.sort((a, b) => a - b);
    out[`${name}_fresh`] = times[times.length >> 1];
  }
  // Warm: one worker, every case for 2 s first, as criterion does natively
  // (the engine's optimising compiler, not the compiler, is measured); the
  // same bundles again, so imported keys are reused.
  const w = await start();
  const warmUntil = performance.now() + 2000;
  while (performance.now() < warmUntil) {
    for (const [, req, verdict] of cases) await roundTrip(w, req, verdict);
  }
  for (const [name, req, verdict] of cases) {
    const times = [];
    // Batches of 10: the page's clock is coarse.
    for (let i = 0; i < 25; i++) {
      const t0 = performance.now();
      for (let j = 0; j < 10; j++) await roundTrip(w, req, verdict);
      times.push((performance.now() - t0) / 10);
    }
    times.sort((a, b) => a - b);
    out[name] = times[times.length >> 1];
  }
  return out;
}, [['provenance_bundle', request(single(1)), 'incomplete'], ['publish_bundle', request(single(0)), 'no_provenance'], ['package_version', request(response), 'verified']]);
await browser.close();
for (const [name, ms] of Object.entries(results)) console.log(`BENCH ${name} ${ms.toFixed(3)}`);
