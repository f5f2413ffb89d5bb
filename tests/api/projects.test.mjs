// Projects and the cooperation model (src/auth/projects.c, src/auth/authz.c): who reaches a
// project through the owning organization (owner/admin manage, member edits, viewer views),
// through a partner organization (co-producer and vendor edit, distributor and client view,
// never above view for a viewer of the partner, never manage) and as an individual member
// (admin manages, member/vendor edit, client/viewer view). Create, list, get, patch, delete,
// partners and members with ETag/If-Match, validation, pagination and 404 for outsiders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import {
  assertProblem, assertOk, person, mkOrg, mkProject, addMember, walk, etag, uniq, events, NIL_UUID,
} from './helpers.mjs';

let srv, A, B, C, aOwner, aAdmin, aMember, aViewer, bOwner, bAdmin, bMember, bViewer, cOwner, free, outsider;
before(async () => {
  srv = await startServer();
  [aOwner, aAdmin, aMember, aViewer, bOwner, bAdmin, bMember, bViewer, cOwner, free, outsider] = await Promise.all([
    person(srv, 'a-owner', '韩三平'), person(srv, 'a-admin', '于冬'), person(srv, 'a-member', '宁浩'),
    person(srv, 'a-viewer', '黄渤'), person(srv, 'b-owner', 'Raymond Chow 鄒文懷'), person(srv, 'b-admin', 'Peter Chan 陳可辛'),
    person(srv, 'b-member', 'Andy Lau 劉德華'), person(srv, 'b-viewer', 'Sammi Cheng 鄭秀文'), person(srv, 'c-owner', 'Ted Sarandos'),
    person(srv, 'freelancer', '自由职业者 Freelancer'), person(srv, 'outsider', '路人 Passer-by'),
  ]);
  A = await mkOrg(aOwner.c, '上海影业', 'studio');
  B = await mkOrg(bOwner.c, 'Hong Kong Films 香港電影', 'studio', { slug: 'hk-films' });
  C = await mkOrg(cOwner.c, 'Netflix 网飞', 'platform');
  await addMember(aOwner.c, A.id, aAdmin.id, 'admin');
  await addMember(aOwner.c, A.id, aMember.id, 'member');
  await addMember(aOwner.c, A.id, aViewer.id, 'viewer');
  await addMember(bOwner.c, B.id, bAdmin.id, 'admin');
  await addMember(bOwner.c, B.id, bMember.id, 'member');
  await addMember(bOwner.c, B.id, bViewer.id, 'viewer');
});
after(async () => { await srv.stop(); });

const access = async (who, pid) => {
  const r = await who.c.get(`/api/v1/projects/${pid}`);
  if (r.status === 404) return null;
  assert.equal(r.status, 200, r.text);
  return r.json.access;
};
const projectCount = async (c) => (await walk(c, '/api/v1/projects', 500)).items.length;

test('create: members of the organization create; viewers get 403, outsiders a field error', async () => {
  const r = await aOwner.c.post('/api/v1/projects', { org_id: A.id, name: '流浪地球3 The Wandering Earth III', code: 'WE3', description: '第一部\n第二部' });
  assertOk(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/projects/${r.json.id}`);
  assert.equal(etag(r), '"1"');
  assert.equal(r.json.org_id, A.id);
  assert.equal(r.json.org_name, '上海影业');
  assert.equal(r.json.status, 'active');
  assert.equal(r.json.code, 'WE3');
  assert.deepEqual(r.json.access, { level: 'manage', role: 'owner', via: 'org' });
  // A member creates, and edits (not manages) through the organization.
  const m = assertOk(await aMember.c.post('/api/v1/projects', { org_id: A.id, name: '短剧《逆袭》' }), 201);
  assert.deepEqual(m.access, { level: 'edit', role: 'member', via: 'org' });
  const n = await projectCount(aOwner.c);
  assertProblem(await aViewer.c.post('/api/v1/projects', { org_id: A.id, name: '观众项目' }), 403, 'forbidden');
  assertProblem(await outsider.c.post('/api/v1/projects', { org_id: A.id, name: '偷偷' }), 422, 'validation', { fields: ['org_id'] });
  assertProblem(await bOwner.c.post('/api/v1/projects', { org_id: A.id, name: '越权' }), 422, 'validation', { fields: ['org_id'] });
  const cases = [
    [{ name: 'x' }, ['org_id']],
    [{ org_id: 'abc', name: 'x' }, ['org_id']],
    [{ org_id: A.id }, ['name']],
    [{ org_id: A.id, name: '' }, ['name']],
    [{ org_id: A.id, name: 'x'.repeat(201) }, ['name']],
    [{ org_id: A.id, name: 'ok', code: 'we3' }, ['code']],
    [{ org_id: A.id, name: 'ok', code: 'WAY-TOO-LONG-CODE-1' }, ['code']],
    [{ org_id: A.id, name: 'ok', code: '中文' }, ['code']],
    [{ org_id: A.id, name: 'ok', description: 'd'.repeat(8001) }, ['description']],
    [{ org_id: A.id, name: 'ok', status: 'archived' }, ['status']],
    [{ org_id: A.id, name: 5 }, ['name']],
  ];
  for (const [body, fields] of cases) assertProblem(await aOwner.c.post('/api/v1/projects', body), 422, 'validation', { fields });
  assert.equal(await projectCount(aOwner.c), n, 'nothing created');
});

test('list: every reachable project with its access; filters; paging', async () => {
  const o = await mkOrg(aOwner.c, uniq('分页 Paging'), 'studio');
  const ids = [];
  for (let i = 0; i < 7; i++) ids.push((await mkProject(aOwner.c, o.id, `第${i}集 Episode ${i}`, { code: `EP${i}` })).id);
  const byOrg = await walk(aOwner.c, `/api/v1/projects?org_id=${o.id}`, 3);
  assert.equal(byOrg.pages, 3);
  assert.deepEqual(byOrg.items.map((p) => p.id), ids, 'each once, in id order');
  for (const p of byOrg.items) assert.deepEqual(p.access, { level: 'manage', role: 'owner', via: 'org' });
  const everything = await walk(aOwner.c, '/api/v1/projects', 2);
  assert.equal(new Set(everything.items.map((p) => p.id)).size, everything.items.length);
  for (const id of ids) assert.ok(everything.items.some((p) => p.id === id));
  // q matches name (CJK, case-insensitive) or code.
  const q = (await aOwner.c.get(`/api/v1/projects?org_id=${o.id}&q=${encodeURIComponent('第3集')}`)).json.items;
  assert.deepEqual(q.map((p) => p.id), [ids[3]]);
  const q2 = (await aOwner.c.get(`/api/v1/projects?org_id=${o.id}&q=ep5`)).json.items;
  assert.deepEqual(q2.map((p) => p.id), [ids[5]]);
  assert.deepEqual((await aOwner.c.get(`/api/v1/projects?org_id=${o.id}&q=_`)).json.items, [], 'LIKE wildcards are escaped');
  // status filter.
  assertOk(await aOwner.c.patch(`/api/v1/projects/${ids[0]}`, { status: 'archived' }), 200);
  const archived = (await aOwner.c.get(`/api/v1/projects?org_id=${o.id}&status=archived`)).json.items;
  assert.deepEqual(archived.map((p) => p.id), [ids[0]]);
  assert.equal((await walk(aOwner.c, `/api/v1/projects?org_id=${o.id}&status=active`, 4)).items.length, 6);
  assertProblem(await aOwner.c.get('/api/v1/projects?status=deleted'), 400, 'bad-query');
  assertProblem(await aOwner.c.get('/api/v1/projects?org_id=abc'), 400, 'bad-query');
  assertProblem(await aOwner.c.get(`/api/v1/projects?q=${'剧'.repeat(101)}`), 400, 'bad-query');
  // Outsiders see none of them, even when they name the organization.
  assert.deepEqual((await outsider.c.get(`/api/v1/projects?org_id=${o.id}`)).json.items, []);
  assert.ok(!(await walk(outsider.c, '/api/v1/projects', 500)).items.some((p) => ids.includes(p.id)));
});

test('org roles: owner/admin manage, member edits, viewer views; outsiders get 404 everywhere', async () => {
  const p = await mkProject(aOwner.c, A.id, '长安三万里 Chang An');
  assert.deepEqual(await access(aAdmin, p.id), { level: 'manage', role: 'admin', via: 'org' });
  assert.deepEqual(await access(aMember, p.id), { level: 'edit', role: 'member', via: 'org' });
  assert.deepEqual(await access(aViewer, p.id), { level: 'view', role: 'viewer', via: 'org' });
  assert.equal(await access(outsider, p.id), null);
  // Writes that need manage: 403 for member and viewer.
  for (const who of [aMember, aViewer]) {
    assertProblem(await who.c.patch(`/api/v1/projects/${p.id}`, { name: '改' }), 403, 'forbidden');
    assertProblem(await who.c.del(`/api/v1/projects/${p.id}`), 403, 'forbidden');
    assertProblem(await who.c.post(`/api/v1/projects/${p.id}/partners`, { org_id: C.id, role: 'client' }), 403, 'forbidden');
    assertProblem(await who.c.post(`/api/v1/projects/${p.id}/members`, { user_id: free.id, role: 'viewer' }), 403, 'forbidden');
    assertOk(await who.c.get(`/api/v1/projects/${p.id}/partners`), 200);
    assertOk(await who.c.get(`/api/v1/projects/${p.id}/members`), 200);
  }
  // Outsiders: every project route answers 404, like a project that does not exist.
  const routes = [
    ['GET', ''], ['PATCH', '', { name: 'x' }], ['DELETE', ''], ['GET', '/partners'],
    ['POST', '/partners', { org_id: C.id, role: 'client' }], ['PATCH', `/partners/${C.id}`, { role: 'client' }],
    ['DELETE', `/partners/${C.id}`], ['GET', '/members'], ['POST', '/members', { user_id: outsider.id, role: 'admin' }],
    ['PATCH', `/members/${aMember.id}`, { role: 'viewer' }], ['DELETE', `/members/${aMember.id}`],
  ];
  for (const [method, sub, body] of routes) {
    const a = await outsider.c.req(method, `/api/v1/projects/${p.id}${sub}`, body ? { json: body } : {});
    assertProblem(a, 404, 'not-found');
    const b = await outsider.c.req(method, `/api/v1/projects/${NIL_UUID}${sub}`, body ? { json: body } : {});
    assert.equal(a.json.detail, b.json.detail, 'indistinguishable from a missing project');
  }
  assertProblem(await outsider.c.get(`/api/v1/events?project_id=${p.id}`), 404, 'not-found');
  const same = await aOwner.c.get(`/api/v1/projects/${p.id}`);
  assert.equal(same.json.name, '长安三万里 Chang An');
  assert.equal(same.json.version, 1);
  assert.deepEqual((await aOwner.c.get(`/api/v1/projects/${p.id}/partners`)).json.items, []);
  assert.deepEqual((await aOwner.c.get(`/api/v1/projects/${p.id}/members`)).json.items, []);
});

test('patch: If-Match stale 412, * matches, malformed 400, validation 422; nothing changes on rejection', async () => {
  const p = await mkProject(aOwner.c, A.id, '满江红 Full River Red', { code: 'FRR' });
  const url = `/api/v1/projects/${p.id}`;
  assertProblem(await aAdmin.c.patch(url, { name: '新名' }, { headers: { 'If-Match': '"2"' } }), 412, 'stale-version');
  assertProblem(await aAdmin.c.patch(url, { name: '新名' }, { headers: { 'If-Match': 'W/"1"' } }), 412, 'stale-version');
  assertProblem(await aAdmin.c.patch(url, { name: '新名' }, { headers: { 'If-Match': '1' } }), 400, 'bad-precondition');
  assertProblem(await aAdmin.c.patch(url, { status: 'deleted' }), 422, 'validation', { fields: ['status'] });
  assertProblem(await aAdmin.c.patch(url, { code: 'lower' }), 422, 'validation', { fields: ['code'] });
  assertProblem(await aAdmin.c.patch(url, { name: '  ' }), 422, 'validation', { fields: ['name'] });
  assertProblem(await aAdmin.c.patch(url, { org_id: B.id }), 422, 'validation', { fields: ['org_id'] });
  assertProblem(await aAdmin.c.req('PATCH', url, { body: '{"name":', headers: { 'Content-Type': 'application/json' } }), 400, 'malformed-json');
  const same = await aOwner.c.get(url);
  assert.equal(etag(same), '"1"');
  assert.equal(same.json.name, '满江红 Full River Red');
  assert.equal(same.json.code, 'FRR');
  assert.equal(same.json.org_id, A.id);
  const r = await aAdmin.c.patch(url, { name: '满江红', status: 'archived', code: '' }, { headers: { 'If-Match': '"1"' } });
  assertOk(r, 200);
  assert.equal(etag(r), '"2"');
  assert.equal(r.json.status, 'archived');
  assert.equal(r.json.code, '');
  assert.equal(r.json.description, '');
  assertOk(await aOwner.c.patch(url, { status: 'active' }, { headers: { 'If-Match': '*' } }), 200);
  const ev = await events(aViewer.c, `project_id=${p.id}&action=project.updated`);
  assert.equal(ev.length, 2);
  assert.deepEqual(ev[1].data, { name: '满江红', status: 'archived', code: '' });
  assert.equal(ev[1].actor_id, aAdmin.id);
});

test('delete: managers only, If-Match, then gone for everyone', async () => {
  const p = await mkProject(aOwner.c, A.id, '封神 Creation of the Gods');
  assertOk(await aOwner.c.post(`/api/v1/projects/${p.id}/partners`, { org_id: B.id, role: 'co-producer' }), 201);
  const url = `/api/v1/projects/${p.id}`;
  assertProblem(await bOwner.c.del(url), 403, 'forbidden');
  assertProblem(await aMember.c.del(url), 403, 'forbidden');
  assertProblem(await aAdmin.c.del(url, { headers: { 'If-Match': '"7"' } }), 412, 'stale-version');
  assertProblem(await aAdmin.c.del(url, { headers: { 'If-Match': '*x' } }), 400, 'bad-precondition');
  assertOk(await aMember.c.get(url), 200);
  assertOk(await aAdmin.c.del(url, { headers: { 'If-Match': '"1"' } }), 204);
  for (const who of [aOwner, aAdmin, aMember, bOwner, bMember]) {
    assertProblem(await who.c.get(url), 404, 'not-found');
    assertProblem(await who.c.get(`${url}/partners`), 404, 'not-found');
    assert.ok(!(await walk(who.c, '/api/v1/projects', 500)).items.some((x) => x.id === p.id));
  }
  assertProblem(await aOwner.c.del(url), 404, 'not-found');
  assertProblem(await aOwner.c.patch(url, { name: '复活' }), 404, 'not-found');
  assertProblem(await aOwner.c.get(`/api/v1/events?project_id=${p.id}`), 404, 'not-found');
});

test('partners: add by id or slug, validation, conflicts; partner roles and caps decide access', async () => {
  const p = await mkProject(aOwner.c, A.id, '无名 Hidden Blade');
  const url = `/api/v1/projects/${p.id}/partners`;
  const cases = [
    [{ role: 'client' }, ['org_id']],
    [{ org_id: B.id, org: 'hk-films', role: 'client' }, ['org_id']],
    [{ org_id: B.id }, ['role']],
    [{ org_id: B.id, role: 'owner' }, ['role']],
    [{ org_id: 'nope', role: 'client' }, ['org_id']],
    [{ org: 'Not A Slug', role: 'client' }, ['org']],
    [{ org_id: B.id, role: 'client', share: 'all' }, ['share']],
  ];
  for (const [body, fields] of cases) assertProblem(await aOwner.c.post(url, body), 422, 'validation', { fields });
  assertProblem(await aOwner.c.post(url, { org_id: NIL_UUID, role: 'client' }), 422, 'validation', { fields: ['org_id'] });
  assertProblem(await aOwner.c.post(url, { org: 'no-such-org', role: 'client' }), 422, 'validation', { fields: ['org'] });
  assertProblem(await aOwner.c.post(url, { org_id: A.id, role: 'client' }), 422, 'validation', { fields: ['org_id'] });
  assert.deepEqual((await aOwner.c.get(url)).json.items, []);
  assert.equal(await access(bMember, p.id), null);
  // Co-producer by slug.
  const r = await aAdmin.c.post(url, { org: 'hk-films', role: 'co-producer' });
  assertOk(r, 201);
  assert.equal(r.headers.get('location'), `${url}/${B.id}`);
  assert.equal(etag(r), '"1"');
  assert.deepEqual([r.json.org_id, r.json.org_name, r.json.org_slug, r.json.org_kind, r.json.role], [B.id, 'Hong Kong Films 香港電影', 'hk-films', 'studio', 'co-producer']);
  assertProblem(await aAdmin.c.post(url, { org_id: B.id, role: 'client' }), 409, 'already-partner');
  // Client by id.
  assertOk(await aOwner.c.post(url, { org_id: C.id, role: 'client' }), 201);
  // Access: co-producer edits, a viewer of the partner only views, a client views; never manage.
  assert.deepEqual(await access(bOwner, p.id), { level: 'edit', role: 'co-producer', via: 'partner' });
  assert.deepEqual(await access(bAdmin, p.id), { level: 'edit', role: 'co-producer', via: 'partner' });
  assert.deepEqual(await access(bMember, p.id), { level: 'edit', role: 'co-producer', via: 'partner' });
  assert.deepEqual(await access(bViewer, p.id), { level: 'view', role: 'co-producer', via: 'partner' });
  assert.deepEqual(await access(cOwner, p.id), { level: 'view', role: 'client', via: 'partner' });
  const listed = (await walk(bMember.c, '/api/v1/projects', 500)).items.find((x) => x.id === p.id);
  assert.deepEqual(listed.access, { level: 'edit', role: 'co-producer', via: 'partner' });
  assert.ok((await bMember.c.get(`/api/v1/projects?org_id=${B.id}`)).json.items.some((x) => x.id === p.id), 'org_id filter includes shared projects');
  // Partners do not run the owner's project.
  assertProblem(await bOwner.c.patch(`/api/v1/projects/${p.id}`, { name: '改' }), 403, 'forbidden');
  assertProblem(await bOwner.c.post(url, { org_id: outsider.id, role: 'client' }), 403, 'forbidden');
  assertProblem(await bOwner.c.patch(`${url}/${C.id}`, { role: 'co-producer' }), 403, 'forbidden');
  assertProblem(await bOwner.c.post(`/api/v1/projects/${p.id}/members`, { user_id: bMember.id, role: 'admin' }), 403, 'forbidden');
  assertOk(await cOwner.c.get(url), 200);
  assert.equal((await cOwner.c.get(url)).json.items.length, 2);
  // Sharing a project opens the project, not the owner's organization.
  for (const who of [bOwner, bMember, cOwner]) {
    assertProblem(await who.c.get(`/api/v1/orgs/${A.id}`), 404, 'not-found');
    assertProblem(await who.c.get(`/api/v1/orgs/${A.id}/members`), 404, 'not-found');
    assert.ok(!(await walk(who.c, '/api/v1/orgs', 500)).items.some((o) => o.id === A.id));
  }
  // Changing the partner role changes access at once; If-Match applies.
  assertProblem(await aAdmin.c.patch(`${url}/${B.id}`, { role: 'client' }, { headers: { 'If-Match': '"2"' } }), 412, 'stale-version');
  assertProblem(await aAdmin.c.patch(`${url}/${B.id}`, { role: 'client' }, { headers: { 'If-Match': '2' } }), 400, 'bad-precondition');
  assertProblem(await aAdmin.c.patch(`${url}/${B.id}`, { role: 'sponsor' }), 422, 'validation', { fields: ['role'] });
  assertProblem(await aAdmin.c.patch(`${url}/${outsider.id}`, { role: 'client' }), 404, 'not-found');
  assertProblem(await aAdmin.c.patch(`${url}/bad-id`, { role: 'client' }), 404, 'not-found');
  assert.deepEqual(await access(bMember, p.id), { level: 'edit', role: 'co-producer', via: 'partner' });
  const u = await aAdmin.c.patch(`${url}/${B.id}`, { role: 'distributor' }, { headers: { 'If-Match': '"1"' } });
  assertOk(u, 200);
  assert.equal(etag(u), '"2"');
  assert.deepEqual(await access(bMember, p.id), { level: 'view', role: 'distributor', via: 'partner' });
  assertOk(await aAdmin.c.patch(`${url}/${B.id}`, { role: 'vendor' }, { headers: { 'If-Match': '*' } }), 200);
  assert.deepEqual(await access(bMember, p.id), { level: 'edit', role: 'vendor', via: 'partner' });
  assert.deepEqual(await access(bViewer, p.id), { level: 'view', role: 'vendor', via: 'partner' });
});

test('partners leave: a partner\'s admin removes its own organization, nobody else\'s', async () => {
  const p = await mkProject(aOwner.c, A.id, '热辣滚烫 YOLO');
  const url = `/api/v1/projects/${p.id}/partners`;
  assertOk(await aOwner.c.post(url, { org_id: B.id, role: 'co-producer' }), 201);
  assertOk(await aOwner.c.post(url, { org_id: C.id, role: 'client' }), 201);
  // A partner's member (not admin) cannot take the organization off; an admin cannot remove another partner.
  assertProblem(await bMember.c.del(`${url}/${B.id}`), 403, 'forbidden');
  assertProblem(await bViewer.c.del(`${url}/${B.id}`), 403, 'forbidden');
  assertProblem(await bAdmin.c.del(`${url}/${C.id}`), 403, 'forbidden');
  assertProblem(await cOwner.c.del(`${url}/${B.id}`), 403, 'forbidden');
  assertProblem(await bAdmin.c.del(`${url}/${B.id}`, { headers: { 'If-Match': '"5"' } }), 412, 'stale-version');
  assert.equal((await aOwner.c.get(url)).json.items.length, 2);
  assertOk(await bMember.c.get(`/api/v1/projects/${p.id}`), 200);
  // The partner's admin leaves: every member of the partner loses access at once.
  assertOk(await bAdmin.c.del(`${url}/${B.id}`, { headers: { 'If-Match': '"1"' } }), 204);
  for (const who of [bOwner, bAdmin, bMember, bViewer]) assert.equal(await access(who, p.id), null);
  assertProblem(await bAdmin.c.del(`${url}/${B.id}`), 404, 'not-found');
  // The client's owner leaves too; the project's manager removes a partner.
  assertOk(await cOwner.c.del(`${url}/${C.id}`), 204);
  assert.equal(await access(cOwner, p.id), null);
  assertOk(await aOwner.c.post(url, { org_id: C.id, role: 'client' }), 201);
  assertOk(await aAdmin.c.del(`${url}/${C.id}`), 204);
  assertProblem(await aAdmin.c.del(`${url}/${C.id}`), 404, 'not-found');
  assert.deepEqual((await aOwner.c.get(url)).json.items, []);
  const ev = await events(aOwner.c, `project_id=${p.id}&action=project.partner.removed`);
  assert.deepEqual(ev.map((e) => [e.actor_id, e.object_id]), [[aAdmin.id, C.id], [cOwner.id, C.id], [bAdmin.id, B.id]]);
});

test('partners list pages through every partner once', async () => {
  const p = await mkProject(aOwner.c, A.id, '分销 Distribution');
  const orgs = [];
  for (let i = 0; i < 7; i++) orgs.push(await mkOrg(outsider.c, `发行商 Distributor ${i} ${uniq('d')}`, 'distributor'));
  for (const o of orgs) assertOk(await aOwner.c.post(`/api/v1/projects/${p.id}/partners`, { org_id: o.id, role: 'distributor' }), 201);
  const { items, pages } = await walk(aViewer.c, `/api/v1/projects/${p.id}/partners`, 3);
  assert.equal(pages, 3);
  assert.deepEqual(items.map((x) => x.org_id), orgs.map((o) => o.id).sort());
  // Being owner of 7 distributor orgs, the outsider now sees the project, at view level.
  assert.deepEqual(await access(outsider, p.id), { level: 'view', role: 'distributor', via: 'partner' });
});

test('individual members: admin manages, member/vendor edit, client/viewer view; highest path wins', async () => {
  const p = await mkProject(aOwner.c, A.id, '繁花 Blossoms Shanghai');
  const url = `/api/v1/projects/${p.id}/members`;
  const people = await Promise.all(['pm-admin', 'pm-member', 'pm-vendor', 'pm-client', 'pm-viewer'].map((l) => person(srv, l, `${l} 个人`)));
  const roles = ['admin', 'member', 'vendor', 'client', 'viewer'];
  const want = { admin: 'manage', member: 'edit', vendor: 'edit', client: 'view', viewer: 'view' };
  for (let i = 0; i < 5; i++) {
    const r = await aAdmin.c.post(url, i % 2 ? { email: people[i].email.toUpperCase(), role: roles[i] } : { user_id: people[i].id, role: roles[i] });
    assertOk(r, 201);
    assert.equal(r.json.user_id, people[i].id);
    assert.equal(r.json.role, roles[i]);
    assert.equal(r.headers.get('location'), `${url}/${people[i].id}`);
    assert.equal(etag(r), '"1"');
    assert.deepEqual(await access(people[i], p.id), { level: want[roles[i]], role: roles[i], via: 'member' });
  }
  // A project admin manages: edits the project, shares it, adds members.
  const pa = people[0];
  assertOk(await pa.c.patch(`/api/v1/projects/${p.id}`, { description: '王家卫导演' }), 200);
  assertOk(await pa.c.post(`/api/v1/projects/${p.id}/partners`, { org_id: C.id, role: 'client' }), 201);
  assertOk(await pa.c.post(url, { user_id: free.id, role: 'viewer' }), 201);
  // ...but gains nothing in the owning organization.
  assertProblem(await pa.c.get(`/api/v1/orgs/${A.id}`), 404, 'not-found');
  // Vendors and clients cannot manage.
  assertProblem(await people[2].c.patch(`/api/v1/projects/${p.id}`, { name: 'x' }), 403, 'forbidden');
  assertProblem(await people[3].c.post(url, { user_id: outsider.id, role: 'viewer' }), 403, 'forbidden');
  // Highest path wins: an org viewer made project admin manages; an org admin made project viewer still manages.
  assertOk(await aOwner.c.post(url, { user_id: aViewer.id, role: 'admin' }), 201);
  assert.deepEqual(await access(aViewer, p.id), { level: 'manage', role: 'admin', via: 'member' });
  assertOk(await aOwner.c.post(url, { user_id: aAdmin.id, role: 'viewer' }), 201);
  assert.deepEqual(await access(aAdmin, p.id), { level: 'manage', role: 'admin', via: 'org' });
  // A partner's viewer made project member edits.
  assertOk(await aOwner.c.post(`/api/v1/projects/${p.id}/partners`, { org_id: B.id, role: 'client' }), 201);
  assertOk(await aOwner.c.post(url, { user_id: bViewer.id, role: 'vendor' }), 201);
  assert.deepEqual(await access(bViewer, p.id), { level: 'edit', role: 'vendor', via: 'member' });
  // Validation and conflicts; nothing added.
  const n = (await walk(aOwner.c, url, 500)).items.length;
  const cases = [
    [{ role: 'viewer' }, ['user_id']],
    [{ user_id: outsider.id }, ['role']],
    [{ user_id: outsider.id, role: 'owner' }, ['role']],
    [{ user_id: outsider.id, email: outsider.email, role: 'viewer' }, ['user_id']],
    [{ email: 'bad', role: 'viewer' }, ['email']],
    [{ user_id: outsider.id, role: 'viewer', until: 'never' }, ['until']],
  ];
  for (const [body, fields] of cases) assertProblem(await aOwner.c.post(url, body), 422, 'validation', { fields });
  assertProblem(await aOwner.c.post(url, { email: 'nobody@example.com', role: 'viewer' }), 422, 'unknown-user', { fields: ['email'] });
  assertProblem(await aOwner.c.post(url, { user_id: people[1].id, role: 'viewer' }), 409, 'already-member');
  assert.equal((await walk(aOwner.c, url, 500)).items.length, n);
  assert.equal(await access(outsider, p.id), null);
  // Paging through the members: 3 per page, each once.
  const walked = await walk(people[4].c, url, 3);
  assert.equal(walked.items.length, n);
  assert.equal(new Set(walked.items.map((m) => m.user_id)).size, n);
  assert.ok(n >= 9 && walked.pages === Math.ceil(n / 3));
});

test('individual members: role changes with If-Match; removal and leaving end access at once', async () => {
  const p = await mkProject(aOwner.c, A.id, '狂飙 The Knockout');
  const url = `/api/v1/projects/${p.id}/members`;
  const [x, y] = await Promise.all([person(srv, 'pm-x', '演员甲'), person(srv, 'pm-y', '演员乙')]);
  assertOk(await aOwner.c.post(url, { user_id: x.id, role: 'client' }), 201);
  assertOk(await aOwner.c.post(url, { user_id: y.id, role: 'member' }), 201);
  assertProblem(await aOwner.c.patch(`${url}/${x.id}`, { role: 'vendor' }, { headers: { 'If-Match': '"3"' } }), 412, 'stale-version');
  assertProblem(await aOwner.c.patch(`${url}/${x.id}`, { role: 'vendor' }, { headers: { 'If-Match': 'x' } }), 400, 'bad-precondition');
  assertProblem(await aOwner.c.patch(`${url}/${x.id}`, { role: 'owner' }), 422, 'validation', { fields: ['role'] });
  assertProblem(await aOwner.c.patch(`${url}/${outsider.id}`, { role: 'vendor' }), 404, 'not-found');
  assertProblem(await y.c.patch(`${url}/${x.id}`, { role: 'vendor' }), 403, 'forbidden');
  assertProblem(await x.c.patch(`${url}/${x.id}`, { role: 'admin' }), 403, 'forbidden');
  assert.deepEqual(await access(x, p.id), { level: 'view', role: 'client', via: 'member' });
  const r = await aOwner.c.patch(`${url}/${x.id}`, { role: 'vendor' }, { headers: { 'If-Match': '"1"' } });
  assertOk(r, 200);
  assert.equal(etag(r), '"2"');
  assert.deepEqual(await access(x, p.id), { level: 'edit', role: 'vendor', via: 'member' });
  assertOk(await aOwner.c.patch(`${url}/${x.id}`, { role: 'viewer' }, { headers: { 'If-Match': '*' } }), 200);
  // Removal: managers remove others; members only themselves.
  assertProblem(await y.c.del(`${url}/${x.id}`), 403, 'forbidden');
  assertProblem(await aOwner.c.del(`${url}/${x.id}`, { headers: { 'If-Match': '"1"' } }), 412, 'stale-version');
  assertOk(await x.c.get(`/api/v1/projects/${p.id}`), 200);
  assertOk(await aOwner.c.del(`${url}/${x.id}`, { headers: { 'If-Match': '"3"' } }), 204);
  assert.equal(await access(x, p.id), null);
  assertProblem(await x.c.get(`/api/v1/events?project_id=${p.id}`), 404, 'not-found');
  assertProblem(await aOwner.c.del(`${url}/${x.id}`), 404, 'not-found');
  assertOk(await y.c.del(`${url}/${y.id}`), 204);
  assert.equal(await access(y, p.id), null);
  const ev = await events(aOwner.c, `project_id=${p.id}&object_type=user`);
  assert.deepEqual(ev.map((e) => `${e.action}:${e.object_id === x.id ? 'x' : 'y'}:${e.actor_id === aOwner.id ? 'owner' : 'self'}`), [
    'project.member.left:y:self', 'project.member.removed:x:owner', 'project.member.updated:x:owner',
    'project.member.updated:x:owner', 'project.member.added:y:owner', 'project.member.added:x:owner',
  ]);
});
