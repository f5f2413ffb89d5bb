// ETag / If-Match on every PATCH and DELETE of a versioned object: a stale tag answers 412
// stale-version and changes nothing, a weak tag never matches, a malformed header answers 400
// bad-precondition, "*" and a list holding the current tag match, and a successful write moves
// the ETag on. (Sessions, tokens and invitations have no versions: their DELETEs are checked
// in auth.test.mjs and invitations.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg, mkProject, addMember, walk, etag } from './helpers.mjs';

let srv, owner, org, project;
before(async () => {
  srv = await startServer();
  owner = await person(srv, 'etag-owner', '版本 Versions');
  org = await mkOrg(owner.c, '版本控制影业 Version Films', 'studio');
  project = await mkProject(owner.c, org.id, '乐观锁 Optimistic Lock');
});
after(async () => { await srv.stop(); });

const MALFORMED = (v) => [`${v}`, `"${v}`, 'abc', `"${v + 1}" trailing`, `trailing "${v}"`, `W/${v}`, '**', ','];

/**
 * A versioned object: read() -> { version, state } (state compared for "nothing changed"),
 * patch(ifMatch) -> response, or del(ifMatch) -> response.
 */
async function checkPatch(name, obj) {
  const { version: v, state } = await obj.read();
  const unchanged = async (why) => assert.deepEqual((await obj.read()).state, state, `${name}: ${why} changed nothing`);
  const stale = await obj.patch(`"${v + 1}"`);
  assertProblem(stale, 412, 'stale-version', { detail: new RegExp(`version ${v}\\b`) });
  await unchanged('a stale tag');
  assertProblem(await obj.patch(`"${v - 1}"`), 412, 'stale-version');
  assertProblem(await obj.patch(`W/"${v}"`), 412, 'stale-version');
  await unchanged('a weak tag');
  for (const bad of MALFORMED(v)) assertProblem(await obj.patch(bad), 400, 'bad-precondition');
  await unchanged('a malformed If-Match');
  const a = await obj.patch('*');
  assertOk(a, 200);
  assert.equal(etag(a), `"${v + 1}"`, `${name}: ETag after *`);
  assert.equal((await obj.read()).version, v + 1);
  assertProblem(await obj.patch(`"${v}"`), 412, 'stale-version');
  const b = await obj.patch(`"${v + 7}", W/"${v + 1}", "${v + 1}"`);
  assertOk(b, 200);
  assert.equal(etag(b), `"${v + 2}"`);
  const c = await obj.patch(`"${v + 2}"`);
  assertOk(c, 200);
  assert.equal(etag(c), `"${v + 3}"`);
}

async function checkDelete(name, make) {
  // One instance deleted with its exact tag after the refusals, one with *.
  const obj = await make();
  const { version: v, state } = await obj.read();
  assertProblem(await obj.del(`"${v + 1}"`), 412, 'stale-version');
  assertProblem(await obj.del(`W/"${v}"`), 412, 'stale-version');
  for (const bad of MALFORMED(v)) assertProblem(await obj.del(bad), 400, 'bad-precondition');
  assert.deepEqual((await obj.read()).state, state, `${name}: refused deletes changed nothing`);
  assertOk(await obj.del(`"${v}"`), 204);
  assert.equal(await obj.read().catch(() => null), null, `${name} is gone`);
  const other = await make();
  assertOk(await other.del('*'), 204);
  assert.equal(await other.read().catch(() => null), null, `${name} is gone after *`);
}

const headers = (ifMatch) => ({ headers: { 'If-Match': ifMatch } });

/** Read one item of a list by a key, or throw when it is not there. */
async function item(path, key, id) {
  const found = (await walk(owner.c, path, 500)).items.find((x) => x[key] === id);
  if (!found) throw new Error('gone');
  return { version: found.version, state: found };
}

async function readObject(path) {
  const r = await owner.c.get(path);
  if (r.status === 404) throw new Error('gone');
  assertOk(r, 200);
  assert.equal(etag(r), `"${r.json.version}"`, `GET ${path} carries the ETag`);
  const { version, ...state } = r.json;
  return { version, state: { ...state, version } };
}

test('PATCH /users/me', async () => {
  let n = 0;
  await checkPatch('profile', {
    read: () => readObject('/api/v1/users/me').then(({ version, state }) => ({ version, state: { name: state.display_name, version } })),
    patch: (m) => owner.c.patch('/api/v1/users/me', { display_name: `名字 ${++n}` }, headers(m)),
  });
});

test('PATCH /orgs/{id}', async () => {
  let n = 0;
  await checkPatch('organization', {
    read: () => readObject(`/api/v1/orgs/${org.id}`),
    patch: (m) => owner.c.patch(`/api/v1/orgs/${org.id}`, { description: `简介 ${++n}` }, headers(m)),
  });
});

test('PATCH and DELETE /orgs/{id}/members/{user_id}', async () => {
  const m = await person(srv, 'etag-member', '成员');
  await addMember(owner.c, org.id, m.id, 'member');
  const roles = ['viewer', 'member'];
  let n = 0;
  const path = `/api/v1/orgs/${org.id}/members`;
  await checkPatch('org member', {
    read: () => item(path, 'user_id', m.id),
    patch: (h) => owner.c.patch(`${path}/${m.id}`, { role: roles[n++ % 2] }, headers(h)),
  });
  await checkDelete('org member', async () => {
    const p = await person(srv, 'etag-leaver', '离开');
    await addMember(owner.c, org.id, p.id, 'viewer');
    return { read: () => item(path, 'user_id', p.id), del: (h) => owner.c.del(`${path}/${p.id}`, headers(h)) };
  });
});

test('PATCH and DELETE /projects/{id}', async () => {
  let n = 0;
  await checkPatch('project', {
    read: () => readObject(`/api/v1/projects/${project.id}`),
    patch: (m) => owner.c.patch(`/api/v1/projects/${project.id}`, { description: `第${++n}稿` }, headers(m)),
  });
  await checkDelete('project', async () => {
    const p = await mkProject(owner.c, org.id, '要删除的 To delete');
    return { read: () => readObject(`/api/v1/projects/${p.id}`), del: (h) => owner.c.del(`/api/v1/projects/${p.id}`, headers(h)) };
  });
});

test('PATCH and DELETE /projects/{id}/partners/{org_id}', async () => {
  const other = await person(srv, 'etag-partner', '伙伴');
  const path = `/api/v1/projects/${project.id}/partners`;
  const po = await mkOrg(other.c, '合作方 Partner Co', 'agency');
  assertOk(await owner.c.post(path, { org_id: po.id, role: 'client' }), 201);
  const roles = ['vendor', 'client'];
  let n = 0;
  await checkPatch('partner', {
    read: () => item(path, 'org_id', po.id),
    patch: (m) => owner.c.patch(`${path}/${po.id}`, { role: roles[n++ % 2] }, headers(m)),
  });
  await checkDelete('partner', async () => {
    const o = await mkOrg(other.c, `临时伙伴 ${Math.random()}`, 'agency');
    assertOk(await owner.c.post(path, { org_id: o.id, role: 'distributor' }), 201);
    return { read: () => item(path, 'org_id', o.id), del: (h) => owner.c.del(`${path}/${o.id}`, headers(h)) };
  });
});

test('PATCH and DELETE /projects/{id}/members/{user_id}', async () => {
  const path = `/api/v1/projects/${project.id}/members`;
  const m = await person(srv, 'etag-pm', '项目成员');
  assertOk(await owner.c.post(path, { user_id: m.id, role: 'client' }), 201);
  const roles = ['vendor', 'client'];
  let n = 0;
  await checkPatch('project member', {
    read: () => item(path, 'user_id', m.id),
    patch: (h) => owner.c.patch(`${path}/${m.id}`, { role: roles[n++ % 2] }, headers(h)),
  });
  await checkDelete('project member', async () => {
    const p = await person(srv, 'etag-pm-leaver', '离组');
    assertOk(await owner.c.post(path, { user_id: p.id, role: 'viewer' }), 201);
    return { read: () => item(path, 'user_id', p.id), del: (h) => owner.c.del(`${path}/${p.id}`, headers(h)) };
  });
});

test('concurrent writers with the same If-Match: exactly one wins, the others get 412', async () => {
  const p = await mkProject(owner.c, org.id, '竞争 Race');
  const rs = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    owner.c.patch(`/api/v1/projects/${p.id}`, { description: `写者 ${i}` }, headers('"1"'))));
  const won = rs.filter((r) => r.status === 200);
  assert.equal(won.length, 1, rs.map((r) => r.status).join(','));
  for (const r of rs.filter((x) => x.status !== 200)) assertProblem(r, 412, 'stale-version');
  const now = assertOk(await owner.c.get(`/api/v1/projects/${p.id}`), 200);
  assert.equal(now.version, 2);
  assert.equal(now.description, won[0].json.description);
  const ev = (await walk(owner.c, `/api/v1/events?project_id=${p.id}&action=project.updated`, 50)).items;
  assert.equal(ev.length, 1, 'one update event');
});
