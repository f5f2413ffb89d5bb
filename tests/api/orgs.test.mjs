// Organizations and their members (src/auth/orgs.c): create (slugs from Chinese and English
// names), the directory, get/patch with ETag/If-Match, roles, owner rules (only owners grant
// owner, the last owner can neither leave nor be demoted), removal ending access at once,
// pagination, and other organizations answering 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { tokenClient } from '../lib/api.mjs';
import {
  assertProblem, assertOk, person, mkOrg, mkProject, addMember, walk, etag, uniq, events, NIL_UUID,
} from './helpers.mjs';

let srv, owner, admin, member, viewer, outsider, org, foreign;
before(async () => {
  srv = await startServer();
  [owner, admin, member, viewer, outsider] = await Promise.all([
    person(srv, 'owner', '韩三平 Han Sanping'),
    person(srv, 'admin', '于冬 Yu Dong'),
    person(srv, 'member', '宁浩 Ning Hao'),
    person(srv, 'viewer', '黄渤 Huang Bo'),
    person(srv, 'outsider', 'Outsider 外人'),
  ]);
  org = await mkOrg(owner.c, '上海影业', 'studio', { description: '上海的电影公司\nShanghai film company' });
  await addMember(owner.c, org.id, admin.id, 'admin');
  await addMember(owner.c, org.id, member.id, 'member');
  await addMember(owner.c, org.id, viewer.id, 'viewer');
  foreign = await mkOrg(outsider.c, 'Hong Kong Films 香港電影', 'distributor');
});
after(async () => { await srv.stop(); });

const members = async (c, orgId) => (await walk(c, `/api/v1/orgs/${orgId}/members`, 500)).items;

test('create: 201 with Location, ETag, owner role; slugs from names', async () => {
  const r = await owner.c.post('/api/v1/orgs', { name: 'Bona Film 博纳影业', kind: 'studio' });
  assertOk(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/orgs/${r.json.id}`);
  assert.equal(etag(r), '"1"');
  assert.equal(r.json.slug, 'bona-film');
  assert.equal(r.json.my_role, 'owner');
  assert.equal(r.json.version, 1);
  assert.equal(r.json.description, '');
  // A second org with the same name gets the next free slug; a Chinese-only name a generated one.
  const again = assertOk(await outsider.c.post('/api/v1/orgs', { name: 'Bona Film 博纳影业', kind: 'platform' }), 201);
  assert.equal(again.slug, 'bona-film-2');
  assert.equal(org.slug.startsWith('org-'), true);
  assert.match(org.slug, /^org-[a-z2-9]{6}$/);
  assert.equal(org.name, '上海影业');
  // A chosen slug that is taken is the caller's to fix.
  const taken = await owner.c.post('/api/v1/orgs', { name: 'Other', kind: 'studio', slug: 'bona-film' });
  assertProblem(taken, 409, 'slug-taken', { fields: ['slug'] });
  const chosen = assertOk(await owner.c.post('/api/v1/orgs', { name: '华策影视', kind: 'broadcaster', slug: 'huace' }), 201);
  assert.equal(chosen.slug, 'huace');
  // The owner membership and the event exist.
  assert.deepEqual((await members(owner.c, chosen.id)).map((m) => [m.user_id, m.role]), [[owner.id, 'owner']]);
  const ev = await events(owner.c, `object_id=${chosen.id}`);
  assert.deepEqual(ev.map((e) => e.action), ['org.created']);
  assert.equal(ev[0].org_id, chosen.id);
});

test('list: mine by default, the directory with scope=all, filters, paging', async () => {
  const mine = (await walk(member.c, '/api/v1/orgs', 500)).items;
  assert.deepEqual(mine.map((o) => o.id), [org.id]);
  assert.equal(mine[0].my_role, 'member');
  // The directory lists every organization, with public fields only.
  const all = (await walk(member.c, '/api/v1/orgs?scope=all', 2)).items;
  const f = all.find((o) => o.id === foreign.id);
  assert.deepEqual(Object.keys(f).sort(), ['id', 'kind', 'name', 'slug']);
  assert.ok(all.some((o) => o.id === org.id));
  assert.equal(new Set(all.map((o) => o.id)).size, all.length);
  // q matches name (case-insensitive, CJK too) or slug; kind filters.
  const q = (await member.c.get(`/api/v1/orgs?scope=all&q=${encodeURIComponent('香港')}`)).json.items;
  assert.deepEqual(q.map((o) => o.id), [foreign.id]);
  const q2 = (await member.c.get('/api/v1/orgs?scope=all&q=HONG%20KONG')).json.items;
  assert.deepEqual(q2.map((o) => o.id), [foreign.id]);
  const q3 = (await member.c.get('/api/v1/orgs?scope=all&q=100%25')).json.items;
  assert.deepEqual(q3, [], 'LIKE wildcards are escaped');
  const k = (await member.c.get('/api/v1/orgs?scope=all&kind=distributor')).json.items;
  assert.ok(k.length >= 1 && k.every((o) => o.kind === 'distributor'));
  assert.deepEqual((await member.c.get('/api/v1/orgs?kind=distributor')).json.items, []);
  assertProblem(await member.c.get('/api/v1/orgs?scope=everything'), 400, 'bad-query');
  assertProblem(await member.c.get('/api/v1/orgs?kind=spaceship'), 400, 'bad-query');
  assertProblem(await member.c.get(`/api/v1/orgs?q=${'长'.repeat(101)}`), 400, 'bad-query');
  // Paging through my own organizations: 7 of them, 3 per page.
  const p = await person(srv, 'pager', '翻页 Pager');
  const ids = [];
  for (let i = 0; i < 7; i++) ids.push((await mkOrg(p.c, `第${i}家 Org ${i}`, 'school')).id);
  const walked = await walk(p.c, '/api/v1/orgs', 3);
  assert.equal(walked.pages, 3);
  assert.deepEqual(walked.items.map((o) => o.id), ids, 'in id order, each once');
});

test('get: members see the organization with ETag; everyone else gets 404', async () => {
  for (const who of [owner, admin, member, viewer]) {
    const r = await who.c.get(`/api/v1/orgs/${org.id}`);
    assertOk(r, 200);
    assert.equal(r.json.name, '上海影业');
    assert.equal(etag(r), `"${r.json.version}"`);
  }
  assert.equal((await viewer.c.get(`/api/v1/orgs/${org.id}`)).json.my_role, 'viewer');
  // Outsiders, including the instance administrator, cannot tell it exists.
  const instanceAdmin = await tokenClient(srv, srv.admin.email);
  for (const c of [outsider.c, instanceAdmin]) {
    assertProblem(await c.get(`/api/v1/orgs/${org.id}`), 404, 'not-found');
    assertProblem(await c.get(`/api/v1/orgs/${org.id}/members`), 404, 'not-found');
    assertProblem(await c.get(`/api/v1/orgs/${org.id}/invitations`), 404, 'not-found');
    assertProblem(await c.patch(`/api/v1/orgs/${org.id}`, { name: 'hijack' }), 404, 'not-found');
    assertProblem(await c.post(`/api/v1/orgs/${org.id}/members`, { user_id: outsider.id, role: 'owner' }), 404, 'not-found');
    assertProblem(await c.patch(`/api/v1/orgs/${org.id}/members/${member.id}`, { role: 'viewer' }), 404, 'not-found');
    assertProblem(await c.del(`/api/v1/orgs/${org.id}/members/${member.id}`), 404, 'not-found');
    assertProblem(await c.post(`/api/v1/orgs/${org.id}/invitations`, { email: 'x@example.com', role: 'member' }), 404, 'not-found');
  }
  // The same answer as an organization that does not exist.
  const a = await outsider.c.get(`/api/v1/orgs/${org.id}`);
  const b = await outsider.c.get(`/api/v1/orgs/${NIL_UUID}`);
  assert.equal(a.json.detail, b.json.detail);
  // Nothing changed.
  assert.equal((await owner.c.get(`/api/v1/orgs/${org.id}`)).json.name, '上海影业');
  assert.equal((await members(owner.c, org.id)).length, 4);
});

test('patch: admins and owners only; ETag/If-Match; validation; slug conflicts', async () => {
  const cur = await owner.c.get(`/api/v1/orgs/${org.id}`);
  const v = cur.json.version;
  assertProblem(await member.c.patch(`/api/v1/orgs/${org.id}`, { name: '改名' }), 403, 'forbidden');
  assertProblem(await viewer.c.patch(`/api/v1/orgs/${org.id}`, { name: '改名' }), 403, 'forbidden');
  assertProblem(await admin.c.patch(`/api/v1/orgs/${org.id}`, { name: '改名' }, { headers: { 'If-Match': `"${v + 5}"` } }), 412, 'stale-version');
  assertProblem(await admin.c.patch(`/api/v1/orgs/${org.id}`, { name: '改名' }, { headers: { 'If-Match': 'v1' } }), 400, 'bad-precondition');
  assertProblem(await admin.c.patch(`/api/v1/orgs/${org.id}`, { name: '' }), 422, 'validation', { fields: ['name'] });
  assertProblem(await admin.c.patch(`/api/v1/orgs/${org.id}`, { kind: 'bank' }), 422, 'validation', { fields: ['kind'] });
  assertProblem(await admin.c.patch(`/api/v1/orgs/${org.id}`, { slug: '-x-' }), 422, 'validation', { fields: ['slug'] });
  assertProblem(await admin.c.patch(`/api/v1/orgs/${org.id}`, { id: NIL_UUID }), 422, 'validation', { fields: ['id'] });
  assertProblem(await admin.c.patch(`/api/v1/orgs/${org.id}`, { slug: foreign.slug }), 409, 'slug-taken', { fields: ['slug'] });
  const same = await owner.c.get(`/api/v1/orgs/${org.id}`);
  assert.deepEqual(same.json, cur.json, 'rejected writes changed nothing');
  assert.equal(etag(same), etag(cur));
  // The change, with the current ETag.
  const r = await admin.c.patch(`/api/v1/orgs/${org.id}`, { name: '上海影业集团', slug: 'sh-film', description: '新简介' }, { headers: { 'If-Match': etag(cur) } });
  assertOk(r, 200);
  assert.equal(r.json.name, '上海影业集团');
  assert.equal(r.json.slug, 'sh-film');
  assert.equal(r.json.kind, 'studio');
  assert.equal(r.json.version, v + 1);
  assert.equal(etag(r), `"${v + 1}"`);
  assertProblem(await owner.c.patch(`/api/v1/orgs/${org.id}`, { name: 'late' }, { headers: { 'If-Match': etag(cur) } }), 412, 'stale-version');
  assertOk(await owner.c.patch(`/api/v1/orgs/${org.id}`, { kind: 'platform' }, { headers: { 'If-Match': '*' } }), 200);
  const ev = (await events(member.c, `object_id=${org.id}&action=org.updated`))[1];
  assert.equal(ev.actor_id, admin.id);
  assert.deepEqual(ev.data, { name: '上海影业集团', slug: 'sh-film', description: '新简介' });
});

test('members: list and filter for every member; add by id or e-mail; validation and conflicts', async () => {
  const list = await members(viewer.c, org.id);
  assert.deepEqual(list.map((m) => m.user_id), [owner.id, admin.id, member.id, viewer.id].sort());
  assert.equal(list.find((m) => m.user_id === member.id).display_name, '宁浩 Ning Hao');
  const admins = (await viewer.c.get(`/api/v1/orgs/${org.id}/members?role=admin`)).json.items;
  assert.deepEqual(admins.map((m) => m.user_id), [admin.id]);
  assertProblem(await viewer.c.get(`/api/v1/orgs/${org.id}/members?role=boss`), 400, 'bad-query');
  const n = list.length;
  const x = await person(srv, 'newcomer', '新人 Newcomer');
  // Only admins and owners add; the rest answer 403.
  assertProblem(await member.c.post(`/api/v1/orgs/${org.id}/members`, { user_id: x.id, role: 'member' }), 403, 'forbidden');
  assertProblem(await viewer.c.post(`/api/v1/orgs/${org.id}/members`, { user_id: x.id, role: 'viewer' }), 403, 'forbidden');
  // Admins cannot add owners.
  assertProblem(await admin.c.post(`/api/v1/orgs/${org.id}/members`, { user_id: x.id, role: 'owner' }), 403, 'forbidden');
  // Validation.
  const cases = [
    [{ role: 'member' }, ['user_id']],
    [{ user_id: x.id, email: x.email, role: 'member' }, ['user_id']],
    [{ user_id: x.id }, ['role']],
    [{ user_id: x.id, role: 'boss' }, ['role']],
    [{ user_id: 'abc', role: 'member' }, ['user_id']],
    [{ email: 'not-an-email', role: 'member' }, ['email']],
    [{ user_id: x.id, role: 'member', note: 'hi' }, ['note']],
  ];
  for (const [body, fields] of cases) assertProblem(await admin.c.post(`/api/v1/orgs/${org.id}/members`, body), 422, 'validation', { fields });
  assertProblem(await admin.c.post(`/api/v1/orgs/${org.id}/members`, { email: 'nobody-here@example.com', role: 'member' }), 422, 'unknown-user', { fields: ['email'] });
  assertProblem(await admin.c.post(`/api/v1/orgs/${org.id}/members`, { user_id: NIL_UUID, role: 'member' }), 422, 'unknown-user', { fields: ['user_id'] });
  assertProblem(await admin.c.post(`/api/v1/orgs/${org.id}/members`, { user_id: member.id, role: 'viewer' }), 409, 'already-member');
  assert.equal((await members(owner.c, org.id)).length, n, 'nothing added');
  assert.equal((await members(owner.c, org.id)).find((m) => m.user_id === member.id).role, 'member');
  // Add by e-mail (any case).
  const r = await admin.c.post(`/api/v1/orgs/${org.id}/members`, { email: x.email.toUpperCase(), role: 'member' });
  assertOk(r, 201);
  assert.equal(r.json.user_id, x.id);
  assert.equal(r.json.role, 'member');
  assert.equal(etag(r), '"1"');
  assert.equal(r.headers.get('location'), `/api/v1/orgs/${org.id}/members/${x.id}`);
  assertOk(await x.c.get(`/api/v1/orgs/${org.id}`), 200);
  const ev = (await events(owner.c, `object_id=${x.id}&org_id=${org.id}`))[0];
  assert.equal(ev.action, 'org.member.added');
  assert.deepEqual(ev.data, { role: 'member' });
  // Paging: 7 more members, 3 per page, each once in user id order.
  const extra = await Promise.all(Array.from({ length: 7 }, (_, i) => person(srv, `crew${i}`, `剧组 ${i}`)));
  for (const e of extra) await addMember(admin.c, org.id, e.id, 'viewer');
  const all = await walk(viewer.c, `/api/v1/orgs/${org.id}/members`, 3);
  assert.equal(all.items.length, n + 8);
  assert.equal(new Set(all.items.map((m) => m.user_id)).size, n + 8);
  assert.deepEqual(all.items.map((m) => m.user_id), [...all.items.map((m) => m.user_id)].sort());
  const viewers = await walk(viewer.c, `/api/v1/orgs/${org.id}/members?role=viewer`, 2);
  assert.equal(viewers.items.length, 8);
});

test('member roles: admins change roles with If-Match; owner rules; last owner 409', async () => {
  const o = await mkOrg(owner.c, uniq('规则 Rules'), 'agency');
  const a = await person(srv, 'rules-admin', '管理员');
  const m = await person(srv, 'rules-member', '成员');
  const o2 = await person(srv, 'rules-owner2', '第二位所有者');
  await addMember(owner.c, o.id, a.id, 'admin');
  await addMember(owner.c, o.id, m.id, 'member');
  const path = (uid) => `/api/v1/orgs/${o.id}/members/${uid}`;
  // Admin changes a member's role, with If-Match from the list.
  const cur = (await members(a.c, o.id)).find((x) => x.user_id === m.id);
  assertProblem(await a.c.patch(path(m.id), { role: 'viewer' }, { headers: { 'If-Match': `"${cur.version + 1}"` } }), 412, 'stale-version');
  assertProblem(await a.c.patch(path(m.id), { role: 'viewer' }, { headers: { 'If-Match': 'garbage' } }), 400, 'bad-precondition');
  const r = await a.c.patch(path(m.id), { role: 'viewer' }, { headers: { 'If-Match': `"${cur.version}"` } });
  assertOk(r, 200);
  assert.equal(r.json.role, 'viewer');
  assert.equal(etag(r), `"${cur.version + 1}"`);
  assertProblem(await a.c.patch(path(m.id), { role: 'member' }, { headers: { 'If-Match': `"${cur.version}"` } }), 412, 'stale-version');
  assertOk(await a.c.patch(path(m.id), { role: 'member' }, { headers: { 'If-Match': '*' } }), 200);
  // Validation and unknown members.
  assertProblem(await a.c.patch(path(m.id), { role: 'boss' }), 422, 'validation', { fields: ['role'] });
  assertProblem(await a.c.patch(path(m.id), {}), 422, 'validation', { fields: ['role'] });
  assertProblem(await a.c.patch(path(o2.id), { role: 'member' }), 404, 'not-found');
  assertProblem(await a.c.patch(path('nobody'), { role: 'member' }), 404, 'not-found');
  // Members cannot change roles, not even their own.
  assertProblem(await m.c.patch(path(m.id), { role: 'admin' }), 403, 'forbidden');
  // Only owners grant owner or touch an owner.
  assertProblem(await a.c.patch(path(m.id), { role: 'owner' }), 403, 'forbidden');
  assertProblem(await a.c.patch(path(a.id), { role: 'owner' }), 403, 'forbidden');
  assertProblem(await a.c.patch(path(owner.id), { role: 'viewer' }), 403, 'forbidden');
  assertProblem(await a.c.del(path(owner.id)), 403, 'forbidden');
  // The last owner can neither be demoted nor leave.
  assertProblem(await owner.c.patch(path(owner.id), { role: 'admin' }), 409, 'last-owner');
  assertProblem(await owner.c.del(path(owner.id)), 409, 'last-owner');
  const roles = Object.fromEntries((await members(owner.c, o.id)).map((x) => [x.user_id, x.role]));
  assert.deepEqual(roles, { [owner.id]: 'owner', [a.id]: 'admin', [m.id]: 'member' });
  // An owner grants owner; then either owner may step down.
  await addMember(owner.c, o.id, o2.id, 'owner');
  assertOk(await owner.c.patch(path(owner.id), { role: 'admin' }), 200);
  assertProblem(await o2.c.patch(path(o2.id), { role: 'member' }), 409, 'last-owner');
  assertOk(await o2.c.patch(path(owner.id), { role: 'owner' }), 200);
  assertOk(await o2.c.del(path(o2.id)), 204);
  assertProblem(await o2.c.get(`/api/v1/orgs/${o.id}`), 404, 'not-found');
  const ev = await events(owner.c, `org_id=${o.id}&object_id=${o2.id}`);
  assert.deepEqual(ev.map((e) => e.action), ['org.member.left', 'org.member.added'], 'the refused demotion left no event');
  const ownerEv = await events(owner.c, `org_id=${o.id}&object_id=${owner.id}&action=org.member.updated`);
  assert.deepEqual(ownerEv.map((e) => [e.actor_id, e.data.from, e.data.to]), [[o2.id, 'admin', 'owner'], [owner.id, 'owner', 'admin']]);
});

test('removing members: admins remove, anyone leaves; access ends immediately; If-Match', async () => {
  const o = await mkOrg(owner.c, uniq('离开 Leaving'), 'studio');
  const a = await person(srv, 'rm-admin', '管理员');
  const m = await person(srv, 'rm-member', '成员');
  const v = await person(srv, 'rm-viewer', '观众');
  const o2 = await person(srv, 'rm-owner2', '所有者二');
  for (const [p, role] of [[a, 'admin'], [m, 'member'], [v, 'viewer'], [o2, 'owner']]) await addMember(owner.c, o.id, p.id, role);
  const proj = await mkProject(owner.c, o.id, '流浪地球 The Wandering Earth');
  const path = (uid) => `/api/v1/orgs/${o.id}/members/${uid}`;
  assertOk(await m.c.get(`/api/v1/projects/${proj.id}`), 200);
  // Members and viewers cannot remove others.
  assertProblem(await m.c.del(path(v.id)), 403, 'forbidden');
  assertProblem(await v.c.del(path(m.id)), 403, 'forbidden');
  // Admins cannot remove owners; owners can remove owners while another remains.
  assertProblem(await a.c.del(path(o2.id)), 403, 'forbidden');
  // Stale If-Match on delete.
  assertProblem(await a.c.del(path(m.id), { headers: { 'If-Match': '"99"' } }), 412, 'stale-version');
  assertProblem(await a.c.del(path(m.id), { headers: { 'If-Match': 'nope' } }), 400, 'bad-precondition');
  assertProblem(await a.c.del(path(NIL_UUID)), 404, 'not-found');
  assert.equal((await members(owner.c, o.id)).length, 5, 'nobody removed');
  assertOk(await m.c.get(`/api/v1/projects/${proj.id}`), 200);
  // Removal takes effect on the very next request.
  assertOk(await a.c.del(path(m.id), { headers: { 'If-Match': '"1"' } }), 204);
  assertProblem(await m.c.get(`/api/v1/projects/${proj.id}`), 404, 'not-found');
  assertProblem(await m.c.get(`/api/v1/orgs/${o.id}`), 404, 'not-found');
  assert.ok(!(await m.c.get('/api/v1/projects')).json.items.some((p) => p.id === proj.id));
  assertProblem(await a.c.del(path(m.id)), 404, 'not-found');
  // A viewer leaves on their own.
  assertOk(await v.c.del(path(v.id), { headers: { 'If-Match': '*' } }), 204);
  assertProblem(await v.c.get(`/api/v1/orgs/${o.id}`), 404, 'not-found');
  assertOk(await owner.c.del(path(o2.id)), 204);
  const ev = await events(owner.c, `org_id=${o.id}&object_type=user`);
  const actions = ev.map((e) => `${e.action}:${e.object_id}`);
  assert.ok(actions.includes(`org.member.removed:${m.id}`));
  assert.ok(actions.includes(`org.member.left:${v.id}`));
  assert.ok(actions.includes(`org.member.removed:${o2.id}`));
});

test('adding the same member many times at once adds one membership', async () => {
  const o = await mkOrg(owner.c, uniq('并发加人 Concurrent adds'), 'studio');
  const x = await person(srv, 'dup', '重复 Duplicate');
  const rs = await Promise.all(Array.from({ length: 8 }, () => owner.c.post(`/api/v1/orgs/${o.id}/members`, { user_id: x.id, role: 'member' })));
  assert.equal(rs.filter((r) => r.status === 201).length, 1, rs.map((r) => r.status).join(','));
  for (const r of rs.filter((y) => y.status !== 201)) assertProblem(r, 409, 'already-member');
  assert.equal((await members(owner.c, o.id)).filter((m) => m.user_id === x.id).length, 1);
  assert.equal((await events(owner.c, `org_id=${o.id}&action=org.member.added`)).length, 1);
});
