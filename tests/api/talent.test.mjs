// Talent profiles over the API: one's own profile and one an organization keeps for a person
// who consented, per-field visibility for every kind of viewer (anonymous, any signed-in
// user, a member of the keeping organization or of one the person belongs to, the person),
// field checks, If-Match, claim by link and by e-mail, export of everything about a person,
// erasure, crafts. Runs on SQLite and, with MSTATION_TEST_PG, PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { tokenClient } from '../lib/api.mjs';
import { assertProblem, assertOk, person, mkOrg, addMember, etag, anon, NIL_UUID, upload } from './helpers.mjs';

let srv, tashi, coord, colleague, viewer, outsider, studio, other;
const P = '/api/v1/talent/profiles';

before(async () => {
  srv = await startServer();
  tashi = await person(srv, 'tashi', '扎西 Tashi');
  coord = await person(srv, 'coord', 'Coordinator');
  colleague = await person(srv, 'colleague', 'Colleague');
  viewer = await person(srv, 'viewer', 'Viewer');
  outsider = await person(srv, 'outsider', 'Outsider');
  studio = await mkOrg(coord.c, '青海影业 Qinghai Films');
  await addMember(coord.c, studio.id, viewer.id, 'viewer');
  other = await mkOrg(colleague.c, 'Other Studio');
  await addMember(colleague.c, other.id, tashi.id, 'member');
});
after(async () => { await srv.stop(); });

const FULL = {
  names: [{ name: '扎西', primary: true }, { name: 'Tashi Dorje', script: 'Latn' }],
  headline: 'Location sound, Tibetan and Mandarin',
  bio: 'Twelve years of sound on the plateau.',
  crafts: ['sound', 'sound-designer'],
  skills: ['boom operation', 'Sound Devices 888'],
  languages: [{ tag: 'BO', level: 'native' }, { tag: 'zh-hans', level: 'fluent' }, { tag: 'en' }],
  location: { country: 'cn', region: 'Qinghai', city: '西宁', travel: 'international' },
  affiliations: [{ name: 'China Film Sound Guild', kind: 'guild', member_id: 'S-77' }],
  education: [{ school: 'Beijing Film Academy', program: 'Sound', year: 2012 }],
  rates: { currency: 'CNY', day: '1800.50', week: 9000 },
  contacts: { email: 'tashi@example.com', phone: '+86 971 555 0100', wechat: 'tashi_sound' },
  visibility: { skills: 'orgs', languages: 'public', rates: 'orgs' },
};

test('my own profile: create with consent, every field checked and canonical, read back, one per person', async () => {
  assertProblem(await tashi.c.post(P, { names: [{ name: 'X' }] }), 422, 'validation', { fields: ['consent'] });
  assertProblem(await tashi.c.post(P, { names: [{ name: 'X' }], consent: { given: false } }), 422, 'validation', { fields: ['consent'] });
  const bad = await tashi.c.post(P, {
    names: [{ name: '' }], crafts: ['plumber'], languages: [{ tag: 'not a tag!' }], skills: ['a', 'a'],
    location: { country: 'CHN', travel: 'everywhere' }, rates: { currency: 'XYZ' }, contacts: { email: 'nope', fax: '1' },
    visibility: { names: 'private', bogus: 'public' }, consent: { given: true },
  });
  assertProblem(bad, 422, 'validation');
  const fields = new Set(bad.json.errors.map((e) => e.field));
  for (const f of ['names/0/name', 'crafts/0', 'languages/0', 'skills/1']) assert.ok(fields.has(f), `${f} in ${[...fields]}`);
  assertProblem(await tashi.c.post(P, { names: [{ name: 'A', primary: true }, { name: 'B', primary: true }], consent: { given: true } }), 422, 'validation', { fields: ['names/1/primary'] });
  assertProblem(await tashi.c.post(P, { names: [{ name: 'A' }], consent: { given: true }, age: 3 }), 422, 'validation', { fields: ['age'] });
  assertProblem(await tashi.c.get('/api/v1/talent/me'), 404, 'talent-no-profile');

  const r = await tashi.c.post(P, { ...FULL, consent: { given: true } });
  const me = assertOk(r, 201);
  assert.ok(etag(r));
  assert.equal(me.primary_name, '扎西');
  assert.deepEqual(me.names, [{ name: '扎西', script: 'Hani', primary: true }, { name: 'Tashi Dorje', script: 'Latn', primary: false }]);
  assert.deepEqual(me.languages, [{ tag: 'bo', level: 'native' }, { tag: 'zh-Hans', level: 'fluent' }, { tag: 'en', level: 'professional' }]);
  assert.deepEqual(me.location, { country: 'CN', region: 'Qinghai', city: '西宁', travel: 'international' });
  assert.deepEqual(me.rates, { currency: 'CNY', day: '1800.50', week: '9000.00' });
  assert.equal(me.is_self, true);
  assert.equal(me.can_edit, true);
  assert.equal(me.claimed, true);
  assert.equal(me.visibility.skills, 'orgs');
  assert.equal(me.visibility.contacts, 'private');
  assert.equal(me.consent.basis, 'self');
  assert.deepEqual(assertOk(await tashi.c.get('/api/v1/talent/me'), 200).id, me.id);
  assertProblem(await tashi.c.post(P, { names: [{ name: 'Again' }], consent: { given: true } }), 409, 'talent-profile-exists');
});

async function mine() { return assertOk(await tashi.c.get('/api/v1/talent/me'), 200); }

test('visibility: each viewer reads exactly the fields it may, on the profile and its media', async () => {
  const me = await mine();
  const asAnon = assertOk(await anon(srv).get(`${P}/${me.id}`), 200);
  const asOutsider = assertOk(await outsider.c.get(`${P}/${me.id}`), 200);
  const asColleague = assertOk(await colleague.c.get(`${P}/${me.id}`), 200);
  // Public: names, headline, crafts, languages (made public). Platform: bio, location, ...
  assert.equal(asAnon.headline, FULL.headline);
  assert.ok(asAnon.languages);
  for (const k of ['bio', 'location', 'skills', 'rates', 'contacts', 'education', 'visibility', 'consent', 'credit_summary'])
    assert.ok(!(k in asAnon), `anonymous must not read ${k}`);
  for (const k of ['bio', 'location', 'education', 'affiliations', 'credit_summary']) assert.ok(k in asOutsider, `outsider reads ${k}`);
  for (const k of ['skills', 'rates', 'contacts', 'visibility', 'consent']) assert.ok(!(k in asOutsider), `outsider must not read ${k}`);
  // The colleague shares an organization with Tashi: "orgs" fields, not private ones.
  assert.deepEqual(asColleague.skills, FULL.skills);
  assert.deepEqual(asColleague.rates, { currency: 'CNY', day: '1800.50', week: '9000.00' });
  assert.ok(!('contacts' in asColleague));
  assert.equal(asColleague.can_edit, false);
  // Names only for signed-in users: anonymous gets 404, as for a profile that does not exist.
  const r = await tashi.c.patch(`${P}/${me.id}`, { visibility: { names: 'platform' } }, { headers: { 'If-Match': `"${me.version}"` } });
  const after = assertOk(r, 200);
  assert.equal(after.version, me.version + 1);
  assertProblem(await anon(srv).get(`${P}/${me.id}`), 404, 'not-found');
  assertOk(await outsider.c.get(`${P}/${me.id}`), 200);
  assertOk(await tashi.c.patch(`${P}/${me.id}`, { visibility: { names: 'public' } }, { headers: { 'If-Match': etag(r) } }), 200);
  assertProblem(await anon(srv).get(`${P}/${NIL_UUID}`), 404, 'not-found');
  assertProblem(await anon(srv).get(`${P}/not-an-id`), 404, 'not-found');
  // No showreel: its media answers 404 whatever the kind.
  assertProblem(await outsider.c.get(`${P}/${me.id}/media/${NIL_UUID}/proxy`), 404, 'not-found');
});

test('changing a profile: only the person, If-Match, field errors change nothing', async () => {
  const me = await mine();
  assertProblem(await outsider.c.patch(`${P}/${me.id}`, { headline: 'hacked' }), 403, 'talent-not-yours');
  assertProblem(await colleague.c.patch(`${P}/${me.id}`, { headline: 'hacked' }), 403, 'talent-not-yours');
  assertProblem(await tashi.c.patch(`${P}/${me.id}`, { headline: 'x' }, { headers: { 'If-Match': '"1"' } }), 412, 'stale-version');
  assertProblem(await tashi.c.patch(`${P}/${me.id}`, { crafts: ['nope'], headline: 'changed' }), 422, 'validation', { fields: ['crafts/0'] });
  assertProblem(await tashi.c.patch(`${P}/${me.id}`, { ref: 'mine' }), 422, 'validation', { fields: ['ref'] });
  assertProblem(await tashi.c.patch(`${P}/${me.id}`, { visibility: { rates: 'secret' } }), 422, 'validation', { fields: ['visibility/rates'] });
  assert.equal((await mine()).headline, FULL.headline);
  const upd = assertOk(await tashi.c.patch(`${P}/${me.id}`, { headline: '录音师 · Location sound', rates: null, listed: false }), 200);
  assert.equal(upd.headline, '录音师 · Location sound');
  assert.equal(upd.rates, null);
  assert.equal(upd.listed, false);
  assertOk(await tashi.c.patch(`${P}/${me.id}`, { rates: { currency: 'JPY', day: 30000 }, listed: true }), 200);
  assertProblem(await tashi.c.patch(`${P}/${me.id}`, { rates: { currency: 'JPY', day: '1.5' } }), 422, 'validation', { fields: ['rates/day'] });
  assert.deepEqual((await mine()).rates, { currency: 'JPY', day: '30000' });
});

test('a profile an organization keeps: attested consent, steward edits until claimed, viewers read, then the person claims by link', async () => {
  assertProblem(await coord.c.post(P, { org_id: studio.id, names: [{ name: '卓玛' }], consent: { given: true } }), 422, 'validation', { fields: ['consent'] });
  assertProblem(await outsider.c.post(P, { org_id: studio.id, names: [{ name: '卓玛' }], consent: { attested: true } }), 422, 'validation', { fields: ['org_id'] });
  assertProblem(await viewer.c.post(P, { org_id: studio.id, names: [{ name: '卓玛' }], consent: { attested: true } }), 403, 'talent-role');
  const kept = assertOk(await coord.c.post(P, {
    org_id: studio.id, ref: 'crew-0042', names: [{ name: '卓玛' }, { name: 'Drolma' }], crafts: ['editor'],
    contacts: { email: 'drolma@example.com' }, consent: { attested: true, note: 'signed release 2026-11' },
  }), 201);
  assert.equal(kept.claimed, false);
  assert.equal(kept.ref, 'crew-0042');
  assert.equal(kept.steward_org.id, studio.id);
  assert.equal(kept.consent.basis, 'attested');
  assert.equal(kept.can_edit, true);
  assert.deepEqual(kept.contacts, { email: 'drolma@example.com' });
  // A second profile with the same reference in the same organization is refused.
  assertProblem(await coord.c.post(P, { org_id: studio.id, ref: 'crew-0042', names: [{ name: 'X' }], consent: { attested: true } }), 409, 'talent-ref-taken');
  // The studio's viewer reads private fields (kept for the person) but may not edit.
  const v = assertOk(await viewer.c.get(`${P}/${kept.id}`), 200);
  assert.deepEqual(v.contacts, { email: 'drolma@example.com' });
  assert.equal(v.can_edit, false);
  assert.ok(!('contacts' in assertOk(await outsider.c.get(`${P}/${kept.id}`), 200)));
  const list = assertOk(await viewer.c.get(`/api/v1/orgs/${studio.id}/talent/profiles`), 200);
  assert.deepEqual(list.items.map((p) => p.id), [kept.id]);
  assertProblem(await outsider.c.get(`/api/v1/orgs/${studio.id}/talent/profiles`), 404, 'not-found');

  // Claim links: stewards only; the token works once, for the right e-mail.
  assertProblem(await viewer.c.post(`${P}/${kept.id}/claim-links`, {}), 403, 'talent-not-steward');
  assertProblem(await outsider.c.post(`${P}/${kept.id}/claim-links`, {}), 403, 'talent-not-steward');
  const drolma = await person(srv, 'drolma', '卓玛');
  const wrong = assertOk(await coord.c.post(`${P}/${kept.id}/claim-links`, { email: 'someone@example.com' }), 201);
  assertProblem(await drolma.c.post('/api/v1/talent/claim', { token: wrong.token }), 403, 'talent-claim-email');
  const link = assertOk(await coord.c.post(`${P}/${kept.id}/claim-links`, { expires_in_days: 3 }), 201);
  assert.match(link.token, /^mstc_/);
  assertProblem(await drolma.c.post('/api/v1/talent/claim', { token: 'mstc_nope' }), 404, 'not-found');
  assertProblem(await drolma.c.post('/api/v1/talent/claim', {}), 422, 'validation');
  assertProblem(await drolma.c.post('/api/v1/talent/claim', { profile_id: kept.id }), 404, 'not-found');
  const claimed = assertOk(await drolma.c.post('/api/v1/talent/claim', { token: link.token }), 200);
  assert.equal(claimed.claimed, true);
  assert.equal(claimed.is_self, true);
  assert.equal(claimed.consent.basis, 'self');
  assertProblem(await drolma.c.post('/api/v1/talent/claim', { token: link.token }), 409, 'talent-profile-exists');
  // Once claimed the steward no longer edits, and reads only "orgs" fields, not private ones.
  assertProblem(await coord.c.patch(`${P}/${kept.id}`, { headline: 'x' }), 403, 'talent-not-yours');
  const asSteward = assertOk(await coord.c.get(`${P}/${kept.id}`), 200);
  assert.ok(!('contacts' in asSteward));
  assertProblem(await coord.c.post(`${P}/${kept.id}/claim-links`, {}), 409, 'talent-claimed');
});

test('claim by e-mail: the profile lists the account e-mail', async () => {
  const pema = await person(srv, 'pema', 'Pema');
  const kept = assertOk(await coord.c.post(P, { org_id: studio.id, names: [{ name: 'Pema' }], contacts: { email: pema.email.toUpperCase() }, consent: { attested: true } }), 201);
  assertProblem(await outsider.c.post('/api/v1/talent/claim', { profile_id: kept.id }), 404, 'not-found');
  const got = assertOk(await pema.c.post('/api/v1/talent/claim', { profile_id: kept.id }), 200);
  assert.equal(got.is_self, true);
});

test('export holds everything about the person; erase removes it and the profile answers 404', async () => {
  const me = await mine();
  const r = await tashi.c.get('/api/v1/talent/me/export');
  const x = assertOk(r, 200);
  assert.match(r.headers.get('content-disposition') || '', /attachment/);
  assert.equal(x.format, 'mstation-talent-export-1');
  assert.equal(x.profile.id, me.id);
  assert.deepEqual(x.profile.contacts, FULL.contacts);
  assert.ok(x.profile.visibility && x.profile.consent);
  for (const k of ['credits', 'unavailable', 'invites', 'shortlisted_by', 'events']) assert.ok(Array.isArray(x[k]), k);
  assert.ok(x.events.some((e) => e.action === 'talent.profile.created'));
  assertProblem(await outsider.c.get('/api/v1/talent/me/export'), 404, 'talent-no-profile');

  assertProblem(await colleague.c.del(`${P}/${me.id}`), 403, 'talent-not-yours');
  assertProblem(await tashi.c.del(`${P}/${me.id}`, { headers: { 'If-Match': '"1"' } }), 412, 'stale-version');
  assertOk(await tashi.c.del(`${P}/${me.id}`), 204);
  assertProblem(await tashi.c.get(`${P}/${me.id}`), 404, 'not-found');
  assertProblem(await tashi.c.get('/api/v1/talent/me'), 404, 'talent-no-profile');
  // The person may start again.
  assertOk(await tashi.c.post(P, { names: [{ name: '扎西' }], consent: { given: true } }), 201);
});

test('crafts: built-in in two languages, the administrator adds more', async () => {
  const list = assertOk(await anon(srv).get('/api/v1/talent/crafts'), 200);
  const sound = list.items.find((c) => c.code === 'sound');
  assert.equal(sound.label_zh, '录音师');
  assert.ok(list.items.length >= 20);
  assertProblem(await coord.c.post('/api/v1/talent/crafts', { code: 'puppeteer', label: 'Puppeteer', label_zh: '木偶师' }), 403, 'forbidden');
  const admin = { c: await tokenClient(srv, srv.admin.email) };
  {
    assertOk(await admin.c.post('/api/v1/talent/crafts', { code: 'puppeteer', label: 'Puppeteer', label_zh: '木偶师' }), 201);
    assertProblem(await admin.c.post('/api/v1/talent/crafts', { code: 'sound', label: 'x', label_zh: 'x' }), 409, 'talent-craft-exists');
    assertOk(await coord.c.patch(`${P}/${(await mine2(coord)).id}`, { crafts: ['puppeteer'] }), 200);
  }
});

async function mine2(p) {
  const r = await p.c.get('/api/v1/talent/me');
  if (r.status === 200) return r.json;
  return assertOk(await p.c.post(P, { names: [{ name: p.name }], consent: { given: true } }), 201);
}


test('showreel and portfolio: assets the person may share, served to whoever may see the field', async () => {
  const me = await mine();
  const proj = assertOk(await tashi.c.post('/api/v1/projects', { org_id: other.id, name: 'Reel' }), 201);
  const asset = (await upload(tashi.c, Buffer.from('not really a video'), 'reel.mov', proj.id, '/reel')).id;
  const theirs = assertOk(await coord.c.post('/api/v1/projects', { org_id: studio.id, name: 'Private' }), 201);
  const foreign = (await upload(coord.c, Buffer.from('studio footage'), 'cut.mov', theirs.id, '/reel')).id;
  assertProblem(await tashi.c.patch(`${P}/${me.id}`, { showreel: { asset_id: foreign } }), 422, 'validation', { fields: ['showreel'] });
  assertProblem(await tashi.c.patch(`${P}/${me.id}`, { portfolio: [{ asset_id: NIL_UUID }] }), 422, 'validation', { fields: ['portfolio/0'] });
  const upd = assertOk(await tashi.c.patch(`${P}/${me.id}`, { showreel: { asset_id: asset }, portfolio: [{ asset_id: asset }] }), 200);
  assert.equal(upd.showreel.asset_id, asset);
  assert.equal(upd.showreel.number, 1);
  assert.equal(upd.showreel.proxy, `${P}/${me.id}/media/${asset}/proxy`);
  // An outsider who cannot see the project still gets the media through the profile (no
  // "not-found"; the proxy may still be in the making for this tiny file).
  const out = assertOk(await outsider.c.get(`${P}/${me.id}`), 200);
  assert.equal(out.showreel.asset_id, asset);
  const media = await outsider.c.get(out.showreel.thumbnail);
  assert.notEqual(media.json?.type, 'urn:mstation:problem:not-found', media.text);
  assertProblem(await outsider.c.get(`${P}/${me.id}/media/${foreign}/proxy`), 404, 'not-found');
  assertProblem(await outsider.c.get(`${P}/${me.id}/media/${asset}/original`), 404, 'not-found');
  // Hidden showreel: neither the field nor its media.
  assertOk(await tashi.c.patch(`${P}/${me.id}`, { visibility: { showreel: 'private' } }), 200);
  assert.ok(!('showreel' in assertOk(await outsider.c.get(`${P}/${me.id}`), 200)));
  assertProblem(await outsider.c.get(`${P}/${me.id}/media/${asset}/thumbnail`), 404, 'not-found');
  assertOk(await tashi.c.patch(`${P}/${me.id}`, { showreel: null, visibility: { showreel: 'platform' } }), 200);
  assert.equal(assertOk(await outsider.c.get(`${P}/${me.id}`), 200).showreel, null);
});
