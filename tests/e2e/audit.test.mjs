// End-to-end: the /audit page against the test registry's synthetic
// packages (signed by the testkit's own Sigstore, which the server
// announces): drop a lockfile, see the summary and the table, filter it,
// export it, open a failing package's page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { newPage, screenshot, startStack } from './harness.mjs';

let stack;
before(async () => { stack = await startStack({ synthetic: true }); });
after(async () => { await stack?.stop(); });

/** A package-lock.json of audit-0 .. audit-(n-1), audit-3 pinned to audit-0's bytes, and a package the registry lacks. */
async function mixedLockfile(n) {
  const lock = await (await fetch(`${stack.registry}/-/test/audit-lockfile.json?n=${n}`)).json();
  lock.packages['node_modules/audit-3'].integrity = lock.packages['node_modules/audit-0'].integrity;
  lock.packages['node_modules/no-such-package-here'] = { version: '1.0.0', integrity: 'sha512-AAAA' };
  lock.packages[''].dependencies['no-such-package-here'] = '1.0.0';
  lock.packages['node_modules/local-thing'] = { resolved: '../local-thing', link: true };
  lock.packages[''].dependencies['local-thing'] = 'file:../local-thing';
  return JSON.stringify(lock, null, 2);
}

async function waitUntilDone(page) {
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid=audit-progress] progress');
    return p && Number(p.max) > 0 && Number(p.value) === Number(p.max);
  }, null, { timeout: 60000 });
}

test('a dropped lockfile is audited: summary, failures first, filters, a failing package page', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/audit`);
  await page.getByRole('heading', { level: 1, name: 'Audit a lockfile' }).waitFor();
  const text = await mixedLockfile(30);
  const transfer = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'package-lock.json', { type: 'application/json' }));
    return dt;
  }, text);
  await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: transfer });
  await page.waitForFunction(() => document.querySelector('[data-testid=lockfile]').value.length > 1000);
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await waitUntilDone(page);
  const summary = page.getByTestId('audit-summary');
  assert.match(await summary.locator('h2').innerText(), /^29 of 31 package versions have verified provenance \(93%\)$/);
  assert.match(await summary.innerText(), /1 dependencies do not come from the registry/);
  // Failures first: the lockfile that pins other bytes, then the missing package.
  const rows = page.locator('.audit-body .audit-row');
  assert.equal(await rows.nth(0).getAttribute('data-verdict'), 'failed');
  assert.match(await rows.nth(0).innerText(), /audit-3@1\.0\.0[\s\S]*Lockfile integrity: The lockfile records sha512-/);
  assert.equal(await rows.nth(1).getAttribute('data-verdict'), 'error');
  assert.match(await rows.nth(1).innerText(), /no-such-package-here@1\.0\.0[\s\S]*has no version 1\.0\.0 on the registry/);
  assert.equal(await rows.nth(2).getAttribute('data-verdict'), 'verified');
  assert.match(await rows.nth(2).innerText(), /github\.com\/acme\/audit-/);
  await screenshot(page, 'audit-mixed');
  // Filters: by text, and by verdict.
  await page.locator('#audit-filter').fill('audit-1');
  assert.match(await page.locator('.audit-controls .shown').innerText(), /^11 shown$/); // audit-1, audit-10..19
  await page.locator('#audit-filter').fill('');
  await summary.locator('button[data-verdict-filter=failed]').click();
  assert.equal(await rows.count(), 1);
  // The failing package's own page (which knows nothing of the lockfile).
  await rows.nth(0).locator('a').click();
  await page.waitForURL(/\/package\/audit-3\/v\/1\.0\.0/);
  await page.locator('[data-verdict]').first().waitFor({ timeout: 20000 });
  assert.equal(await page.locator('[data-verdict]').first().getAttribute('data-verdict'), 'verified');
  assert.deepEqual(page.problems.filter((p) => !p.includes(`@ ${stack.registry}/synthetic/no-such-package-here`)), []);
});

test('the audit exports JSON and CSV, and a second run comes from the browser cache', async () => {
  const page = await newPage(stack, { acceptDownloads: true });
  await page.goto(`${stack.app}/audit`);
  await page.getByTestId('lockfile').fill(await (await fetch(`${stack.registry}/-/test/audit-lockfile.json?n=12`)).text());
  const before = Number(await (await fetch(`${stack.registry}/-/test/requests`)).text());
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await waitUntilDone(page);
  const afterFirst = Number(await (await fetch(`${stack.registry}/-/test/requests`)).text());
  assert.equal(afterFirst - before, 24, 'a version document and the attestations of each');
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const report = JSON.parse(readFileSync(await json.path(), 'utf8'));
  assert.equal(report.summary.total, 12);
  assert.equal(report.summary.verified, 12);
  assert.equal(report.packages[0].verdict, 'verified');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const lines = readFileSync(await csv.path(), 'utf8').trim().split('\r\n');
  assert.equal(lines[0], 'name,version,verdict,trust,downgrade,reason,repository,platform,direct,dev,via,integrity');
  assert.equal(lines.length, 13);
  // Each audit-<n> package has provenance, the publish attestation and a registry signature.
  assert.match(lines[1], /^audit-\d+,1\.0\.0,verified,provenance,,/);
  // Again: every document is in the browser's cache.
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await waitUntilDone(page);
  const afterSecond = Number(await (await fetch(`${stack.registry}/-/test/requests`)).text());
  assert.equal(afterSecond - afterFirst, 0, 'the second audit asked the registry for nothing');
  assert.deepEqual(page.problems, []);
});

test('a long audit shows progress, can be cancelled, and draws only the rows in view', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/audit`);
  await page.getByTestId('lockfile').fill(await (await fetch(`${stack.registry}/-/test/audit-lockfile.json?n=400`)).text());
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=audit-progress] progress')?.value) >= 40, null, { timeout: 60000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Audit', exact: true }).waitFor();
  const shown = await page.getByTestId('audit-progress').innerText();
  assert.match(shown, /of 400 package versions checked \(cancelled\)/);
  const checked = Number(shown.match(/(\d+) of 400/)[1]);
  assert.ok(checked >= 40 && checked < 400, shown);
  // The table holds every checked row, but draws only those near the view.
  assert.ok(await page.locator('.audit-body .audit-row').count() <= 50);
  await page.getByTestId('audit-table').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForFunction((n) => [...document.querySelectorAll('.audit-body .audit-row a')].some((a) => a.textContent.includes(`audit-`) && a.closest('.audit-row').style.top === `${(n - 1) * 36}px`), checked);
  await screenshot(page, 'audit-cancelled');
  assert.deepEqual(page.problems, []);
});

test('an unusable lockfile gets a message, not an audit', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/audit`);
  await page.getByTestId('lockfile').fill('{"hello": "world"}');
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.locator('.audit [role=alert]').waitFor();
  assert.match(await page.locator('.audit [role=alert]').innerText(), /lockfile/i);
  assert.equal(await page.getByTestId('audit-summary').count(), 0);
  assert.deepEqual(page.problems, []);
});
