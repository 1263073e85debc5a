// Accessibility, checked by axe-core (Deque's rules engine) on every page
// and state, in the light and the dark theme: no violation of WCAG 2.1 A and
// AA or of axe's best practices. The app's Content-Security-Policy refuses
// injected scripts, rightly: only this test's browser context bypasses it to
// load axe.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { newPage, startStack } from './harness.mjs';

const fixtures = process.env.NPM_PROVENANCE_FIXTURES || path.resolve(new URL('.', import.meta.url).pathname, '../fixtures');

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

let stack;
let synthetic;
before(async () => {
  stack = await startStack();
  synthetic = await startStack({ synthetic: true });
});
after(async () => {
  await stack?.stop();
  await synthetic?.stop();
});

/** The violations axe finds on the page as it is, one line each. */
async function violations(page) {
  await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')} — ${v.nodes[0]?.failureSummary?.split('\n').slice(0, 2).join(' ')}`);
  }, TAGS);
  return found;
}

const states = [
  ['home', (s) => `${s.app}/`, (page) => page.getByRole('heading', { level: 1 }).waitFor()],
  ['verified package', (s) => `${s.app}/package/sigstore`, (page) => page.locator('.history-table [data-status="verified"]').first().waitFor({ timeout: 30000 })],
  ['failed package', (s) => `${s.app}/package/sigstore/v/2.3.1?registry=${encodeURIComponent(s.registry + '/tampered')}`, (page) => page.locator('[data-verdict="failed"]').waitFor({ timeout: 30000 })],
  ['no provenance', (s) => `${s.app}/package/lodash`, (page) => page.locator('[data-verdict="none"]').waitFor({ timeout: 30000 })],
  ['registry error', (s) => `${s.app}/package/sigstore?registry=${encodeURIComponent(s.registry + '/error500')}`, (page) => page.getByTestId('error-state').waitFor({ timeout: 30000 })],
  ['unknown package', (s) => `${s.app}/package/no-such-package-here`, (page) => page.getByTestId('error-state').waitFor({ timeout: 30000 })],
  ['not found', (s) => `${s.app}/no/such/page`, (page) => page.getByRole('heading', { level: 1 }).waitFor()],
  ['inspector', (s) => `${s.app}/inspect`, (page) => page.getByRole('heading', { level: 1 }).waitFor()],
  ['audit', (s) => `${s.app}/audit`, (page) => page.getByRole('heading', { level: 1 }).waitFor()],
];

for (const scheme of ['light', 'dark']) {
  for (const [name, url, ready] of states) {
    test(`${name} (${scheme}): no axe violations`, async () => {
      const page = await newPage(stack, { bypassCSP: true, colorScheme: scheme });
      await page.goto(url(stack));
      await ready(page);
      assert.deepEqual(await violations(page), []);
    });
  }

  test(`inspector after a verification, settings open (${scheme}): no axe violations`, async () => {
    const page = await newPage(stack, { bypassCSP: true, colorScheme: scheme });
    await page.goto(`${stack.app}/inspect`);
    await page.getByTestId('document').fill(readFileSync(path.join(fixtures, 'bundles/sigstore@2.0.0.provenance.sigstore.json'), 'utf8'));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('[data-verdict]').waitFor({ timeout: 20000 });
    // Incomplete, with the offer to fetch the integrity.
    await page.getByTestId('integrity-offer').waitFor();
    assert.deepEqual(await violations(page), []);
    await page.getByTestId('integrity-offer').getByRole('button').click();
    await page.locator('[data-verdict="verified"]').waitFor({ timeout: 20000 });
    await page.locator('.registry-settings summary').click();
    await page.locator('#registry-url').waitFor();
    assert.deepEqual(await violations(page), []);
  });

  // The package page's other states: amber with its warning signs and what
  // to do, every fold open, the history filtered to its problems.
  test(`warning signs, folds open, history filtered (${scheme}): no axe violations`, async () => {
    const page = await newPage(synthetic, { bypassCSP: true, colorScheme: scheme });
    await page.goto(`${synthetic.app}/package/changes-hijacked/v/1.1.0`);
    await page.locator('[data-attention="true"]').waitFor({ timeout: 30000 });
    await page.getByTestId('history-filter').getByLabel('Problems').check();
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    assert.deepEqual(await violations(page), []);
    await page.goto(`${synthetic.app}/package/verdicts/v/1.0.2`);
    await page.getByTestId('nearest-link').waitFor({ timeout: 30000 });
    assert.deepEqual(await violations(page), []);
  });

  test(`inspector given what is no document (${scheme}): no axe violations`, async () => {
    const page = await newPage(stack, { bypassCSP: true, colorScheme: scheme });
    await page.goto(`${stack.app}/inspect`);
    await page.getByTestId('document').fill('{"hello": "world"}');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('input-note').waitFor();
    assert.deepEqual(await violations(page), []);
  });

  test(`audit of a large lockfile against a link's registry: the question, the run under way, the lists open (${scheme}): no axe violations`, async () => {
    const page = await newPage(synthetic, { bypassCSP: true, colorScheme: scheme });
    await page.goto(`${synthetic.app}/audit?registry=${encodeURIComponent(synthetic.registry + '/switch')}`);
    const lock = await (await fetch(`${synthetic.registry}/-/test/audit-lockfile.json?n=40`)).json();
    for (let i = 0; i < 4000; i++) lock.packages[`node_modules/local-${i}`] = { resolved: `../packages/local-${i}`, link: true };
    const transfer = await page.evaluateHandle((t) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], 'package-lock.json', { type: 'application/json' }));
      return dt;
    }, JSON.stringify(lock, null, 2));
    await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: transfer });
    await page.getByTestId('held-file').waitFor();
    await page.getByRole('button', { name: 'Audit', exact: true }).click();
    await page.getByTestId('registry-question').waitFor();
    assert.deepEqual(await violations(page), []);
    await fetch(`${synthetic.registry}/-/test/switch?fail=hold`);
    try {
      await page.getByRole('button', { name: /^Audit against/ }).click();
      await page.getByTestId('audit-summary').waitFor({ timeout: 30000 });
      assert.match(await page.locator('#audit-summary-heading').innerText(), /of 40 package versions checked so far$/);
      assert.deepEqual(await violations(page), []);
    } finally {
      await fetch(`${synthetic.registry}/-/test/switch?fail=none`);
    }
    await page.waitForFunction(() => {
      const p = document.querySelector('[data-testid=audit-progress] progress');
      return p && Number(p.max) > 0 && Number(p.value) === Number(p.max);
    }, null, { timeout: 60000 });
    await page.locator('details.not-from-registry summary').click();
    await page.getByTestId('kept-documents').getByRole('button').waitFor();
    assert.deepEqual(await violations(page), []);
  });

  test(`audit with results (${scheme}): no axe violations`, async () => {
    const page = await newPage(synthetic, { bypassCSP: true, colorScheme: scheme });
    await page.goto(`${synthetic.app}/audit`);
    const lock = await (await fetch(`${synthetic.registry}/-/test/audit-lockfile.json?n=8`)).json();
    lock.packages['node_modules/audit-3'].integrity = lock.packages['node_modules/audit-0'].integrity;
    await page.getByTestId('lockfile').fill(JSON.stringify(lock));
    await page.getByRole('button', { name: 'Audit', exact: true }).click();
    await page.waitForFunction(() => {
      const p = document.querySelector('[data-testid=audit-progress] progress');
      return p && Number(p.max) > 0 && Number(p.value) === Number(p.max);
    }, null, { timeout: 30000 });
    assert.deepEqual(await violations(page), []);
  });
}
