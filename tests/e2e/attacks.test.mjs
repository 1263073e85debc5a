// End-to-end: the app against a hostile registry, a crafted link and a
// verifier that hangs or crashes. Each test leaves a screenshot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, screenshot, startStack } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const verdict = (page) => page.locator('[data-verdict]').first();
const errorState = (page) => page.getByTestId('error-state');

// A registry answering /victim with sigstore's documents: the page names the
// package asked for, and says the registry answered for another.
test('a registry answering for another package gets no verdict for it', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/victim?registry=${encodeURIComponent(`${stack.registry}/renamed`)}`);
  await errorState(page).waitFor({ timeout: 20000 });
  assert.match(await errorState(page).innerText(), /answered the request for victim with the document of another package, sigstore/);
  assert.equal(await page.locator('.package-name').innerText(), 'victim');
  assert.equal(await verdict(page).count(), 0);
  await screenshot(page, 'attack-renamed-registry');
});

// A registry that redirects: the app follows no redirect.
test('a registry that redirects is refused', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/sigstore?registry=${encodeURIComponent(`${stack.registry}/redirect-same`)}`);
  await errorState(page).waitFor({ timeout: 20000 });
  assert.match(await errorState(page).innerText(), /with a redirect, which this program does not follow/);
  await screenshot(page, 'attack-redirect');
});

// A link's registry applies to that page only, says so, and is not remembered.
test('a registry from a link is announced and not remembered', async () => {
  const page = await newPage(stack);
  const other = `${stack.registry}/no-cors`;
  await page.goto(`${stack.app}/package/sigstore?registry=${encodeURIComponent(other)}`);
  const notice = page.getByTestId('registry-notice');
  await notice.waitFor({ timeout: 10000 });
  assert.match(await notice.innerText(), new RegExp(`uses the registry ${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, chosen by the link`));
  assert.equal(await page.evaluate(() => localStorage.getItem('npm-provenance.registry')), null);
  await screenshot(page, 'attack-registry-link');
  // Without the parameter, the person's own registry is back and nothing is announced.
  await page.goto(`${stack.app}/package/sigstore`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('registry-notice').count(), 0);
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  // "Use my registry" drops the link's choice.
  await page.goto(`${stack.app}/package/sigstore?registry=${encodeURIComponent(other)}`);
  await page.getByRole('button', { name: 'Use my registry' }).click();
  await page.waitForURL((url) => !url.search.includes('registry='));
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('registry-notice').count(), 0);
});

// `//host/...` is redirected by the server to `/host/...`, and the settings'
// "Use the default" stays on this origin.
test('navigation never leaves the origin', async () => {
  const page = await newPage(stack);
  const origin = new URL(stack.app).origin;
  await page.goto(`${stack.app}//example.invalid/`);
  assert.equal(new URL(page.url()).origin, origin);
  await page.locator('.registry-settings summary').click();
  await page.getByRole('button', { name: 'Use the default' }).click();
  await page.waitForTimeout(500);
  assert.equal(new URL(page.url()).origin, origin);
  assert.equal(new URL(page.url()).pathname, '/example.invalid/');
});

/** A short verification timeout (the page reads it from a meta tag, which
 * an init script adds: intercepting the document itself would make Chromium
 * treat it as non-local), and the first `stuck` worker scripts replaced by
 * `script`. */
async function withWorker(page, script, stuck = 1) {
  let served = 0;
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const meta = document.createElement('meta');
      meta.name = 'npm-provenance-verify-timeout-ms';
      meta.content = '1500';
      document.head.append(meta);
    });
  });
  await page.route('**/worker-loader.js', async (route) => {
    if (served < stuck) {
      served += 1;
      return route.fulfill({ contentType: 'text/javascript', body: script });
    }
    return route.continue();
  });
}

// A worker that never answers is terminated and replaced: the next
// verification runs in a fresh one.
test('a stuck verification worker is replaced', async () => {
  const page = await newPage(stack);
  await withWorker(page, 'postMessage(JSON.stringify("Ready")); onmessage = () => {};');
  await page.goto(`${stack.app}/package/sigstore/v/2.3.1`);
  await errorState(page).waitFor({ timeout: 20000 });
  assert.match(await errorState(page).innerText(), /took too long: the worker was stopped and will be replaced/);
  await screenshot(page, 'worker-stuck');
  // Another page, in the same tab: a new worker, which answers.
  await page.getByRole('searchbox').first().fill('sigstore@1.0.0');
  await page.getByRole('searchbox').first().press('Enter');
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  assert.equal(await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/worker-loader.js')).length), 2);
});

// A worker that crashes: the page says verification stopped with an error.
test('a crashing verification worker is reported', async () => {
  const page = await newPage(stack);
  // It takes its configuration, then crashes on the first request.
  await withWorker(page, 'postMessage(JSON.stringify("Ready")); onmessage = (e) => { if (e.data.includes("Lookup")) throw new Error("boom"); };');
  await page.goto(`${stack.app}/package/sigstore/v/2.3.1`);
  await errorState(page).waitFor({ timeout: 20000 });
  assert.match(await errorState(page).innerText(), /Verification stopped with an error: .*boom/);
  await screenshot(page, 'worker-crashed');
});
