// Trust levels and downgrades on the package page: every package of the
// test registry's `/-/test/trust.json` (one per trust level, one per
// downgrade rule, the known false alarms among them) shows the level and
// the downgrade (or none) it must; the registry's word on publishing is
// labelled unsigned; the history shows each row's level and downgrade.
// (The command line, the API and the badges: crates/cli/tests/trust_signals.rs.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickSettled, newPage, screenshot, startStack, openFolds } from './harness.mjs';

let stack;
before(async () => { stack = await startStack({ synthetic: true }); });
after(async () => { await stack?.stop(); });

const verdict = (page) => page.locator('[data-verdict]').first();

// The stack gives the synthetic registry's keys: the rows for a registry
// that signs (`keys`).
const signing = async () => (await (await fetch(`${stack.registry}/-/test/trust.json`)).json()).versions.filter((e) => e.keys);

test('each package version shows the trust level and the downgrade it must', async () => {
  const expected = await signing();
  assert.ok(expected.length >= 11);
  const page = await newPage(stack);
  for (const e of expected) {
    await page.goto(`${stack.app}/package/${e.name}/v/${e.version}`);
    await verdict(page).waitFor({ timeout: 20000 });
    if (e.trust === null) {
      // A failure is no level, and no downgrade is said beside it.
      assert.equal(await verdict(page).getAttribute('data-verdict'), 'failed', `${e.name}@${e.version} (${e.rule})`);
      assert.equal(await page.getByTestId('trust').count(), 0);
      continue;
    }
    const trust = page.getByTestId('trust');
    await trust.waitFor({ timeout: 5000 });
    assert.equal(await trust.getAttribute('data-trust'), e.trust, `${e.name}@${e.version} (${e.rule})`);
    const downgrade = page.getByTestId('downgrade');
    if (e.downgrade) {
      assert.equal(await downgrade.getAttribute('data-downgrade-from'), e.downgrade, `${e.name}@${e.version}`);
      assert.match(await downgrade.innerText(), /Published with weaker evidence than/);
    } else {
      assert.equal(await downgrade.count(), 0, `${e.name}@${e.version} (${e.rule}) shows no downgrade`);
    }
    // The version's own row says the same once verified (rows without
    // provenance keep the registry's listing, labelled as such).
    const row = page.locator(`tr[data-version="${e.version}"]`);
    await page.waitForFunction(
      (v) => document.querySelector(`tr[data-version="${v}"] .trust-cell[data-listed="false"]`)
        || !document.querySelector(`tr[data-version="${v}"] [data-status="pending"]`),
      e.version, { timeout: 20000 });
    assert.equal(await row.locator('[data-testid="history-downgrade"]').count(), e.downgrade ? 1 : 0, `${e.name}@${e.version} row`);
  }
  // The registry's 404 for the attestations is how "none" is learned.
  const none404 = `404 (Not Found) @ ${stack.registry}/synthetic/-/npm/v1/attestations/`;
  assert.deepEqual(page.problems.filter((p) => !p.includes(none404)), []);
});

test('the registry\'s word is labelled unsigned, and a downgrade says what changed', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/trust-trusted-publisher/v/1.0.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  const tp = page.getByTestId('trusted-publisher');
  assert.match(await tp.innerText(), /github \(oidc:trust-trusted-publisher\) · the registry's word, not signed/);
  assert.equal(await page.getByTestId('trust-level').innerText(), 'trusted publisher');

  await page.goto(`${stack.app}/package/downgrade-staged/v/1.0.1`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.match(await page.getByTestId('approver').innerText(), /approved by alice · the registry's word, not signed/);
  assert.ok(!(await page.locator('main').innerText()).includes('alice@example.com'), 'no e-mail address');

  await page.goto(`${stack.app}/package/downgrade-provenance/v/1.1.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  const downgrade = page.getByTestId('downgrade');
  assert.match(
    await downgrade.innerText(),
    /Published with weaker evidence than 1\.0\.0 of the same release line \(1\.x\): trusted publisher then, provenance now\./,
  );
  // The history shows both rows' levels (rows verify as they come into view).
  await page.locator('tr[data-version="1.0.0"]').scrollIntoViewIfNeeded();
  await page.locator('tr[data-version="1.0.0"] .trust-cell[data-listed="false"]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('tr[data-version="1.0.0"] .trust-cell').innerText(), 'trusted publisher');
  assert.equal(await page.locator('tr[data-version="1.1.0"] .trust-cell').innerText(), 'provenance');
  await screenshot(page, 'trust-downgrade');
  assert.deepEqual(page.problems, []);
});

test('a row without provenance shows its listed level and its downgrade before any check', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/downgrade-token/v/1.0.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  const row = page.locator('tr[data-version="1.1.0"]');
  assert.equal(await row.locator('.trust-cell').innerText(), 'registry signature only (as listed)');
  assert.match(await row.getByTestId('history-downgrade').innerText(), /weaker evidence than 1\.0\.0/);
  const none404 = `404 (Not Found) @ ${stack.registry}/synthetic/-/npm/v1/attestations/`;
  assert.deepEqual(page.problems.filter((p) => !p.includes(none404)), []);
});

test('a version page says what changed since the previous version, from both certificates', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/changes-hijacked/v/1.1.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  const changes = page.getByTestId('changes');
  assert.equal(await changes.getAttribute('data-since'), '1.0.0');
  assert.equal(await changes.getAttribute('open'), null, 'folded: its signs are in the verdict');
  await clickSettled(page, changes.locator('summary'));
  // The rows near the fold were checked first: the previous version's row
  // is verified, not the registry's word.
  assert.equal(await page.locator('tr[data-version="1.0.0"] .trust-cell[data-listed="false"]').count(), 1);
  await changes.locator('tr[data-change]').first().waitFor({ timeout: 20000 });
  const rows = await changes.locator('tr[data-change]').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.deepEqual(rows, [
    ['workflow file', '.github/workflows/release.yml', '.github/workflows/ci.yml'],
    ['trigger', 'push', 'workflow_dispatch'],
    ['ref type', 'tag', 'branch'],
    ['runner', 'github-hosted', 'self-hosted'],
    ["publishing method (the registry's word, not signed)", 'trusted publishing', 'a token or a login'],
  ]);
  await screenshot(page, 'what-changed');
  // Nothing changed between two versions built alike.
  await page.goto(`${stack.app}/package/downgrade-token/v/1.0.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('changes').count(), 0, 'the first version has nothing to compare with');
  await page.goto(`${stack.app}/package/downgrade-staged/v/1.0.1`);
  await verdict(page).waitFor({ timeout: 20000 });
  await openFolds(page);
  await page.getByTestId('changes').locator('tr[data-change], [data-testid="changes-none"]').first().waitFor({ timeout: 20000 });
  const staged = await page.getByTestId('changes').locator('tr[data-change]').evaluateAll((trs) => trs.map((tr) => tr.dataset.change));
  assert.deepEqual(staged, ['publishing method'], 'a staged publish changes only the method');
  assert.deepEqual(page.problems, []);
});

test('GitLab as it is: a self-managed instance links to its own host, and its trusted publisher counts', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/package/gitlab-self-managed/v/1.0.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'verified');
  const panel = page.getByTestId('provenance-panel');
  assert.match(await panel.innerText(), /Built and signed on GitLab CI/);
  const commit = '0123456789abcdef0123456789abcdef01234567';
  const project = 'https://gitlab.example.com/acme/widget';
  assert.equal(await panel.getByTestId('source-commit').locator('a').getAttribute('href'), `${project}/-/commit/${commit}`);
  assert.equal(await panel.getByTestId('build-file').locator('a').getAttribute('href'), `${project}/-/blob/${commit}/.gitlab-ci.yml`);
  assert.equal(await panel.getByTestId('build-summary').getAttribute('href'), `${project}/-/jobs/4242`);
  assert.equal(await page.getByTestId('trust').getAttribute('data-trust'), 'trusted-publisher');
  assert.match(await page.getByTestId('trusted-publisher').locator('dd').innerText(), /^gitlab \(oidc:gitlab-self-managed\)/);
  // The registry says GitHub, the certificate says GitLab: provenance only.
  await page.goto(`${stack.app}/package/gitlab-contradicted/v/1.0.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('trust').getAttribute('data-trust'), 'provenance');
  assert.deepEqual(page.problems, []);
});

test('the audit compares each version with its earlier ones when asked, and lists what dropped', async () => {
  const expected = await signing();
  // A package-lock.json installing every version of trust.json, and the
  // earlier version each downgrade is measured against (a second version of
  // a name nested under a holder, as npm writes it).
  const installed = [...expected, ...expected.filter((e) => e.downgrade).map((e) => ({ name: e.name, version: e.downgrade }))];
  const lock = { name: 'trust-audit', lockfileVersion: 3, requires: true, packages: { '': { name: 'trust-audit', dependencies: {} } } };
  const seen = new Set();
  let listed = 0;
  for (const [i, e] of installed.entries()) {
    const doc = await (await fetch(`${stack.registry}/synthetic/${e.name}/${e.version}`)).json();
    if (doc.dist.attestations) listed += 1;
    const path = seen.has(e.name) ? `node_modules/holder-${i}/node_modules/${e.name}` : `node_modules/${e.name}`;
    seen.add(e.name);
    // npm's tarball address (the test registry's own names its files otherwise).
    lock.packages[path] = { version: e.version, resolved: `${stack.registry}/synthetic/${e.name}/-/${e.name.split('/').pop()}-${e.version}.tgz`, integrity: doc.dist.integrity };
    lock.packages[''].dependencies[e.name] = e.version;
  }
  const page = await newPage(stack);
  await page.goto(`${stack.app}/audit`);
  await page.getByTestId('lockfile').fill(JSON.stringify(lock, null, 2));
  const done = () => page.waitForFunction(() => {
    const p = document.querySelector('[data-testid=audit-progress] progress');
    return p && Number(p.max) > 0 && Number(p.value) === Number(p.max) && !document.querySelector('.audit button[type=submit]').disabled;
  }, null, { timeout: 60000 });
  // Asked: exactly the versions trust.json says are downgrades. Each package
  // document is fetched once per run, however many of its versions the
  // lockfile has (every version of a name meets the same worker). First,
  // while the browser's cache is empty.
  await page.getByTestId('compare-history').check();
  const requests = async () => Number(await (await fetch(`${stack.registry}/-/test/requests`)).text());
  const before = await requests();
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await done();
  assert.ok(seen.size < installed.length, 'some names have two versions');
  assert.equal(await requests() - before, installed.length + listed + seen.size,
    'a version document each, the attestations of those that list them, one package document per name');
  const found = await page.getByTestId('audit-downgrades').locator('[role=listitem] a').evaluateAll((as) => as.map((a) => a.textContent).sort());
  const want = expected.filter((e) => e.downgrade).map((e) => `${e.name}@${e.version}`).sort();
  assert.ok(want.length >= 3, 'trust.json has downgrades to find');
  assert.deepEqual(found, want);
  assert.match(await page.getByTestId('audit-downgrades').innerText(), new RegExp(`^${want.length} package versions dropped evidence compared with earlier versions`));
  assert.match(await page.getByTestId('audit-downgrades').innerText(), /weaker evidence than/);
  // In the table too: each row that dropped says so, its sentence in the
  // row itself (not in a tooltip).
  const marked = await page.locator('.audit-row .dropped').evaluateAll((els) => els.map((el) => el.closest('.audit-row').querySelector('a').textContent).sort());
  assert.deepEqual(marked, want);
  const sentences = await page.locator('.audit-row:has(.dropped) .why').allInnerTexts();
  assert.ok(sentences.length === want.length && sentences.every((t) => /weaker evidence than/.test(t)), sentences.join(' | '));
  await screenshot(page, 'audit-downgrades');
  // Not asked: nothing compared, nothing said about it.
  await page.getByTestId('compare-history').uncheck();
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await done();
  assert.match(await page.getByTestId('audit-summary').locator('h2').innerText(), new RegExp(` of ${installed.length} package versions`));
  assert.equal(await page.getByTestId('audit-downgrades').count(), 0);
  assert.equal(await page.locator('.audit-row .dropped').count(), 0);
  const none404 = `404 (Not Found) @ ${stack.registry}/synthetic/-/npm/v1/attestations/`;
  assert.deepEqual(page.problems.filter((p) => !p.includes(none404)), []);
});
