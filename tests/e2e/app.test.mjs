// End-to-end: the app in headless Chromium against the local registry that
// serves the real fixtures. Each test leaves a screenshot in test-output/e2e.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, screenshot, startStack, openFolds } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const verdict = (page) => page.locator('[data-verdict]').first();

async function open(page, path) {
  await page.goto(stack.app + path);
}

/**
 * Expected console noise only: the registry's answers the page itself
 * reports, allowed by their address (never by status alone, which would hide
 * a 404 for one of the app's own files; those are problems in any case).
 */
function assertNoProblems(page, allowed = []) {
  const unexpected = page.problems.filter((p) => !allowed.some((a) => p.includes(a)));
  assert.deepEqual(unexpected, []);
}

test('the home page renders its heading and search', async () => {
  const page = await newPage(stack);
  await open(page, '/');
  await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Where did this npm package come from?' }).waitFor());
  await screenshot(page, 'home');
  assertNoProblems(page);
});

// The verifier (the worker's wasm) is only for pages that verify: the home
// page downloads the page alone, and fetches the verifier once someone types.
// The guard is against the verifier (or another large piece, 400 kB and
// more) landing on the home page. It was 350 kB until the trust levels, the
// downgrade rules and "what changed" views took the page wasm from 337 to
// 351 kB (brotli) and the home page to 367 kB (issue 13 holds the real goal,
// 150 kB, and the work on the page's size).
test('the home page downloads at most 150 kB, no wasm, and fetches the app and the verifier on typing', async () => {
  const page = await newPage(stack);
  const requested = [];
  const encodings = {};
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  page.on('response', (r) => { encodings[new URL(r.url()).pathname] = r.headers()['content-encoding']; });
  await open(page, '/');
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(requested.filter((p) => p.endsWith('.wasm') || p.includes('worker')), [], requested.join(' '));
  // Bytes on the wire (the server sends gzip), from the resource timeline.
  const bytes = await page.evaluate(() => performance.getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'))
    .reduce((sum, e) => sum + e.encodedBodySize, 0));
  console.log(`home page download: ${bytes} bytes`);
  assert.ok(bytes > 5_000 && bytes <= 150_000, `home page downloads ${bytes} bytes`);
  // Listen before typing: the first key starts both fetches.
  const app = page.waitForResponse((r) => r.url().endsWith('_bg.wasm') && !r.url().endsWith('/worker_bg.wasm'), { timeout: 10000 });
  const verifier = page.waitForRequest((r) => r.url().endsWith('/worker_bg.wasm'), { timeout: 10000 });
  await page.getByRole('searchbox').first().pressSequentially('sig');
  // Chromium accepts brotli, and the build has it (scripts/precompress.mjs).
  assert.equal((await app).headers()['content-encoding'], 'br', JSON.stringify(encodings));
  await verifier;
  assertNoProblems(page);
});

// What a first visit of a package page costs: every file of the app's own
// origin the page and its workers download, cold, as Chromium counts them on
// the wire (the registry's documents not counted). The sizes are
// deterministic for a build, so this is a budget, not a timing. Issue 28's
// target is 450,000 bytes; the budget holds what was reached (886 kB: the
// page's module 339 kB and the verifier's 521 kB, brotli), so that nothing
// grows back; the README's table says where the rest stands.
const FIRST_VISIT_BUDGET = 900_000;
const FIRST_VISIT_TARGET = 450_000;
test(`a first visit of a package page downloads at most ${FIRST_VISIT_BUDGET} bytes of the app (target ${FIRST_VISIT_TARGET})`, async () => {
  const page = await newPage(stack);
  const sizes = [];
  page.context().on('requestfinished', (r) => {
    if (r.url().startsWith(stack.app + '/')) {
      sizes.push(r.sizes().then((s) => [new URL(r.url()).pathname, s.responseBodySize]));
    }
  });
  await open(page, '/package/sigstore');
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  await page.waitForLoadState('networkidle');
  const files = (await Promise.all(sizes)).sort((a, b) => b[1] - a[1]);
  const total = files.reduce((sum, [, n]) => sum + n, 0);
  const where = files.map(([p, n]) => `${p} ${n}`).join(', ');
  console.log(`first package page: ${total} bytes (${where})`);
  // Both modules, the verifier's among them: a count that missed the
  // worker's requests would pass for the wrong reason.
  assert.ok(files.some(([p]) => p === '/worker_bg.wasm'), where);
  assert.ok(files.some(([p]) => /^\/npm-provenance-app-[0-9a-f]+_bg\.wasm$/.test(p)), where);
  // One verifier, the one boot.js started beside the app's module and the
  // app adopted (a second would be the app starting its own after all).
  assert.equal(files.filter(([p]) => p === '/worker-loader.js').length, 1, where);
  // The audit's lockfile readers are not part of it.
  assert.ok(!files.some(([p]) => p.startsWith('/lockfile-worker')), where);
  assert.ok(total <= FIRST_VISIT_BUDGET, `a first package page downloads ${total} bytes, over its budget of ${FIRST_VISIT_BUDGET} (target ${FIRST_VISIT_TARGET}): ${where}`);
  assertNoProblems(page);
});

test('a verified package shows the provenance panel with the right links', async () => {
  const page = await newPage(stack);
  await open(page, '/package/sigstore');
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  const panel = page.getByTestId('provenance-panel');
  await assert.doesNotReject(panel.getByText('Built and signed on GitHub Actions').waitFor());
  const href = (id) => panel.getByTestId(id).locator('a').getAttribute('href');
  assert.equal(await href('source-commit'), 'https://github.com/sigstore/sigstore-js/commit/46e7056ff9912ebfee5298d94024895a9fea76c0');
  assert.equal(await panel.getByTestId('source-commit').locator('a').innerText(), 'github.com/sigstore/sigstore-js@46e7056');
  assert.equal(await href('build-file'), 'https://github.com/sigstore/sigstore-js/blob/46e7056ff9912ebfee5298d94024895a9fea76c0/.github/workflows/release.yml');
  assert.equal(await href('public-ledger'), 'https://search.sigstore.dev/?logIndex=94408136');
  assert.equal(await panel.getByTestId('build-summary').getAttribute('href'), 'https://github.com/sigstore/sigstore-js/actions/runs/9116405766/attempts/1');
  await openFolds(page);
  assert.equal(await page.getByTestId('registry-key-id').innerText(), 'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA');
  // Every check of both attestations passed.
  assert.equal(await page.locator('.check[data-status="failed"]').count(), 0);
  assert.ok(await page.locator('.check[data-status="passed"]').count() >= 20);
  await screenshot(page, 'verified-package');
  assertNoProblems(page);
});

// The report waits for the packument without re-running when it arrives:
// one request for the version's attestations, one verification.
test('a package page asks for its attestations once', async () => {
  const page = await newPage(stack);
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/-/npm/v1/attestations/sigstore@2.3.1')) asked.push(r.url()); });
  await open(page, '/package/sigstore');
  await verdict(page).waitFor({ timeout: 20000 });
  await page.waitForLoadState('networkidle');
  assert.equal(asked.length, 1, asked.join(' '));
  assertNoProblems(page);
});

test('a scoped package with SLSA v0.2 provenance verifies', async () => {
  const page = await newPage(stack);
  await open(page, '/package/@laurentsimon/provenance-npm-test/v/1.0.3');
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  const commit = page.getByTestId('source-commit').locator('a');
  assert.equal(await commit.getAttribute('href'), 'https://github.com/laurentsimon/provenance-npm-test/commit/b38894f2dda4355ea5606fccb166e61565e12a14');
  await screenshot(page, 'scoped-package');
  assertNoProblems(page);
});

test('a tampered package shows a failed verdict naming the failed check', async () => {
  const page = await newPage(stack);
  await open(page, `/package/sigstore/v/2.3.1?registry=${encodeURIComponent(stack.registry + '/tampered')}`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'failed');
  assert.match(await page.locator('.verdict-failed-check').innerText(), /Failed check: Signature \(SLSA provenance\)/);
  assert.equal(await page.getByTestId('provenance-panel').count(), 0, 'no panel for a failed verification');
  const failed = page.locator('.check[data-status="failed"]');
  assert.equal(await failed.count(), 1);
  assert.match(await failed.innerText(), /DSSE signature does not verify/);
  assert.ok(await page.locator('.check[data-status="not-reached"]').count() > 0);
  await screenshot(page, 'tampered-package');
  assertNoProblems(page);
});

test('a package without provenance says so', async () => {
  const page = await newPage(stack);
  await open(page, '/package/lodash');
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'none');
  assert.match(await verdict(page).innerText(), /No provenance/);
  await screenshot(page, 'no-provenance');
  // The registry's 404 for the attestations is how "none" is learned.
  assertNoProblems(page, [`404 (Not Found) @ ${stack.registry}/-/npm/v1/attestations/lodash@`]);
});

test('an unknown package and an unknown version get clear messages', async () => {
  const page = await newPage(stack);
  await open(page, '/package/no-such-package-here');
  await page.getByTestId('error-state').waitFor({ timeout: 20000 });
  assert.match(await page.getByTestId('error-state').innerText(), /Package not found/);
  await screenshot(page, 'unknown-package');
  await open(page, '/package/sigstore/v/9.9.9');
  await page.getByTestId('error-state').waitFor({ timeout: 20000 });
  const text = await page.getByTestId('error-state').innerText();
  assert.match(text, /Version not found/);
  assert.match(text, /latest version, 2\.3\.1/);
  await screenshot(page, 'unknown-version');
  assertNoProblems(page, [`404 (Not Found) @ ${stack.registry}/no-such-package-here`]);
});

test('registry errors, network failures and garbage are reported', async () => {
  const page = await newPage(stack);
  const at = (scenario) => `/package/sigstore?registry=${encodeURIComponent(`${stack.registry}/${scenario}`)}`;
  await open(page, at('error500'));
  await page.getByTestId('error-state').waitFor({ timeout: 20000 });
  assert.match(await page.getByTestId('error-state').innerText(), /Registry error \(HTTP 500\)/);
  await screenshot(page, 'registry-500');
  await open(page, at('no-cors'));
  await page.getByTestId('error-state').waitFor({ timeout: 20000 });
  assert.match(await page.getByTestId('error-state').innerText(), /may not allow requests from browsers \(CORS\)/);
  await screenshot(page, 'registry-cors');
  await open(page, at('garbage'));
  await page.getByTestId('error-state').waitFor({ timeout: 20000 });
  assert.match(await page.getByTestId('error-state').innerText(), /not usable/);
  await screenshot(page, 'registry-garbage');
  assertNoProblems(page, [`${stack.registry}/error500/`, `${stack.registry}/no-cors/`]);
});

test('a slow registry shows a loading state, then the result', async () => {
  const page = await newPage(stack);
  await open(page, `/package/sigstore?registry=${encodeURIComponent(stack.registry + '/slow')}`);
  await page.locator('.loading').first().waitFor({ timeout: 5000 });
  assert.match(await page.locator('.loading').first().innerText(), /Fetching/);
  await screenshot(page, 'slow-registry-loading');
  await verdict(page).waitFor({ timeout: 30000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  assertNoProblems(page);
});

test('the version history verifies each version as it scrolls into view and warns', async () => {
  const page = await newPage(stack);
  await open(page, '/package/sigstore');
  await verdict(page).waitFor({ timeout: 20000 });
  await page.locator('.history-table').scrollIntoViewIfNeeded();
  const row = (v) => page.locator(`tr[data-version="${v}"] [data-status]`);
  await page.waitForFunction(() => document.querySelectorAll('.history-table [data-status="pending"]').length === 0, null, { timeout: 30000 });
  // The fixtures hold 2.2.0's provenance but not npm's publish attestation
  // for it: without the registry's attestation it is not verified.
  assert.equal(await row('2.2.0').getAttribute('data-status'), 'incomplete');
  assert.equal(await row('2.3.1').getAttribute('data-status'), 'verified');
  assert.equal(await row('1.8.0').getAttribute('data-status'), 'none');
  // 3.1.0 lists no provenance, but it opens the 3.x release line: not held
  // to 2.x (the false alarm of comparing across majors, pnpm#10202).
  assert.equal(await page.locator('tr[data-version="3.1.0"] [data-testid="history-downgrade"]').count(), 0);
  assert.match(await page.locator('tr[data-version="3.1.0"] .trust-cell').innerText(), /^registry signature only/);
  assert.equal(await page.locator('tr[data-version="2.3.1"] .trust-cell').innerText(), 'provenance');
  assert.match(await page.locator('tr[data-version="1.3.0"]').innerText(), /Built by \.github\/workflows\/release\.yml, but 1\.0\.0 was built by \.github\/workflows\/publish\.yml/);
  // Late verdicts are announced to screen readers, once, politely.
  const announcement = page.getByTestId('history-announcement');
  assert.equal(await announcement.getAttribute('role'), 'status');
  assert.match(await announcement.textContent(), /^\d+ checked: \d+ verified, 0 failed\.$/);
  await screenshot(page, 'history');
  assertNoProblems(page, [`404 (Not Found) @ ${stack.registry}/-/npm/v1/attestations/`]);
});

test('the embed section shows the badge served by this server', async () => {
  const page = await newPage(stack);
  await open(page, '/package/sigstore');
  const badge = page.getByTestId('badge-preview');
  await badge.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('[data-testid=badge-preview]')?.naturalWidth > 0, null, { timeout: 20000 });
  assert.equal(await badge.getAttribute('src'), `${stack.app}/badge/npm/sigstore.svg`);
  const markdown = await page.locator('#badge-markdown').inputValue();
  assert.equal(markdown, `[![npm provenance for sigstore](${stack.app}/badge/npm/sigstore.svg)](${stack.app}/package/sigstore)`);
  await screenshot(page, 'badge-embed');
  assertNoProblems(page);
});

test('the search box takes name@version by keyboard', async () => {
  const page = await newPage(stack);
  await open(page, '/');
  await page.keyboard.press('Tab'); // skip link
  await page.locator('#search-main').focus();
  await page.keyboard.type('tuf-js@1.0.0');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/package\/tuf-js\/v\/1\.0\.0/);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  await screenshot(page, 'search-keyboard');
  assertNoProblems(page);
});
