// End-to-end: the /audit page against the test registry's synthetic
// packages (signed by the testkit's own Sigstore, which the server
// announces), served under `/switch` (which a test can hold): drop a
// lockfile, see the summary and the table, filter it, export it, open a
// failing package's page; what the summary says while a run is under way;
// the table on a desktop, a phone and at 200% zoom; a 16 MB lockfile; the
// documents kept; a registry a link chose.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { newPage, screenshot, startStack } from './harness.mjs';

let stack;
before(async () => { stack = await startStack({ synthetic: true, scenario: 'switch' }); });
after(async () => { await fetch(`${stack.registry}/-/test/switch?fail=none`).catch(() => {}); await stack?.stop(); });

const requests = async () => Number(await (await fetch(`${stack.registry}/-/test/requests`)).text());
const paths = async () => (await fetch(`${stack.registry}/-/test/paths`)).json();
const audit = (page) => page.getByRole('button', { name: 'Audit', exact: true });

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

/** Waits until every package version is checked and the run has ended. */
async function waitUntilDone(page) {
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid=audit-progress] progress');
    const button = [...document.querySelectorAll('.audit button[type=submit]')][0];
    return p && Number(p.max) > 0 && Number(p.value) === Number(p.max) && button && !button.disabled;
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
  const rows = page.locator('.virtual-rows .audit-row');
  assert.equal(await rows.nth(0).getAttribute('data-verdict'), 'failed');
  assert.match(await rows.nth(0).innerText(), /audit-3@1\.0\.0[\s\S]*Lockfile integrity: The lockfile records sha512-/);
  assert.equal(await rows.nth(1).getAttribute('data-verdict'), 'error');
  assert.match(await rows.nth(1).innerText(), /no-such-package-here@1\.0\.0[\s\S]*has no version 1\.0\.0 on the registry/);
  assert.equal(await rows.nth(2).getAttribute('data-verdict'), 'verified');
  assert.match(await rows.nth(2).innerText(), /github\.com\/acme\/audit-/);
  await screenshot(page, 'audit-mixed');
  // Filters: by text, and by verdict.
  await page.locator('#audit-filter').fill('audit-1');
  await page.waitForFunction(() => document.querySelector('.audit-controls .shown').textContent === '11 shown'); // audit-1, audit-10..19
  await page.locator('#audit-filter').fill('');
  await summary.locator('button[data-verdict-filter=failed]').click();
  assert.equal(await rows.count(), 1);
  // The failing package's own page (which knows nothing of the lockfile).
  await rows.nth(0).locator('a').click();
  await page.waitForURL(/\/package\/audit-3\/v\/1\.0\.0/);
  await page.locator('[data-verdict]').first().waitFor({ timeout: 20000 });
  assert.equal(await page.locator('[data-verdict]').first().getAttribute('data-verdict'), 'verified');
  assert.deepEqual(page.problems.filter((p) => !p.includes(`@ ${stack.registry}/switch/no-such-package-here`)), []);
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
  assert.ok(await page.locator('.virtual-rows .audit-row').count() <= 50);
  assert.equal(await page.getByTestId('audit-table').getAttribute('aria-rowcount'), String(checked + 1));
  // Scrolled to the end (rows wrap, so their height is learned as they are
  // drawn: scroll until the end stays the end), the last row is drawn.
  await page.waitForFunction((n) => {
    const table = document.querySelector('[data-testid=audit-table]');
    table.scrollTop = table.scrollHeight;
    return !!table.querySelector(`.audit-row[aria-rowindex="${n + 1}"]`);
  }, checked, { polling: 100 });
  assert.ok(await page.locator('.virtual-rows .audit-row').count() <= 50);
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

/** A package-lock.json of audit-0 .. audit-(n-1) and the given synthetic versions (their integrities from the registry). */
async function lockfileWith(n, versions) {
  const lock = await (await fetch(`${stack.registry}/-/test/audit-lockfile.json?n=${n}`)).json();
  for (const { name, version } of versions) {
    const doc = await (await fetch(`${stack.registry}/synthetic/${name}/${version}`)).json();
    lock.packages[`node_modules/${name}`] = { version, integrity: doc.dist.integrity };
    lock.packages[''].dependencies[name] = version;
  }
  return lock;
}

test('while an audit runs, the summary counts what is checked of what is to check, and says nothing green until the end', async () => {
  // The versions the synthetic registry publishes with weaker evidence
  // than an earlier one of their line, after 300 others.
  const dropped = (await (await fetch(`${stack.registry}/-/test/trust.json`)).json()).versions.filter((e) => e.keys && e.downgrade);
  assert.ok(dropped.length >= 3);
  const lock = await lockfileWith(300, dropped);
  const total = 300 + dropped.length;
  const page = await newPage(stack);
  await page.goto(`${stack.app}/audit`);
  await page.getByTestId('lockfile').fill(JSON.stringify(lock));
  await page.getByTestId('compare-history').check();
  await audit(page).click();
  try {
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=audit-progress] progress')?.value) >= 31, null, { timeout: 60000 });
    // The registry holds every request from here: the run is under way for
    // as long as the test reads the page.
    await fetch(`${stack.registry}/-/test/switch?fail=hold`);
    const seen = await page.evaluate(() => ({
      checked: Number(document.querySelector('[data-testid=audit-progress] progress').value),
      heading: document.querySelector('#audit-summary-heading').textContent,
      downgrades: document.querySelector('[data-testid=audit-downgrades]').innerText,
      green: [...document.querySelectorAll('.audit-summary .ok-line')].map((e) => e.textContent),
    }));
    assert.ok(seen.checked >= 31 && seen.checked < total, JSON.stringify(seen));
    assert.equal(seen.heading, `${seen.checked} of ${total} package versions checked so far`);
    assert.deepEqual(seen.green, [], 'nothing is said to be absent before every version is checked');
    assert.match(seen.downgrades, /None found yet/);
    await screenshot(page, 'audit-running');
  } finally {
    await fetch(`${stack.registry}/-/test/switch?fail=none`);
  }
  await waitUntilDone(page);
  const summary = page.getByTestId('audit-summary');
  assert.match(await summary.locator('h2').innerText(), new RegExp(`^\\d+ of ${total} package versions have verified provenance`));
  const found = await page.getByTestId('audit-downgrades').innerText();
  assert.match(found, new RegExp(`^${dropped.length} package versions dropped evidence compared with earlier versions\\n`));
  for (const e of dropped) assert.ok(found.includes(`${e.name}@${e.version}`), `${e.name}@${e.version} in ${found}`);
  assert.equal(await page.locator('.audit-summary .ok-line').count(), 0);
  assert.deepEqual(page.problems, []);
});

test('a version pinned to two different integrities is a failure row, in view', async () => {
  const lock = await (await fetch(`${stack.registry}/-/test/audit-lockfile.json?n=6`)).json();
  // A second copy of audit-1@1.0.0, nested, pinning audit-4's bytes.
  lock.packages['node_modules/audit-2/node_modules/audit-1'] = { version: '1.0.0', integrity: lock.packages['node_modules/audit-4'].integrity };
  const page = await newPage(stack);
  await page.goto(`${stack.app}/audit`);
  await page.getByTestId('lockfile').fill(JSON.stringify(lock));
  await audit(page).click();
  await waitUntilDone(page);
  const first = page.locator('.virtual-rows .audit-row').first();
  assert.equal(await first.getAttribute('data-verdict'), 'failed');
  assert.ok(await first.isVisible());
  assert.match(await first.innerText(), /audit-1@1\.0\.0[\s\S]*Lockfile integrity/);
  assert.match(await page.getByTestId('audit-summary').locator('h2').innerText(), /^5 of 6 package versions have verified provenance/);
  assert.equal(await page.locator('[data-verdict-filter=failed] strong').innerText(), '1');
  assert.deepEqual(page.problems, []);
});

// 200% zoom of a 1280x900 window lays the page out in 640x450 CSS pixels.
for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }], ['200% zoom', { width: 640, height: 450 }]]) {
  test(`the table shows every cell whole, with nothing only in a tooltip (${name})`, async () => {
    const lock = await (await fetch(`${stack.registry}/-/test/audit-lockfile.json?n=12`)).json();
    lock.packages['node_modules/audit-3'].integrity = lock.packages['node_modules/audit-0'].integrity;
    lock.packages['node_modules/@acme/gitlab-widget'] = { version: '2.0.0', integrity: (await (await fetch(`${stack.registry}/synthetic/@acme%2fgitlab-widget/2.0.0`)).json()).dist.integrity };
    const page = await newPage(stack, { viewport });
    await page.goto(`${stack.app}/audit`);
    await page.getByTestId('lockfile').fill(JSON.stringify(lock));
    await audit(page).click();
    await waitUntilDone(page);
    await page.getByTestId('audit-table').scrollIntoViewIfNeeded();
    const cells = await page.evaluate(() => [...document.querySelectorAll('.virtual-rows .audit-row [role=cell]')].map((c) => {
      const r = c.getBoundingClientRect();
      return { text: c.innerText, cut: c.scrollWidth > c.clientWidth + 1, off: r.left < 0 || r.right > document.documentElement.clientWidth };
    }));
    assert.ok(cells.length >= 5 * 13 - 10, `${cells.length} cells drawn`);
    assert.deepEqual(cells.filter((c) => c.cut || c.off), [], 'no cell is cut or off-screen');
    assert.equal(await page.locator('.audit-table [title]').count(), 0, 'no text only in a tooltip');
    // The failure's whole reason and the scoped name are read in the row.
    const failed = page.locator('.virtual-rows .audit-row[data-verdict=failed]');
    assert.match(await failed.innerText(), /Lockfile integrity: The lockfile records sha512-[\s\S]*the lockfile pins other bytes than the registry serves\./);
    assert.ok(cells.some((c) => c.text.includes('@acme/gitlab-widget@2.0.0')));
    if (name === 'phone') await screenshot(page, 'audit-phone');
    if (name === 'desktop') await screenshot(page, 'audit-desktop');
    assert.deepEqual(page.problems, []);
  });
}

test('a 16 MB lockfile is named, not copied into the text area, and its 150,000 entries from outside the registry are drawn as they scroll into view', async () => {
  const lock = await (await fetch(`${stack.registry}/-/test/audit-lockfile.json?n=4`)).json();
  const many = 150000;
  // Folders npm links into node_modules (a monorepo's, say).
  for (let i = 0; i < many; i++) {
    const name = `local-thing-${String(i).padStart(6, '0')}`;
    lock.packages[`node_modules/${name}`] = { resolved: `../packages/${name}`, link: true };
  }
  const text = JSON.stringify(lock, null, 2);
  assert.ok(text.length > 15e6 && text.length < 20e6, `${text.length} bytes`);
  const page = await newPage(stack);
  await page.goto(`${stack.app}/audit`);
  // A name that reads backwards past U+202E ("package-lock" then ".json" reversed).
  const transfer = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'package-lock\u202Enosj.exe', { type: 'application/json' }));
    return dt;
  }, text);
  await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: transfer });
  const held = page.getByTestId('held-file');
  await held.waitFor();
  const shown = await held.innerText();
  assert.match(shown, /package-lock\\u\{202e\}nosj\.exe \(\d+\.\d MB\)/);
  assert.ok(!shown.includes('\u202E'), 'the direction override is shown, not obeyed');
  assert.equal(await page.locator('textarea').count(), 0, 'the text is not in a text area');
  await audit(page).click();
  await waitUntilDone(page);
  const summary = page.getByTestId('audit-summary');
  assert.match(await summary.innerText(), new RegExp(`${many} dependencies do not come from the registry`));
  const list = page.getByTestId('not-from-registry-list');
  const drawn = () => list.locator('[role=listitem]').count();
  assert.ok(await drawn() <= 60, `${await drawn()} rows drawn while folded`);
  await summary.locator('details.not-from-registry summary').click();
  await list.locator('[role=listitem]').first().waitFor();
  assert.ok(await drawn() <= 60, `${await drawn()} rows drawn when opened`);
  assert.match(await list.locator('[role=listitem]').first().innerText(), /local-thing-000000 — File/);
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=not-from-registry-list]');
    el.scrollTop = el.scrollHeight;
    return [...el.querySelectorAll('[role=listitem]')].some((li) => li.textContent.startsWith('local-thing-149999'));
  }, null, { polling: 100 });
  assert.ok(await drawn() <= 60, `${await drawn()} rows drawn at the end`);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'audit-large-lockfile-phone');
  // Cleared, the text area is back, empty.
  await held.getByRole('button', { name: 'Clear' }).click();
  assert.equal(await page.getByTestId('lockfile').inputValue(), '');
  assert.deepEqual(page.problems, []);
});

test('only documents a lookup accepted are kept, and a person can clear them', async () => {
  // `/flaky-html` answers each path's first request with a proxy's HTML
  // page (200): the lookup refuses it, and it must never be kept.
  const flaky = `${stack.registry}/flaky-html`;
  const page = await newPage(stack);
  await page.goto(`${stack.app}/audit?registry=${encodeURIComponent(flaky)}`);
  await page.getByTestId('lockfile').fill(await (await fetch(`${stack.registry}/-/test/audit-lockfile.json?n=4`)).text());
  const kept = page.getByTestId('kept-documents');
  await kept.getByText('No registry documents are kept in this browser.').waitFor();
  await audit(page).click();
  await page.getByRole('button', { name: /^Audit against 127\.0\.0\.1:\d+\/flaky-html$/ }).click();
  await waitUntilDone(page);
  // Every version document was the HTML page: "not usable", and nothing kept.
  const rows = page.locator('.virtual-rows .audit-row');
  assert.equal(await rows.count(), 4);
  for (let i = 0; i < 4; i++) {
    assert.equal(await rows.nth(i).getAttribute('data-verdict'), 'error');
    assert.match(await rows.nth(i).innerText(), /not usable/);
  }
  await kept.getByText('No registry documents are kept in this browser.').waitFor();
  // Again: the version documents read, and kept; the attestations' first
  // answer is the HTML page, and not kept.
  await audit(page).click();
  await waitUntilDone(page);
  await kept.getByRole('button', { name: 'Clear kept documents (4)' }).waitFor();
  // Again: now every document is had and kept.
  await audit(page).click();
  await waitUntilDone(page);
  assert.match(await page.getByTestId('audit-summary').locator('h2').innerText(), /^4 of 4 package versions have verified provenance/);
  await kept.getByRole('button', { name: 'Clear kept documents (8)' }).waitFor();
  let before = await requests();
  await audit(page).click();
  await waitUntilDone(page);
  assert.equal(await requests() - before, 0, 'every document came from what was kept');
  // Cleared, the next audit asks the registry again.
  await kept.getByRole('button', { name: 'Clear kept documents (8)' }).click();
  await kept.getByText('No registry documents are kept in this browser.').waitFor();
  before = await requests();
  await audit(page).click();
  await waitUntilDone(page);
  assert.equal(await requests() - before, 8);
  await kept.getByRole('button', { name: 'Clear kept documents (8)' }).waitFor();
  // The registry's HTML pages were refused (the console says so for none of them).
  assert.deepEqual(page.problems, []);
});

test('a registry a link chose is asked about before an audit sends it anything', async () => {
  const other = `${stack.registry}/synthetic`;
  const page = await newPage(stack);
  await page.goto(`${stack.app}/audit?registry=${encodeURIComponent(other)}`);
  const port = new URL(stack.registry).port;
  assert.equal(await page.getByTestId('audit-registry').innerText(), `127.0.0.1:${port}/synthetic`);
  await page.getByTestId('lockfile').fill(await (await fetch(`${stack.registry}/-/test/audit-lockfile.json?n=3`)).text());
  const before = await requests();
  await audit(page).click();
  const question = page.getByTestId('registry-question');
  await question.waitFor();
  assert.match(await question.innerText(), new RegExp(`chose the registry 127\\.0\\.0\\.1:${port}/synthetic \\(http://127\\.0\\.0\\.1:${port}/synthetic\\)\\. An audit sends it the name and version of every package in your lockfile`));
  const own = page.getByRole('button', { name: `Use my registry (127.0.0.1:${port}/switch)` });
  await page.waitForFunction(() => /^Use my registry/.test(document.activeElement?.textContent?.trim() ?? ''), null, { timeout: 5000 }).catch(() => {});
  assert.ok(await own.evaluate((el) => el === document.activeElement), 'the safe choice has the focus');
  assert.ok(await page.getByRole('button', { name: `Audit against 127.0.0.1:${port}/synthetic` }).isVisible());
  assert.equal(await requests() - before, 0, 'nothing was sent while asking');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'audit-registry-question-phone');
  await own.click();
  await waitUntilDone(page);
  assert.ok(!page.url().includes('registry='), page.url());
  const asked = (await paths()).slice(-6);
  assert.ok(asked.every((p) => p.startsWith('/switch/')), asked.join(' '));
  assert.equal(await page.getByTestId('audit-registry').innerText(), `127.0.0.1:${port}`);
  // The other answer audits against the link's registry, once agreed.
  await page.goto(`${stack.app}/audit?registry=${encodeURIComponent(other)}`);
  await page.getByTestId('lockfile').fill(await (await fetch(`${stack.registry}/-/test/audit-lockfile.json?n=3`)).text());
  await audit(page).click();
  await page.getByRole('button', { name: `Audit against 127.0.0.1:${port}/synthetic` }).click();
  await waitUntilDone(page);
  assert.ok((await paths()).slice(-6).every((p) => p.startsWith('/synthetic/')));
  assert.ok(page.url().includes('registry='));
  assert.deepEqual(page.problems, []);
});

test('the keyboard alone answers the registry question, audits, and clears what is kept, focus visible', async () => {
  const page = await newPage(stack);
  await page.goto(`${stack.app}/audit?registry=${encodeURIComponent(`${stack.registry}/synthetic`)}`);
  await page.getByTestId('lockfile').fill(await (await fetch(`${stack.registry}/-/test/audit-lockfile.json?n=3`)).text());
  const active = () => page.evaluate(() => document.activeElement?.textContent?.trim());
  const focusVisible = () => page.evaluate(() => document.activeElement?.matches(':focus-visible'));
  // From the text area, Tab to the Audit button.
  for (let i = 0; i < 6 && (await active()) !== 'Audit'; i++) await page.keyboard.press('Tab');
  assert.equal(await active(), 'Audit');
  await page.keyboard.press('Enter');
  await page.getByTestId('registry-question').waitFor();
  // The focus moves to the safe choice on the frame after the question is drawn.
  await page.waitForFunction(() => /^Use my registry/.test(document.activeElement?.textContent?.trim() ?? ''), null, { timeout: 5000 }).catch(() => {});
  assert.match(await active(), /^Use my registry/);
  await page.keyboard.press('Tab');
  assert.match(await active(), /^Audit against/);
  assert.ok(await focusVisible());
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await waitUntilDone(page);
  // On to "Clear kept documents (6)", and Enter.
  for (let i = 0; i < 16 && !/^Clear kept documents/.test(await active() ?? ''); i++) await page.keyboard.press('Tab');
  assert.equal(await active(), 'Clear kept documents (6)');
  assert.ok(await focusVisible());
  await page.keyboard.press('Enter');
  await page.getByTestId('kept-documents').getByText('No registry documents are kept in this browser.').waitFor();
  assert.deepEqual(page.problems, []);
});
