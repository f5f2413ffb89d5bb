// Rights over the API: the catalogue (titles, series/season/episode, EIDR check characters),
// rights in, holdbacks, deals with their conflict checks and signatures, the avails of a title
// (exact windows with the reason for every gap), the catalogue query, the grid (JSON, CSV,
// XLSX), the editor's live check, revenue and what is due, and who sees what: the licensor's
// roles, the licensee organization (read-only deal, acquired rights it can sell on), and an
// outsider who sees nothing. Runs on SQLite and, with MSTATION_TEST_PG, PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg, addMember, etag } from './helpers.mjs';

let srv, owner, member, viewer, buyer, outsider, seller, borg, oorg;
let feature, series, season, episode;
const EIDR = '10.5240/7791-8534-2C23-9030-8610-5';
const O = (id = seller.id) => `/api/v1/orgs/${id}`;
const W = { include: ['WORLD'], exclude: ['CN'] };
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
const SOON = day(30);

before(async () => {
  srv = await startServer();
  owner = await person(srv, 'owner', '发行 Owner');
  member = await person(srv, 'member', 'Sales Member');
  viewer = await person(srv, 'viewer', 'Viewer');
  buyer = await person(srv, 'buyer', 'Buyer');
  outsider = await person(srv, 'outsider', 'Outsider');
  seller = await mkOrg(owner.c, 'Seller Films', 'distributor');
  await addMember(owner.c, seller.id, member.id, 'member');
  await addMember(owner.c, seller.id, viewer.id, 'viewer');
  borg = await mkOrg(buyer.c, 'Buyer TV', 'broadcaster');
  oorg = await mkOrg(outsider.c, 'Elsewhere');
});
after(async () => { await srv.stop(); });

test('the territory table and groups', async () => {
  const t = assertOk(await owner.c.get('/api/v1/rights/territories'), 200);
  assert.ok(t.territories.length >= 249);
  assert.ok(t.territories.some((x) => x.code === 'FR' && x.name === 'France'));
  const gc = t.groups.find((g) => g.name === 'GREATER_CHINA');
  assert.deepEqual([...gc.codes].sort(), ['CN', 'HK', 'MO', 'TW']);
  assert.equal(t.groups.find((g) => g.name === 'WORLD').codes.length, t.territories.length);
});

test('titles: create, check, search, series with seasons and episodes, who may change them', async () => {
  feature = assertOk(await member.c.post(`${O()}/titles`, {
    kind: 'feature', title: '长城之外 Beyond the Wall', eidr: EIDR.toLowerCase(), year: 2025, runtime_min: 112,
    original_language: 'zh-hans-cn', country_of_origin: 'cn', genres: ['Drama', '历史'],
    localizations: [{ language: 'fr-fr', title: 'Au-delà du mur', synopsis: 'Un voyage.' }],
    other_ids: { imdb: 'tt0000001' },
  }), 201);
  assert.equal(feature.eidr, EIDR);
  assert.equal(feature.original_language, 'zh-Hans-CN');
  assert.equal(feature.country_of_origin, 'CN');
  assert.equal(feature.localizations[0].language, 'fr-FR');
  assert.ok(etag({ headers: { get: () => null } }) === null);

  // A wrong check character, bad syntax, unknown codes: field errors, nothing written.
  assertProblem(await member.c.post(`${O()}/titles`, { kind: 'feature', title: 'X', eidr: '10.5240/7791-8534-2C23-9030-8610-6' }), 422, 'validation', { fields: ['eidr'] });
  assertProblem(await member.c.post(`${O()}/titles`, { kind: 'feature', title: 'X', eidr: '10.5240/7791-8534' }), 422, 'validation', { fields: ['eidr'] });
  assertProblem(await member.c.post(`${O()}/titles`, { kind: 'film', title: 'X' }), 422, 'validation', { fields: ['kind'] });
  assertProblem(await member.c.post(`${O()}/titles`, { kind: 'feature', title: 'X', country_of_origin: 'XX', original_language: 'not a tag' }), 422, 'validation', { fields: ['country_of_origin', 'original_language'] });
  assertProblem(await member.c.post(`${O()}/titles`, { kind: 'feature', title: 'Dup', eidr: EIDR }), 409, 'eidr-taken');
  assertProblem(await viewer.c.post(`${O()}/titles`, { kind: 'feature', title: 'Viewer' }), 403, 'rights-role');
  assertProblem(await outsider.c.post(`${O()}/titles`, { kind: 'feature', title: 'Nope' }), 404, 'not-found');

  series = assertOk(await member.c.post(`${O()}/titles`, { kind: 'micro_drama', title: '霸总的秘密 The CEO Secret' }), 201);
  season = assertOk(await member.c.post(`${O()}/titles`, { kind: 'season', title: 'Season 1', parent_id: series.id, season_number: 1 }), 201);
  episode = assertOk(await member.c.post(`${O()}/titles`, { kind: 'episode', title: 'Ep 1', parent_id: season.id, episode_number: 1 }), 201);
  assertProblem(await member.c.post(`${O()}/titles`, { kind: 'episode', title: 'Bad', parent_id: feature.id }), 422, 'validation', { fields: ['parent_id'] });
  assertProblem(await member.c.post(`${O()}/titles`, { kind: 'season', title: 'Orphan' }), 422, 'validation', { fields: ['parent_id'] });
  const s = assertOk(await viewer.c.get(`/api/v1/titles/${series.id}`), 200);
  assert.deepEqual(s.children.map((c) => c.id), [season.id]);

  // Search: CJK substring, localized titles, kind, genre, year.
  const q = async (qs) => assertOk(await viewer.c.get(`${O()}/titles?${qs}`), 200).items.map((t) => t.id);
  assert.deepEqual(await q(`q=${encodeURIComponent('长城')}`), [feature.id]);
  assert.deepEqual(await q('q=au-del'), [feature.id]);
  assert.deepEqual(await q('kind=episode'), [episode.id]);
  assert.deepEqual(await q(`genre=${encodeURIComponent('历史')}`), [feature.id]);
  assert.deepEqual(await q('year=2025'), [feature.id]);
  assert.deepEqual((await q('top=true')).sort(), [feature.id, series.id].sort());
  assertProblem(await viewer.c.get(`${O()}/titles?colour=red`), 400, 'bad-query');

  // Change with If-Match; a stale one changes nothing.
  const cur = await member.c.get(`/api/v1/titles/${feature.id}`);
  const v1 = etag(cur);
  const up = assertOk(await member.c.patch(`/api/v1/titles/${feature.id}`, { runtime_min: 115 }, { headers: { 'If-Match': v1 } }), 200);
  assert.equal(up.runtime_min, 115);
  assertProblem(await member.c.patch(`/api/v1/titles/${feature.id}`, { runtime_min: 1 }, { headers: { 'If-Match': v1 } }), 412, 'stale-version');
  assertProblem(await member.c.patch(`/api/v1/titles/${series.id}`, { parent_id: episode.id }), 422, 'validation');
  assertProblem(await viewer.c.patch(`/api/v1/titles/${feature.id}`, { runtime_min: 1 }), 403, 'rights-role');
  assertProblem(await outsider.c.get(`/api/v1/titles/${feature.id}`), 404, 'not-found');
  assertProblem(await outsider.c.get(`/api/v1/titles/${feature.id}/avails`), 404, 'not-found');
});

let rin;
test('rights in bound the avails; every gap has its reason', async () => {
  assertProblem(await member.c.post(`/api/v1/titles/${feature.id}/rights-in`, {
    source: 'acquired', territories: { include: ['WORLD', 'XX'] }, media: ['svod', 'warp'], start: '2026-13-01', exclusivity: 'mostly',
  }), 422, 'validation', { fields: ['territories', 'media', 'start', 'exclusivity'] });
  assertProblem(await member.c.post(`/api/v1/titles/${feature.id}/rights-in`, {
    source: 'acquired', territories: W, media: ['svod'], start: '2026-05-01', end: '2026-04-01', exclusivity: 'exclusive',
  }), 422, 'validation');
  rin = assertOk(await member.c.post(`/api/v1/titles/${feature.id}/rights-in`, {
    source: 'acquired', licensor: 'Original Studio', contract_ref: 'ACQ-1', territories: W,
    media: ['svod', 'avod', 'pay_tv'], start: '2026-01-01', end: '2030-12-31', exclusivity: 'exclusive',
  }), 201);
  assert.deepEqual(rin.territories, { include: ['WORLD'], exclude: ['CN'] });
  const a = assertOk(await viewer.c.get(`/api/v1/titles/${feature.id}/avails?territories=FR,CN&media=svod&start=2025-07-01&end=2026-12-31&exclusivity=exclusive`), 200);
  const fr = a.cells.find((c) => c.territories.includes('FR'));
  assert.deepEqual(fr.segments.map((s) => [s.start, s.end, s.available]), [['2025-07-01', '2025-12-31', false], ['2026-01-01', '2026-12-31', true]]);
  assert.equal(fr.segments[0].reasons[0].reason, 'no_rights');
  const cn = a.cells.find((c) => c.territories.includes('CN'));
  assert.deepEqual(cn.segments.map((s) => [s.available, s.reasons.map((r) => r.reason)]), [[false, ['no_rights']]]);
  assert.deepEqual(a.available, [{ territories: ['FR'], media: 'svod', start: '2026-01-01', end: '2026-12-31' }]);
  assertProblem(await viewer.c.get(`/api/v1/titles/${feature.id}/avails?territories=ZZ`), 422, 'validation', { fields: ['territories'] });
});

let deal1, deal2;
test('deals: exclusive windows block, conflicts answer 409 with the blocking deal, signatures re-check', async () => {
  const right = (over = {}) => ({ title_id: feature.id, territories: ['FR'], media: ['svod'], start: '2026-03-01', end: '2026-08-31', exclusivity: 'exclusive', ...over });
  deal1 = assertOk(await member.c.post(`${O()}/deals`, {
    licensee_org_id: borg.id, reference: 'LIC-001', currency: 'EUR', fee: '120000.00', minimum_guarantee: 50000,
    rights: [right()], payments: [{ due_date: '2026-03-01', amount: '60000' }, { due_date: SOON, amount: '60000.00' }],
    holdbacks: [{ title_id: feature.id, territories: ['FR'], media: ['avod'], end: '2026-08-31', reason: 'SVOD first' }],
  }), 201);
  assert.equal(deal1.status, 'draft');
  assert.equal(deal1.licensee_name, 'Buyer TV');
  assert.equal(deal1.fee, '120000.00');
  assert.equal(deal1.minimum_guarantee, '50000.00');
  assert.equal(deal1.payments[1].amount, '60000.00');
  // A draft holds nothing: the window stays available, with a note of the pending deal.
  let a = assertOk(await viewer.c.get(`/api/v1/titles/${feature.id}/avails?territories=FR&media=svod&start=2026-01-01&end=2026-12-31&exclusivity=exclusive`), 200);
  assert.ok(a.cells[0].segments.every((s) => s.available));
  assert.ok(a.cells[0].segments.some((s) => s.reasons.some((r) => r.reason === 'pending' && r.deal_id === deal1.id)));
  // Only a manager signs.
  assertProblem(await member.c.post(`/api/v1/deals/${deal1.id}/status`, { status: 'signed' }), 403, 'rights-role');
  assertProblem(await owner.c.post(`/api/v1/deals/${deal1.id}/status`, { status: 'signed' }, { headers: { 'If-Match': '"999"' } }), 412, 'stale-version');
  const signed = assertOk(await owner.c.post(`/api/v1/deals/${deal1.id}/status`, { status: 'signed' }), 200);
  assert.equal(signed.status, 'signed');
  assert.ok(signed.signed_at);
  a = assertOk(await viewer.c.get(`/api/v1/titles/${feature.id}/avails?territories=FR&media=svod,avod&start=2026-01-01&end=2026-12-31&exclusivity=exclusive`), 200);
  const svod = a.cells.find((c) => c.media === 'svod');
  assert.deepEqual(svod.segments.map((s) => [s.start, s.end, s.available]), [
    ['2026-01-01', '2026-02-28', true], ['2026-03-01', '2026-08-31', false], ['2026-09-01', '2026-12-31', true]]);
  assert.deepEqual(svod.segments[1].reasons, [{ reason: 'exclusive', deal_id: deal1.id, reference: 'LIC-001', licensee_name: 'Buyer TV', status: 'signed' }]);
  const avod = a.cells.find((c) => c.media === 'avod');
  assert.deepEqual(avod.segments.map((s) => [s.end, s.available, s.reasons.map((r) => r.reason)]), [['2026-08-31', false, ['holdback']], ['2026-12-31', true, []]]);

  // Overlapping exclusive: 409 naming the deal, nothing written.
  const before = assertOk(await viewer.c.get(`${O()}/deals`), 200).items.length;
  const c1 = assertProblem(await member.c.post(`${O()}/deals`, { licensee_name: 'Other Channel', rights: [right({ territories: { include: ['EUROPE'] }, start: '2026-06-01', end: '2026-12-31' })] }), 409, 'rights-conflict');
  assert.ok(c1.conflicts.length >= 1);
  const blocked = c1.conflicts.find((c) => c.deal_id === deal1.id);
  assert.ok(blocked.territories.includes('FR'));
  assert.deepEqual([blocked.start, blocked.end, blocked.reason, blocked.media], ['2026-06-01', '2026-08-31', 'exclusive', 'svod']);
  // Non-exclusive over an exclusive is blocked too; beside it, it is fine.
  assertProblem(await member.c.post(`${O()}/deals`, { licensee_name: 'Other Channel', rights: [right({ exclusivity: 'non_exclusive' })] }), 409, 'rights-conflict');
  assertProblem(await member.c.post(`${O()}/deals`, { licensee_name: 'China TV', rights: [right({ territories: ['CN'], exclusivity: 'non_exclusive' })] }), 409, 'rights-conflict');
  assert.equal(assertOk(await viewer.c.get(`${O()}/deals`), 200).items.length, before);
  deal2 = assertOk(await member.c.post(`${O()}/deals`, { licensee_name: 'German Stream', currency: 'EUR', fee: '30000', rights: [right({ territories: ['DE'], exclusivity: 'non_exclusive', end: '2027-12-31' })] }), 201);
  assertOk(await owner.c.post(`/api/v1/deals/${deal2.id}/status`, { status: 'signed' }), 200);
  // Now an exclusive DE request is blocked by the non-exclusive deal; a non-exclusive one is not.
  const check = async (rows) => assertOk(await member.c.post(`${O()}/avails/check`, { rights: rows }), 200).conflicts;
  const ce = await check([right({ territories: ['DE'], start: '2027-01-01', end: '2027-03-31' })]);
  assert.deepEqual(ce.map((c) => [c.reason, c.deal_id]), [['non_exclusive', deal2.id]]);
  assert.deepEqual(await check([right({ territories: ['DE'], exclusivity: 'non_exclusive', start: '2027-01-01', end: '2027-03-31' })]), []);
  assertProblem(await member.c.post(`${O()}/avails/check`, { rights: [{ title_id: feature.id }] }), 422, 'validation');
  assertProblem(await outsider.c.post(`${O()}/avails/check`, { rights: [] }), 404, 'not-found');

  // A signed deal's rights do not change; its payments do.
  assertProblem(await member.c.patch(`/api/v1/deals/${deal1.id}`, { rights: [right({ end: '2026-04-30' })] }), 409, 'deal-signed');
  const paid = assertOk(await member.c.patch(`/api/v1/deals/${deal1.id}`, { payments: [{ due_date: '2026-03-01', amount: '60000', paid_at: '2026-03-02' }, { due_date: SOON, amount: '60000' }] }), 200);
  assert.equal(paid.payments[0].paid_at, '2026-03-02');
  assertProblem(await member.c.del(`/api/v1/deals/${deal1.id}`), 409, 'deal-signed');
  assertProblem(await owner.c.post(`/api/v1/deals/${deal1.id}/status`, { status: 'draft' }), 409, 'deal-status');
});

test('a draft deal changes and is re-checked, then deleted', async () => {
  const d = assertOk(await member.c.post(`${O()}/deals`, { licensee_name: 'Spain TV', rights: [{ title_id: feature.id, territories: ['ES'], media: ['pay_tv'], start: '2026-01-01', end: '2026-06-30', exclusivity: 'exclusive', runs: 3 }] }), 201);
  assert.equal(d.rights[0].runs, 3);
  const e = etag(await member.c.get(`/api/v1/deals/${d.id}`));
  assertProblem(await member.c.patch(`/api/v1/deals/${d.id}`, { rights: [{ title_id: feature.id, territories: ['FR'], media: ['svod'], start: '2026-04-01', end: '2026-04-30', exclusivity: 'exclusive' }] }, { headers: { 'If-Match': e } }), 409, 'rights-conflict');
  const ch = assertOk(await member.c.patch(`/api/v1/deals/${d.id}`, { reference: 'ES-2', rights: [{ title_id: feature.id, territories: ['ES', 'PT'], media: ['pay_tv'], start: '2026-01-01', end: '2026-12-31', exclusivity: 'exclusive' }] }, { headers: { 'If-Match': e } }), 200);
  assert.equal(ch.reference, 'ES-2');
  assert.deepEqual(ch.rights[0].territories, { include: ['ES', 'PT'], exclude: [] });
  assertProblem(await member.c.del(`/api/v1/deals/${d.id}`, { headers: { 'If-Match': e } }), 412, 'stale-version');
  assertOk(await member.c.del(`/api/v1/deals/${d.id}`), 204);
  assertProblem(await member.c.get(`/api/v1/deals/${d.id}`), 404, 'not-found');
});

test('the licensee sees its deal and acquired rights, can sell them on, cannot change the title; an outsider sees nothing', async () => {
  const d = assertOk(await buyer.c.get(`/api/v1/deals/${deal1.id}`), 200);
  assert.equal(d.your_side, 'licensee');
  assertProblem(await buyer.c.patch(`/api/v1/deals/${deal1.id}`, { notes: 'mine' }), 403, 'not-licensor');
  assertProblem(await outsider.c.get(`/api/v1/deals/${deal1.id}`), 404, 'not-found');
  const mine = assertOk(await buyer.c.get(`${O(borg.id)}/titles`), 200).items;
  assert.deepEqual(mine.map((t) => [t.id, t.owned]), [[feature.id, false]]);
  assert.equal(assertOk(await buyer.c.get(`${O(borg.id)}/deals?role=licensee`), 200).items[0].id, deal1.id);
  const rights = assertOk(await buyer.c.get(`/api/v1/titles/${feature.id}/rights-in`), 200).items;
  assert.equal(rights.length, 1);
  assert.equal(rights[0].source, 'acquired');
  assert.equal(rights[0].deal_id, deal1.id);
  assertProblem(await buyer.c.del(`/api/v1/rights-in/${rights[0].id}`), 409, 'acquired-by-deal');
  assertProblem(await buyer.c.patch(`/api/v1/titles/${feature.id}`, { title: 'Mine now' }), 403, 'not-owner');
  // The buyer's avails are what it acquired.
  const a = assertOk(await buyer.c.get(`/api/v1/titles/${feature.id}/avails?territories=FR,DE&media=svod&start=2026-01-01&end=2026-12-31&exclusivity=exclusive`), 200);
  assert.deepEqual(a.available, [{ territories: ['FR'], media: 'svod', start: '2026-03-01', end: '2026-08-31' }]);
  // It may sublicense within them, but not beyond.
  assertOk(await buyer.c.post(`${O(borg.id)}/deals`, { licensee_name: 'Sub Channel', rights: [{ title_id: feature.id, territories: ['FR'], media: ['svod'], start: '2026-04-01', end: '2026-05-31', exclusivity: 'non_exclusive' }] }), 201);
  const beyond = assertProblem(await buyer.c.post(`${O(borg.id)}/deals`, { licensee_name: 'Sub Channel', rights: [{ title_id: feature.id, territories: ['FR'], media: ['svod'], start: '2026-04-01', end: '2026-10-31', exclusivity: 'non_exclusive' }] }), 409, 'rights-conflict');
  assert.ok(beyond.conflicts.every((c) => c.reason === 'no_rights'));
  assertProblem(await outsider.c.get(`${O(borg.id)}/titles`), 404, 'not-found');
  assertProblem(await outsider.c.get(`/api/v1/titles/${feature.id}/deals`), 404, 'not-found');
});

test('catalogue query, grid as JSON, CSV and XLSX', async () => {
  const q = assertOk(await viewer.c.post(`${O()}/avails`, { territories: ['FR', 'DE'], media: ['svod'], start: '2026-04-01', end: '2026-04-30', exclusivity: 'exclusive' }), 200);
  assert.deepEqual(q.items, []);
  const q2 = assertOk(await viewer.c.post(`${O()}/avails`, { territories: { include: ['EUROPE'], exclude: ['FR', 'DE'] }, media: ['svod'], start: '2026-04-01', end: '2026-04-30' }), 200);
  assert.equal(q2.items.length, 1);
  assert.equal(q2.items[0].title_id, feature.id);
  assertProblem(await viewer.c.post(`${O()}/avails`, { media: ['svod'], bogus: 1 }), 422, 'validation');

  const g = assertOk(await viewer.c.get(`${O()}/avails/grid?media=svod&date=2026-05-01&territories=FR,DE,CN,GB`), 200);
  assert.deepEqual(g.territories, ['CN', 'DE', 'FR', 'GB']);
  const row = g.rows.find((r) => r.title_id === feature.id);
  assert.equal(row.cells, 'NEXA');
  assert.equal(g.rows.find((r) => r.title_id === series.id).cells, 'NNNN');
  const page = assertOk(await viewer.c.get(`${O()}/avails/grid?media=svod&date=2026-05-01&territories=FR&limit=2`), 200);
  assert.equal(page.rows.length, 2);
  assert.ok(page.next_cursor);
  const rest = assertOk(await viewer.c.get(`${O()}/avails/grid?media=svod&date=2026-05-01&territories=FR&limit=2&cursor=${page.next_cursor}`), 200);
  assert.equal(page.rows.length + rest.rows.length, 4);
  assertProblem(await viewer.c.get(`${O()}/avails/grid?date=2026-05-01`), 422, 'validation', { fields: ['media'] });
  assertProblem(await viewer.c.get(`${O()}/avails/grid?media=svod&date=2026-02-30`), 422, 'validation', { fields: ['date'] });

  const csv = await viewer.c.get(`${O()}/avails/grid?media=svod&date=2026-05-01&territories=FR,DE&format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0], 'title_id,title,kind,DE,FR');
  assert.ok(lines.some((l) => l.startsWith(`${feature.id},"长城之外 Beyond the Wall",feature,E,X`)));
  const x = await fetch(`${srv.url}${O()}/avails/grid?media=svod&date=2026-05-01&format=xlsx`, { headers: { Authorization: `Bearer ${viewer.c.token}` } });
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  const bytes = Buffer.from(await x.arrayBuffer());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK');
  assert.ok(bytes.includes(Buffer.from('xl/worksheets/sheet1.xml')));
});

test('revenue, payments due and deals expiring', async () => {
  const byTitle = assertOk(await viewer.c.get(`${O()}/rights/revenue?by=title`), 200);
  assert.deepEqual(byTitle.items.map((i) => [i.key, i.currency, i.amount, i.deals]), [[feature.id, 'EUR', '150000.00', 2]]);
  const byTerr = assertOk(await viewer.c.get(`${O()}/rights/revenue?by=territory`), 200);
  assert.deepEqual(byTerr.items.map((i) => [i.key, i.amount]), [['FR', '120000.00'], ['DE', '30000.00']]);
  const byLic = assertOk(await viewer.c.get(`${O()}/rights/revenue?by=licensee`), 200);
  assert.deepEqual(byLic.items.map((i) => [i.label, i.amount]), [['Buyer TV', '120000.00'], ['German Stream', '30000.00']]);
  assertProblem(await viewer.c.get(`${O()}/rights/revenue?by=colour`), 422, 'validation', { fields: ['by'] });
  // A deal ending in 40 days, and one ending in a year.
  const ending = assertOk(await member.c.post(`${O()}/deals`, { licensee_name: 'Italia', rights: [{ title_id: feature.id, territories: ['IT'], media: ['svod'], start: day(-10), end: day(40), exclusivity: 'exclusive' }], payments: [{ due_date: day(-5), amount: 0 }] }), 201);
  assertOk(await owner.c.post(`/api/v1/deals/${ending.id}/status`, { status: 'signed' }), 200);
  const later = assertOk(await member.c.post(`${O()}/deals`, { licensee_name: 'Italia', rights: [{ title_id: feature.id, territories: ['IT'], media: ['avod'], start: day(-10), end: day(400), exclusivity: 'exclusive' }] }), 201);
  assertOk(await owner.c.post(`/api/v1/deals/${later.id}/status`, { status: 'signed' }), 200);
  const due = assertOk(await viewer.c.get(`${O()}/rights/due?days=90`), 200);
  assert.deepEqual(due.payments.map((p) => [p.deal_id, p.due_date, p.amount, p.overdue]), [[ending.id, day(-5), '0.00', true], [deal1.id, SOON, '60000.00', false]]);
  assert.deepEqual(due.expiring.map((e) => [e.deal_id, e.end]), [[ending.id, day(40)]]);
  assertProblem(await viewer.c.get(`${O()}/rights/due?days=0`), 400, 'bad-query');
});

test('custom media, and termination hands the rights back', async () => {
  assertProblem(await member.c.post(`${O()}/rights/media`, { code: 'inflight_wifi', name: 'In-flight Wi-Fi' }), 403, 'rights-role');
  assertProblem(await owner.c.post(`${O()}/rights/media`, { code: 'svod', name: 'again' }), 422, 'validation');
  assertOk(await owner.c.post(`${O()}/rights/media`, { code: 'inflight_wifi', name: 'In-flight Wi-Fi' }), 201);
  assertProblem(await owner.c.post(`${O()}/rights/media`, { code: 'inflight_wifi', name: 'again' }), 409, 'media-taken');
  const media = assertOk(await viewer.c.get(`${O()}/rights/media`), 200).items.map((m) => m.code);
  assert.ok(media.includes('inflight_wifi') && media.includes('short_video'));
  assertOk(await member.c.post(`/api/v1/titles/${feature.id}/rights-in`, { source: 'own_production', territories: ['JP'], media: ['inflight_wifi'], start: '2026-01-01', exclusivity: 'non_exclusive' }), 201);
  const a = assertOk(await viewer.c.get(`/api/v1/titles/${feature.id}/avails?territories=JP&media=inflight_wifi&start=2027-01-01&end=2027-01-31`), 200);
  assert.equal(a.available.length, 1);

  assertOk(await owner.c.post(`/api/v1/deals/${deal1.id}/status`, { status: 'terminated' }), 200);
  const after = assertOk(await viewer.c.get(`/api/v1/titles/${feature.id}/avails?territories=FR&media=svod&start=2026-03-01&end=2026-08-31&exclusivity=exclusive`), 200);
  assert.deepEqual(after.available, [{ territories: ['FR'], media: 'svod', start: '2026-03-01', end: '2026-08-31' }]);
  assert.deepEqual(assertOk(await buyer.c.get(`${O(borg.id)}/titles`), 200).items, []);
  assertProblem(await buyer.c.get(`/api/v1/titles/${feature.id}`), 404, 'not-found');
});

test('titles in use are kept; a free one is deleted', async () => {
  assertProblem(await member.c.del(`/api/v1/titles/${feature.id}`), 409, 'title-in-use');
  assertProblem(await member.c.del(`/api/v1/titles/${series.id}`), 409, 'title-in-use');
  assertOk(await member.c.del(`/api/v1/titles/${episode.id}`), 204);
  assertProblem(await viewer.c.get(`/api/v1/titles/${episode.id}`), 404, 'not-found');
  const g = assertOk(await viewer.c.get(`${O()}/avails/grid?media=svod&territories=FR`), 200);
  assert.ok(!g.rows.some((r) => r.title_id === episode.id));
});
