// End-to-end against packages signed by the testkit's own Sigstore: the app
// trusts what its server is configured with. Covers what real data cannot:
// GitLab CI provenance, a 100-version history, and hostile content that
// verifies, so that the page renders every hostile field.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, screenshot, startStack } from './harness.mjs';

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
  for (const details of await page.locator('details.json-view').all()) await details.locator('summary').click();
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
