// Drives a kehoach review page in headless Chromium (playwright-core, Debian's chromium).
// Usage: node review.mjs CASE.json   (written by tests/review_browser.rs)
// CASE: { page, screenshot, chromium, node_modules, checks: {...} }
// Prints one "ok: ..." line per check; exits 1 with "FAIL: ..." on the first failure.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const c = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const require = createRequire(join(c.node_modules, 'noop.js'));
const { chromium } = require('playwright-core');

function fail(msg) { console.log('FAIL: ' + msg); process.exitCode = 1; throw new Error(msg); }
function ok(msg) { console.log('ok: ' + msg); }

const profile = mkdtempSync(join(tmpdir(), 'kehoach-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: c.chromium,
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  const errors = [];
  const requests = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('request', r => requests.push(r.url()));
  const url = pathToFileURL(c.page).href;
  await page.goto(url);
  await page.waitForSelector('#source .ln');

  const hasClass = (sel, cls) => page.$eval(sel, (el, cls) => el.classList.contains(cls), cls);

  // 1. Item → source span.
  for (const chk of c.checks.item_to_source) {
    await page.click(`.item[data-id="${chk.id}"]`);
    for (let n = chk.line_start; n <= chk.line_end; n++) {
      if (!await hasClass(`#L${n}`, 'hl')) fail(`line ${n} not highlighted after clicking ${chk.id}`);
    }
    for (const n of [chk.line_start - 1, chk.line_end + 1]) {
      if (n >= 1 && await hasClass(`#L${n}`, 'hl')) fail(`line ${n} highlighted outside the span of ${chk.id}`);
    }
    const marked = await page.$$eval('mark.span', ms => ms.map(m => m.textContent).join('\n'));
    if (marked !== chk.marked) fail(`marked text of ${chk.id}: ${JSON.stringify(marked)} != ${JSON.stringify(chk.marked)}`);
    if (!await hasClass(`.item[data-id="${chk.id}"]`, 'sel')) fail(`${chk.id} not selected`);
    const visible = await page.$eval(`#L${chk.line_start}`, el => {
      const r = el.getBoundingClientRect(), p = el.closest('.pane').getBoundingClientRect();
      return r.top >= p.top && r.bottom <= p.bottom;
    });
    if (!visible) fail(`line ${chk.line_start} not scrolled into view for ${chk.id}`);
    ok(`click ${chk.id} highlights L${chk.line_start}-${chk.line_end} and marks ${JSON.stringify(chk.marked.slice(0, 40))}`);
  }

  // 2. Source line → items.
  for (const chk of c.checks.source_to_items) {
    await page.click(`#L${chk.line} .tx`);
    if (!await hasClass(`#L${chk.line}`, 'sel')) fail(`line ${chk.line} not selected`);
    const hl = await page.$$eval('.item.hl', els => els.map(e => e.dataset.id));
    if (JSON.stringify(hl) !== JSON.stringify(chk.items)) fail(`items for line ${chk.line}: ${JSON.stringify(hl)} != ${JSON.stringify(chk.items)}`);
    if (await page.$('mark.span')) fail('stale span mark after clicking a source line');
    ok(`click L${chk.line} highlights ${JSON.stringify(hl)}`);
  }

  // 3. Flags.
  for (const id of c.checks.warn) if (!await hasClass(`.item[data-id="${id}"]`, 'warn')) fail(`${id} not marked with warnings`);
  for (const id of c.checks.low) if (!await hasClass(`.item[data-id="${id}"]`, 'low')) fail(`${id} not marked low confidence`);
  const flaggedAll = await page.$$eval('.item.task.warn, .item.task.low, .item.indicator.warn, .item.indicator.low', e => e.map(x => x.dataset.id).sort());
  if (JSON.stringify(flaggedAll) !== JSON.stringify([...new Set([...c.checks.warn, ...c.checks.low])].sort())) fail(`flagged items: ${JSON.stringify(flaggedAll)}`);
  ok(`flags: warn ${JSON.stringify(c.checks.warn)}, low ${JSON.stringify(c.checks.low)}`);

  // 4. Filters.
  const shown = () => page.$$eval('.item.task:not(.hidden), .item.indicator:not(.hidden)', els => els.map(e => e.dataset.id));
  for (const f of c.checks.filters) {
    await page.selectOption('#f-agency', f.agency || '');
    await page.selectOption('#f-role', f.role || 'any');
    await page.selectOption('#f-dk', f.dk || '');
    await page.fill('#f-draw', f.draw || '');
    await page.fill('#f-text', f.text || '');
    await page.setChecked('#f-flag', !!f.flagged);
    const s = await shown();
    if (JSON.stringify(s) !== JSON.stringify(f.expect)) fail(`filter ${JSON.stringify(f)}: shown ${JSON.stringify(s)}`);
    ok(`filter ${JSON.stringify(f)} shows ${s.length}`);
  }
  await page.selectOption('#f-agency', '');
  await page.selectOption('#f-role', 'any');
  await page.selectOption('#f-dk', '');
  await page.fill('#f-draw', '');
  await page.fill('#f-text', '');
  await page.setChecked('#f-flag', false);

  // 5. Self-contained, no script errors.
  const remote = requests.filter(u => !u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('about:'));
  if (remote.length) fail(`page made network requests: ${remote.join(', ')}`);
  if (errors.length) fail(`page errors: ${errors.join(' | ')}`);
  ok(`no network requests, no script errors (${requests.length} request(s), all local)`);

  await page.click(`.item[data-id="${c.checks.item_to_source[0].id}"]`);
  await page.screenshot({ path: c.screenshot });
  ok(`screenshot ${c.screenshot}`);
} catch (e) {
  if (!process.exitCode) { console.log('FAIL: ' + (e && e.stack || e)); process.exitCode = 1; }
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
