// Talent work over the API: credits (manual, verified only by the organization they name,
// self-declared again when changed, production credits derived from real tasks and project
// memberships, idempotently), availability (booked live from assigned tasks, the project
// named only to those who may see it, unavailable ranges with notes for editors only),
// shortlists per organization (cards, If-Match, other organizations get 404), and invitations
// to projects (claimed profiles only; accepting makes a project member). Visibility of credits
// and availability for anonymous callers, outsiders, colleagues and the person. Runs on SQLite
// and, with MSTATION_TEST_PG, PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg, mkProject, addMember, etag, anon, walk, NIL_UUID } from './helpers.mjs';

let srv, tashi, coord, member, sviewer, colleague, outsider, prod, crew;
let studio, other, prodOrg, me, kept, plateau, docs, studioFilm, soundTask;
const P = '/api/v1/talent/profiles';
const C = '/api/v1/talent/credits';
const nextYear = new Date().getUTCFullYear() + 1;

async function setVis(field, level) {
  const cur = assertOk(await tashi.c.get('/api/v1/talent/me'), 200);
  assertOk(await tashi.c.patch(`${P}/${me.id}`, { visibility: { [field]: level } }, { headers: { 'If-Match': `"${cur.version}"` } }), 200);
}

before(async () => {
  srv = await startServer();
  tashi = await person(srv, 'tashi', '扎西 Tashi');
  coord = await person(srv, 'coord', 'Coordinator');
  member = await person(srv, 'member', 'Studio Member');
  sviewer = await person(srv, 'sviewer', 'Studio Viewer');
  colleague = await person(srv, 'colleague', 'Colleague');
  outsider = await person(srv, 'outsider', 'Outsider');
  prod = await person(srv, 'prod', '制片 Producer');
  crew = await person(srv, 'crew', 'Crew Lead');
  studio = await mkOrg(coord.c, '青海影业 Qinghai Films');
  await addMember(coord.c, studio.id, member.id, 'member');
  await addMember(coord.c, studio.id, sviewer.id, 'viewer');
  other = await mkOrg(colleague.c, 'Other Studio');
  await addMember(colleague.c, other.id, tashi.id, 'member');
  await mkOrg(outsider.c, 'Elsewhere');
  prodOrg = await mkOrg(prod.c, '高原制作 Plateau Productions');
  await addMember(prod.c, prodOrg.id, crew.id, 'member');
  me = assertOk(await tashi.c.post(P, {
    names: [{ name: '扎西', primary: true }, { name: 'Tashi Dorje', script: 'Latn' }], crafts: ['sound'],
    contacts: { email: tashi.email }, consent: { given: true },
  }), 201);
  kept = assertOk(await coord.c.post(P, { org_id: studio.id, names: [{ name: '卓玛 Drolma' }], crafts: ['editor'], consent: { attested: true } }), 201);
  // Production: a project with a shot and a dated Sound task assigned to Tashi, and a second
  // project where Tashi is a member without tasks.
  plateau = await mkProject(prod.c, prodOrg.id, '高原 Plateau');
  docs = await mkProject(prod.c, prodOrg.id, 'Docs');
  studioFilm = await mkProject(coord.c, studio.id, 'Studio Film');
  const voc = assertOk(await prod.c.post(`/api/v1/projects/${plateau.id}/production/setup`, { template: 'series' }), 201);
  const type = (n) => voc.entity_types.find((t) => t.name === n).id;
  const ep = assertOk(await prod.c.post(`/api/v1/projects/${plateau.id}/entities`, { type_id: type('Episode'), name: 'EP01' }), 201);
  const sq = assertOk(await prod.c.post(`/api/v1/projects/${plateau.id}/entities`, { type_id: type('Sequence'), parent_id: ep.id, name: 'SQ010' }), 201);
  const sh = assertOk(await prod.c.post(`/api/v1/projects/${plateau.id}/entities`, { type_id: type('Shot'), parent_id: sq.id, name: 'SH010' }), 201);
  assertOk(await prod.c.post(`/api/v1/projects/${plateau.id}/members`, { user_id: tashi.id, role: 'member' }), 201);
  assertOk(await prod.c.post(`/api/v1/projects/${docs.id}/members`, { user_id: tashi.id, role: 'member' }), 201);
  const sound = voc.task_types.find((t) => t.name === 'Sound');
  soundTask = assertOk(await prod.c.post(`/api/v1/projects/${plateau.id}/tasks`, {
    task_type_id: sound.id, entity_id: sh.id, assignees: [tashi.id], start_date: '2026-12-01', due_date: '2026-12-24',
  }), 201);
});
after(async () => { await srv.stop(); });

let c1, c2;

test('credits: checked bodies, only editors write, newest first, paging', async () => {
  const url = `${P}/${me.id}/credits`;
  assertProblem(await tashi.c.post(url, {}), 422, 'validation', { fields: ['title', 'role'] });
  assertProblem(await tashi.c.post(url, { title: 'X', role: 'Y', zzz: 1 }), 422, 'validation', { fields: ['zzz'] });
  assertProblem(await tashi.c.post(url, { title: 'X', role: 'Y', year: '2020' }), 422, 'validation', { fields: ['year'] });
  assertProblem(await tashi.c.post(url, { title: 'X', role: 'Y', year: 1800 }), 422, 'validation', { fields: ['year'] });
  assertProblem(await tashi.c.post(url, { title: 'X', role: 'Y', year: nextYear + 1 }), 422, 'validation', { fields: ['year'] });
  assertProblem(await tashi.c.post(url, { title: 'X', role: 'Y', craft: 'plumber' }), 422, 'validation', { fields: ['craft'] });
  assertProblem(await tashi.c.post(url, { title: 'X', role: 'Y', org_id: NIL_UUID }), 422, 'validation', { fields: ['org_id'] });
  assertProblem(await tashi.c.post(url, { title: 'X', role: 'Y', source: 'production' }), 422, 'validation', { fields: ['source'] });
  assertProblem(await tashi.c.post(url, { title: 'X', role: 'Y', org_id: 'not-an-id' }), 422, 'validation', { fields: ['org_id'] });
  assertProblem(await tashi.c.post(url, { title: '', role: 'Y' }), 422, 'validation', { fields: ['title'] });
  assertProblem(await outsider.c.post(url, { title: 'X', role: 'Y' }), 403, 'talent-not-yours');
  assertProblem(await colleague.c.post(url, { title: 'X', role: 'Y' }), 403, 'talent-not-yours');
  assertProblem(await anon(srv).post(url, { title: 'X', role: 'Y' }), 401, 'authentication-required');
  assertProblem(await tashi.c.post(`${P}/${NIL_UUID}/credits`, { title: 'X', role: 'Y' }), 404, 'not-found');
  assert.equal(assertOk(await tashi.c.get(url), 200).items.length, 0);

  c1 = assertOk(await tashi.c.post(url, { title: '《冈仁波齐》Paths of the Soul', role: 'Sound Recordist', craft: 'sound', year: 2015, company: 'Indie' }), 201);
  assert.equal(c1.status, 'self-declared');
  assert.equal(c1.verified, false);
  assert.equal(c1.source, 'manual');
  assert.equal(c1.org, null);
  const r2 = await tashi.c.post(url, { title: 'Qinghai Lake', role: 'Boom Operator', year: 2024, org_id: studio.id });
  c2 = assertOk(r2, 201);
  assert.ok(etag(r2));
  assert.deepEqual(c2.org, { id: studio.id, name: studio.name });
  assert.equal(c2.status, 'self-declared');
  const c3 = assertOk(await tashi.c.post(url, { title: 'No year', role: 'Sound' }), 201);
  assert.equal(c3.year, null);
  const list = assertOk(await tashi.c.get(url), 200);
  assert.deepEqual(list.items.map((c) => c.id), [c2.id, c1.id, c3.id]);
  const { items } = await walk(tashi.c, url, 1);
  assert.deepEqual(items.map((c) => c.id), [c2.id, c1.id, c3.id]);
  assertProblem(await tashi.c.get(`${url}?cursor=AA`), 400, 'bad-query');
  assertProblem(await tashi.c.get(`${url}?colour=red`), 400, 'bad-query', { fields: ['colour'] });
  assert.equal(assertOk(await tashi.c.get(`${P}/${me.id}`), 200).version, me.version, 'credits do not change the profile\'s version');
  assertOk(await tashi.c.del(`${C}/${c3.id}`), 204);
  // A profile kept by an organization: its members (not its viewers) add credits until claimed.
  assertOk(await member.c.post(`${P}/${kept.id}/credits`, { title: 'Studio short', role: 'Editor', craft: 'editor', year: 2023 }), 201);
  assertProblem(await sviewer.c.post(`${P}/${kept.id}/credits`, { title: 'X', role: 'Y' }), 403, 'talent-not-yours');
});

test('credits: who reads them follows the credits visibility; the named organization always sees its own', async () => {
  const url = `${P}/${me.id}/credits`;
  // Default: platform members.
  assertProblem(await anon(srv).get(url), 404, 'not-found');
  assert.equal(assertOk(await outsider.c.get(url), 200).items.length, 2);
  await setVis('credits', 'orgs');
  assertProblem(await outsider.c.get(url), 404, 'not-found');
  assert.equal(assertOk(await colleague.c.get(url), 200).items.length, 2);
  await setVis('credits', 'private');
  assertProblem(await colleague.c.get(url), 404, 'not-found');
  assert.equal(assertOk(await tashi.c.get(url), 200).items.length, 2);
  // The studio the credit names lists it for verification all the same, and nothing else.
  const pending = assertOk(await sviewer.c.get(`/api/v1/orgs/${studio.id}/talent/credits?status=pending`), 200);
  assert.deepEqual(pending.items.map((c) => c.id), [c2.id]);
  assert.equal(pending.items[0].profile_name, '扎西');
  assertProblem(await outsider.c.get(`/api/v1/orgs/${studio.id}/talent/credits`), 404, 'not-found');
  assertProblem(await coord.c.get(`/api/v1/orgs/${studio.id}/talent/credits?status=bogus`), 400, 'bad-query', { fields: ['status'] });
  // Outsiders may not read private credits: changing or verifying them is 404.
  assertProblem(await outsider.c.patch(`${C}/${c2.id}`, { role: 'x' }), 404, 'not-found');
  assertProblem(await outsider.c.post(`${C}/${c2.id}/verify`, { verified: true }), 404, 'not-found');
  assertProblem(await colleague.c.post(`${C}/${c2.id}/verify`, { verified: true }), 404, 'not-found');
  await setVis('credits', 'platform');
});

test('credits: verified only by members of the organization they name; changes clear it', async () => {
  assertProblem(await member.c.post(`${C}/${c2.id}/verify`, {}), 422, 'validation', { fields: ['verified'] });
  assertProblem(await member.c.post(`${C}/${c2.id}/verify`, { verified: 'yes' }), 422, 'validation', { fields: ['verified'] });
  assertProblem(await member.c.post(`${C}/${c2.id}/verify`, { verified: true, zzz: 1 }), 422, 'validation', { fields: ['zzz'] });
  assertProblem(await outsider.c.post(`${C}/${c2.id}/verify`, { verified: true }), 403, 'talent-not-verifier');
  assertProblem(await tashi.c.post(`${C}/${c2.id}/verify`, { verified: true }), 403, 'talent-not-verifier');
  assertProblem(await sviewer.c.post(`${C}/${c2.id}/verify`, { verified: true }), 403, 'talent-not-verifier');
  assertProblem(await member.c.post(`${C}/${c1.id}/verify`, { verified: true }), 403, 'talent-not-verifier');
  assertProblem(await member.c.post(`${C}/${NIL_UUID}/verify`, { verified: true }), 404, 'not-found');
  const v = assertOk(await member.c.post(`${C}/${c2.id}/verify`, { verified: true }), 200);
  assert.equal(v.verified, true);
  assert.equal(v.status, 'verified');
  assert.ok(v.verified_at);
  assert.deepEqual(assertOk(await coord.c.get(`/api/v1/orgs/${studio.id}/talent/credits?status=verified`), 200).items.map((c) => c.id), [c2.id]);
  assert.equal(assertOk(await coord.c.get(`/api/v1/orgs/${studio.id}/talent/credits?status=pending`), 200).items.length, 0);
  // Changing what was not verified keeps it; changing the title makes it self-declared.
  assertProblem(await tashi.c.patch(`${C}/${c2.id}`, { company: 'Qinghai Films' }, { headers: { 'If-Match': '"1"' } }), 412, 'stale-version');
  const same = await tashi.c.patch(`${C}/${c2.id}`, { company: 'Qinghai Films' }, { headers: { 'If-Match': `"${v.version}"` } });
  assert.equal(assertOk(same, 200).status, 'verified');
  assert.equal(same.json.company, 'Qinghai Films');
  assertProblem(await tashi.c.patch(`${C}/${c2.id}`, { year: 'new' }), 422, 'validation', { fields: ['year'] });
  assertProblem(await tashi.c.patch(`${C}/${c2.id}`, { source: 'import' }), 422, 'validation', { fields: ['source'] });
  assertProblem(await tashi.c.patch(`${C}/${c2.id}`, { title: null }), 422, 'validation', { fields: ['title'] });
  assertProblem(await outsider.c.patch(`${C}/${c2.id}`, { title: 'hacked' }), 403, 'talent-not-yours');
  assertProblem(await member.c.patch(`${C}/${c2.id}`, { title: 'hacked' }), 403, 'talent-not-yours');
  assertProblem(await anon(srv).patch(`${C}/${c2.id}`, { title: 'hacked' }), 401, 'authentication-required');
  const changed = assertOk(await tashi.c.patch(`${C}/${c2.id}`, { title: 'Qinghai Lake (director\'s cut)' }, { headers: { 'If-Match': etag(same) } }), 200);
  assert.equal(changed.status, 'self-declared');
  assert.equal(changed.verified_at, null);
  assert.equal(changed.company, 'Qinghai Films');
  // Tashi is a member of the other studio: a credit naming it is verified by a colleague
  // there, never by Tashi himself.
  const own = assertOk(await tashi.c.post(`${P}/${me.id}/credits`, { title: 'Other film', role: 'Mixer', org_id: other.id }), 201);
  assertProblem(await tashi.c.post(`${C}/${own.id}/verify`, { verified: true }), 403, 'talent-not-verifier');
  assert.equal(assertOk(await colleague.c.post(`${C}/${own.id}/verify`, { verified: true }), 200).status, 'verified');
  assertOk(await tashi.c.del(`${C}/${own.id}`), 204);
  // Unverifying by the organization; clearing the organization.
  assertOk(await coord.c.post(`${C}/${c2.id}/verify`, { verified: true }), 200);
  assert.equal(assertOk(await coord.c.post(`${C}/${c2.id}/verify`, { verified: false }), 200).status, 'self-declared');
  const noOrg = assertOk(await tashi.c.patch(`${C}/${c2.id}`, { org_id: null, year: null, craft: 'sound' }), 200);
  assert.equal(noOrg.org, null);
  assert.equal(noOrg.year, null);
  assert.equal(noOrg.craft, 'sound');
  assert.equal(assertOk(await coord.c.get(`/api/v1/orgs/${studio.id}/talent/credits`), 200).items.length, 0);
  // Delete: If-Match, only editors, then gone.
  assertProblem(await tashi.c.del(`${C}/${c1.id}`, { headers: { 'If-Match': '"9"' } }), 412, 'stale-version');
  assertProblem(await outsider.c.del(`${C}/${c1.id}`), 403, 'talent-not-yours');
  assertOk(await tashi.c.del(`${C}/${c1.id}`, { headers: { 'If-Match': `"${c1.version}"` } }), 204);
  assertProblem(await tashi.c.del(`${C}/${c1.id}`), 404, 'not-found');
  assertProblem(await tashi.c.patch(`${C}/${c1.id}`, { role: 'x' }), 404, 'not-found');
  assertProblem(await tashi.c.patch(`${C}/not-an-id`, { role: 'x' }), 404, 'not-found');
});

const production = async () => (assertOk(await tashi.c.get(`${P}/${me.id}/credits?limit=500`), 200)).items.filter((c) => c.source === 'production');

test('production credits: derived from assigned tasks and memberships, verified, idempotent, read-only, follow the work', async () => {
  // Creating the profile already synced once (the tasks came later): sync now.
  assertProblem(await outsider.c.post(`${P}/${me.id}/sync`), 403, 'talent-not-yours');
  assertProblem(await tashi.c.post(`${P}/${NIL_UUID}/sync`), 404, 'not-found');
  const s1 = assertOk(await tashi.c.post(`${P}/${me.id}/sync`), 200);
  assert.equal(s1.claimed, true);
  assert.equal(s1.credits, 2);
  let got = await production();
  assert.equal(got.length, 2);
  const sound = got.find((c) => c.role === 'Sound');
  assert.equal(sound.title, '高原 Plateau');
  assert.equal(sound.project_id, plateau.id);
  assert.deepEqual(sound.org, { id: prodOrg.id, name: prodOrg.name });
  assert.equal(sound.company, prodOrg.name);
  assert.equal(sound.year, 2026);
  assert.equal(sound.start_date, '2026-12-01');
  assert.equal(sound.end_date, '2026-12-24');
  assert.equal(sound.status, 'verified');
  assert.equal(sound.craft, 'sound');
  const crewCredit = got.find((c) => c.role === 'Crew');
  assert.equal(crewCredit.title, 'Docs');
  assert.equal(crewCredit.year, Number(docs.created_at.slice(0, 4)));
  assert.equal(crewCredit.status, 'verified');
  assert.equal(crewCredit.craft, null);
  // Idempotent.
  assert.deepEqual(assertOk(await tashi.c.post(`${P}/${me.id}/sync`), 200), { claimed: true, credits: 2, added: 0, updated: 0, removed: 0 });
  assert.deepEqual((await production()).map((c) => c.version), got.map((c) => c.version));
  // Read-only through the API.
  assertProblem(await tashi.c.patch(`${C}/${sound.id}`, { role: 'Mixer' }), 409, 'credit-from-production');
  assertProblem(await tashi.c.del(`${C}/${sound.id}`), 409, 'credit-from-production');
  // The producing organization sees them as verified.
  assert.equal(assertOk(await crew.c.get(`/api/v1/orgs/${prodOrg.id}/talent/credits?status=verified`), 200).items.length, 2);
  // Moving the task changes the credit; unassigning it leaves a membership credit.
  const t = assertOk(await prod.c.get(`/api/v1/tasks/${soundTask.id}`), 200);
  const moved = await prod.c.patch(`/api/v1/tasks/${soundTask.id}`, { due_date: '2027-01-10' }, { headers: { 'If-Match': `"${t.version}"` } });
  assertOk(moved, 200);
  assert.deepEqual(assertOk(await tashi.c.post(`${P}/${me.id}/sync`), 200), { claimed: true, credits: 2, added: 0, updated: 1, removed: 0 });
  assert.equal((await production()).find((c) => c.role === 'Sound').end_date, '2027-01-10');
  assertOk(await prod.c.patch(`/api/v1/tasks/${soundTask.id}`, { assignees: [] }), 200);
  assert.deepEqual(assertOk(await tashi.c.post(`${P}/${me.id}/sync`), 200), { claimed: true, credits: 2, added: 1, updated: 0, removed: 1 });
  got = await production();
  assert.deepEqual(got.map((c) => `${c.title}/${c.role}`).sort(), ['Docs/Crew', '高原 Plateau/Crew']);
  // Back on the task for the availability tests.
  assertOk(await prod.c.patch(`/api/v1/tasks/${soundTask.id}`, { assignees: [tashi.id], due_date: '2026-12-24' }), 200);
  assertOk(await tashi.c.post(`${P}/${me.id}/sync`), 200);
  // A kept, unclaimed profile has no account, so no production credits.
  assert.deepEqual(assertOk(await coord.c.post(`${P}/${kept.id}/sync`), 200), { claimed: false, credits: 0, added: 0, updated: 0, removed: 0 });
});

test('availability: booked from tasks (project shown only to who may see it), unavailable ranges, visibility', async () => {
  const url = `${P}/${me.id}/availability`;
  const win = '?from=2026-11-20&to=2027-01-10';
  const asProd = assertOk(await prod.c.get(url + win), 200);
  assert.equal(asProd.from, '2026-11-20');
  assert.equal(asProd.to, '2027-01-10');
  assert.deepEqual(asProd.booked, [{ start: '2026-12-01', end: '2026-12-24', project: { id: plateau.id, name: '高原 Plateau' } }]);
  assert.deepEqual(assertOk(await outsider.c.get(url + win), 200).booked, [{ start: '2026-12-01', end: '2026-12-24' }]);
  assert.deepEqual(assertOk(await tashi.c.get(url + win), 200).booked[0].project.id, plateau.id);
  assert.deepEqual(assertOk(await outsider.c.get(`${url}?from=2027-02-01&to=2027-03-01`), 200).booked, []);
  // The default window: today and the 89 days after.
  const def = assertOk(await outsider.c.get(url), 200);
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(def.from, today);
  assert.equal((Date.parse(def.to) - Date.parse(def.from)) / 86400000, 89);
  // Bad windows.
  assertProblem(await outsider.c.get(`${url}?from=2026-13-01`), 400, 'bad-query', { fields: ['from'] });
  assertProblem(await outsider.c.get(`${url}?from=2026-12-01&to=2026-11-30`), 400, 'bad-query', { fields: ['to'] });
  assertProblem(await outsider.c.get(`${url}?from=2026-01-01&to=2027-02-05`), 400, 'bad-query', { fields: ['to'] });
  assertOk(await outsider.c.get(`${url}?from=2026-01-01&to=2027-02-04`), 200); // 400 days
  assertProblem(await outsider.c.get(`${url}?when=soon`), 400, 'bad-query', { fields: ['when'] });
  assertProblem(await outsider.c.get(`${P}/${NIL_UUID}/availability`), 404, 'not-found');
  // Unavailable ranges: checked, the person's, notes for editors only.
  const un = `${P}/${me.id}/unavailable`;
  assertProblem(await tashi.c.post(un, { start: '2026-12-31', end: '2026-12-26' }), 422, 'validation', { fields: ['end'] });
  assertProblem(await tashi.c.post(un, { start: '2026-02-30', end: '2026-03-02' }), 422, 'validation', { fields: ['start'] });
  assertProblem(await tashi.c.post(un, { start: '2026-12-26' }), 422, 'validation', { fields: ['end'] });
  assertProblem(await tashi.c.post(un, { start: 20261226, end: '2026-12-31' }), 422, 'validation', { fields: ['start'] });
  assertProblem(await tashi.c.post(un, { start: '2026-12-26', end: '2026-12-31', zzz: true }), 422, 'validation', { fields: ['zzz'] });
  assertProblem(await outsider.c.post(un, { start: '2026-12-26', end: '2026-12-31' }), 403, 'talent-not-yours');
  const range = assertOk(await tashi.c.post(un, { start: '2026-12-26', end: '2026-12-31', note: 'Losar with family' }), 201);
  assert.equal(range.note, 'Losar with family');
  const mine = assertOk(await tashi.c.get(url + win), 200);
  assert.deepEqual(mine.unavailable, [{ id: range.id, start: '2026-12-26', end: '2026-12-31', note: 'Losar with family' }]);
  assert.deepEqual(assertOk(await outsider.c.get(url + win), 200).unavailable, [{ id: range.id, start: '2026-12-26', end: '2026-12-31' }]);
  // Visibility of availability.
  assertProblem(await anon(srv).get(url + win), 404, 'not-found');
  await setVis('availability', 'orgs');
  assertProblem(await outsider.c.get(url + win), 404, 'not-found');
  assertProblem(await outsider.c.del(`/api/v1/talent/unavailable/${range.id}`), 404, 'not-found');
  const asColleague = assertOk(await colleague.c.get(url + win), 200);
  assert.deepEqual(asColleague.booked, [{ start: '2026-12-01', end: '2026-12-24' }]);
  assertProblem(await colleague.c.del(`/api/v1/talent/unavailable/${range.id}`), 403, 'talent-not-yours');
  await setVis('availability', 'public');
  assert.equal(assertOk(await anon(srv).get(url + win), 200).booked.length, 1);
  await setVis('availability', 'platform');
  assertOk(await tashi.c.del(`/api/v1/talent/unavailable/${range.id}`), 204);
  assertProblem(await tashi.c.del(`/api/v1/talent/unavailable/${range.id}`), 404, 'not-found');
  assert.deepEqual(assertOk(await tashi.c.get(url + win), 200).unavailable, []);
});

test('availability: at most 200 unavailable ranges per profile', async () => {
  const un = `${P}/${me.id}/unavailable`;
  for (let i = 0; i < 200; i++) {
    const d = new Date(Date.UTC(2030, 0, 1) + i * 2 * 86400000).toISOString().slice(0, 10);
    assertOk(await tashi.c.post(un, { start: d, end: d }), 201);
  }
  assertProblem(await tashi.c.post(un, { start: '2031-06-01', end: '2031-06-02' }), 409, 'too-many-ranges');
});

test('shortlists: per organization, members edit, viewers read, cards, If-Match, other organizations 404', async () => {
  const L = `/api/v1/orgs/${studio.id}/talent/shortlists`;
  assertProblem(await coord.c.post(L, {}), 422, 'validation', { fields: ['name'] });
  assertProblem(await coord.c.post(L, { name: 42 }), 422, 'validation', { fields: ['name'] });
  assertProblem(await coord.c.post(L, { name: 'Sound', zzz: 1 }), 422, 'validation', { fields: ['zzz'] });
  assertProblem(await coord.c.post(L, { name: 'Sound', project_id: plateau.id }), 422, 'validation', { fields: ['project_id'] });
  assertProblem(await sviewer.c.post(L, { name: 'Sound' }), 403, 'talent-role');
  assertProblem(await outsider.c.post(L, { name: 'Sound' }), 404, 'not-found');
  const r = await member.c.post(L, { name: '录音 Sound crew', project_id: studioFilm.id, note: 'for the spring shoot' });
  const sl = assertOk(r, 201);
  assert.deepEqual(sl.project, { id: studioFilm.id, name: 'Studio Film' });
  assert.deepEqual(sl.entries, []);
  assert.ok(etag(r));
  const E = `/api/v1/talent/shortlists/${sl.id}/entries`;
  assertProblem(await member.c.post(E, {}), 422, 'validation', { fields: ['profile_id'] });
  assertProblem(await member.c.post(E, { profile_id: me.id, note: 7 }), 422, 'validation', { fields: ['note'] });
  assertProblem(await member.c.post(E, { profile_id: NIL_UUID }), 404, 'not-found');
  assertProblem(await sviewer.c.post(E, { profile_id: me.id }), 403, 'talent-role');
  assertProblem(await outsider.c.post(E, { profile_id: me.id }), 404, 'not-found');
  const e = assertOk(await member.c.post(E, { profile_id: me.id, note: 'speaks Tibetan' }), 201);
  assert.equal(e.profile.id, me.id);
  assert.equal(e.profile.primary_name, '扎西');
  assert.equal(e.note, 'speaks Tibetan');
  assertProblem(await member.c.post(E, { profile_id: me.id }), 409, 'already-shortlisted');
  assertOk(await member.c.post(E, { profile_id: kept.id }), 201);
  // Viewers read it, with cards; other organizations do not know it.
  const g = await sviewer.c.get(`/api/v1/talent/shortlists/${sl.id}`);
  const got = assertOk(g, 200);
  assert.deepEqual(got.entries.map((x) => x.profile.id), [me.id, kept.id]);
  assert.equal(got.entries_n, 2);
  assert.equal(got.hidden, 0);
  assert.ok(!('contacts' in got.entries[0].profile), 'a card holds no contacts');
  assert.deepEqual(assertOk(await sviewer.c.get(L), 200).items.map((x) => x.id), [sl.id]);
  assert.equal(assertOk(await sviewer.c.get(`${L}?project_id=${studioFilm.id}`), 200).items.length, 1);
  assert.equal(assertOk(await sviewer.c.get(`${L}?project_id=${plateau.id}`), 200).items.length, 0);
  assertProblem(await sviewer.c.get(`${L}?project_id=nope`), 400, 'bad-query', { fields: ['project_id'] });
  assertProblem(await outsider.c.get(L), 404, 'not-found');
  assertProblem(await outsider.c.get(`/api/v1/talent/shortlists/${sl.id}`), 404, 'not-found');
  assertProblem(await outsider.c.patch(`/api/v1/talent/shortlists/${sl.id}`, { name: 'x' }), 404, 'not-found');
  assertProblem(await outsider.c.del(`/api/v1/talent/shortlists/${sl.id}`), 404, 'not-found');
  assertProblem(await tashi.c.get(`/api/v1/talent/shortlists/${sl.id}`), 404, 'not-found');
  assertProblem(await outsider.c.del(`${E}/${me.id}`), 404, 'not-found');
  // Changes: If-Match; the entries change the version too.
  assertProblem(await member.c.patch(`/api/v1/talent/shortlists/${sl.id}`, { name: 'x' }, { headers: { 'If-Match': etag(r) } }), 412, 'stale-version');
  assertProblem(await member.c.patch(`/api/v1/talent/shortlists/${sl.id}`, { name: '' }), 422, 'validation', { fields: ['name'] });
  assertProblem(await member.c.patch(`/api/v1/talent/shortlists/${sl.id}`, { entries: [] }), 422, 'validation', { fields: ['entries'] });
  assertProblem(await sviewer.c.patch(`/api/v1/talent/shortlists/${sl.id}`, { name: 'x' }), 403, 'talent-role');
  const up = await member.c.patch(`/api/v1/talent/shortlists/${sl.id}`, { name: 'Sound crew 2027', project_id: null }, { headers: { 'If-Match': etag(g) } });
  assert.equal(assertOk(up, 200).name, 'Sound crew 2027');
  assert.equal(up.json.project, null);
  assert.equal(up.json.note, 'for the spring shoot');
  assertProblem(await member.c.del(`${E}/${NIL_UUID}`), 404, 'not-found');
  assertProblem(await member.c.del(`${E}/${me.id}`, { headers: { 'If-Match': etag(g) } }), 412, 'stale-version');
  assertOk(await member.c.del(`${E}/${me.id}`), 204);
  const after1 = await member.c.get(`/api/v1/talent/shortlists/${sl.id}`);
  assert.deepEqual(assertOk(after1, 200).entries.map((x) => x.profile.id), [kept.id]);
  assertProblem(await member.c.del(`/api/v1/talent/shortlists/${sl.id}`, { headers: { 'If-Match': etag(up) } }), 412, 'stale-version');
  assertProblem(await sviewer.c.del(`/api/v1/talent/shortlists/${sl.id}`), 403, 'talent-role');
  assertOk(await member.c.del(`/api/v1/talent/shortlists/${sl.id}`, { headers: { 'If-Match': etag(after1) } }), 204);
  assertProblem(await member.c.get(`/api/v1/talent/shortlists/${sl.id}`), 404, 'not-found');
});

test('invites: managers invite claimed profiles; the person accepts and becomes a project member', async () => {
  const film = await mkProject(prod.c, prodOrg.id, '雪域 Snowland');
  const I = `/api/v1/projects/${film.id}/talent-invites`;
  assertProblem(await prod.c.post(I, {}), 422, 'validation', { fields: ['profile_id'] });
  assertProblem(await prod.c.post(I, { profile_id: me.id, role: 'admin' }), 422, 'validation', { fields: ['role'] });
  assertProblem(await prod.c.post(I, { profile_id: me.id, start_date: '2027-03-10', end_date: '2027-03-01' }), 422, 'validation', { fields: ['end_date'] });
  assertProblem(await prod.c.post(I, { profile_id: me.id, start_date: '2027-02-30' }), 422, 'validation', { fields: ['start_date'] });
  assertProblem(await prod.c.post(I, { profile_id: me.id, craft: 'plumber' }), 422, 'validation', { fields: ['craft'] });
  assertProblem(await prod.c.post(I, { profile_id: me.id, zzz: 1 }), 422, 'validation', { fields: ['zzz'] });
  assertProblem(await prod.c.post(I, { profile_id: NIL_UUID }), 404, 'not-found');
  assertProblem(await prod.c.post(I, { profile_id: kept.id }), 409, 'profile-unclaimed');
  assertProblem(await outsider.c.post(I, { profile_id: me.id }), 404, 'not-found');
  assertProblem(await crew.c.post(I, { profile_id: me.id }), 403, 'forbidden');
  assertProblem(await prod.c.post(`/api/v1/projects/${plateau.id}/talent-invites`, { profile_id: me.id }), 409, 'already-member');
  const inv = assertOk(await prod.c.post(I, {
    profile_id: me.id, role: 'vendor', craft: 'sound', start_date: '2027-03-01', end_date: '2027-04-15', message: '需要藏语录音师 We need a Tibetan-speaking recordist',
  }), 201);
  assert.equal(inv.status, 'pending');
  assert.deepEqual(inv.project, { id: film.id, name: '雪域 Snowland' });
  assert.deepEqual(inv.org, { id: prodOrg.id, name: prodOrg.name });
  assert.equal(inv.profile.id, me.id);
  assert.equal(inv.user_id, tashi.id);
  assertProblem(await prod.c.post(I, { profile_id: me.id }), 409, 'invite-pending');
  assert.deepEqual(assertOk(await prod.c.get(I), 200).items.map((x) => x.id), [inv.id]);
  assert.equal(assertOk(await prod.c.get(`${I}?status=accepted`), 200).items.length, 0);
  assertProblem(await prod.c.get(`${I}?status=maybe`), 400, 'bad-query', { fields: ['status'] });
  assertProblem(await crew.c.get(I), 403, 'forbidden');
  const mineList = assertOk(await tashi.c.get('/api/v1/talent/me/invites?status=pending'), 200);
  assert.deepEqual(mineList.items.map((x) => x.id), [inv.id]);
  assert.equal(mineList.items[0].message, '需要藏语录音师 We need a Tibetan-speaking recordist');
  assert.equal(assertOk(await outsider.c.get('/api/v1/talent/me/invites'), 200).items.length, 0);
  // Only the person answers.
  assertProblem(await outsider.c.post(`/api/v1/talent/invites/${inv.id}/accept`), 404, 'not-found');
  assertProblem(await prod.c.post(`/api/v1/talent/invites/${inv.id}/accept`), 404, 'not-found');
  assertProblem(await tashi.c.post(`/api/v1/talent/invites/${NIL_UUID}/accept`), 404, 'not-found');
  assertProblem(await tashi.c.post(`/api/v1/talent/invites/${inv.id}/withdraw`), 403, 'talent-not-inviter');
  assertProblem(await tashi.c.get(`/api/v1/projects/${film.id}`), 404, 'not-found');
  const acc = assertOk(await tashi.c.post(`/api/v1/talent/invites/${inv.id}/accept`), 200);
  assert.equal(acc.status, 'accepted');
  assert.deepEqual(acc.membership, { project_id: film.id, role: 'vendor', added: true });
  const members = assertOk(await prod.c.get(`/api/v1/projects/${film.id}/members`), 200);
  assert.deepEqual(members.items.map((m) => [m.user_id, m.role]), [[tashi.id, 'vendor']]);
  assert.equal(assertOk(await tashi.c.get(`/api/v1/projects/${film.id}`), 200).access.role, 'vendor');
  assertProblem(await tashi.c.post(`/api/v1/talent/invites/${inv.id}/accept`), 409, 'invite-not-pending');
  assertProblem(await tashi.c.post(`/api/v1/talent/invites/${inv.id}/decline`), 409, 'invite-not-pending');
  assertProblem(await prod.c.post(`/api/v1/talent/invites/${inv.id}/withdraw`), 409, 'invite-not-pending');
  const events = assertOk(await prod.c.get(`/api/v1/events?project_id=${film.id}`), 200).items.map((e) => e.action);
  for (const a of ['talent.invite.created', 'talent.invite.accepted', 'project.member.added']) assert.ok(events.includes(a), `${a} in ${events}`);
  // Decline and withdraw.
  const film2 = await mkProject(prod.c, prodOrg.id, 'Second');
  const I2 = `/api/v1/projects/${film2.id}/talent-invites`;
  const d = assertOk(await prod.c.post(I2, { profile_id: me.id }), 201);
  assert.equal(d.role, 'member');
  assert.equal(assertOk(await tashi.c.post(`/api/v1/talent/invites/${d.id}/decline`), 200).status, 'declined');
  assert.equal(assertOk(await prod.c.get(`/api/v1/projects/${film2.id}/members`), 200).items.length, 0);
  const w = assertOk(await prod.c.post(I2, { profile_id: me.id, role: 'viewer' }), 201);
  assertProblem(await outsider.c.post(`/api/v1/talent/invites/${w.id}/withdraw`), 404, 'not-found');
  assertProblem(await crew.c.post(`/api/v1/talent/invites/${w.id}/withdraw`), 403, 'talent-not-inviter');
  assert.equal(assertOk(await prod.c.post(`/api/v1/talent/invites/${w.id}/withdraw`), 200).status, 'withdrawn');
  assertProblem(await tashi.c.post(`/api/v1/talent/invites/${w.id}/accept`), 409, 'invite-not-pending');
  assert.deepEqual(assertOk(await tashi.c.get('/api/v1/talent/me/invites'), 200).items.map((x) => x.status), ['accepted', 'declined', 'withdrawn']);
  // Bodies are refused where none is taken.
  const raw = await tashi.c.req('POST', `/api/v1/talent/invites/${w.id}/decline`, { body: '{}', headers: { 'Content-Type': 'application/json' } });
  assertProblem(raw, 413, 'body-not-allowed');
  // Accepting brings the project into the person's production credits on the next sync.
  const s = assertOk(await tashi.c.post(`${P}/${me.id}/sync`), 200);
  assert.equal(s.added, 1);
  assert.ok((await production()).some((c) => c.title === '雪域 Snowland' && c.role === 'Crew'));
});
