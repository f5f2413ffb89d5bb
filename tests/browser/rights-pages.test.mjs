// The Rights section's pages in a real browser against a real server: the catalogue (search,
// filters, a new title whose bad EIDR is refused next to its field, series -> season), the
// title page (metadata, rights in, the avails timeline's coloured segments naming the blocking
// deal and holdback), the avails grid (coloured cells as the API's letters, a legend, export
// links, virtual rows over 1,050 titles with paging while scrolling), and the sales dashboard
// (revenue bars, payments due, deals expiring). Laptop and phone widths, CJK and long titles.
//
// SHOTS_DIR=/tmp/shots node --test tests/browser/rights-pages.test.mjs keeps screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/api.mjs';
import { assertOk } from '../api/helpers.mjs';
import { launch, openPage, assertClean, signInUI, overflowX, PHONE } from './helpers.mjs';

const SHOTS = process.env.SHOTS_DIR || '';
const LONG = 'The Extraordinarily Long and Winding Chronicle of a Family Who Ran a Noodle Shop on the Edge of the Yellow River for Seven Generations';
const MANY = 1050;
let srv, browser, admin, org, series, wander, long, deal, today;

async function shot(page, name, fullPage = false) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

const iso = (d) => d.toISOString().slice(0, 10);
const addDays = (n) => iso(new Date(Date.now() + n * 86400000));

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  admin = await signIn(srv, srv.admin.email, srv.admin.password);
  today = iso(new Date());
  org = assertOk(await admin.post('/api/v1/orgs', { name: 'Yellow River Media 黄河传媒', kind: 'distributor' }), 201);
  const O = `/api/v1/orgs/${org.id}`;
  wander = assertOk(await admin.post(`${O}/titles`, {
    kind: 'feature', title: '流浪地球 The Wandering Earth', year: 2019, genres: ['科幻', 'sci-fi'], runtime_min: 125,
    original_language: 'zh', country_of_origin: 'CN', localizations: [{ language: 'fr', title: 'La Terre errante' }],
  }), 201);
  long = assertOk(await admin.post(`${O}/titles`, { kind: 'documentary', title: LONG, year: 2021, genres: ['food'] }), 201);
  series = assertOk(await admin.post(`${O}/titles`, { kind: 'series', title: '繁花 Blossoms Shanghai', year: 2023, genres: ['drama'] }), 201);
  assertOk(await admin.post(`${O}/titles`, { kind: 'season', parent_id: series.id, title: 'Blossoms Shanghai S1', season_number: 1 }), 201);
  for (const x of [wander, long, series]) {
    assertOk(await admin.post(`/api/v1/titles/${x.id}/rights-in`, {
      source: 'own_production', territories: { include: ['WORLD'], exclude: ['KP'] }, media: ['svod', 'avod', 'free_tv'],
      start: addDays(-400), end: addDays(3650), exclusivity: 'exclusive',
    }), 201);
  }
  // An exclusive SVOD license in France (signed, with a payment due soon) and an AVOD holdback
  // in Germany.
  deal = assertOk(await admin.post(`${O}/deals`, {
    licensee_name: 'Ciné Lumière', reference: 'FR-SVOD-01', currency: 'EUR', fee: '80000', status: 'signed',
    rights: [{ title_id: wander.id, territories: ['FR', 'BE'], media: ['svod'], start: addDays(-30), end: addDays(60), exclusivity: 'exclusive' }],
    payments: [{ due_date: addDays(20), amount: '40000' }, { due_date: addDays(-5), amount: '40000' }],
  }), 201);
  assertOk(await admin.post(`${O}/deals`, {
    licensee_name: 'Tokyo Stream', reference: 'JP-AVOD', currency: 'USD', fee: '25000', status: 'signed',
    rights: [{ title_id: long.id, territories: ['JP'], media: ['avod'], start: addDays(-10), end: addDays(300), exclusivity: 'non_exclusive' }],
  }), 201);
  assertOk(await admin.post(`/api/v1/titles/${wander.id}/holdbacks`, {
    territories: ['DE'], media: ['avod'], end: addDays(200), reason: 'Theatrical window',
  }), 201);
  // Many titles for the grid's paging and virtual rows.
  let next = 0;
  const worker = async () => {
    while (next < MANY) {
      const i = next++;
      // Concurrent writes to one catalogue may be asked to try again (503 on PostgreSQL).
      let r;
      for (let k = 0; k < 8; k += 1) {
        r = await admin.post(`${O}/titles`, { kind: 'short', title: `Short ${String(i).padStart(4, '0')}`, year: 2020 });
        if (r.status !== 503) break;
      }
      assertOk(r, 201);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('catalogue: search and filters; a new title with a bad EIDR is refused at its field; a season under the series', async () => {
  const { page, errors, close } = await openPage(browser, srv.url, { allowHttp: [401, 422] });
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/orgs/${org.id}` });
  // The organization's page links to its Rights section.
  await page.getByRole('link', { name: 'Rights', exact: true }).click();
  await page.waitForURL(`**/orgs/${org.id}/rights`);
  await page.getByTestId('title-list').waitFor();
  const titles = () => page.locator('[data-testid="title-list"] [data-title]').evaluateAll((els) => els.map((e) => e.dataset.title));
  const shows = (want) => page.waitForFunction((w) => JSON.stringify([...document.querySelectorAll('[data-testid="title-list"] [data-title]')]
    .map((e) => e.dataset.title)) === JSON.stringify(w), want).catch(async (e) => {
    await shot(page, 'rights-catalogue-failed');
    throw new Error(`the catalogue shows ${JSON.stringify(await titles())}, not ${JSON.stringify(want)}: ${e.message}`);
  });
  // Top-level titles only (the season sits under its series); CJK and the long title fit.
  const first = await titles();
  assert.ok(first.includes('流浪地球 The Wandering Earth') && first.includes(LONG) && first.includes('繁花 Blossoms Shanghai'));
  assert.ok(!first.includes('Blossoms Shanghai S1'));
  assert.ok(await overflowX(page) <= 0);
  await shot(page, 'rights-catalogue');
  await page.getByTestId('catalogue-search').fill('流浪');
  await shows(['流浪地球 The Wandering Earth']);
  await page.getByTestId('catalogue-search').fill('');
  await page.getByTestId('filter-kind').selectOption('documentary');
  await shows([LONG]);
  await page.getByTestId('filter-kind').selectOption('');
  await page.getByTestId('filter-genre').fill('科幻');
  await shows(['流浪地球 The Wandering Earth']);
  await page.getByTestId('filter-genre').fill('');
  await page.getByTestId('filter-year').fill('2023');
  await shows(['繁花 Blossoms Shanghai']);

  // A new title: the server checks the EIDR's check character; the error sits at the field.
  await page.getByTestId('new-title').click();
  const form = page.getByTestId('title-form');
  await form.getByLabel('Original title').fill('三体 Three-Body');
  await form.getByLabel('Kind').selectOption('series');
  await form.getByLabel('EIDR ID').fill('10.5240/7791-8534-2C23-9030-8610-6');
  await form.getByRole('button', { name: 'Create title' }).click();
  const err = form.locator('.field.has-error:has(input[name="eidr"]) .field-error');
  await err.waitFor();
  assert.match(await err.innerText(), /check/i);
  assert.equal((await admin.get(`/api/v1/orgs/${org.id}/titles?q=Three-Body`)).json.items.length, 0, 'nothing created');
  await shot(page, 'rights-title-eidr-error');
  await form.getByLabel('EIDR ID').fill('10.5240/7791-8534-2C23-9030-8610-5');
  await form.getByRole('button', { name: 'Create title' }).click();
  await page.getByTestId('title-page').waitFor();
  assert.match(await page.getByTestId('title-name').innerText(), /三体 Three-Body/);
  // Series -> season.
  await page.getByTestId('add-child').click();
  await page.getByTestId('title-form').getByLabel('Original title').fill('三体 Season 1');
  await page.getByTestId('title-form').getByRole('button', { name: 'Create title' }).click();
  await page.getByTestId('children').getByRole('link', { name: /三体 Season 1/ }).waitFor();
  const created = (await admin.get(`/api/v1/orgs/${org.id}/titles?q=Three-Body`)).json.items[0];
  assert.equal(created.eidr, '10.5240/7791-8534-2C23-9030-8610-5');
  assertClean(errors);
  await close();
});

test('title page: metadata, rights in, and the avails timeline naming what blocks', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/orgs/${org.id}/rights/titles/${wander.id}` });
  await page.getByTestId('title-page').waitFor();
  await page.getByTestId('rights-in').getByTestId('right-in-row').waitFor();
  await page.getByTestId('timeline-svg').waitFor();
  // Territories FR,DE,JP; media SVOD and AVOD: France's SVOD is blocked by the deal, Germany's
  // AVOD by the holdback; the rest is available.
  await page.getByTestId('tl-territories').fill('FR DE JP');
  await page.locator('[data-testid="tl-media"] [data-media="svod"]').click();
  await page.locator('[data-testid="tl-media"] [data-media="avod"]').click();
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('.rt-tl-row')];
    return rows.length > 0 && rows.every((r) => ['svod', 'avod'].includes(r.dataset.media));
  });
  const segs = await page.locator('.rt-seg').evaluateAll((els) => els.map((e) => ({
    reason: e.dataset.reason, deal: e.dataset.deal, tip: e.querySelector('title').textContent, fill: e.getAttribute('fill'),
    terr: e.closest('.rt-tl-row').dataset.territories, media: e.closest('.rt-tl-row').dataset.media,
  })));
  const excl = segs.find((s) => s.reason === 'exclusive');
  assert.ok(excl, `an exclusive segment: ${JSON.stringify(segs)}`);
  assert.match(excl.tip, /FR-SVOD-01/);
  assert.match(excl.tip, /Ciné Lumière/);
  assert.equal(excl.media, 'svod');
  assert.ok(excl.terr.split(',').includes('FR'));
  assert.equal(excl.fill, '#d64545');
  const hold = segs.find((s) => s.reason === 'holdback');
  assert.ok(hold && hold.media === 'avod' && hold.terr.split(',').includes('DE'), 'the holdback blocks AVOD in Germany');
  assert.ok(segs.some((s) => s.reason === 'available' && s.fill === '#2f9e5f'));
  // A click (or tap) lists the reasons with a link to the deal.
  await page.locator('.rt-seg[data-reason="exclusive"]').first().click();
  const detail = page.getByTestId('segment-detail');
  await detail.waitFor();
  assert.equal(await detail.getByRole('link').getAttribute('href'), `/orgs/${org.id}/rights/deals/${deal.id}`);
  await page.getByTestId('legend').first().waitFor();
  await shot(page, 'rights-title', true);

  // Rights in and a holdback added through their forms.
  await page.getByTestId('add-right-in').click();
  const ri = page.getByTestId('right-in-form');
  await ri.getByTestId('ri-territories').fill('ASIA -CN');
  await ri.locator('[data-media="tvod"]').click();
  await ri.getByLabel('Start').fill('2027-01-01');
  await ri.getByRole('button', { name: 'Add' }).click();
  await ri.waitFor({ state: 'detached' });
  await page.getByTestId('right-in-row').filter({ hasText: 'ASIA -CN' }).waitFor();
  const rin = assertOk(await admin.get(`/api/v1/titles/${wander.id}/rights-in`), 200).items;
  assert.ok(rin.some((x) => x.media.includes('tvod') && x.territories.exclude.includes('CN')));
  await page.getByTestId('add-holdback').click();
  const hb = page.locator('dialog form');
  await hb.locator('[data-media="free_tv"]').click();
  await hb.getByLabel('Blocked until (last day)').fill('2027-12-31');
  await hb.getByRole('button', { name: 'Add' }).click();
  await hb.waitFor({ state: 'detached' });
  await page.getByTestId('holdbacks').getByText(/Free TV/).waitFor();
  assertClean(errors);
  await close();

  // On a phone, the long title and the timeline stay inside the screen.
  const p = await openPage(browser, srv.url, { viewport: PHONE });
  await signInUI(p.page, srv.admin.email, srv.admin.password, { next: `/orgs/${org.id}/rights/titles/${long.id}` });
  await p.page.getByTestId('timeline-svg').waitFor();
  assert.ok(await overflowX(p.page) <= 0, 'no sideways scrolling');
  await shot(p.page, 'rights-title-phone', true);
  assertClean(p.errors);
  await p.close();
});

test('avails grid: coloured cells as the letters, a legend, exports, and virtual rows over paged titles', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/orgs/${org.id}/rights/grid` });
  await page.getByTestId('avails-grid').waitFor();
  await page.getByTestId('grid-territories').fill('EUROPE');
  await page.getByTestId('grid-exclusivity').selectOption('exclusive');
  await page.getByTestId('grid-search').fill('Wandering');
  await page.waitForFunction(() => document.querySelectorAll('.rt-grid-row').length === 1);
  const row = page.locator('.rt-grid-row').first();
  const api = assertOk(await admin.get(`/api/v1/orgs/${org.id}/avails/grid?media=svod&date=${today}&territories=EUROPE&exclusivity=exclusive&q=Wandering`), 200);
  assert.equal(await row.getAttribute('data-cells'), api.rows[0].cells);
  const fr = api.territories.indexOf('FR');
  assert.equal(api.rows[0].cells[fr], 'X');
  // The colour drawn under each territory's column (runs of equal cells are one rectangle).
  const fills = await row.locator('svg.rt-gcells').evaluate((svg, n) => {
    const rects = [...svg.querySelectorAll('rect')].filter((e) => !e.getAttribute('fill').startsWith('url('));
    return Array.from({ length: n }, (_, c) => {
      const x = c * 22 + 11;
      const r = rects.find((e) => Number(e.getAttribute('x')) <= x && x < Number(e.getAttribute('x')) + Number(e.getAttribute('width')));
      return r ? r.getAttribute('fill') : null;
    });
  }, api.territories.length);
  const colour = { A: '#2f9e5f', X: '#d64545', E: '#e3a03a', H: '#8b5cf6', N: '#d9dce3', L: '#9aa0ad' };
  assert.deepEqual(fills, [...api.rows[0].cells].map((L) => colour[L]), 'every cell has its letter\'s colour');
  assert.equal(fills[fr], '#d64545', 'France is red: an exclusive license');
  assert.equal(fills[api.territories.indexOf('IT')], '#2f9e5f', 'Italy is green: available');
  // The letters are drawn too (not A: green says it).
  const letters = await row.locator('svg.rt-gcells text').evaluateAll((els) => els.map((e) => e.textContent).join(''));
  assert.equal([...letters].sort().join(''), [...api.rows[0].cells].filter((L) => L !== 'A').sort().join(''));
  assert.match(await page.getByTestId('legend').innerText(), /Exclusive license/);
  // The inspector names a cell.
  const box = await row.locator('svg.rt-gcells').boundingBox();
  await page.mouse.move(box.x + fr * 22 + 11, box.y + 12);
  await page.getByTestId('grid-inspector').filter({ hasText: 'FR' }).filter({ hasText: 'Exclusive license' }).waitFor();
  // Exports of the same question.
  const csvHref = await page.getByTestId('export-csv').getAttribute('href');
  assert.match(csvHref, /format=csv/);
  assert.match(csvHref, /territories=EUROPE/);
  const csv = await page.request.get(csvHref);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /Wandering/);
  const xlsx = await page.request.get(await page.getByTestId('export-xlsx').getAttribute('href'));
  assert.equal(xlsx.status(), 200);
  await shot(page, 'rights-grid-one');

  // All titles: 1,050 shorts and the others, 500 per page. Only a window of rows is drawn;
  // scrolling down fetches the next pages until the last title shows.
  await page.getByTestId('grid-search').fill('');
  await page.waitForFunction(() => document.querySelectorAll('.rt-grid-row').length > 1);
  const drawn = await page.locator('.rt-grid-row').count();
  assert.ok(drawn < 80, `only the rows in view are drawn (${drawn})`);
  await shot(page, 'rights-grid');
  const pages = [];
  page.on('request', (rq) => rq.url().includes('/avails/grid') && pages.push(new URL(rq.url()).searchParams.get('cursor')));
  const last = page.locator('.rt-grid-row[data-title="Short 1049"]');
  for (let i = 0; i < 40 && !(await last.count()); i += 1) {
    await page.getByTestId('avails-grid').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForTimeout(200);
  }
  await last.waitFor();
  assert.equal(pages.length, 2, 'two more pages were fetched while scrolling');
  assert.ok(pages.every(Boolean), 'each with a cursor');
  assert.ok(await page.locator('.rt-grid-row').count() < 80);
  assertClean(errors);
  await close();
});

test('dashboard: revenue bars, payments due and deals expiring', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/orgs/${org.id}/rights/dashboard` });
  await page.getByTestId('revenue-chart').first().waitFor();
  const bars = await page.locator('[data-testid="revenue-chart"] rect').count();
  assert.ok(bars >= 2, `a bar per title (${bars})`);
  assert.match(await page.getByTestId('revenue').innerText(), /EUR/);
  assert.match(await page.getByTestId('revenue').innerText(), /USD/);
  await page.locator('[data-by="territory"]').click();
  await page.locator('[data-testid="revenue"] .rt-bar-label', { hasText: /^(France|FR)$/ }).first().waitFor();
  const due = page.getByTestId('payments-due');
  await due.getByText('FR-SVOD-01').first().waitFor();
  assert.match(await due.innerText(), /overdue/);
  await page.getByTestId('expiring').getByText('FR-SVOD-01').waitFor();
  await shot(page, 'rights-dashboard', true);
  assertClean(errors);
  await close();
});
