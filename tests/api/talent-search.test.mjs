// Talent search and matching over the API: substrings of names in Chinese and Latin scripts
// (diacritics and fullwidth forms folded, never across two words), every filter, facets over
// the whole filtered set, ranking, cursor pages, what each searcher may see (a field shared
// only with organizations never shows, filters, counts or scores for an outsider, but does for
// an organization's member), unlisted profiles, availability from unavailable ranges and from
// production task assignments, matching with explanations that add up, bad parameters.
// Runs on SQLite and, with MSTATION_TEST_PG, PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startServer, createDatabase, ENGINE } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg, mkProject, addMember, sql } from './helpers.mjs';

const P = '/api/v1/talent/profiles';
const S = '/api/v1/talent/search';
let srv, coord, colleague, seeker, lilei, studio, guild, seekerOrg;
const pr = {}; // profiles by key

const kept = (body) => ({ org_id: studio.id, consent: { attested: true, note: 'signed form' }, ...body });

async function create(c, body) {
  return assertOk(await c.post(P, body), 201);
}

// Credits and unavailable ranges straight into the tables (their routes are another part's),
// then a profile write so that talent_touch brings the search up to date.
async function addCredit(p, { title, role, craft, year, org = null, verified = false }) {
  const now = new Date().toISOString();
  const q = (s) => (s === null ? 'NULL' : `'${String(s).replace(/'/g, "''")}'`);
  await sql(srv, `INSERT INTO talent_credit (id, profile_id, title, role, craft, year, company, org_id, source, verified_at, created_at, updated_at) VALUES (${q(randomUUID())}, ${q(p.id)}, ${q(title)}, ${q(role)}, ${q(craft)}, ${year}, 'Plateau Pictures', ${q(org)}, 'manual', ${verified ? q(now) : 'NULL'}, ${q(now)}, ${q(now)})`);
}
async function addUnavailable(p, start, end) {
  await sql(srv, `INSERT INTO talent_unavailable (id, profile_id, start_date, end_date, note, created_at) VALUES ('${randomUUID()}', '${p.id}', '${start}', '${end}', '', '${new Date().toISOString()}')`);
}
async function touch(c, p, body = {}) {
  return assertOk(await c.patch(`${P}/${p.id}`, { headline: p.headline || '', ...body }), 200);
}

const ids = (r) => r.json.items.map((x) => x.id);
const names = (r) => r.json.items.map((x) => x.primary_name);
async function search(c, query) {
  const r = await c.get(`${S}?${new URLSearchParams(query)}`);
  assert.equal(r.status, 200, `${JSON.stringify(query)}: ${r.status} ${r.text}`);
  return r;
}
const facet = (r, k) => Object.fromEntries(r.json.facets[k].map((f) => [f.value, f.count]));

before(async () => {
  srv = await startServer();
  coord = await person(srv, 'coord', 'Coordinator');
  colleague = await person(srv, 'colleague', 'Colleague');
  seeker = await person(srv, 'seeker', 'Seeker');
  lilei = await person(srv, 'lilei', '李雷');
  studio = await mkOrg(coord.c, '青海影业 Qinghai Films');
  await addMember(coord.c, studio.id, colleague.id, 'member');
  await addMember(coord.c, studio.id, lilei.id, 'member');
  guild = await mkOrg(seeker.c, 'Plateau Guild');
  seekerOrg = await mkOrg(seeker.c, 'Seeker Films');

  pr.a = await create(coord.c, kept({
    names: [{ name: '张伟', primary: true }, { name: 'Zhang Wei', script: 'Latn' }], headline: 'Location sound recordist',
    crafts: ['sound'], skills: ['boom operation', 'Pro Tools'],
    languages: [{ tag: 'bo', level: 'native' }, { tag: 'zh', level: 'fluent' }],
    location: { country: 'CN', region: 'Qinghai', city: '西宁', travel: 'national' },
    rates: { currency: 'CNY', day: '1000.00' }, visibility: { rates: 'orgs' },
  }));
  pr.b = await create(coord.c, kept({
    names: [{ name: '张伟明', primary: true }, { name: 'Zhang Weiming' }], crafts: ['sound', 'composer'],
    languages: [{ tag: 'zh', level: 'native' }], location: { country: 'CN', city: '北京', travel: 'international' },
    rates: { currency: 'CNY', day: '3000.00' }, visibility: { rates: 'public' },
  }));
  pr.c = await create(coord.c, kept({
    names: [{ name: '王小明', primary: true }, { name: 'Wang Xiaoming' }], crafts: ['editor'],
    languages: [{ tag: 'en', level: 'fluent' }], location: { country: 'CN', city: '上海' },
    visibility: { credits: 'orgs' },
  }));
  pr.d = await create(coord.c, kept({
    names: [{ name: 'Zoë Dubois', primary: true }], headline: 'Étalonneuse', crafts: ['colourist'],
    languages: [{ tag: 'fr', level: 'native' }], location: { country: 'FR', city: 'Paris' },
  }));
  pr.e = await create(coord.c, kept({
    names: [{ name: '欧阳娜娜', primary: true }, { name: 'Ouyang Nana' }], crafts: ['composer', 'sound'],
    languages: [{ tag: 'zh', level: 'native' }, { tag: 'bo', level: 'fluent' }], location: { country: 'CN', city: '西宁' },
    skills: ['boom operation'], visibility: { languages: 'orgs', location: 'orgs', skills: 'orgs', availability: 'orgs' },
  }));
  pr.f = await create(coord.c, kept({ names: [{ name: '张伟强', primary: true }], crafts: ['sound'], listed: false }));
  pr.g = await create(coord.c, kept({ names: [{ name: 'Anna Ngwe', primary: true }], crafts: ['actor'] }));
  // Li Lei keeps his own profile: production bookings follow his account.
  pr.h = await create(lilei.c, {
    names: [{ name: '李雷', primary: true }, { name: 'Li Lei' }], crafts: ['sound'], languages: [{ tag: 'bo', level: 'conversational' }],
    location: { country: 'CN', city: '西宁', travel: 'local' }, consent: { given: true },
  });

  await addCredit(pr.b, { title: '高原 The Plateau', role: 'Sound mixer', craft: 'sound', year: 2025, org: guild.id, verified: true });
  await addCredit(pr.b, { title: '河流 River', role: 'Boom operator', craft: 'sound', year: 2024, org: guild.id, verified: true });
  await addCredit(pr.a, { title: 'Snow Lion', role: 'Sound recordist', craft: 'sound', year: 2019 });
  await addCredit(pr.c, { title: 'Secret Cut', role: 'Editor', craft: 'editor', year: 2023, org: guild.id, verified: true });
  await addCredit(pr.d, { title: 'Lumière du Nord', role: 'Colourist', craft: 'colourist', year: 2022, org: guild.id, verified: true });
  await addUnavailable(pr.a, '2026-12-05', '2026-12-06');
  await addUnavailable(pr.e, '2026-12-01', '2026-12-31');
  for (const k of ['a', 'b', 'c', 'd', 'e']) pr[k] = await touch(coord.c, pr[k]);

  // A production task assigned to Li Lei from 1 to 3 December.
  const project = await mkProject(coord.c, studio.id, 'Plateau Series');
  const voc = assertOk(await coord.c.post(`/api/v1/projects/${project.id}/production/setup`, { template: 'series' }), 201);
  const charType = voc.entity_types.find((t) => t.name === 'Character');
  const assetTask = voc.task_types.find((t) => t.for_kind === 'asset');
  const ent = assertOk(await coord.c.post(`/api/v1/projects/${project.id}/entities`, { type_id: charType.id, name: 'Yak' }), 201);
  assertOk(await coord.c.post(`/api/v1/projects/${project.id}/tasks`, {
    task_type_id: assetTask.id, entity_id: ent.id, assignees: [lilei.id], start_date: '2026-12-01', due_date: '2026-12-03',
  }), 201);
  // No search yet, and the text index says it is complete (marker row 0): the first profile
  // of a new instance marked it, so no search will rebuild what the writes kept.
  const marker = srv.engine === 'postgres' ? 'SELECT count(*) FROM talent_fts WHERE rowid = 0'
    : `SELECT count(*) FROM talent_fts WHERE talent_fts MATCH '"\u{E001}"'`;
  assert.equal(await sql(srv, marker), '1');
});
after(async () => { await srv.stop(); });

test('Chinese substrings: two and three characters, one character, never across two words; unlisted profiles absent', async () => {
  let r = await search(seeker.c, { q: '张伟' });
  assert.deepEqual(names(r), ['张伟', '张伟明']); // exact name before a longer one; 张伟强 is unlisted
  assert.equal(r.json.total, 2);
  r = await search(seeker.c, { q: '伟明' });
  assert.deepEqual(names(r), ['张伟明']);
  r = await search(seeker.c, { q: '王小明' });
  assert.deepEqual(names(r), ['王小明']);
  r = await search(seeker.c, { q: '小明' });
  assert.deepEqual(names(r), ['王小明']);
  r = await search(seeker.c, { q: '伟' });
  assert.deepEqual(names(r).sort(), ['张伟', '张伟明'].sort());
  r = await search(seeker.c, { q: '欧阳娜娜' });
  assert.deepEqual(names(r), ['欧阳娜娜']);
  r = await search(seeker.c, { q: '阳娜' });
  assert.deepEqual(names(r), ['欧阳娜娜']);
  r = await search(seeker.c, { q: '张伟强' });
  assert.deepEqual(ids(r), []);
  // Craft labels are indexed in both languages.
  r = await search(seeker.c, { q: '录音师' });
  assert.deepEqual(names(r).sort(), ['张伟', '张伟明', '欧阳娜娜', '李雷'].sort());
});

test('Latin substrings, diacritics and fullwidth forms; word boundaries hold', async () => {
  let r = await search(seeker.c, { q: 'Zhang Wei' });
  assert.deepEqual(names(r), ['张伟', '张伟明']);
  assert.ok(r.json.items[0].score > r.json.items[1].score);
  r = await search(seeker.c, { q: 'weiming' });
  assert.deepEqual(names(r), ['张伟明']);
  r = await search(seeker.c, { q: 'zhangwei' });
  assert.deepEqual(ids(r), []);
  for (const q of ['zoe', 'Zoë', 'ZOË', 'ｚｏｅ', 'dubo', 'etalon']) {
    r = await search(seeker.c, { q });
    assert.deepEqual(names(r), ['Zoë Dubois'], q);
  }
  r = await search(seeker.c, { q: 'angwe' }); // "Anna Ngwe": not across the space
  assert.deepEqual(ids(r), []);
  r = await search(seeker.c, { q: 'ngwe' });
  assert.deepEqual(names(r), ['Anna Ngwe']);
  // Credits: titles and roles (public/platform credits only).
  r = await search(seeker.c, { q: 'snow lion' });
  assert.deepEqual(names(r), ['张伟']);
  r = await search(seeker.c, { q: 'secret cut' }); // Wang Xiaoming's credits are for organizations
  assert.deepEqual(ids(r), []);
  r = await search(colleague.c, { q: 'secret cut' }); // the text index holds public text only
  assert.deepEqual(ids(r), []);
  // A renamed profile is found by its new name only.
  pr.g = await touch(coord.c, pr.g, { names: [{ name: 'Anna Mbeki', primary: true }] });
  assert.deepEqual(ids(await search(seeker.c, { q: 'ngwe' })), []);
  assert.deepEqual(names(await search(seeker.c, { q: 'mbeki' })), ['Anna Mbeki']);
});

test('ranking: exact name, name prefix, then verified credits, then completeness', async () => {
  // Both names start with "zhang": Zhang Weiming has two verified credits.
  let r = await search(seeker.c, { q: 'zhang' });
  assert.deepEqual(names(r), ['张伟明', '张伟']);
  // An exact name outranks credits.
  r = await search(seeker.c, { q: 'zhang wei' });
  assert.deepEqual(names(r), ['张伟', '张伟明']);
  // Name matches before matches in other fields (Zhang Wei's credit role says "recordist",
  // Li Lei's craft label too; neither is a name).
  r = await search(seeker.c, { q: 'sound' });
  assert.ok(r.json.items.length >= 3);
  for (const it of r.json.items) assert.ok(it.score < 100000, 'no name says sound');
});

test('filters: craft, language and level, country, city, organization', async () => {
  let r = await search(seeker.c, { craft: 'sound' });
  assert.deepEqual(names(r).sort(), ['张伟', '张伟明', '欧阳娜娜', '李雷'].sort());
  r = await search(seeker.c, { craft: 'editor,colourist' });
  assert.deepEqual(names(r).sort(), ['王小明', 'Zoë Dubois'].sort());
  r = await search(seeker.c, { language: 'bo' });
  assert.deepEqual(names(r).sort(), ['张伟', '李雷'].sort()); // 欧阳娜娜's languages are hidden
  r = await search(seeker.c, { language: 'bo', level: 'fluent' });
  assert.deepEqual(names(r), ['张伟']);
  r = await search(colleague.c, { language: 'bo', level: 'fluent' });
  assert.deepEqual(names(r).sort(), ['张伟', '欧阳娜娜'].sort());
  r = await search(seeker.c, { country: 'fr' });
  assert.deepEqual(names(r), ['Zoë Dubois']);
  r = await search(seeker.c, { city: 'PARIS' });
  assert.deepEqual(names(r), ['Zoë Dubois']);
  r = await search(seeker.c, { city: '西宁' });
  assert.deepEqual(names(r).sort(), ['张伟', '李雷'].sort());
  r = await search(colleague.c, { city: '西宁' });
  assert.deepEqual(names(r).sort(), ['张伟', '欧阳娜娜', '李雷'].sort());
  // Organization: verified credits (as far as credits are visible) or the steward.
  r = await search(seeker.c, { org: guild.id });
  assert.deepEqual(names(r).sort(), ['张伟明', 'Zoë Dubois'].sort());
  r = await search(colleague.c, { org: guild.id });
  assert.deepEqual(names(r).sort(), ['张伟明', '王小明', 'Zoë Dubois'].sort());
  r = await search(seeker.c, { org: studio.id });
  assert.equal(r.json.total, 6); // every profile the studio keeps, listed
  r = await search(seeker.c, { org: seekerOrg.id });
  assert.equal(r.json.total, 0);
  // Combined with words.
  r = await search(seeker.c, { q: '张', craft: 'composer' });
  assert.deepEqual(names(r), ['张伟明']);
  r = await search(seeker.c, { q: 'zhang', craft: 'editor' });
  assert.deepEqual(ids(r), []);
});

test('availability window: unavailable ranges and production task assignments', async () => {
  let r = await search(seeker.c, { craft: 'sound', available_from: '2026-12-01', available_to: '2026-12-10' });
  // 张伟 is away on the 5th and 6th, 李雷 has a task from the 1st to the 3rd, 欧阳娜娜's
  // availability is hidden from the seeker (a hidden field never matches a filter).
  assert.deepEqual(names(r), ['张伟明']);
  assert.equal(r.json.items[0].available, 'free');
  r = await search(seeker.c, { craft: 'sound', available_from: '2026-12-07', available_to: '2026-12-20' });
  assert.deepEqual(names(r).sort(), ['张伟', '张伟明', '李雷'].sort());
  r = await search(seeker.c, { craft: 'sound', available_from: '2026-12-03' });
  assert.deepEqual(names(r).sort(), ['张伟', '张伟明'].sort());
  // The colleague reads 欧阳娜娜's availability: away all December.
  r = await search(colleague.c, { craft: 'sound', available_from: '2027-01-02', available_to: '2027-01-03' });
  assert.deepEqual(names(r).sort(), ['张伟', '张伟明', '欧阳娜娜', '李雷'].sort());
  r = await search(colleague.c, { craft: 'sound', available_from: '2026-12-20', available_to: '2026-12-21' });
  assert.deepEqual(names(r).sort(), ['张伟', '张伟明', '李雷'].sort());
  r = await search(seeker.c, { q: 'zhang' });
  for (const it of r.json.items) assert.equal(it.available, null);
});

test('facets count the whole filtered set, never a field the searcher may not read', async () => {
  let r = await search(seeker.c, { limit: 1 });
  assert.equal(r.json.items.length, 1);
  assert.equal(r.json.total, 7);
  assert.deepEqual(facet(r, 'craft'), { sound: 4, composer: 2, editor: 1, colourist: 1, actor: 1 });
  assert.deepEqual(facet(r, 'language'), { zh: 2, bo: 2, en: 1, fr: 1 }); // not 欧阳娜娜's
  assert.deepEqual(facet(r, 'country'), { CN: 4, FR: 1 });
  assert.deepEqual(facet(r, 'city'), { '西宁': 2, '北京': 1, '上海': 1, Paris: 1 }); // as written
  const org = Object.fromEntries(r.json.facets.org.map((f) => [f.value, f]));
  assert.equal(org[studio.id].count, 6);
  assert.equal(org[studio.id].name, studio.name);
  assert.equal(org[guild.id].count, 2); // not 王小明's credit: credits shared with orgs only
  assert.equal(org[lilei.id], undefined);

  r = await search(colleague.c, { limit: 1 });
  assert.deepEqual(facet(r, 'language'), { zh: 3, bo: 3, en: 1, fr: 1 });
  assert.deepEqual(facet(r, 'country'), { CN: 5, FR: 1 });
  assert.equal(Object.fromEntries(r.json.facets.org.map((f) => [f.value, f.count]))[guild.id], 3);

  r = await search(seeker.c, { craft: 'sound' });
  assert.deepEqual(facet(r, 'craft'), { sound: 4, composer: 2 });
  assert.deepEqual(facet(r, 'city'), { '西宁': 2, '北京': 1 });

  // Cards carry only what the searcher may read.
  r = await search(seeker.c, { q: '欧阳' });
  const card = r.json.items[0];
  assert.equal(card.primary_name, '欧阳娜娜');
  assert.equal(card.languages, undefined);
  assert.equal(card.location, undefined);
  assert.deepEqual(card.crafts, ['composer', 'sound']);
  r = await search(colleague.c, { q: '欧阳' });
  assert.ok(r.json.items[0].languages.length === 2);
  assert.equal(r.json.items[0].location.city, '西宁');
});

test('pages: a cursor walks every result once, in rank order', async () => {
  const all = await search(seeker.c, { limit: 100 });
  const seen = [];
  let cursor = null;
  for (let pages = 0; pages < 10; pages++) {
    const r = await search(seeker.c, cursor ? { limit: 3, cursor } : { limit: 3 });
    assert.ok(r.json.items.length <= 3);
    assert.equal(r.json.total, 7);
    seen.push(...ids(r));
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  assert.deepEqual(seen, ids(all));
  assert.equal(new Set(seen).size, 7);
  const scores = all.json.items.map((x) => x.score);
  assert.deepEqual(scores, [...scores].sort((x, y) => y - x));
});

test('unlisting takes a profile out of search at once, listing brings it back', async () => {
  pr.d = await touch(coord.c, pr.d, { listed: false });
  assert.deepEqual(ids(await search(seeker.c, { q: 'zoe' })), []);
  assert.equal((await search(seeker.c, {})).json.total, 6);
  pr.d = await touch(coord.c, pr.d, { listed: true });
  assert.deepEqual(names(await search(seeker.c, { q: 'zoe' })), ['Zoë Dubois']);
});

test('bad parameters answer 400 with every problem named', async () => {
  const bad = async (query, fields) => {
    const r = await seeker.c.get(`${S}?${new URLSearchParams(query)}`);
    assertProblem(r, 400, 'bad-query', { fields });
  };
  await bad({ q: 'a' }, ['q']);
  await bad({ q: 'zhang w' }, ['q']);
  await bad({ q: '!!' }, ['q']);
  await bad({ craft: 'plumber' }, ['craft']);
  await bad({ language: 'not a tag!' }, ['language']);
  await bad({ language: 'bo', level: 'perfect' }, ['level']);
  await bad({ level: 'native' }, ['level']);
  await bad({ country: 'CHN' }, ['country']);
  await bad({ org: 'nope' }, ['org']);
  await bad({ available_to: '2026-12-01' }, ['available_from']);
  await bad({ available_from: '2026-12-10', available_to: '2026-12-01' }, ['available_to']);
  await bad({ available_from: '2026-02-30' }, ['available_from']);
  await bad({ available_from: '2026-01-01', available_to: '2028-01-01' }, ['available_to']);
  await bad({ cursor: 'garbage' }, ['cursor']);
  await bad({ q: 'x', craft: 'nope', country: '1' }, ['q', 'craft', 'country']);
  await bad({ qq: 'zhang' }, ['qq']);
  // Blank fields of a form filter nothing.
  const blank = await search(seeker.c, { q: '', craft: '', language: '', level: '', country: '', city: '', org: '', available_from: '', available_to: '' });
  assert.equal(blank.json.total, 7);
  assertProblem(await seeker.c.get(`${S}?limit=0`), 400, 'bad-query', { fields: ['limit'] });
  assertProblem(await seeker.c.get(`${S}?limit=101`), 400, 'bad-query', { fields: ['limit'] });
  const anon = await fetch(`${srv.url}${S}?q=zhang`);
  assert.equal(anon.status, 401);
});

const M = (org) => `/api/v1/orgs/${org}/talent/match`;
const sum = (it) => it.explain.reduce((s, f) => s + f.points, 0);

test('matching: available first, then score; every explanation adds up to its score', async () => {
  const need = {
    craft: 'sound', from: '2026-12-01', to: '2026-12-10', languages: [{ tag: 'bo', level: 'fluent' }],
    skills: ['Boom Operation'], location: { country: 'CN', city: '西宁' }, budget: { currency: 'CNY', day: '1200' },
  };
  const r = assertOk(await coord.c.post(M(studio.id), need), 200);
  assert.equal(r.considered, 4);
  const by = Object.fromEntries(r.items.map((x) => [x.profile.primary_name, x]));
  assert.deepEqual(r.items.map((x) => x.available), ['free', 'partly', 'partly', 'booked']);
  assert.equal(r.items[0].profile.primary_name, '张伟明');
  assert.equal(by['欧阳娜娜'].available, 'booked'); // the studio reads her availability
  assert.equal(by['张伟'].available, 'partly');
  assert.equal(by['李雷'].available, 'partly');
  for (const it of r.items) {
    assert.equal(sum(it), it.score, JSON.stringify(it.explain));
    for (const f of it.explain) {
      assert.ok(f.points >= 0 && f.points <= f.max, JSON.stringify(f));
      assert.equal(typeof f.detail, 'string');
    }
    assert.deepEqual(it.explain.map((f) => f.factor), ['availability', 'credits', 'skills', 'languages', 'location', 'budget']);
  }
  // Partly free: 张伟 (bo native, boom, Xining, within budget) above 李雷 (bo conversational).
  assert.ok(r.items.findIndex((x) => x.profile.primary_name === '张伟') < r.items.findIndex((x) => x.profile.primary_name === '李雷'));
  const f = (it, k) => it.explain.find((x) => x.factor === k);
  assert.equal(f(by['张伟'], 'budget').points, 10);
  assert.equal(f(by['张伟明'], 'budget').points, 0); // 3000 a day, public
  assert.equal(f(by['张伟'], 'languages').points, 15);
  assert.equal(f(by['李雷'], 'languages').points, 0);
  assert.equal(f(by['张伟'], 'location').points, 10);
  assert.ok(f(by['张伟明'], 'credits').points > f(by['张伟'], 'credits').points); // two verified
  assert.equal(f(by['李雷'], 'availability').detail, 'free for 7 of 10 days');
});

test('matching as an outsider: hidden fields score as not shared', async () => {
  const need = {
    craft: 'sound', from: '2026-12-01', to: '2026-12-10', languages: [{ tag: 'bo', level: 'fluent' }],
    skills: ['boom operation'], location: { country: 'CN', city: '西宁' }, budget: { currency: 'CNY', day: '1200.00' },
  };
  const r = assertOk(await seeker.c.post(M(seekerOrg.id), need), 200);
  const by = Object.fromEntries(r.items.map((x) => [x.profile.primary_name, x]));
  const f = (it, k) => it.explain.find((x) => x.factor === k);
  const nana = by['欧阳娜娜'];
  assert.equal(nana.available, 'unknown');
  for (const k of ['availability', 'skills', 'languages', 'location']) assert.match(f(nana, k).detail, /not shared/, k);
  for (const k of ['skills', 'languages', 'location']) assert.equal(f(nana, k).points, 0, k);
  assert.equal(nana.profile.languages, undefined);
  assert.match(f(by['张伟'], 'budget').detail, /not shared/); // rates shared with orgs only
  assert.equal(f(by['张伟'], 'budget').points, 5);
  assert.deepEqual(r.items.map((x) => x.available), ['free', 'partly', 'partly', 'unknown']);
  for (const it of r.items) assert.equal(sum(it), it.score);
  // Without dates or wishes: credits only, availability unknown.
  const plain = assertOk(await seeker.c.post(M(seekerOrg.id), { craft: 'editor', limit: 5 }), 200);
  assert.deepEqual(plain.items.map((x) => x.profile.primary_name), ['王小明']);
  assert.deepEqual(plain.items[0].explain.map((x) => x.factor), ['credits']);
  assert.match(plain.items[0].explain[0].detail, /not shared/); // credits shared with orgs
  const mine = assertOk(await coord.c.post(M(studio.id), { craft: 'editor' }), 200);
  assert.equal(mine.items[0].explain[0].points, 3 + 4); // one verified credit, 2023
});

test('matching: bad needs answer 422 naming every field; only members of the organization ask', async () => {
  const bad = async (body, fields) => assertProblem(await coord.c.post(M(studio.id), body), 422, 'validation', { fields });
  await bad({}, ['craft']);
  await bad({ craft: 'plumber' }, ['craft']);
  await bad({ craft: 'sound', from: '2026-12-01' }, ['to']);
  await bad({ craft: 'sound', from: '2026-12-10', to: '2026-12-01' }, ['to']);
  await bad({ craft: 'sound', languages: [{ tag: 'not a tag!' }, { tag: 'bo', level: 'perfect' }] }, ['languages/0', 'languages/1']);
  await bad({ craft: 'sound', skills: [''] }, ['skills/0']);
  await bad({ craft: 'sound', budget: { currency: 'XYZ', day: 1 } }, ['budget/currency']);
  await bad({ craft: 'sound', budget: { currency: 'CNY', day: 'lots' } }, ['budget/day']);
  await bad({ craft: 'sound', location: { country: 'C1' } }, ['location/country']);
  await bad({ craft: 'sound', limit: 0 }, ['limit']);
  await bad({ craft: 'sound', wish: 'x' }, ['wish']);
  const r = await seeker.c.post(M(studio.id), { craft: 'sound' });
  assert.ok(r.status === 403 || r.status === 404, `${r.status}`);
});

test('a copy made by migrate-store rebuilds its text index and answers the same searches', async () => {
  const before = await search(seeker.c, { q: '张伟' });
  const target = ENGINE === 'postgres' ? await createDatabase() : `sqlite:${join(srv.dir, 'copy.db')}`;
  const { stdout } = await srv.cli(['migrate-store', '--from', srv.database, '--to', target]);
  assert.match(stdout, /every table verified/);
  assert.doesNotMatch(stdout, /talent_fts/); // derived: neither copied nor compared
  const copy = await startServer({ share: { data: srv.data, database: target, admin: srv.admin } });
  try {
    const c = Object.assign(Object.create(Object.getPrototypeOf(seeker.c)), seeker.c, { base: copy.url });
    const r = await c.get(`${S}?q=${encodeURIComponent('张伟')}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(ids(r), ids(before));
    assert.deepEqual(names(await search(c, { q: 'zoe' })), ['Zoë Dubois']);
  } finally {
    await copy.stop();
  }
});

test('language tags: facets show them as written, the filter takes any case', async () => {
  const p = await create(coord.c, kept({ names: [{ name: '林小雨', primary: true }], crafts: ['translator'], languages: [{ tag: 'zh-Hans', level: 'native' }] }));
  const stored = p.languages[0].tag; // however the profile keeps it
  for (const language of [stored, stored.toLowerCase(), stored.toUpperCase()]) {
    const r = await search(seeker.c, { language, craft: 'translator' });
    assert.deepEqual(names(r), ['林小雨'], language);
    assert.deepEqual(facet(r, 'language'), { [stored]: 1 });
  }
});
