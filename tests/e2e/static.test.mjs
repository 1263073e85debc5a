// End-to-end: the app from a plain static file server (Python's
// http.server: no project code), as `npm-provenance static` writes it for
// any static host. It verifies a package from the test registry across
// origins (CORS), under the Content-Security-Policy its index.html carries
// as a meta tag, and offers README badges only when a badge server is named.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bin, newPage, root, screenshot, startPrintingUrl, startStack } from './harness.mjs';

let stack;
const hosts = [];
const dirs = [];
before(async () => { stack = await startStack(); });
after(async () => {
  for (const h of hosts) h.child.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await stack?.stop();
});

/** Writes the static site with `extra` flags and serves it; resolves with its URL and directory. */
async function staticHost(name, extra = []) {
  const out = path.join(tmpdir(), `np-static-${name}-${process.pid}`);
  dirs.push(out);
  const dist = process.env.NPM_PROVENANCE_DIST || path.join(root, 'dist');
  execFileSync(bin('npm-provenance'), ['static', '--dist', dist, '--out', out, '--registry', stack.registry, ...extra]);
  const host = await startPrintingUrl('python3', ['-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', out]);
  hosts.push(host);
  return { url: host.url, out };
}

async function lookUp(page, url, spec) {
  await page.goto(`${url}/`);
  await page.locator('#search-main').fill(spec);
  await page.keyboard.press('Enter');
  await page.locator('[data-verdict]').first().waitFor({ timeout: 30000 });
  return page.locator('[data-verdict]').first().getAttribute('data-verdict');
}

test('a static host serves the app, which verifies against a registry on another origin', async () => {
  const { url, out } = await staticHost('plain');
  const html = readFileSync(path.join(out, 'index.html'), 'utf8');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self' 'wasm-unsafe-eval';/);
  assert.ok(!html.includes('frame-ancestors'), 'not in a meta tag, where browsers ignore it');
  assert.match(html, new RegExp(`<meta name="npm-provenance-registry" content="${stack.registry}" />`));
  assert.ok(!html.includes('npm-provenance-badges'));
  const page = await newPage({ ...stack, app: url });
  assert.equal(await lookUp(page, url, 'sigstore@2.3.1'), 'verified');
  assert.match(page.url(), /\/package\/sigstore\/v\/2\.3\.1$/);
  assert.match(await page.getByTestId('provenance-panel').innerText(), /Built and signed on GitHub Actions/);
  // No badge server named: no badge offered (it would point nowhere).
  assert.equal(await page.getByTestId('badge-preview').count(), 0);
  await screenshot(page, 'static-host');
  assert.deepEqual(page.problems, []);
});

test('a static host that names a badge server offers its badges, linking back to itself', async () => {
  const { url, out } = await staticHost('badges', ['--badge-server', stack.app]);
  assert.match(readFileSync(path.join(out, 'index.html'), 'utf8'), new RegExp(`img-src 'self' data: ${stack.app};`));
  const page = await newPage({ ...stack, app: url });
  assert.equal(await lookUp(page, url, 'sigstore'), 'verified');
  const badge = page.getByTestId('badge-preview');
  await badge.scrollIntoViewIfNeeded();
  assert.equal(await badge.getAttribute('src'), `${stack.app}/badge/npm/sigstore.svg`);
  await page.waitForFunction(() => document.querySelector('[data-testid=badge-preview]')?.naturalWidth > 0, null, { timeout: 20000 });
  assert.equal(await page.locator('#badge-markdown').inputValue(), `[![npm provenance for sigstore](${stack.app}/badge/npm/sigstore.svg)](${url}/package/sigstore)`);
  assert.deepEqual(page.problems, []);
});

test('the static build refuses what it cannot use', () => {
  const out = path.join(tmpdir(), `np-static-bad-${process.pid}`);
  dirs.push(out);
  for (const args of [['--registry', 'ftp://x'], ['--badge-server', 'javascript:alert(1)'], ['--dist', '/nonexistent']]) {
    assert.throws(() => execFileSync(bin('npm-provenance'), ['static', '--out', out, ...args], { stdio: 'pipe' }), (e) => e.status === 2, args.join(' '));
  }
});
