// End-to-end: the inspector verifies pasted documents in the page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { newPage, screenshot, startStack } from './harness.mjs';

const fixtures = process.env.NPM_PROVENANCE_FIXTURES || path.resolve(new URL('.', import.meta.url).pathname, '../fixtures');
const fixture = (p) => readFileSync(path.join(fixtures, p), 'utf8');

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

async function inspect(page, json, fields = {}) {
  await page.goto(stack.app + '/inspect');
  await page.getByTestId('document').fill(json);
  if (fields.package) await page.locator('#inspect-package').fill(fields.package);
  if (fields.integrity) await page.locator('#inspect-integrity').fill(fields.integrity);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.locator('[data-verdict]').waitFor({ timeout: 20000 });
  return page.locator('[data-verdict]').getAttribute('data-verdict');
}

test('the inspector verifies a pasted bundle', async () => {
  const page = await newPage(stack);
  const verdict = await inspect(page, fixture('bundles/sigstore@1.3.0.provenance.sigstore.json'), {
    package: 'sigstore@1.3.0',
    integrity: 'sha512-dhdv+jOAi1RgLHw13lxumk3rlgZtumUz9QrCNPTx9MazUnUV3BfAb74oYAMPQQ7uaeogB5vTosbz3POzKbEHUQ==',
  });
  assert.equal(verdict, 'verified');
  assert.match(await page.getByTestId('provenance-panel').innerText(), /Built and signed on GitHub Actions/);
  // Shareable: the address carries everything but the document.
  assert.match(page.url(), /package=sigstore%401\.3\.0/);
  await screenshot(page, 'inspector-verified');
  assert.deepEqual(page.problems, []);
});

test('the inspector verifies a whole attestations response and flags missing inputs', async () => {
  const page = await newPage(stack);
  const verdict = await inspect(page, fixture('attestations/tuf-js@1.0.0.json'));
  // Without package and integrity the subject cannot be compared.
  assert.equal(verdict, 'incomplete');
  assert.ok(await page.locator('.check[data-status="skipped"]').count() >= 1);
  await screenshot(page, 'inspector-incomplete');
  assert.deepEqual(page.problems, []);
});

test('the inspector rejects a tampered bundle', async () => {
  const page = await newPage(stack);
  const verdict = await inspect(page, fixture('sigstore-conformance/bundle-verify/dsse-invalid-sig_fail/bundle.sigstore.json'));
  assert.equal(verdict, 'failed');
  assert.match(await page.locator('.verdict-failed-check').innerText(), /Failed check: Signature/);
  await screenshot(page, 'inspector-tampered');
  assert.deepEqual(page.problems, []);
});

test('the inspector refuses what is not a bundle, with a message', async () => {
  const page = await newPage(stack);
  const verdict = await inspect(page, '{"hello": "world"}');
  assert.equal(verdict, 'failed');
  assert.match(await page.locator('.check[data-status="failed"]').innerText(), /Not a Sigstore bundle/);
  await page.goto(stack.app + '/inspect');
  await page.getByRole('button', { name: 'Verify' }).click();
  assert.match(await page.getByRole('alert').innerText(), /Paste, drop or open/);
  await screenshot(page, 'inspector-empty');
  assert.deepEqual(page.problems, []);
});
