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

test('what is not JSON, or JSON that is no document, is said so plainly, never as a failed verification', async () => {
  const page = await newPage(stack);
  for (const [text, said] of [
    ['not json at all', "This isn't JSON. Paste a Sigstore bundle or an npm attestations response."],
    ['{"hello": "world"}', 'This JSON is not a Sigstore bundle or an npm attestations response.'],
  ]) {
    await page.goto(stack.app + '/inspect');
    await page.getByTestId('document').fill(text);
    await page.getByRole('button', { name: 'Verify' }).click();
    const note = page.getByTestId('input-note');
    await note.waitFor();
    assert.equal(await note.innerText(), said);
    assert.equal(await page.locator('[data-verdict]').count(), 0, 'no verdict for what is no document');
    assert.ok(!(await page.locator('main').innerText()).includes('Verification failed'));
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'inspector-not-a-document-phone');
  await page.goto(stack.app + '/inspect');
  await page.getByRole('button', { name: 'Verify' }).click();
  assert.match(await page.getByRole('alert').innerText(), /Paste, drop or open/);
  await screenshot(page, 'inspector-empty');
  assert.deepEqual(page.problems, []);
});

const SIGSTORE_2_0_0 = 'sha512-RtTi90xIdzFmQAAKb9+Ki1nx4IR2Z5c+mFn3dN0xuPHgk3gTt3f7ZqKsZ9UFQP40ZAlm7un8LMyjhwgrTIXNPA==';

for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  test(`a pasted bundle is verified at once against its signed subject, and one click fetches the integrity (${name})`, async () => {
    const page = await newPage(stack, { viewport, permissions: ['clipboard-read', 'clipboard-write'] });
    await page.goto(stack.app + '/inspect');
    await page.getByRole('heading', { level: 1, name: 'Inspector' }).waitFor();
    await page.evaluate((t) => navigator.clipboard.writeText(t), fixture('bundles/sigstore@2.0.0.provenance.sigstore.json'));
    await page.getByTestId('document').focus();
    const before = Number(await (await fetch(`${stack.registry}/-/test/requests`)).text());
    await page.keyboard.press('Control+V');
    // No click: verified on paste, against the package the subject names.
    await page.locator('[data-verdict]').waitFor({ timeout: 20000 });
    assert.equal(await page.locator('[data-verdict]').getAttribute('data-verdict'), 'incomplete');
    assert.equal(await page.locator('#inspect-package').inputValue(), 'sigstore@2.0.0');
    assert.ok(await page.getByTestId('package-from-subject').isVisible());
    // Nothing was asked of the registry before the person asks.
    assert.equal(Number(await (await fetch(`${stack.registry}/-/test/requests`)).text()) - before, 0);
    const offer = page.getByTestId('integrity-offer');
    assert.match(await offer.innerText(), /signed subject names sigstore@2\.0\.0\. Its digest was compared with nothing/);
    const port = new URL(stack.registry).port;
    const fetchIt = offer.getByRole('button', { name: `Fetch the integrity of sigstore@2.0.0 from 127.0.0.1:${port}` });
    if (name === 'phone') await screenshot(page, 'inspector-offer-phone');
    await fetchIt.click();
    await page.locator('[data-verdict="verified"]').waitFor({ timeout: 20000 });
    assert.equal(await page.locator('#inspect-integrity').inputValue(), SIGSTORE_2_0_0);
    assert.match(await page.locator('.verdict-summary').innerText(), /^sigstore@2\.0\.0: provenance verified\./);
    assert.equal(await page.getByTestId('integrity-offer').count(), 0);
    // The offer and the form fit the screen.
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    assert.ok(!wide, 'nothing runs off the side');
    if (name === 'phone') await screenshot(page, 'inspector-verified-phone');
    assert.deepEqual(page.problems, []);
  });
}

test('a dropped file is verified at once; a file over the limit is named with its direction override shown, not obeyed', async () => {
  const page = await newPage(stack);
  await page.goto(stack.app + '/inspect');
  const drop = async (contents, name) => {
    const transfer = await page.evaluateHandle(([t, n]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], n, { type: 'application/json' }));
      return dt;
    }, [contents, name]);
    await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: transfer });
  };
  await drop(fixture('attestations/tuf-js@1.0.0.json'), 'tuf-js.json');
  await page.locator('[data-verdict]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#inspect-package').inputValue(), 'tuf-js@1.0.0');
  // Both attestations skip the subject's digest: the check is named once.
  const summary = await page.locator('.verdict-summary').innerText();
  assert.equal(summary.match(/Subject/g)?.length, 1, summary);
  // 5 MB under a name that reads "evil.json" backwards past U+202E.
  await drop('x'.repeat(5 << 20), 'evil\u202Enosj.exe');
  const alert = page.locator('.form-error[role=alert]');
  await alert.waitFor();
  const said = await alert.innerText();
  assert.match(said, /^evil\\u\{202e\}nosj\.exe \(5\.2 MB\) is larger than 4 MB; it is not read\.$/);
  assert.ok(!said.includes('\u202E'));
  assert.deepEqual(page.problems, []);
});
