// Talent visibility across every read path: one person whose fields are set to each
// visibility, read by an anonymous caller, an outsider (any signed-in user), a colleague who
// shares an organization with the person, and the person. The profile, search results,
// facets, filters, match explanations, credits, availability, shortlists and the
// organization's CSV export must all agree on what each of them may see. Runs on SQLite and,
// with MSTATION_TEST_PG, PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg, addMember, anon } from './helpers.mjs';

let srv, lhamo, colleague, outsider, crewOrg, outOrg, prof, shortlist;
const P = '/api/v1/talent/profiles';
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

before(async () => {
  srv = await startServer();
  lhamo = await person(srv, 'lhamo', '拉姆 Lhamo');
  colleague = await person(srv, 'colleague', 'Colleague');
  outsider = await person(srv, 'outsider', 'Outsider');
  crewOrg = await mkOrg(colleague.c, 'Plateau Crew');
  await addMember(colleague.c, crewOrg.id, lhamo.id, 'member');
  outOrg = await mkOrg(outsider.c, 'Outside Pictures');
  prof = assertOk(await lhamo.c.post(P, {
    names: [{ name: '拉姆卓玛', primary: true }, { name: 'Lhamo Drolma' }],
    headline: 'Boom operator', crafts: ['sound'], skills: ['wireless lavaliers'],
    languages: [{ tag: 'bo', level: 'native' }, { tag: 'zh', level: 'fluent' }],
    location: { country: 'CN', city: 'Yushu', travel: 'national' },
    rates: { currency: 'CNY', day: '900' }, contacts: { email: 'lhamo@example.com' },
    visibility: { languages: 'orgs', location: 'private', skills: 'platform', rates: 'orgs', credits: 'orgs', availability: 'private' },
    consent: { given: true },
  }), 201);
  assertOk(await lhamo.c.post(`${P}/${prof.id}/credits`, { title: '雪域 Snowland', role: 'Boom operator', craft: 'sound', year: 2024, company: 'Plateau Crew', org_id: crewOrg.id }), 201);
  assertOk(await lhamo.c.post(`${P}/${prof.id}/unavailable`, { start: day(10), end: day(20), note: 'family' }), 201);
  shortlist = assertOk(await outsider.c.post(`/api/v1/orgs/${outOrg.id}/talent/shortlists`, { name: 'Sound' }), 201);
});
after(async () => { await srv.stop(); });

test('the profile: each viewer reads its fields, nobody more', async () => {
  const a = assertOk(await anon(srv).get(`${P}/${prof.id}`), 200);
  const o = assertOk(await outsider.c.get(`${P}/${prof.id}`), 200);
  const c = assertOk(await colleague.c.get(`${P}/${prof.id}`), 200);
  const me = assertOk(await lhamo.c.get(`${P}/${prof.id}`), 200);
  assert.deepEqual(Object.keys(a).filter((k) => ['languages', 'location', 'skills', 'rates', 'credit_summary'].includes(k)), []);
  assert.ok('skills' in o && !('languages' in o) && !('location' in o) && !('rates' in o) && !('credit_summary' in o));
  assert.ok('languages' in c && 'rates' in c && 'credit_summary' in c && !('location' in c) && !('contacts' in c));
  assert.ok('location' in me && 'contacts' in me);
});

test('search: hidden fields neither match, filter, nor count in facets', async () => {
  // The outsider: languages are "orgs": filtering by Tibetan must not find Lhamo, and the
  // language facet must not count her.
  const byName = assertOk(await outsider.c.get(`/api/v1/talent/search?q=${encodeURIComponent('卓玛')}`), 200);
  const card = byName.items.find((x) => x.id === prof.id);
  assert.ok(card, 'found by a part of her name');
  assert.ok(!('languages' in card) && !('location' in card));
  const tib = assertOk(await outsider.c.get('/api/v1/talent/search?language=bo'), 200);
  assert.ok(!tib.items.some((x) => x.id === prof.id), 'not found through a hidden language');
  const all = assertOk(await outsider.c.get('/api/v1/talent/search?craft=sound'), 200);
  assert.ok(all.items.some((x) => x.id === prof.id));
  assert.ok(!(all.facets.language || []).some((f) => f.value === 'bo'), 'hidden language not counted');
  assert.ok(!(all.facets.city || []).some((f) => f.value === 'Yushu'), 'hidden city not counted');
  assert.ok(!(all.facets.org || []).some((f) => f.value === crewOrg.id), 'hidden credits not counted');
  // Availability is private: a window filter must not reveal her as free or busy.
  const window = assertOk(await outsider.c.get(`/api/v1/talent/search?craft=sound&available_from=${day(12)}&available_to=${day(14)}`), 200);
  const w = window.items.find((x) => x.id === prof.id);
  if (w) assert.ok(w.available === null || w.available === undefined, 'availability not shown');
  // The colleague reads "orgs" fields: the same filters find and count her.
  const tib2 = assertOk(await colleague.c.get('/api/v1/talent/search?language=bo'), 200);
  assert.ok(tib2.items.some((x) => x.id === prof.id));
  assert.ok(tib2.facets.language.some((f) => f.value === 'bo' && f.count >= 1));
  // Private text never matches: her e-mail is not searchable by anyone else.
  const mail = assertOk(await colleague.c.get('/api/v1/talent/search?q=lhamo%40example'), 200);
  assert.ok(!mail.items.some((x) => x.id === prof.id));
});

test('matching: hidden fields score as not shared, for the outsider; counted for the colleague', async () => {
  const need = { craft: 'sound', from: day(12), to: day(14), languages: [{ tag: 'bo', level: 'professional' }], budget: { currency: 'CNY', day: '1000' } };
  const o = assertOk(await outsider.c.post(`/api/v1/orgs/${outOrg.id}/talent/match`, need), 200);
  const mine = o.items.find((x) => x.profile.id === prof.id);
  assert.ok(mine, 'a candidate: the craft is public');
  const text = JSON.stringify(mine.explain);
  assert.ok(!/Yushu|900|family/.test(text), `nothing hidden in the explanation: ${text}`);
  assert.equal(mine.available, 'unknown');
  const lang = mine.explain.find((e) => e.factor === 'languages');
  assert.ok(lang && lang.points < lang.max);
  const c = assertOk(await colleague.c.post(`/api/v1/orgs/${crewOrg.id}/talent/match`, need), 200);
  const theirs = c.items.find((x) => x.profile.id === prof.id);
  const lang2 = theirs.explain.find((e) => e.factor === 'languages');
  assert.ok(lang2.points > lang.points, 'the colleague sees her Tibetan');
  const sum = (x) => Math.round(x.explain.reduce((s, e) => s + e.points, 0) * 100) / 100;
  assert.equal(sum(mine), Math.round(mine.score * 100) / 100);
});

test('credits, availability, shortlists and the export follow the same rules', async () => {
  assertProblem(await outsider.c.get(`${P}/${prof.id}/credits`), 404, 'not-found');
  assert.equal(assertOk(await colleague.c.get(`${P}/${prof.id}/credits`), 200).items.length, 1);
  assertProblem(await colleague.c.get(`${P}/${prof.id}/availability`), 404, 'not-found');
  const av = assertOk(await lhamo.c.get(`${P}/${prof.id}/availability?from=${day(0)}&to=${day(60)}`), 200);
  assert.equal(av.unavailable.length, 1);
  assertOk(await outsider.c.post(`/api/v1/talent/shortlists/${shortlist.id}/entries`, { profile_id: prof.id }), 201);
  const sl = assertOk(await outsider.c.get(`/api/v1/talent/shortlists/${shortlist.id}`), 200);
  const entry = sl.entries.find((e) => (e.profile?.id || e.id) === prof.id);
  assert.ok(entry);
  assert.ok(!JSON.stringify(entry).includes('Yushu'));
  assertProblem(await colleague.c.get(`/api/v1/talent/shortlists/${shortlist.id}`), 404, 'not-found');
  const x = assertOk(await lhamo.c.get('/api/v1/talent/me/export'), 200);
  assert.equal(x.credits.length, 1);
  assert.equal(x.unavailable.length, 1);
  assert.equal(x.shortlisted_by.length, 1);
});
