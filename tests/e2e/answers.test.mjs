// Answers a person can act on (issue 27, the package page): the warning
// signs first, in an amber verdict, on a phone's first screen; the evidence
// folded to a line each, opened where something failed; on a failure, what
// it means, the nearest version that verifies and where to report it; the
// history filtered to its problems; no dead end (a slow registry shows the
// time and can be cancelled, every error can be retried); a link's registry
// never fills the settings form; a static deploy refuses another site's
// frame. Positions and counts are asserted, never times.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bin, newPage, root, screenshot, startPrintingUrl, startStack } from './harness.mjs';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let synthetic;
let real;
before(async () => {
  synthetic = await startStack({ synthetic: true });
  real = await startStack();
});
after(async () => {
  await synthetic?.stop();
  await real?.stop();
});

const verdict = (page) => page.locator('[data-verdict]').first();
/** Where an element's top is on the page (scroll offset included). */
const top = (locator) => locator.evaluate((e) => e.getBoundingClientRect().top + window.scrollY);

for (const [label, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`a hijacked release is amber, its signs on the first screen (${label})`, async () => {
    const page = await newPage(synthetic, { viewport });
    await page.goto(`${synthetic.app}/package/changes-hijacked/v/1.1.0`);
    await verdict(page).waitFor({ timeout: 20000 });
    assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
    assert.equal(await verdict(page).getAttribute('data-attention'), 'true');
    assert.match(await verdict(page).locator('.verdict-label').innerText(), /Provenance verified, with warning signs/);
    const signals = page.getByTestId('signals');
    assert.match(await signals.getByTestId('downgrade').innerText(), /^Downgrade\. Published with weaker evidence than 1\.0\.0/);
    const moved = signals.locator('[data-signal="build-changed"]');
    assert.match(await moved.innerText(), /^Built differently from 1\.0\.0:/);
    assert.deepEqual(
      await moved.locator('[data-change]').evaluateAll((lis) => lis.map((li) => li.dataset.change)),
      ['workflow file', 'trigger', 'ref type', 'runner', 'publishing method'],
    );
    assert.match(await moved.locator('[data-change="workflow file"]').innerText(), /^workflow file: \.github\/workflows\/release\.yml → \.github\/workflows\/ci\.yml$/);
    assert.match(await moved.locator('[data-change="publishing method"]').innerText(), /the registry's word/);
    // On the first screen: the box and its first sign start within it.
    assert.ok(await top(verdict(page)) < viewport.height, 'the verdict starts on the first screen');
    assert.ok(await top(signals.locator('li').first()) < viewport.height, 'its first sign too');
    // The history follows within two screens on a phone, the evidence folded below it.
    const history = await top(page.locator('#history'));
    assert.ok(history < 2 * PHONE.height, `the history starts within two phone screens (at ${history} px)`);
    if (label === 'phone') await screenshot(page, 'answers-hijacked-phone');
    assert.deepEqual(page.problems, []);
  });
}

test('a drop to a token is amber too, never a neutral "no provenance"', async () => {
  const page = await newPage(synthetic);
  await page.goto(`${synthetic.app}/package/downgrade-token/v/1.1.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'none');
  assert.equal(await verdict(page).getAttribute('data-attention'), 'true');
  assert.match(await page.getByTestId('verdict-meaning').innerText(), /Weaker evidence than before/);
  // A build that moved without a downgrade is a sign of its own.
  await page.goto(`${synthetic.app}/package/gate-workflow/v/1.1.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-attention'), 'true');
  assert.equal(await page.getByTestId('downgrade').count(), 0);
  assert.deepEqual(
    await page.getByTestId('signals').locator('[data-change]').evaluateAll((lis) => lis.map((li) => li.dataset.change)),
    ['workflow file', 'trigger'],
  );
  // A clean upgrade is plain green, with nothing to do.
  await page.goto(`${synthetic.app}/package/gate-kept/v/1.1.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-attention'), 'false');
  assert.equal(await page.getByTestId('advice').count(), 0);
  const none404 = `404 (Not Found) @ ${synthetic.registry}/synthetic/-/npm/v1/attestations/`;
  assert.deepEqual(page.problems.filter((p) => !p.includes(none404)), []);
});

test('the evidence is folded to a line each, opened where a check failed, reachable from the index', async () => {
  const page = await newPage(real, { viewport: PHONE });
  await page.goto(`${real.app}/package/sigstore/v/2.3.1`);
  await verdict(page).waitFor({ timeout: 30000 });
  const groups = page.getByTestId('check-group');
  assert.ok(await groups.count() >= 2);
  for (const group of await groups.all()) {
    assert.equal(await group.getAttribute('open'), null, 'a passing group is folded');
    assert.match(await group.locator('summary').innerText(), /: \d+ of \d+ checks passed/);
  }
  for (const id of ['signer', 'log', 'documents']) {
    assert.equal(await page.getByTestId(id).getAttribute('open'), null, `${id} is folded`);
  }
  // Four legacy claims repeat the newer ones: not shown twice.
  await page.getByTestId('page-index').getByRole('link', { name: 'Signer' }).click();
  assert.equal(await page.getByTestId('signer').getAttribute('open'), '', 'the index opens what it links to');
  const claims = await page.getByTestId('certificate-claims').locator('dt').allInnerTexts();
  assert.ok(!claims.some((c) => c.includes('legacy claim')), claims.join(', '));
  // On a phone the history starts within two screens.
  assert.ok(await top(page.locator('#history')) < 2 * PHONE.height, `history at ${await top(page.locator('#history'))}`);
  await screenshot(page, 'answers-verified-phone');

  // A failure opens its group, the failed check first.
  await page.goto(`${real.app}/package/sigstore/v/2.3.1?registry=${encodeURIComponent(real.registry + '/tampered')}`);
  await page.locator('[data-verdict="failed"]').waitFor({ timeout: 30000 });
  const failed = page.locator('[data-testid="check-group"][data-state="failed"]');
  assert.equal(await failed.count(), 1);
  assert.equal(await failed.getAttribute('open'), '');
  assert.equal(await failed.locator('.check').first().getAttribute('data-status'), 'failed');
  assert.match(await failed.locator('summary').innerText(), /1 of \d+ checks failed/);
  await screenshot(page, 'answers-failed-phone');
});

test('a failure says what it means, the nearest version that verifies, and where to report it', async () => {
  const page = await newPage(synthetic);
  // verdicts@1.0.2: its publish attestation is signed by another key (its
  // provenance verifies: the repository is known); 1.0.1 and 1.0.3 fail too.
  await page.goto(`${synthetic.app}/package/verdicts/v/1.0.2`);
  await page.locator('[data-verdict="failed"]').waitFor({ timeout: 20000 });
  assert.match(await page.getByTestId('verdict-meaning').innerText(), /^Do not install this version/);
  const link = page.getByTestId('nearest-link');
  await link.waitFor({ timeout: 30000 });
  assert.equal(await link.innerText(), '1.0.0');
  assert.match(await link.getAttribute('href'), /\/package\/verdicts\/v\/1\.0\.0/);
  assert.equal(await page.getByTestId('report-issues').getAttribute('href'), 'https://github.com/acme/widget/issues');
  // npm's report form only for npm's registry.
  assert.equal(await page.getByTestId('report-npm').count(), 0);
  // Before any check's detail: the sentence is in the verdict, the checks folded below.
  assert.ok(await top(page.getByTestId('verdict-meaning')) < await top(page.locator('#checks')));
});

test('the history filters to its problems and to a trust level, with its counts in view', async () => {
  const page = await newPage(synthetic, { viewport: PHONE });
  await page.goto(`${synthetic.app}/package/downgrade-token/v/1.0.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  const rows = page.locator('.history-table tbody tr');
  assert.equal(await rows.count(), 2);
  const filter = page.getByTestId('history-filter');
  await filter.getByLabel('Problems').check();
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.version)), ['1.1.0']);
  await filter.getByLabel('Trusted publisher').check();
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.version)), ['1.0.0']);
  await filter.getByLabel('Registry signature only').check();
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.version)), ['1.1.0']);
  await filter.getByLabel('All').check();
  assert.equal(await rows.count(), 2);
  // The count is shown to everyone, not to screen readers only.
  const count = page.getByTestId('history-announcement');
  await page.waitForFunction(() => /checked/.test(document.querySelector('[data-testid=history-announcement]')?.textContent ?? ''), null, { timeout: 20000 });
  assert.ok(await count.isVisible());
  // No word is broken across lines on a phone ("registr y signatu re only").
  const broken = await page.locator('.trust-cell').evaluateAll((cells) => cells.flatMap((cell) => {
    const text = cell.firstChild;
    if (!text) return [];
    const out = [];
    const re = /\S+/g;
    let m;
    while ((m = re.exec(text.textContent))) {
      const range = document.createRange();
      range.setStart(text, m.index);
      range.setEnd(text, m.index + m[0].length);
      if (range.getClientRects().length > 1) out.push(m[0]);
    }
    return out;
  }));
  assert.deepEqual(broken, []);
});

test('a slow registry shows the time and can be cancelled; every error offers to try again', async () => {
  const page = await newPage(real);
  await page.goto(`${real.app}/package/sigstore?registry=${encodeURIComponent(real.registry + '/hang')}`);
  await page.getByTestId('elapsed').waitFor({ timeout: 10000 });
  await page.getByTestId('cancel').click();
  const error = page.getByTestId('error-state');
  await error.waitFor({ timeout: 5000 });
  assert.match(await error.innerText(), /Stopped/);
  await page.getByTestId('retry').click();
  await page.getByTestId('loading').waitFor({ timeout: 5000 });
  // A registry error, then a retry that asks again.
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/error500/')) asked.push(r.url()); });
  await page.goto(`${real.app}/package/sigstore?registry=${encodeURIComponent(real.registry + '/error500')}`);
  await error.waitFor({ timeout: 30000 });
  const before = (await fetch(`${real.registry}/-/test/requests`).then((r) => r.text())).trim();
  await page.getByTestId('retry').click();
  await error.waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=error-state]'), null, { timeout: 30000 });
  const afterRetry = (await fetch(`${real.registry}/-/test/requests`).then((r) => r.text())).trim();
  assert.ok(Number(afterRetry) > Number(before), `the registry was asked again (${before} → ${afterRetry})`);
});

test("a link's registry never fills the settings form, and the header shows the whole host", async () => {
  const page = await newPage(real);
  const attacker = 'https://registry.npmjs.org.attacker.example';
  await page.goto(`${real.app}/inspect?registry=${encodeURIComponent(attacker)}`);
  await page.getByTestId('registry-notice').waitFor();
  assert.equal(await page.locator('.registry-host').innerText(), 'registry.npmjs.org.attacker.example');
  await page.locator('.registry-settings summary').click();
  const own = await page.locator('#registry-url').inputValue();
  assert.notEqual(own, attacker);
  assert.equal(own, real.registry, 'the form offers the registry the server set, the person\'s own');
});

test('a static deploy refuses to run inside another site\'s frame', async () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'np-frame-')), 'site');
  execFileSync(bin('npm-provenance'), ['static', '--dist', process.env.NPM_PROVENANCE_DIST || path.join(root, 'dist'), '--out', out, '--registry', real.registry]);
  const host = await startPrintingUrl('python3', ['-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', out]);
  try {
    const page = await newPage(real);
    const wasm = [];
    page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url()); });
    // Another origin (the registry's) frames the site.
    await page.goto(`${real.registry}/-/test/requests`);
    // (Python's server has no single-page fallback: the site's own pages only.)
    await page.setContent(`<iframe src="${host.url}/" width="800" height="600"></iframe>`);
    const frame = page.frameLocator('iframe');
    await frame.getByTestId('framed').waitFor({ timeout: 10000 });
    assert.match(await frame.getByTestId('framed').innerText(), /does not run inside another site's frame/);
    assert.deepEqual(wasm, [], 'the app is not even downloaded');
    // On its own it runs.
    const own = await newPage(real);
    await own.goto(`${host.url}/`);
    await own.locator('#search-main').fill('sigstore@2.3.1');
    await own.keyboard.press('Enter');
    await verdict(own).waitFor({ timeout: 30000 });
  } finally {
    host.child.kill();
  }
});

test('the history filter and the folds work by keyboard, focus visible', async () => {
  const page = await newPage(synthetic);
  await page.goto(`${synthetic.app}/package/downgrade-token/v/1.0.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return { name: el?.getAttribute('name'), tag: el?.tagName, group: !!el?.closest('[data-testid=check-group]'), visible: !!el?.matches(':focus-visible') };
  });
  let at = await focused();
  for (let i = 0; i < 200 && at.name !== 'history-filter'; i++) {
    await page.keyboard.press('Tab');
    at = await focused();
  }
  assert.equal(at.name, 'history-filter', 'the filter is reached by Tab');
  assert.ok(at.visible, 'with its focus shown');
  await page.keyboard.press('ArrowRight');
  const rows = page.locator('.history-table tbody tr');
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.version)), ['1.1.0'], 'arrows choose "Problems"');
  for (let i = 0; i < 200 && !(at.tag === 'SUMMARY' && at.group); i++) {
    await page.keyboard.press('Tab');
    at = await focused();
  }
  assert.ok(at.group && at.visible, 'a folded check group is reached by Tab, its focus shown');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.closest('details').open), true, 'Enter opens it');
});
