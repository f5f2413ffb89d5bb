// EMA Avails import and export over the API: Movie and TV sheets into one deal of the licensor
// (titles found by EIDR, AltID or name, missing ones created with their series and seasons),
// every bad row reported by row and column, conflicts reported per row, all_or_nothing, dry
// runs, levels, another organization's id, hostile bodies; and the deals' rights rows out as
// TSV, CSV and XLSX (territory groups expanded, media EMA cannot say left out), read back in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg, addMember } from './helpers.mjs';

const run = promisify(execFile);
const EIDR_A = '10.5240/7791-8534-2C23-9030-8610-5';
const EIDR_B = '10.5240/2B3B-1E0E-9314-2C6E-A453-3';

let srv, owner, member, viewer, buyer, outsider, org, borg, oorg, mountain, lake;

before(async () => {
  srv = await startServer();
  owner = await person(srv, 'owner', 'Owner');
  member = await person(srv, 'member', 'Member');
  viewer = await person(srv, 'viewer', 'Viewer');
  buyer = await person(srv, 'buyer', 'Buyer');
  outsider = await person(srv, 'outsider', 'Outsider');
  org = await mkOrg(owner.c, 'EMA Studio');
  await addMember(owner.c, org.id, member.id, 'member');
  await addMember(owner.c, org.id, viewer.id, 'viewer');
  borg = await mkOrg(buyer.c, 'EMA Retailer', 'platform');
  oorg = await mkOrg(outsider.c, 'EMA Elsewhere');
  mountain = await title({ kind: 'feature', title: 'View from a Mountain', eidr: EIDR_A });
  lake = await title({ kind: 'feature', title: 'The Lake', other_ids: { house: 'LAKE_2001' } });
  for (const t of [mountain, lake]) {
    assertOk(await owner.c.post(`/api/v1/titles/${t.id}/rights-in`, {
      source: 'own_production', territories: ['WORLD'], media: ['all'], start: '2000-01-01', end: null, exclusivity: 'exclusive',
    }), 201);
  }
});
after(async () => { await srv.stop(); });

async function title(body) {
  return assertOk(await owner.c.post(`/api/v1/orgs/${org.id}/titles`, body), 201);
}
const tsv = (rows) => rows.map((r) => r.join('\t')).join('\n') + '\n';
const imp = (c, query, text, type = 'text/tab-separated-values') =>
  c.req('POST', `/api/v1/orgs/${org.id}/ema/import?${query}`, { body: text, headers: { 'Content-Type': type } });
async function dealCount() {
  const r = assertOk(await owner.c.get(`/api/v1/orgs/${org.id}/deals?limit=500`), 200);
  return r.items.length;
}
async function titlesOf(kind) {
  const r = assertOk(await owner.c.get(`/api/v1/orgs/${org.id}/titles?kind=${kind}&limit=500`), 200);
  return r.items;
}

const MOVIE_HEAD = ['DisplayName', 'StoreLanguage', 'Territory', 'WorkType', 'EntryType', 'TitleInternalAlias',
  'TitleDisplayUnlimited', 'LocalizationType', 'LicenseType', 'LicenseRightsDescription', 'FormatProfile', 'Start',
  'End', 'PriceType', 'PriceValue', 'SRP', 'Description', 'OtherTerms', 'OtherInstructions', 'ContentID', 'ProductID',
  'EncodeID', 'AvailID', 'Metadata', 'AltID'];
function movieRow(cells) {
  return MOVIE_HEAD.map((h) => cells[h] ?? '');
}

test('movie avails: titles found by EIDR and AltID, one signed deal with a rights row per avail', async () => {
  const file = tsv([
    ['Avail', 'AvailTrans'], // the template's group row, above the header
    MOVIE_HEAD,
    movieRow({ DisplayName: 'EMA Studio', StoreLanguage: 'en', Territory: 'US', WorkType: 'Movie', EntryType: 'Full Extract',
      TitleInternalAlias: 'Mountain, View from a', LicenseType: 'EST', FormatProfile: 'HD', Start: '2026-01-01', End: 'Open',
      PriceType: 'Tier', PriceValue: '4', ContentID: EIDR_A.toLowerCase() }),
    movieRow({ StoreLanguage: 'fr', Territory: 'fr', WorkType: 'Movie', TitleInternalAlias: 'anything', LocalizationType: 'sub',
      LicenseType: 'SVOD', Start: '2026-01-01', End: '2027-01-01', PriceType: 'WSP', PriceValue: '1000.50', AltID: 'LAKE_2001' }),
  ]);
  const before = await dealCount();
  const r = assertOk(await imp(owner.c, `licensee_org_id=${borg.id}&reference=EMA-1`, file), 200);
  assert.deepEqual(r.errors, []);
  assert.deepEqual([r.rows, r.deals_created, r.rights_created, r.titles_created], [2, 1, 2, 0]);
  assert.equal(r.sheet, 'movie');
  assert.equal(await dealCount(), before + 1);
  const deal = assertOk(await owner.c.get(`/api/v1/deals/${r.deal_id}`), 200);
  assert.equal(deal.status, 'signed');
  assert.equal(deal.licensee_org_id, borg.id);
  assert.equal(deal.reference, 'EMA-1');
  assert.equal(deal.currency, 'USD');
  assert.equal(deal.fee, '1000.50', 'the fee is the sum of the rows\' allocations');
  assert.equal(deal.rights.length, 2);
  const [us, fr] = deal.rights;
  assert.equal(us.title_id, mountain.id);
  assert.deepEqual(us.territories.include, ['US']);
  assert.deepEqual(us.media, ['est']);
  assert.equal(us.start, '2026-01-01');
  assert.equal(us.end, null);
  assert.equal(us.exclusivity, 'non_exclusive');
  assert.equal(fr.title_id, lake.id);
  assert.deepEqual(fr.media, ['svod']);
  assert.equal(fr.end, '2026-12-31', 'EMA\'s End is the first day no longer available');
  assert.equal(fr.allocation, '1000.50');
  assert.equal(fr.languages[0].tag, 'fr');
  assert.deepEqual(fr.languages[0].kinds, ['subtitled']);
  // The licensee organization reads the deal; the import is one event of the licensor.
  assertOk(await buyer.c.get(`/api/v1/deals/${r.deal_id}`), 200);
  const ev = assertOk(await owner.c.get(`/api/v1/events?org_id=${org.id}&action=rights.ema_imported`), 200);
  assert.equal(ev.items.length, 1);
  assert.equal(ev.items[0].object_id, r.deal_id);
});

test('TV avails: series, season and episodes created from the TV columns; new titles need rights in', async () => {
  const head = ['DisplayName', 'StoreLanguage', 'Territory', 'WorkType', 'EntryType', 'SeriesTitleInternalAlias',
    'SeriesTitleDisplayUnlimited', 'SeasonNumber', 'EpisodeNumber', 'LocalizationType', 'EpisodeTitleInternalAlias',
    'SeasonTitleInternalAlias', 'SeriesAltID', 'SeasonAltID', 'EpisodeAltID', 'LicenseType', 'Start', 'End',
    'SeriesContentID', 'EpisodeContentID'];
  const file = tsv([head,
    ['S', 'en', 'GB', 'Episode', 'Full Extract', 'Detectives, The', '', '1', '1', '', 'Pilot', '', 'DET', 'DET_S1', 'DET_E1', 'EST', '2026-01-01', 'Open', '', EIDR_B],
    ['S', 'en', 'GB', 'Episode', 'Full Extract', 'Detectives, The', '', '1', '2', '', 'Second', '', 'DET', 'DET_S1', '', 'EST', '2026-01-01', 'Open', '', ''],
    ['S', 'en', 'IE', 'Season', 'Full Extract', 'Detectives, The', '', '1', '', '', '', 'Season One', 'DET', 'DET_S1', '', 'VOD', '2026-01-01', '2026-07-01', '', ''],
    ['S', 'en', 'GB', 'Series', 'Full Delete', 'Detectives, The', '', '', '', '', '', '', 'DET', '', '', 'EST', '2026-01-01', 'Open', '', ''],
  ]);
  // Titles made by the import have no rights in: the rows cannot be licensed, nothing is kept.
  const pb = assertProblem(await imp(owner.c, `licensee_name=${encodeURIComponent('Channel 4 VOD')}`, file), 422, 'validation');
  assert.deepEqual(pb.errors.map((e) => e.row), [2, 3, 4]);
  assert.ok(pb.errors.every((e) => e.conflict && e.conflict.reason === 'no_rights'), JSON.stringify(pb.errors));
  assert.match(pb.errors[0].message, /no rights in/);
  assert.equal((await titlesOf('series')).length, 0, 'nothing written');
  // own_rights_in=true records rights in for the titles it creates.
  const r = assertOk(await imp(owner.c, 'licensee_name=Channel%204%20VOD&own_rights_in=true&status=draft', file), 200);
  assert.deepEqual(r.errors, []);
  assert.equal(r.sheet, 'tv');
  assert.deepEqual([r.rows, r.titles_created, r.rights_created, r.skipped, r.deals_created], [4, 4, 3, 1, 1]);
  const [series] = await titlesOf('series');
  assert.equal(series.title, 'Detectives, The');
  assert.deepEqual(series.other_ids, { ema_alt_id: 'DET' });
  const [season] = await titlesOf('season');
  assert.equal(season.parent_id, series.id);
  assert.equal(season.season_number, 1);
  assert.equal(season.title, 'Season 1', 'named by the first row that needed it');
  const eps = (await titlesOf('episode')).sort((a, b) => a.episode_number - b.episode_number);
  assert.deepEqual(eps.map((e) => [e.title, e.episode_number, e.parent_id]), [['Pilot', 1, season.id], ['Second', 2, season.id]]);
  assert.equal(eps[0].eidr, EIDR_B);
  const deal = assertOk(await owner.c.get(`/api/v1/deals/${r.deal_id}`), 200);
  assert.equal(deal.status, 'draft');
  assert.equal(deal.licensee_name, 'Channel 4 VOD');
  assert.deepEqual(deal.rights.map((x) => x.media[0]), ['est', 'est', 'tvod']);
  assert.equal(deal.rights[2].end, '2026-06-30');
  // The same file again finds every title (by EIDR, AltID and numbers): nothing new is created.
  const again = assertOk(await imp(owner.c, 'licensee_name=Another&status=draft&dry_run=true', file), 200);
  assert.equal(again.titles_created, 0);
  assert.equal(again.rights_created, 3);
});

test('bad rows: every problem by row and column; all_or_nothing changes nothing, false takes the good rows; dry runs write nothing', async () => {
  const file = tsv([
    ['Territory', 'WorkType', 'TitleInternalAlias', 'LicenseType', 'Start', 'End', 'PriceType', 'PriceValue', 'ContentID', 'Retailer Notes'],
    ['DE', 'Movie', 'The Lake', 'AVOD', '2026-01-01', '2026-04-01', '', '', '', 'ok'],
    ['Germany', 'Movie', 'The Lake', 'AVOD', '2026-01-01', 'Open', '', '', '', ''],
    ['AT', 'Movie', 'The Lake', 'AVOD', '2026-02-30', 'Open', '', '', '', ''],
    ['CH', 'Film', 'The Lake', 'Rental', '2026-01-01', 'Open', 'WSP', 'ten', '', ''],
    ['NL', 'Movie', 'x', 'EST', '2026-01-01', 'Open', '', '', '10.5240/7791-8534-2C23-9030-8610-6', ''],
    ['BE', 'Movie', '', 'EST', '2026-01-01', 'Open', '', '', '10.5240/not-an-id', ''],
  ]);
  const before = await dealCount();
  const pb = assertProblem(await imp(owner.c, 'licensee_name=Bad%20Rows', file), 422, 'validation');
  assert.deepEqual(pb.errors.map((e) => [e.row, e.column]), [
    [3, 'Territory'], [4, 'Start'], [5, 'WorkType'], [5, 'LicenseType'], [5, 'PriceValue'], [6, 'ContentID'],
    [7, 'ContentID'],
  ], JSON.stringify(pb.errors, null, 1));
  assert.match(pb.errors[0].message, /ISO 3166-1/);
  assert.match(pb.errors[5].message, /EIDR/);
  assert.deepEqual(pb.ignored_columns, ['Retailer Notes']);
  assert.equal(pb.deals_created, 0);
  assert.equal(await dealCount(), before);
  // A dry run takes the good rows in its answer and writes nothing.
  const dry = assertOk(await imp(owner.c, 'licensee_name=Bad%20Rows&all_or_nothing=false&dry_run=true', file), 200);
  assert.deepEqual([dry.deals_created, dry.rights_created, dry.deal_id, dry.dry_run], [1, 1, null, true]);
  assert.equal(dry.errors.length, 7);
  assert.equal(await dealCount(), before);
  // Not all or nothing: the good row goes in.
  const r = assertOk(await imp(owner.c, 'licensee_name=Bad%20Rows&all_or_nothing=false&status=draft', file), 200);
  assert.deepEqual([r.deals_created, r.rights_created, r.titles_created], [1, 1, 0]);
  assert.equal(r.errors.length, 7);
  assert.equal(await dealCount(), before + 1);
  const deal = assertOk(await owner.c.get(`/api/v1/deals/${r.deal_id}`), 200);
  assert.deepEqual(deal.rights.map((x) => [x.title_id, x.territories.include[0], x.end]), [[lake.id, 'DE', '2026-03-31']]);
  // A row whose new title cannot be licensed leaves no title behind when the others go in.
  const mixed = tsv([
    ['Territory', 'WorkType', 'TitleInternalAlias', 'LicenseType', 'Start', 'End'],
    ['PL', 'Movie', 'Nobody Owns This', 'EST', '2026-01-01', 'Open'],
    ['PL', 'Movie', 'The Lake', 'EST', '2026-01-01', 'Open'],
  ]);
  const m = assertOk(await imp(owner.c, 'licensee_name=Mixed&all_or_nothing=false&status=draft', mixed), 200);
  assert.deepEqual([m.titles_created, m.rights_created, m.errors.map((e) => [e.row, e.conflict?.reason])], [0, 1, [[2, 'no_rights']]]);
  assert.ok(!(await titlesOf('feature')).some((t) => t.title === 'Nobody Owns This'));
});

test('rows that collide with an exclusive license are reported with the conflict', async () => {
  assertOk(await owner.c.post(`/api/v1/orgs/${org.id}/deals`, {
    licensee_name: 'Exclusive Channel', status: 'signed', reference: 'EXCL-1',
    rights: [{ title_id: mountain.id, territories: ['IT'], media: ['svod'], start: '2026-01-01', end: '2026-12-31', exclusivity: 'exclusive' }],
  }), 201);
  const file = tsv([
    ['Territory', 'WorkType', 'ContentID', 'LicenseType', 'Start', 'End'],
    ['IT', 'Movie', EIDR_A, 'SVOD', '2026-06-01', '2026-09-01'],
    ['IT', 'Movie', EIDR_A, 'EST', '2026-06-01', '2026-09-01'],
  ]);
  const pb = assertProblem(await imp(owner.c, 'licensee_name=Late', file), 422, 'validation');
  assert.equal(pb.errors.length >= 1, true);
  assert.equal(pb.errors[0].row, 2);
  assert.equal(pb.errors[0].conflict.reason, 'exclusive');
  assert.match(pb.errors[0].message, /Exclusive Channel/);
  const r = assertOk(await imp(owner.c, 'licensee_name=Late&all_or_nothing=false', file), 200);
  assert.deepEqual([r.rights_created, r.errors.map((e) => e.row)], [1, [2]]);
});

test('a file of more than 500 rows makes one deal per 500 rows', async () => {
  const rows = [['Territory', 'WorkType', 'AltID', 'LicenseType', 'Start', 'End', 'PriceType', 'PriceValue']];
  const day = (i) => new Date(Date.UTC(2030, 0, 1) + i * 86400000).toISOString().slice(0, 10);
  for (let i = 0; i < 620; i++) rows.push(['BR', 'Movie', 'LAKE_2001', 'AVOD', day(i), day(i + 1), 'WSP', '1.25']);
  const r = assertOk(await imp(owner.c, 'licensee_name=Big%20File&status=draft&reference=BIG', tsv(rows)), 200);
  assert.deepEqual(r.errors, []);
  assert.deepEqual([r.rows, r.deals_created, r.rights_created, r.deal_ids.length], [620, 2, 620, 2]);
  const [a, b] = await Promise.all(r.deal_ids.map(async (id) => assertOk(await owner.c.get(`/api/v1/deals/${id}`), 200)));
  assert.deepEqual([a.rights.length, b.rights.length], [500, 120]);
  assert.deepEqual([a.reference, b.reference], ['BIG (1/2)', 'BIG (2/2)']);
  assert.deepEqual([a.fee, b.fee], ['625.00', '150.00']);
  assert.equal(b.rights[119].start, day(619));
  assert.equal(b.rights[119].end, day(619), 'a one-day avail');
});

test('levels, other organizations and hostile requests', async () => {
  const ok = tsv([['Territory', 'WorkType', 'ContentID', 'LicenseType', 'Start', 'End'], ['JP', 'Movie', EIDR_A, 'EST', '2026-01-01', 'Open']]);
  // A viewer may not import; a member may import drafts but not sign.
  assertProblem(await imp(viewer.c, 'licensee_name=X&status=draft', ok), 403, 'rights-role');
  assertProblem(await imp(member.c, 'licensee_name=X', ok), 403, 'rights-role');
  const d = assertOk(await imp(member.c, 'licensee_name=X&status=draft&dry_run=true', ok), 200);
  assert.equal(d.rights_created, 1);
  // Another organization's id is not found, for import and export alike.
  assertProblem(await imp(outsider.c, 'licensee_name=X', ok), 404, 'not-found');
  assertProblem(await owner.c.req('POST', `/api/v1/orgs/${oorg.id}/ema/import?licensee_name=X`, { body: ok, headers: { 'Content-Type': 'text/csv' } }), 404, 'not-found');
  assertProblem(await outsider.c.get(`/api/v1/orgs/${org.id}/ema/export`), 404, 'not-found');
  // Query mistakes.
  assertProblem(await imp(owner.c, '', ok), 400, 'bad-query');
  assertProblem(await imp(owner.c, 'licensee_name=X&all_or_nothing=maybe', ok), 400, 'bad-query');
  assertProblem(await imp(owner.c, 'licensee_name=X&force=1', ok), 400, 'bad-query');
  assertProblem(await imp(owner.c, 'licensee_name=X&status=active', ok), 400, 'bad-query');
  assertProblem(await imp(owner.c, `licensee_org_id=${org.id}`, ok), 400, 'bad-query');
  assertProblem(await imp(owner.c, 'licensee_org_id=00000000-0000-7000-8000-000000000000', ok), 422, 'validation', { fields: ['licensee_org_id'] });
  // Bodies that are not avails.
  assertProblem(await imp(owner.c, 'licensee_name=X', '{"a":1}', 'application/json'), 415, 'unsupported-media-type');
  assertProblem(await imp(owner.c, 'licensee_name=X', ''), 422, 'validation');
  assertProblem(await imp(owner.c, 'licensee_name=X', 'a,b\n1,2\n', 'text/csv'), 422, 'validation');
  assertProblem(await imp(owner.c, 'licensee_name=X', 'Territory\tWorkType\tContentID\nJP\tMovie\tx\n'), 422, 'validation', { fields: ['LicenseType', 'Start', 'End'] });
  assertProblem(await imp(owner.c, 'licensee_name=X', Buffer.from([0x54, 0x2c, 0x0a, 0xff, 0xfe, 0x0a]), 'text/csv'), 422, 'invalid-csv');
  const big = 'Territory\tWorkType\tContentID\tLicenseType\tStart\tEnd\n' + 'x'.repeat(17 << 20);
  assertProblem(await imp(owner.c, 'licensee_name=X', big), 413, 'body-too-large');
});

test('export: one row per title, territory (groups expanded) and medium EMA can say, as TSV, CSV and XLSX', async () => {
  const dach = assertOk(await owner.c.post(`/api/v1/orgs/${org.id}/deals`, {
    licensee_org_id: borg.id, status: 'signed', reference: 'DACH-1', currency: 'EUR', fee: '900.00',
    rights: [{ title_id: lake.id, territories: { include: ['DACH'], exclude: ['CH'] }, media: ['svod', 'theatrical'],
      languages: [{ tag: 'de', kinds: ['dubbed'] }], start: '2027-01-01', end: '2027-12-31', exclusivity: 'non_exclusive', allocation: '900.00' }],
  }), 201);
  let r = await owner.c.get(`/api/v1/orgs/${org.id}/ema/export?format=tsv&licensee_org_id=${borg.id}&status=signed&title_id=${lake.id}`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/tab-separated-values/);
  assert.match(r.headers.get('content-disposition'), /avails\.tsv/);
  assert.equal(r.headers.get('x-ema-media-skipped'), '1', 'theatrical has no EMA license type');
  const lines = r.text.trimEnd().split('\n').map((l) => l.split('\t'));
  const head = lines[0];
  assert.deepEqual(head.slice(0, 6), ['DisplayName', 'StoreLanguage', 'Territory', 'WorkType', 'EntryType', 'TitleInternalAlias']);
  const col = (row, name) => row[head.indexOf(name)];
  const rows = lines.slice(1).filter((l) => col(l, 'ContractID') === 'DACH-1');
  assert.deepEqual(rows.map((l) => col(l, 'Territory')).sort(), ['AT', 'DE']);
  for (const l of rows) {
    assert.equal(col(l, 'TitleInternalAlias'), 'The Lake');
    assert.equal(col(l, 'LicenseType'), 'SVOD');
    assert.equal(col(l, 'StoreLanguage'), 'de');
    assert.equal(col(l, 'LocalizationType'), 'dub');
    assert.equal(col(l, 'Start'), '2027-01-01');
    assert.equal(col(l, 'End'), '2028-01-01');
    assert.equal(col(l, 'AltID'), '', 'the title was not made by an import');
    assert.equal(col(l, 'PriceValue'), '', 'one allocation over several rows is not a row price');
  }
  // The movie import's deal: one EMA row per rights row, with its price and EIDR.
  r = await owner.c.get(`/api/v1/orgs/${org.id}/ema/export?licensee_org_id=${borg.id}`);
  const all = r.text.trimEnd().split('\n').map((l) => l.split('\t'));
  const us = all.find((l) => col(l, 'Territory') === 'US');
  assert.equal(col(us, 'ContentID'), EIDR_A);
  assert.equal(col(us, 'End'), 'Open');
  assert.equal(col(us, 'LicenseType'), 'EST');
  assert.equal(col(us, 'DisplayName'), 'EMA Studio');
  const fr = all.find((l) => col(l, 'Territory') === 'FR');
  assert.deepEqual([col(fr, 'PriceType'), col(fr, 'PriceValue'), col(fr, 'PriceCurrency')], ['WSP', '1000.50', 'USD']);
  // CSV.
  r = await owner.c.get(`/api/v1/orgs/${org.id}/ema/export?format=csv&title_id=${lake.id}&status=signed`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.ok(r.text.startsWith('DisplayName,StoreLanguage,Territory,WorkType,'));
  assert.ok(r.text.includes('\r\n'));
  // What was exported reads back in (a dry run finds every title; nothing is created).
  const back = assertOk(await imp(owner.c, 'licensee_name=Round%20Trip&dry_run=true', r.text, 'text/csv'), 200);
  assert.deepEqual(back.errors, []);
  assert.equal(back.titles_created, 0);
  assert.equal(back.rows, r.text.trimEnd().split('\r\n').length - 1);
  // TV rows: the episode's season and series in the TV columns; the file reads back in.
  r = await owner.c.get(`/api/v1/orgs/${org.id}/ema/export?status=draft`);
  const tvLines = r.text.trimEnd().split('\n').map((l) => l.split('\t'));
  const th = tvLines[0];
  assert.ok(th.includes('TitleInternalAlias') && th.includes('SeriesTitleInternalAlias'), 'movies and TV: both column sets');
  const tc = (row, name) => row[th.indexOf(name)];
  const pilot = tvLines.find((l) => tc(l, 'EpisodeTitleInternalAlias') === 'Pilot');
  assert.deepEqual(['WorkType', 'SeriesTitleInternalAlias', 'SeriesAltID', 'SeasonNumber', 'SeasonAltID', 'EpisodeNumber', 'EpisodeContentID', 'EpisodeAltID', 'Territory', 'LicenseType', 'End']
    .map((n) => tc(pilot, n)), ['Episode', 'Detectives, The', 'DET', '1', 'DET_S1', '1', EIDR_B, 'DET_E1', 'GB', 'EST', 'Open']);
  const season = tvLines.find((l) => tc(l, 'WorkType') === 'Season');
  assert.deepEqual([tc(season, 'SeasonTitleInternalAlias'), tc(season, 'Territory'), tc(season, 'LicenseType'), tc(season, 'End')], ['Season 1', 'IE', 'VOD', '2026-07-01']);
  const tvFile = [th, ...tvLines.filter((l) => tc(l, 'SeriesTitleInternalAlias') === 'Detectives, The')].map((l) => l.join('\t')).join('\n');
  const tvBack = assertOk(await imp(owner.c, 'licensee_name=TV%20Again&status=draft&dry_run=true', tvFile), 200);
  assert.deepEqual([tvBack.errors, tvBack.titles_created, tvBack.rights_created], [[], 0, 3]);
  // XLSX: a zip with a Movie and a TV sheet.
  r = await owner.c.req('GET', `/api/v1/orgs/${org.id}/ema/export?format=xlsx`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const res = await fetch(`${srv.url}/api/v1/orgs/${org.id}/ema/export?format=xlsx`, { headers: { Authorization: `Bearer ${owner.c.token}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK');
  const dir = await mkdtemp(join(tmpdir(), 'ema-xlsx-'));
  try {
    const f = join(dir, 'avails.xlsx');
    await writeFile(f, bytes);
    const list = (await run('unzip', ['-l', f])).stdout;
    assert.match(list, /xl\/worksheets\/sheet1\.xml/);
    assert.match(list, /xl\/worksheets\/sheet2\.xml/);
    const wb = (await run('unzip', ['-p', f, 'xl/workbook.xml'])).stdout;
    assert.match(wb, /name="Movie"/);
    assert.match(wb, /name="TV"/);
    const strings = (await run('unzip', ['-p', f, 'xl/sharedStrings.xml'])).stdout;
    assert.match(strings, /View from a Mountain/);
    assert.match(strings, /Detectives, The/);
    assert.match(strings, /TitleInternalAlias/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Query mistakes; the viewer may export.
  assertProblem(await owner.c.get(`/api/v1/orgs/${org.id}/ema/export?format=xls`), 400, 'bad-query');
  assertProblem(await owner.c.get(`/api/v1/orgs/${org.id}/ema/export?status=done`), 400, 'bad-query');
  assertProblem(await owner.c.get(`/api/v1/orgs/${org.id}/ema/export?title_id=nope`), 400, 'bad-query');
  assert.equal((await viewer.c.get(`/api/v1/orgs/${org.id}/ema/export`)).status, 200);
  assert.ok(dach.id);
});
