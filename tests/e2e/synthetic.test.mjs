// End-to-end against packages signed by the testkit's own Sigstore: the app
// trusts what its server is configured with. Covers what real data cannot:
// GitLab CI provenance, a 100-version history, and hostile content that
// verifies, so that the page renders every hostile field.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, screenshot, startStack, openFolds } from './harness.mjs';

let stack;
before(async () => { stack = await startStack({ synthetic: true }); });
after(async () => { await stack?.stop(); });

const verdict = (page) => page.locator('[data-verdict]').first();

test('the app verifies with the trust material its server announces', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/@acme/gitlab-widget`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  assert.match(await page.locator('footer').innerText(), /trust root its server is configured with/);
  assert.deepEqual(page.problems, []);
});

test('GitLab CI provenance renders with GitLab links', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/@acme/gitlab-widget/v/2.0.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  const panel = page.getByTestId('provenance-panel');
  assert.match(await panel.innerText(), /Built and signed on GitLab CI/);
  const commit = '89abcdef0123456789abcdef0123456789abcdef';
  assert.equal(await panel.getByTestId('source-commit').locator('a').getAttribute('href'), `https://gitlab.com/acme/widget/-/commit/${commit}`);
  assert.equal(await panel.getByTestId('build-file').locator('a').getAttribute('href'), `https://gitlab.com/acme/widget/-/blob/${commit}/.gitlab-ci.yml`);
  assert.equal(await panel.getByTestId('build-summary').getAttribute('href'), 'https://gitlab.com/acme/widget/-/jobs/4242');
  await screenshot(page, 'gitlab-provenance');
  assert.deepEqual(page.problems, []);
});

test('hostile content renders as inert text, with no link that is not https and no script', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/hostile-pkg`);
  await verdict(page).waitFor({ timeout: 20000 });
  // It verifies: the panel and every claim are on the page.
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  await page.locator('.history-table [data-status="verified"]').first().waitFor({ timeout: 20000 });
  await openFolds(page);
  const text = await page.locator('main').innerText();
  for (const shown of ['<script>alert(3)</script>', '<img src=x onerror=alert(6)>', 'javascript:alert(1)//github.com', 'data:text/html,<script>alert(4)</script>', '<marquee>self-hosted</marquee>']) {
    assert.ok(text.includes(shown), `${shown} is shown as text`);
  }
  // Direction overrides and control characters are shown escaped, not applied.
  assert.ok(!text.includes('\u202e') && !text.includes('\u001b'), 'no raw bidi or escape characters');
  assert.ok(text.includes('\\u{202e}'));
  // Nothing from the data became markup.
  assert.equal(await page.locator('main script, main iframe, main marquee, main img[src="x"]').count(), 0);
  // Every link is relative, to this app, or https.
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  for (const href of hrefs) {
    assert.ok(href.startsWith('/') || href.startsWith('#') || href.startsWith('https://') || href.startsWith(stack.app), `unexpected link ${href}`);
  }
  assert.equal(await page.getByTestId('build-summary').count(), 0, 'no build summary link from a data: URL');
  assert.equal(await page.getByTestId('source-commit').locator('a').count(), 0, 'no link to a javascript: repository');
  // The layout holds: nothing is wider than the page.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
  await screenshot(page, 'hostile-content');
  assert.deepEqual(page.problems, [], 'no dialog, no page or console error');
});

test('a 100-version history verifies as it scrolls, with a responsive page', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/bench-history`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await page.locator('tr[data-version]').count(), 100);
  // Scroll through the table; rows verify as they come into view.
  for (let y = 0; y < 12; y++) {
    await page.mouse.wheel(0, 900);
    await page.waitForTimeout(150);
  }
  await page.locator('tr[data-version="1.0.0"]').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll('.history-table [data-status="verified"]').length === 100, null, { timeout: 60000 });
  assert.equal(await page.locator('.history-warning').count(), 0);
  await screenshot(page, 'history-100');
  assert.deepEqual(page.problems, []);
});

test('the page is served with a strict Content-Security-Policy and works under it', async () => {
  const page = await newPage(stack);
  const response = await page.goto(`${stack.app}/package/bench-history/v/1.0.5`);
  const csp = response.headers()['content-security-policy'];
  for (const directive of ["default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(directive), `${directive} in ${csp}`);
  }
  assert.ok(!csp.includes('unsafe-inline') && !/(^|\s)'unsafe-eval'/.test(csp), csp);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  // No inline script in the document.
  assert.equal(await page.locator('script:not([src])').count(), 0);
  assert.deepEqual(page.problems, [], 'no CSP violation reported');
});

// One version per outcome (the testkit's scenarios): the page, its history
// and the badge show each as it is, and only a version that passed every
// check as verified. crates/cli/tests/truthful_verdicts.rs does the same
// for the command line.
test('every outcome is shown truthfully: banner, panel, history and badge', async () => {
  const cases = await (await fetch(`${stack.registry}/-/test/verdicts.json`)).json();
  const shown = { verified: 'verified', failed: 'failed', no_provenance: 'none', incomplete: 'incomplete', error: 'error' };
  assert.deepEqual(new Set(cases.versions.map((c) => c.verdict)), new Set(Object.keys(shown)), 'every verdict has a case');
  const page = await newPage(stack);
  for (const c of cases.versions) {
    const label = `${c.version} (${c.what})`;
    await page.goto(`${stack.app}/package/${cases.name}/v/${c.version}`);
    await verdict(page).waitFor({ timeout: 20000 });
    assert.equal(await verdict(page).getAttribute('data-verdict'), shown[c.verdict], label);
    const banner = await verdict(page).innerText();
    assert.equal(/Provenance verified/.test(banner), c.verdict === 'verified', `${label}: ${banner}`);
    // The panel: vouched for only when verified, marked when its attestation
    // verified inside a version that did not, absent otherwise.
    const panel = page.getByTestId('provenance-panel');
    assert.equal(await panel.count(), c.provenanceVerifies ? 1 : 0, `${label}: panel`);
    if (c.provenanceVerifies) {
      const verified = c.verdict === 'verified';
      assert.equal(await panel.getAttribute('data-verified'), String(verified), label);
      assert.equal(await page.getByTestId('panel-unverified').count(), verified ? 0 : 1, label);
      assert.equal(await panel.locator('.panel-check').innerText(), verified ? '✓' : '!', label);
    }
    // Its row in the history says the same.
    const row = page.locator(`tr[data-version="${c.version}"] [data-status]`);
    await page.waitForFunction((v) => {
      const s = document.querySelector(`tr[data-version="${v}"] [data-status]`);
      return s && s.getAttribute('data-status') !== 'pending';
    }, c.version, { timeout: 20000 });
    assert.equal(await row.getAttribute('data-status'), shown[c.verdict], `${label}: history`);
    if (c.verdict === 'incomplete') await screenshot(page, 'verdict-incomplete');
    if (c.what.startsWith('publish attestation')) await screenshot(page, 'verdict-failed-with-verified-provenance');
    // The badge the server makes for it.
    const badge = await (await fetch(`${stack.app}/badge/npm/${cases.name}/${c.version}.json`)).json();
    assert.equal(badge.message.startsWith('verified'), c.verdict === 'verified', `${label}: badge ${badge.message}`);
    assert.equal(badge.color === 'brightgreen', c.verdict === 'verified', `${label}: badge colour`);
  }
  // The registry's 404 for a version without attestations is how "none" is learned.
  assert.deepEqual(page.problems.filter((p) => !p.includes(`404 (Not Found) @ ${stack.registry}/synthetic/-/npm/v1/attestations/`)), []);
});

// On a version that is not the latest, the embed section offers that
// version's badge too: a README pinned to a release should not show the
// latest version's green badge.
test('the embed section can pin the badge to the version shown', async () => {
  const cases = await (await fetch(`${stack.registry}/-/test/verdicts.json`)).json();
  const failed = cases.versions.find((c) => c.verdict === 'failed');
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/${cases.name}/v/${failed.version}`);
  await verdict(page).waitFor({ timeout: 20000 });
  const preview = page.getByTestId('badge-preview');
  assert.equal(await preview.getAttribute('src'), `${stack.app}/badge/npm/${cases.name}.svg`);
  await page.getByTestId('badge-pin').check();
  const pinned = `${stack.app}/badge/npm/${cases.name}/${failed.version}.svg`;
  await page.waitForFunction((src) => document.querySelector('[data-testid=badge-preview]')?.getAttribute('src') === src
    && document.querySelector('[data-testid=badge-preview]').complete
    && document.querySelector('[data-testid=badge-preview]').naturalWidth > 0, pinned, { timeout: 20000 });
  assert.equal(
    await page.locator('#badge-markdown').inputValue(),
    `[![npm provenance for ${cases.name}](${pinned})](${stack.app}/package/${cases.name}/v/${failed.version})`,
  );
  assert.match(await page.locator('.badge-embed .hint').innerText(), /this version's provenance/);
  await page.locator('.badge-embed').scrollIntoViewIfNeeded();
  await screenshot(page, 'badge-pinned');
  // The pinned badge is the failed version's: not green.
  const svg = await (await fetch(pinned)).text();
  assert.match(svg, /unverified/);
  assert.doesNotMatch(svg, /#4c1/);
  // The latest version's page offers no choice: there is only one badge.
  await page.goto(`${stack.app}/package/${cases.name}`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('badge-pin').count(), 0);
});

// Issue 12: what a Rekor v2 bundle proves is on the page, on the package page
// and in the inspector: the entry (no signed entry timestamp, by design), the
// checkpoint's lines (the log's verified, the witness's named as not needed),
// and the RFC 3161 signed time with its authority.
test('a Rekor v2 bundle verifies in the page and shows its checkpoint and timestamp authority', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/@acme/rekor-v2`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  await openFolds(page);
  const evidence = page.getByTestId('log-evidence').first();
  assert.match(await evidence.innerText(), /hashedrekord 0\.0\.2 at index \d+ \(Rekor v2\)/);
  assert.match(await evidence.innerText(), /Rekor v2 has none: the time comes from a timestamp authority/);
  const lines = evidence.getByTestId('checkpoint-lines').locator('li');
  assert.equal(await lines.count(), 2);
  assert.equal(await evidence.locator('li[data-verified="true"]').count(), 1, "the log's line verified");
  assert.match(await evidence.locator('li[data-verified="true"]').innerText(), /verified with the log's key/);
  assert.match(await evidence.locator('li[data-verified="false"]').innerText(), /a witness\): not needed, not checked/);
  const authority = evidence.getByTestId('timestamp-authority');
  assert.equal(await authority.count(), 1);
  assert.match(await authority.innerText(), /Signed time \(RFC 3161\)\s+\d{4}-\d\d-\d\dT[\d:]+Z by \S/);
  await screenshot(page, 'rekor-v2-evidence');

  // The same response pasted into the inspector, with the package named.
  const response = await (await fetch(`${stack.registry}/synthetic/-/npm/v1/attestations/@acme/rekor-v2@1.0.0`)).text();
  const packument = await (await fetch(`${stack.registry}/synthetic/@acme%2frekor-v2`)).json();
  await page.goto(`${stack.app}/inspect`);
  await page.getByTestId('document').fill(response);
  await page.locator('#inspect-package').fill('@acme/rekor-v2@1.0.0');
  await page.locator('#inspect-integrity').fill(packument.versions['1.0.0'].dist.integrity);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.locator('[data-verdict]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('[data-verdict]').getAttribute('data-verdict'), 'verified');
  assert.equal(await page.getByTestId('timestamp-authority').count(), 1);
  // The provenance's checklist says where its signed time came from.
  await openFolds(page);
  const checklists = await page.locator('ol.checklist').allInnerTexts();
  assert.ok(checklists.some((text) => /RFC 3161|timestamp/i.test(text) && /checkpoint/i.test(text)), checklists.join('\n---\n'));
  assert.deepEqual(page.problems, []);
});

// The app verifies with what its server announces; when that cannot be
// used, it says so and verifies nothing (never silently against npm's root).
test('an unusable trust configuration is reported, and nothing is verified', async () => {
  for (const [i, [status, body, says]] of [
    [200, '{"trustedRoot": 42, "keys": []}', /configured trust material is unusable/],
    [200, 'not json', /trust configuration is not usable/],
    [500, 'oops', /trust configuration could not be loaded/],
  ].entries()) {
    const page = await newPage(stack);
    await page.route('**/trust.json', (route) => route.fulfill({ status, contentType: 'application/json', body }));
    await page.goto(`${stack.app}/package/@acme/gitlab-widget`);
    await page.getByText(says).first().waitFor({ timeout: 20000 });
    assert.equal(await page.locator('[data-verdict="verified"]').count(), 0);
    await screenshot(page, `trust-unusable-${i}`);
    assert.deepEqual(page.problems.filter((p) => !p.includes('/trust.json')), []);
  }
});
