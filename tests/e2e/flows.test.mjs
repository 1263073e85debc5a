// End-to-end: the flows a person uses beyond looking a package up: the
// registry settings and what they remember, the inspector's expected signer,
// files opened and dropped, state restored from a shared address, the
// not-found route, the certificate's claims, the copy buttons, the keyboard
// alone, and the home page read before the app is downloaded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { clickSettled, newPage, screenshot, startStack, openFolds } from './harness.mjs';

const fixtures = process.env.NPM_PROVENANCE_FIXTURES || path.resolve(new URL('.', import.meta.url).pathname, '../fixtures');
const fixture = (p) => readFileSync(path.join(fixtures, p), 'utf8');
const BUNDLE = 'bundles/sigstore@1.3.0.provenance.sigstore.json';
const PACKAGE = 'sigstore@1.3.0';
const INTEGRITY = 'sha512-dhdv+jOAi1RgLHw13lxumk3rlgZtumUz9QrCNPTx9MazUnUV3BfAb74oYAMPQQ7uaeogB5vTosbz3POzKbEHUQ==';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const verdict = (page) => page.locator('[data-verdict]').first();

/** Whether the focused element shows its focus (an outline, as `:focus-visible` draws it). */
function focusVisible(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return false;
    const style = getComputedStyle(el);
    return el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  });
}

async function waitVerdict(page) {
  await verdict(page).waitFor({ timeout: 20000 });
  return verdict(page).getAttribute('data-verdict');
}

test('the registry settings form sets a registry, remembers it, and goes back to the default', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/sigstore/v/2.3.1`);
  assert.equal(await waitVerdict(page), 'verified');
  // Open the settings from the header and choose the tampered registry.
  await page.locator('.registry-settings summary').click();
  const field = page.locator('#registry-url');
  await field.waitFor();
  assert.equal(await field.inputValue(), stack.registry, 'the form shows the registry in use');
  // An unusable URL is refused with a message, and nothing changes.
  await field.fill('ftp://example.com');
  await page.getByRole('button', { name: 'Use this registry' }).click();
  assert.match(await page.locator('.registry-form [role=alert]').innerText(), /starts with https:\/\//);
  await field.fill(`${stack.registry}/tampered/`);
  await page.getByRole('button', { name: 'Use this registry' }).click();
  // The address shows it (a shared link shows what its sender saw), the page
  // re-verifies against it, and no notice: it is the person's own choice.
  await page.waitForURL(/registry=/);
  assert.equal(new URL(page.url()).searchParams.get('registry'), `${stack.registry}/tampered`);
  await page.waitForFunction(() => document.querySelector('[data-verdict]')?.dataset.verdict === 'failed', null, { timeout: 20000 });
  assert.equal(await page.getByTestId('registry-notice').count(), 0);
  assert.equal(await page.evaluate(() => localStorage.getItem('npm-provenance.registry')), `${stack.registry}/tampered`);
  // Remembered: a plain address, in a new page of the same browser context, uses it.
  const again = await page.context().newPage();
  await again.goto(`${stack.app}/package/sigstore/v/2.3.1`);
  assert.equal(await waitVerdict(again), 'failed');
  assert.match(await again.locator('.registry-host').innerText(), /tampered/);
  await again.close();
  // Back to the default: forgotten, verified again, a clean address.
  await page.locator('.registry-settings summary').click();
  await page.getByRole('button', { name: 'Use the default' }).click();
  await page.waitForURL((url) => !url.search.includes('registry='));
  await page.waitForFunction(() => document.querySelector('[data-verdict]')?.dataset.verdict === 'verified', null, { timeout: 20000 });
  assert.equal(await page.evaluate(() => localStorage.getItem('npm-provenance.registry')), null);
  await screenshot(page, 'settings-default-again');
  assert.deepEqual(page.problems, []);
});

/**
 * The home page as a person meets it: the words in `main`, the search form
 * as elements, attributes and words (whitespace, attribute order and the
 * static page's loading line aside), and where the header's links go.
 */
function readHome() {
  const form = document.querySelector('form[aria-label="Look up a package"]');
  return {
    main: document.querySelector('main').innerText.replace(/\s+/g, ' ').trim(),
    form: [form, ...form.querySelectorAll('*')]
      .filter((e) => !e.matches('.boot-status'))
      .map((e) => [
        e.tagName,
        [...e.attributes].filter((a) => a.name !== 'data-boot').map((a) => `${a.name}=${a.value}`).sort().join(' '),
        [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join(''),
      ].join('|')),
    nav: [...document.querySelectorAll('header nav a')].map((a) => [a.textContent, new URL(a.href).pathname]),
  };
}

test('the home page is read without the app, which takes over on a link, a search or the registry setting', async () => {
  const page = await newPage(stack);
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url()); });
  // A registry other than the page's own, as a shared link may choose.
  await page.goto(`${stack.app}/?registry=${encodeURIComponent(`${stack.registry}/tampered`)}`);
  await page.getByRole('heading', { level: 1, name: 'Where did this npm package come from?' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-main');
  await page.waitForLoadState('networkidle');
  assert.deepEqual(wasm, [], 'reading the home page downloads no wasm');
  const staticHome = await page.evaluate(readHome);

  // A link: the app takes over at its address, with the registry the link chose.
  await page.getByRole('link', { name: 'tuf-js@1.0.0' }).click();
  await page.waitForURL(/\/package\/tuf-js\/v\/1\.0\.0\?registry=.*tampered/);
  await waitVerdict(page);
  assert.match(await page.getByTestId('registry-notice').innerText(), /tampered/);
  assert.ok(wasm.length > 0);
  // Back home, the app renders the same words and the same search form.
  await page.goBack();
  await page.getByRole('heading', { level: 1, name: 'Where did this npm package come from?' }).waitFor();
  const appHome = await page.evaluate(readHome);
  assert.deepEqual(appHome, staticHome);
  // Its links carry the registry the link chose, as the static page's did.
  assert.match(await page.getByRole('link', { name: 'sigstore', exact: true }).getAttribute('href'), /^\/package\/sigstore\?registry=/);

  // A search from the static page: the app reads the words (one rule for
  // what a search means) and replaces /search with the package's address.
  const fresh = await newPage(stack);
  await fresh.goto(`${stack.app}/`);
  await fresh.locator('#search-main').fill('not a name!');
  await fresh.keyboard.press('Enter');
  await fresh.waitForURL(/\/search\?q=not/);
  assert.match(await fresh.locator('.search [role=alert]').innerText(), /./);
  assert.equal(await fresh.locator('#search-main').inputValue(), 'not a name!');
  await fresh.locator('#search-main').fill('sigstore@2.3.1');
  await fresh.keyboard.press('Enter');
  await fresh.waitForURL(/\/package\/sigstore\/v\/2\.3\.1$/);
  assert.equal(await waitVerdict(fresh), 'verified');

  // The registry setting: the app takes over with its form open.
  const third = await newPage(stack);
  await third.goto(`${stack.app}/`);
  await third.locator('.registry-settings summary').click();
  await third.locator('#registry-url').waitFor();
  assert.equal(await third.locator('#registry-url').inputValue(), stack.registry);
  assert.equal(await third.evaluate(() => document.activeElement?.id), 'registry-url');
  assert.equal(await third.locator('main').count(), 1, 'the static page is gone');
  for (const p of [page, fresh, third]) assert.deepEqual(p.problems, []);
});

test('the home page says so when the app cannot be downloaded, and stays usable', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  // The connection drops before the visitor acts: the module cannot be had.
  await page.route(/_bg\.wasm$/, (route) => route.abort('internetdisconnected'));
  await page.getByRole('link', { name: 'Inspector', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'could not be loaded' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/', 'the address did not move');
  assert.equal(await page.evaluate(() => document.body.getAttribute('aria-busy')), null);
  // Back online, the same link works.
  await page.unroute(/_bg\.wasm$/);
  await page.getByRole('link', { name: 'Inspector', exact: true }).click();
  await page.waitForURL(`${stack.app}/inspect`);
  await page.getByRole('heading', { level: 1 }).filter({ hasText: /inspect/i }).waitFor();
  assert.equal(await page.locator('main').count(), 1);
});

test("the inspector checks the expected signer's repository, build file and issuer", async () => {
  const page = await newPage(stack);
  const run = async (expected) => {
    await page.goto(`${stack.app}/inspect`);
    await page.getByTestId('document').fill(fixture(BUNDLE));
    await page.locator('#inspect-package').fill(PACKAGE);
    await page.locator('#inspect-integrity').fill(INTEGRITY);
    for (const [id, value] of Object.entries(expected)) await page.locator(`#inspect-${id}`).fill(value);
    await page.getByRole('button', { name: 'Verify' }).click();
    return waitVerdict(page);
  };
  const expectedCheck = () => page.locator('.check', { hasText: 'Expected identity' }).first();
  assert.equal(await run({ repository: 'sigstore/sigstore-js', workflow: '.github/workflows/release.yml' }), 'verified');
  await openFolds(page);
  assert.match(await expectedCheck().innerText(), /As expected: repository https:\/\/github\.com\/sigstore\/sigstore-js, build file \.github\/workflows\/release\.yml, issuer https:\/\/token\.actions\.githubusercontent\.com/);
  // Each expectation that differs fails the check, naming what differed.
  for (const [expected, says] of [
    [{ repository: 'someone/else' }, /repository someone\/else was expected, the certificate names https:\/\/github\.com\/sigstore\/sigstore-js/],
    [{ workflow: '.github/workflows/other.yml' }, /build file \.github\/workflows\/other\.yml was expected, the certificate names \.github\/workflows\/release\.yml/],
    [{ issuer: 'https://gitlab.com' }, /issuer https:\/\/gitlab\.com was expected, the certificate names https:\/\/token\.actions\.githubusercontent\.com/],
  ]) {
    assert.equal(await run(expected), 'failed', JSON.stringify(expected));
    assert.match(await page.locator('.verdict-failed-check').innerText(), /Expected identity/);
    assert.match(await page.locator('.check[data-status="failed"]').innerText(), says);
  }
  await screenshot(page, 'inspector-expected-identity-failed');
  assert.deepEqual(page.problems, []);
});

test('the inspector opens a file, takes a dropped file, and restores its fields from a shared address', async () => {
  const page = await newPage(stack);
  const shared = `/inspect?package=${encodeURIComponent(PACKAGE)}&integrity=${encodeURIComponent(INTEGRITY)}&repository=sigstore%2Fsigstore-js`;
  await page.goto(stack.app + shared);
  // The shared address fills every field but the document (never in a URL).
  assert.equal(await page.locator('#inspect-package').inputValue(), PACKAGE);
  assert.equal(await page.locator('#inspect-integrity').inputValue(), INTEGRITY);
  assert.equal(await page.locator('#inspect-repository').inputValue(), 'sigstore/sigstore-js');
  assert.equal(await page.getByTestId('document').inputValue(), '');
  // Open a file with the file button.
  await page.locator('input[type=file]').setInputFiles({ name: 'bundle.json', mimeType: 'application/json', buffer: Buffer.from(fixture(BUNDLE)) });
  await page.waitForFunction(() => document.querySelector('[data-testid=document]').value.length > 1000);
  await page.getByRole('button', { name: 'Verify' }).click();
  assert.equal(await waitVerdict(page), 'verified');
  await openFolds(page);
  assert.match(await page.locator('.check', { hasText: 'Expected identity' }).first().innerText(), /As expected: repository/);
  // Drop a file on the drop zone: the tampered bundle replaces the document.
  const tampered = fixture('sigstore-conformance/bundle-verify/dsse-invalid-sig_fail/bundle.sigstore.json');
  const transfer = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
    return dt;
  }, tampered);
  await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: transfer });
  await page.waitForFunction((text) => document.querySelector('[data-testid=document]').value === text, tampered);
  await page.locator('#inspect-package').fill('');
  await page.locator('#inspect-integrity').fill('');
  await page.locator('#inspect-repository').fill('');
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForFunction(() => document.querySelector('[data-verdict]')?.dataset.verdict === 'failed', null, { timeout: 20000 });
  // A file too large is not read, with a message.
  await page.locator('input[type=file]').setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc(5 * 1024 * 1024, 32) });
  assert.match(await page.locator('.inspector [role=alert]').innerText(), /huge\.json \(5\.2 MB\) is larger than 4 MB; it is not read/);
  assert.deepEqual(page.problems, []);
});

test('an unknown address gets the not-found page with a way back', async () => {
  const page = await newPage(stack);
  const response = await page.goto(`${stack.app}/no/such/page`);
  assert.equal(response.status(), 200, 'the app shell answers every in-app path');
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  await page.getByRole('link', { name: 'Go to the search' }).click();
  await page.waitForURL(`${stack.app}/`);
  await page.getByRole('heading', { level: 1, name: 'Where did this npm package come from?' }).waitFor();
  assert.deepEqual(page.problems, []);
});

test("the certificate's claims are listed as Fulcio signed them", async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/sigstore/v/2.3.1`);
  assert.equal(await waitVerdict(page), 'verified');
  await openFolds(page);
  const claims = page.getByTestId('certificate-claims').first();
  const rows = Object.fromEntries(await claims.locator('div').evaluateAll((divs) => divs.map((d) => [d.querySelector('dt').innerText, d.querySelector('dd').innerText])));
  assert.equal(rows['Issuer'], 'https://token.actions.githubusercontent.com');
  assert.equal(rows['Identity (SAN)'], 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main');
  assert.equal(rows['Source repository'], 'https://github.com/sigstore/sigstore-js');
  assert.equal(rows['Source commit'], '46e7056ff9912ebfee5298d94024895a9fea76c0');
  assert.match(rows['Valid'], /^2024-05-16T17:1\d:\d\dZ to 2024-05-16T17:2\d:\d\dZ$/);
  assert.deepEqual(page.problems, []);
});

test('the copy buttons copy the badge snippet and the JSON documents', async () => {
  const page = await newPage(stack, { permissions: ['clipboard-read', 'clipboard-write'] });
  await page.goto(`${stack.app}/package/sigstore/v/2.3.1`);
  assert.equal(await waitVerdict(page), 'verified');
  const markdown = await page.locator('#badge-markdown').inputValue();
  const copyBadge = page.locator('.badge-embed button', { hasText: 'Copy' }).first();
  await clickSettled(page, copyBadge);
  await page.locator('.badge-embed button', { hasText: 'Copied' }).first().waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), markdown);
  // The verification report's JSON.
  await clickSettled(page, page.getByTestId('documents').locator('summary').first());
  const report = page.locator('details.json-view', { hasText: 'Verification report (JSON)' });
  await clickSettled(page, report.locator('summary'));
  await clickSettled(page, report.locator('button.copy'));
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  assert.equal(copied.verdict, 'verified');
  assert.equal(copied.package.name, 'sigstore');
  assert.deepEqual(page.problems, []);
});

test('the keyboard alone skips to the content, looks a package up, opens a version and the inspector, focus visible throughout', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  const active = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim().slice(0, 40));
  // The home page's search has focus on arrival: typing starts the lookup.
  assert.equal(await active(), 'search-main');
  await page.keyboard.type('sigstore@2.3.1');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/package\/sigstore\/v\/2\.3\.1/);
  assert.equal(await waitVerdict(page), 'verified');
  // On a package page the first Tab reaches the skip link, and Enter moves
  // focus to the content.
  await page.reload();
  assert.equal(await waitVerdict(page), 'verified');
  await page.keyboard.press('Tab');
  assert.equal(await active(), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.equal(await active(), 'main');
  // Tab on from the content until another version in the history has
  // focus, and open it with Enter.
  let href = null;
  for (let i = 0; i < 150 && !href; i++) {
    await page.keyboard.press('Tab');
    href = await page.evaluate(() => {
      const el = document.activeElement;
      const link = el?.closest('.history-table') ? el.getAttribute('href') : null;
      return link && new URL(link, location.href).pathname !== location.pathname ? link : null;
    });
  }
  assert.ok(href, 'a version link in the history is reachable by Tab');
  assert.ok(await focusVisible(page), 'the focused version link shows its focus');
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === new URL(href, stack.app).pathname);
  await page.locator('[data-verdict]').first().waitFor({ timeout: 20000 });
  // The new page's content has the focus, as after a page load; from there,
  // back (Shift+Tab) through the header to its "Inspector" link, each step
  // with a visible focus.
  assert.equal(await active(), 'main');
  let reached = false;
  for (let i = 0; i < 8 && !reached; i++) {
    await page.keyboard.press('Shift+Tab');
    assert.ok(await focusVisible(page), `focus visible at Shift+Tab ${i + 1}: ${await active()}`);
    reached = (await active()) === 'Inspector';
  }
  assert.ok(reached, 'the Inspector link is reached by keyboard');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/inspect$/);
  await page.getByRole('heading', { level: 1, name: 'Inspector' }).waitFor();
  await screenshot(page, 'keyboard-navigation');
  // In the inspector: a bundle pasted is verified at once, and the
  // registry's integrity is fetched with Enter on the offer.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((t) => navigator.clipboard.writeText(t), fixture('bundles/sigstore@2.0.0.provenance.sigstore.json'));
  for (let i = 0; i < 4 && (await active()) !== 'document'; i++) await page.keyboard.press('Tab');
  assert.equal(await active(), 'document');
  await page.keyboard.press('Control+V');
  await page.getByTestId('integrity-offer').waitFor({ timeout: 20000 });
  for (let i = 0; i < 20 && !/^Fetch the integrity/.test(await active()); i++) await page.keyboard.press('Tab');
  assert.match(await active(), /^Fetch the integrity of sigstore@2\.0\.0/);
  assert.ok(await focusVisible(page), 'the offer shows its focus');
  await page.keyboard.press('Enter');
  await page.locator('[data-verdict="verified"]').waitFor({ timeout: 20000 });
  // Versions without provenance are learned from the registry's 404s.
  assert.deepEqual(page.problems.filter((p) => !p.includes(`@ ${stack.registry}/-/npm/v1/attestations/`)), []);
});
