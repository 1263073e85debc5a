// The end-to-end stack: the local registry (real fixtures), the native server
// with the app's release build, and headless Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const root = path.resolve(new URL('.', import.meta.url).pathname, '../..');
export const bin = (name) => process.env.NPM_PROVENANCE_BIN_DIR ? path.join(process.env.NPM_PROVENANCE_BIN_DIR, name) : path.join(root, 'target/debug', name);
export const outputDir = process.env.E2E_OUTPUT_DIR || path.join(root, 'test-output/e2e');
mkdirSync(outputDir, { recursive: true });

/** Starts a process and resolves with the first URL it prints (stdout or stderr). */
export function startPrintingUrl(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => reject(new Error(`${command} printed no URL within 15 s`)), 15000);
    const onLine = (line) => {
      const m = line.match(/https?:\/\/127\.0\.0\.1:\d+/);
      if (m) { clearTimeout(timer); resolve({ child, url: m[0] }); }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${command} exited with ${code}`)); });
  });
}

export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Registry + server + browser. Call `stop()` when done.
 * With `{ synthetic: true }` the server (and so the app) uses the registry's
 * synthetic packages and trusts the testkit's own Sigstore instance; with
 * `{ tuf: true }` the synthetic packages again, but the trust comes from
 * the registry's TUF repository (made by the testkit, root v1 → v3), which
 * the server and the app's worker each refresh. Otherwise (the real data)
 * nothing is fetched from TUF: there is no internet here.
 */
export async function startStack({ synthetic = false, tuf = false, keys = 'keys.json', scenario = 'synthetic' } = {}) {
  const registry = await startPrintingUrl(bin('test-registry'), ['--port', '0']);
  const dist = process.env.NPM_PROVENANCE_DIST || path.join(root, 'dist');
  const args = ['serve', '--port', '0', '--dist', dist];
  if (tuf) {
    const dir = path.join(tmpdir(), `np-e2e-tuf-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'root-v1.json'), await (await fetch(`${registry.url}/-/tuf/1.root.json`)).text());
    args.push('--registry', `${registry.url}/synthetic`, '--tuf-url', `${registry.url}/-/tuf`,
      '--tuf-root', path.join(dir, 'root-v1.json'), '--tuf-cache', path.join(dir, 'cache'));
  } else if (synthetic) {
    const dir = path.join(tmpdir(), `np-e2e-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    // `keys`: the registry's keys document to trust (`keys-expiring.json`:
    // the same key, expired before `expired-key@1.0.0` was published).
    for (const [name, file] of [['trusted-root.json', '--trusted-root'], [keys, '--keys']]) {
      const body = await (await fetch(`${registry.url}/-/test/${name}`)).text();
      writeFileSync(path.join(dir, name), body);
      args.push(file, path.join(dir, name));
    }
    // The synthetic self-managed GitLab, named as its operator would.
    // `scenario`: another base serving the synthetic packages (`switch`,
    // `flaky`, `flaky-html`: see crates/test-registry).
    args.push('--registry', `${registry.url}/${scenario}`, '--gitlab-issuer', 'https://gitlab.example.com');
  } else {
    args.push('--registry', registry.url, '--offline');
  }
  const server = await startPrintingUrl(bin('npm-provenance'), args);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: chromiumArgs });
  return {
    registry: registry.url,
    app: server.url,
    browser,
    async stop() {
      await browser.close();
      server.child.kill();
      registry.child.kill();
    },
  };
}

/** A page that records console errors, page errors and dialogs: none may happen unnoticed. */
export async function newPage(stack, options = {}) {
  const context = await stack.browser.newContext({ viewport: { width: 1200, height: 900 }, ...options });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  // Each console error with the address it is about, so that a test can
  // allow the registry's expected 404s without hiding one for the app's own
  // files; and any failed response from the app's own origin is a problem.
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console error: ${m.text()} @ ${m.location()?.url ?? ''}`); });
  page.on('response', (r) => { if (r.status() >= 400 && r.url().startsWith(stack.app + '/')) page.problems.push(`app response ${r.status()}: ${r.url()}`); });
  page.on('dialog', async (d) => { page.problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') page.problems.push(`worker console error: ${m.text()}`); }));
  return page;
}

export async function screenshot(page, name) {
  const file = path.join(outputDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Clicks `locator` once the version history's rows near the screen are
 * checked. Scrolling there brings rows into view, the history checks them
 * (`src/components/history.rs`, 200 px around the screen), and a row's
 * verdict can make it taller and move what is below: a click whose press
 * and release land on different elements goes to neither.
 */
export async function clickSettled(page, locator) {
  await locator.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => [...document.querySelectorAll('tr[data-version]')].every((tr) => {
    const r = tr.getBoundingClientRect();
    const near = r.bottom >= -200 && r.top <= innerHeight + 200;
    return !near || tr.querySelector('[data-status="pending"]') === null;
  }), null, { timeout: 20000 });
  await locator.click();
}

/** Opens every folded section (the evidence is folded to a line each; a test reading it opens it, as a person would). */
export async function openFolds(page) {
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
}
