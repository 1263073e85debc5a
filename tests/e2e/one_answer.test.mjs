// End-to-end: the app asks the core's one lookup, as the command line and
// the server do (crates/cli/tests/one_answer.rs asks them the same): a
// signature by an expired key, attestations a registry withholds, an
// integrity of more entries than are read, a lockfile that could vouch for
// what npm never checks; and a page whose every element reads from its one
// report (sigstore@2.2.0: checks incomplete, so no level and no downgrade).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, screenshot, startStack } from './harness.mjs';

let stack;
let real;
before(async () => {
  stack = await startStack({ synthetic: true, keys: 'keys-expiring.json' });
  real = await startStack();
});
after(async () => { await stack?.stop(); await real?.stop(); });

const verdict = (page) => page.locator('[data-verdict]').first();

/** The page's verdict and the check that failed first, once it shows one. */
async function pageAnswer(page, path) {
  await page.goto(`${stack.app}${path}`);
  await verdict(page).waitFor({ timeout: 20000 });
  const failed = page.locator('.check[data-status="failed"]').first();
  return {
    verdict: await verdict(page).getAttribute('data-verdict'),
    failed: (await failed.count()) ? await failed.innerText() : null,
    trust: await page.getByTestId('trust').count(),
  };
}

test('the page fails what every door fails: an expired key, withheld attestations, a 17-entry integrity', async () => {
  const page = await newPage(stack);
  const requests = [];
  page.context().on('request', (r) => requests.push(r.url()));
  let a = await pageAnswer(page, '/package/expired-key/v/1.0.0');
  assert.equal(a.verdict, 'failed');
  assert.match(a.failed, /Registry signature[\s\S]*was not valid when the version was published/);
  await screenshot(page, 'one-answer-expired-key');
  // The version signed while the key was valid: no provenance listed, none
  // asked for (the version document lists no attestations).
  requests.length = 0;
  a = await pageAnswer(page, '/package/expired-key/v/0.9.0');
  assert.equal(a.verdict, 'none');
  assert.equal(await page.getByTestId('trust-level').innerText(), 'registry signature only');
  assert.deepEqual(requests.filter((u) => u.includes('/-/npm/v1/attestations/')), [], 'attestations are asked for only when listed');
  a = await pageAnswer(page, '/package/withheld-attestations/v/1.0.0');
  assert.equal(a.verdict, 'failed');
  assert.match(a.failed, /withholds what it advertises/);
  assert.equal(a.trust, 0);
  await page.goto(`${stack.app}/package/integrity-17/v/1.0.0`);
  await page.locator('[data-verdict="error"], [data-testid="error-state"]').first().waitFor({ timeout: 20000 });
  assert.equal(await page.locator('[data-verdict="verified"]').count(), 0);
  assert.match(await page.locator('main').innerText(), /more than 16 are refused/);
  const expected404 = [`${stack.registry}/synthetic/-/npm/v1/attestations/withheld-attestations@1.0.0`];
  assert.deepEqual(page.problems.filter((p) => !expected404.some((u) => p.includes(u))), []);
});

test('the audit page fails closed: a 17-entry integrity, two copies that disagree, an unbound tarball off the registry', async () => {
  const page = await newPage(stack);
  const integrity = async (name) => (await (await fetch(`${stack.registry}/synthetic/${name}/1.0.0`)).json()).dist.integrity;
  const [ok, served, nested] = [await integrity('audit-0'), await integrity('audit-1'), await integrity('audit-2')];
  const other = `sha512-B${'A'.repeat(85)}==`;
  const lock = { lockfileVersion: 3, packages: {
    '': { name: 'p', dependencies: { 'audit-0': '1.0.0', 'audit-1': '1.0.0', 'audit-2': '1.0.0', holder: '1.0.0', 'audit-3': '1.0.0' } },
    'node_modules/audit-0': { version: '1.0.0', integrity: ok },
    'node_modules/audit-1': { version: '1.0.0', integrity: `${served} ${Array(15).fill('x').join(' ')} ${other}` },
    'node_modules/audit-2': { version: '1.0.0', integrity: nested },
    'node_modules/holder': { version: '1.0.0', integrity: ok, dependencies: { 'audit-2': '1.0.0' } },
    'node_modules/holder/node_modules/audit-2': { version: '1.0.0', integrity: other },
    'node_modules/audit-3': { version: '1.0.0', resolved: 'https://evil.example/audit-3/-/audit-3-1.0.0.tgz' },
  } };
  await page.goto(`${stack.app}/audit`);
  await page.getByTestId('lockfile').fill(JSON.stringify(lock));
  await page.getByRole('button', { name: 'Audit', exact: true }).click();
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid=audit-progress] progress');
    return p && Number(p.max) > 0 && Number(p.value) === Number(p.max);
  }, null, { timeout: 60000 });
  const row = (name) => page.locator(`.virtual-rows .audit-row:has-text("${name}@1.0.0")`).first();
  assert.equal(await row('audit-1').getAttribute('data-verdict'), 'failed');
  assert.match(await row('audit-1').innerText(), /more than 16 are refused/);
  assert.equal(await row('audit-2').getAttribute('data-verdict'), 'failed');
  assert.match(await row('audit-2').innerText(), /pins other bytes/);
  // The unbound copy off the registry is no registry package: not audited, listed apart.
  assert.equal(await row('audit-3').count(), 0);
  assert.match(await page.getByTestId('audit-summary').innerText(), /do not come from the registry/);
  await screenshot(page, 'one-answer-audit');
});

test('one report per version: sigstore@2.2.0 (checks incomplete) has no level and no downgrade, and its row agrees', async () => {
  const page = await newPage(real);
  await page.goto(`${real.app}/package/sigstore/v/2.2.0`);
  await verdict(page).waitFor({ timeout: 20000 });
  assert.equal(await verdict(page).getAttribute('data-verdict'), 'incomplete');
  assert.equal(await page.getByTestId('trust').count(), 0, 'an incomplete version has no trust level');
  assert.equal(await page.getByTestId('downgrade').count(), 0);
  const row = page.locator('tr[data-version="2.2.0"] [data-status]');
  await page.waitForFunction(() => document.querySelector('tr[data-version="2.2.0"] [data-status]')?.getAttribute('data-status') !== 'pending', null, { timeout: 20000 });
  assert.equal(await row.getAttribute('data-status'), 'incomplete');
  assert.equal(await page.locator('tr[data-version="2.2.0"] [data-testid="history-downgrade"]').count(), 0);
  await screenshot(page, 'one-answer-sigstore-2.2.0');
});
