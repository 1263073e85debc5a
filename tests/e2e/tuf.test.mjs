// Trust from TUF in the browser: the server announces its TUF repository
// (the test registry's, made by the testkit: root v1 rotated to v3, with the
// testkit's trusted root and registry key as targets) and the app's worker
// refreshes it itself. A package that only that material can verify goes
// green, and the page says where its trust came from.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, screenshot, startStack, openFolds } from './harness.mjs';

let stack;
before(async () => { stack = await startStack({ tuf: true }); });
after(async () => { await stack?.stop(); });

const verdict = (page) => page.locator('[data-verdict]').first();

test('a package only the TUF-provided material verifies goes green in the browser', async () => {
  const page = await newPage(stack);
  const tufRequests = [];
  page.on('request', (r) => { if (r.url().includes('/-/tuf/')) tufRequests.push(new URL(r.url()).pathname); });
  let trustRequests = 0;
  page.context().on('request', (r) => { if (new URL(r.url()).pathname === '/trust.json') trustRequests += 1; });
  await page.goto(`${stack.app}/package/trust-trusted-publisher/v/1.0.0`);
  await verdict(page).waitFor({ timeout: 30000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified', await page.locator('main').innerText());
  const source = page.getByTestId('trust-source');
  assert.equal(await source.getAttribute('data-source'), 'tuf');
  assert.match(await source.innerText(), /^Trust material: refreshed now from the TUF repository http:\/\/127\.0\.0\.1:\d+\/-\/tuf \(root v3, timestamp v20, valid until /);
  // The worker walked the root chain and fetched the targets by their hashes.
  for (const p of ['/-/tuf/2.root.json', '/-/tuf/3.root.json', '/-/tuf/timestamp.json']) {
    assert.ok(tufRequests.includes(p), `${p} in ${tufRequests.join(' ')}`);
  }
  assert.ok(tufRequests.some((p) => /\/-\/tuf\/targets\/registry\.npmjs\.org\/[0-9a-f]{64}\.keys\.json$/.test(p)), tufRequests.join(' '));
  // One refresh: the worker began it as it started (boot.js named the
  // server's trust configuration, which the worker read itself: two
  // requests for it, its and the page's), and the page's request joined it.
  assert.equal(tufRequests.filter((p) => p === '/-/tuf/timestamp.json').length, 1, tufRequests.join(' '));
  assert.equal(trustRequests, 2);
  // The footer says it too, for the whole page.
  assert.match(await page.getByTestId('footer-trust-source').innerText(), /root v3, timestamp v20, valid until /);
  // The publish attestation's key is npm's from TUF.
  await openFolds(page);
  assert.match(await page.locator('main').innerText(), /Sigstore's TUF repository/);
  await screenshot(page, 'tuf-verified');
  // The end of the root chain is a 404 the registry answers, as a TUF repository does.
  const allowed = `404 (Not Found) @ ${stack.registry}/-/tuf/4.root.json`;
  assert.deepEqual(page.problems.filter((p) => !p.includes(allowed)), []);
  // The server took its trust from the same repository.
  const trust = await (await fetch(`${stack.app}/api/trust`)).json();
  assert.equal(trust.source, 'tuf');
  assert.equal(trust.root_version, 3);
});

test('the registry is read while the TUF refresh runs, and the verdict waits for it', async () => {
  const page = await newPage(stack);
  // The refresh is held at its timestamp; the lookup's second round (the
  // attestations) is asked meanwhile, and nothing is verified until the
  // refresh settles the trust. The server's configuration names only the
  // TUF repository, so the trust the worker reads the registry under is
  // the built-in one, which does not verify this package: "verified" says
  // the settled trust was used (with the provisional one, this test and the
  // one above fail).
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.context().route('**/-/tuf/timestamp.json', async (route) => { await held; await route.continue(); });
  const attestationsAsked = page.context().waitForEvent('request', {
    predicate: (r) => new URL(r.url()).pathname.endsWith('/-/npm/v1/attestations/trust-trusted-publisher@1.0.0'),
    timeout: 20000,
  });
  try {
    await page.goto(`${stack.app}/package/trust-trusted-publisher/v/1.0.0`);
    await attestationsAsked;
    assert.equal(await page.locator('[data-verdict]').count(), 0, 'no verdict before the trust is settled');
  } finally {
    release();
  }
  await verdict(page).waitFor({ timeout: 30000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified', await page.locator('main').innerText());
  assert.equal(await page.getByTestId('trust-source').getAttribute('data-source'), 'tuf');
  const allowed = `404 (Not Found) @ ${stack.registry}/-/tuf/4.root.json`;
  assert.deepEqual(page.problems.filter((p) => !p.includes(allowed)), []);
});
