// Idempotency-Key on creates (src/store/idempotency.c, src/http/server.c): a retried POST
// answers what the first attempt answered (Idempotent-Replayed: true) and creates nothing
// more; the same key with another body or path is a 409; keys are per user; failed attempts
// do not use up a key; malformed keys answer 400; concurrent retries create one object.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/api.mjs';
import {
  assertProblem, assertOk, person, mkOrg, mkProject, walk, etag, uniq, run, haveSqlite3, rawRequest, dumpDatabase,
} from './helpers.mjs';

let srv, alice, bob, org, project;
before(async () => {
  srv = await startServer();
  [alice, bob] = await Promise.all([person(srv, 'idem-alice', '阿丽 Alice'), person(srv, 'idem-bob', '阿宝 Bob')]);
  org = await mkOrg(alice.c, '幂等影业 Idempotent Pictures', 'studio');
  project = await mkProject(alice.c, org.id, '重试 Retry');
});
after(async () => { await srv.stop(); });

const key = (k) => ({ headers: { 'Idempotency-Key': k } });
const count = async (c, path) => (await walk(c, path, 500)).items.length;

function assertReplay(first, again) {
  assert.equal(again.status, first.status, again.text);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(first.headers.get('idempotent-replayed'), null);
  assert.deepEqual(again.json, first.json);
  assert.equal(again.headers.get('location'), first.headers.get('location'));
  assert.match(again.headers.get('content-type'), /^application\/json/);
}

test('a retried create answers the same and creates one organization', async () => {
  const n = await count(alice.c, '/api/v1/orgs');
  const k = uniq('org-key');
  const body = { name: '重试影业 Retry Films', kind: 'studio' };
  const first = await alice.c.post('/api/v1/orgs', body, key(k));
  assertOk(first, 201);
  const again = await alice.c.post('/api/v1/orgs', body, key(k));
  assertReplay(first, again);
  const third = await alice.c.post('/api/v1/orgs', body, key(k));
  assertReplay(first, third);
  assert.equal(await count(alice.c, '/api/v1/orgs'), n + 1);
  const ev = (await walk(alice.c, `/api/v1/events?object_id=${first.json.id}`, 500)).items;
  assert.equal(ev.length, 1, 'one event');
});

test('the replay carries the ETag of the original response', async () => {
  const k = uniq('etag-key');
  const first = await alice.c.post('/api/v1/orgs', { name: 'ETag 影业', kind: 'agency' }, key(k));
  assertOk(first, 201);
  assert.equal(etag(first), '"1"');
  const again = await alice.c.post('/api/v1/orgs', { name: 'ETag 影业', kind: 'agency' }, key(k));
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(etag(again), etag(first));
});

test('every create route replays instead of creating twice', async () => {
  const member = await person(srv, 'idem-member', '成员');
  const partner = await mkOrg(bob.c, uniq('伙伴 Partner'), 'distributor');
  const creates = [
    ['/api/v1/projects', { org_id: org.id, name: '项目 Project' }, '/api/v1/projects'],
    [`/api/v1/orgs/${org.id}/members`, { user_id: member.id, role: 'viewer' }, `/api/v1/orgs/${org.id}/members`],
    [`/api/v1/projects/${project.id}/partners`, { org_id: partner.id, role: 'client' }, `/api/v1/projects/${project.id}/partners`],
    [`/api/v1/projects/${project.id}/members`, { user_id: bob.id, role: 'viewer' }, `/api/v1/projects/${project.id}/members`],
    [`/api/v1/orgs/${org.id}/invitations`, { email: `${uniq('inv')}@example.com`, role: 'member' }, `/api/v1/orgs/${org.id}/invitations`],
    ['/api/v1/tokens', { name: '令牌 token' }, '/api/v1/tokens'],
  ];
  for (const [path, body, list] of creates) {
    const n = await count(alice.c, list);
    const k = uniq('k');
    const first = await alice.c.post(path, body, key(k));
    assertOk(first, 201);
    const again = await alice.c.post(path, body, key(k));
    assertReplay(first, again);
    assert.equal(await count(alice.c, list), n + 1, path);
  }
});

test('the same key with another body or another path answers 409 idempotency-key-reused', async () => {
  const n = await count(alice.c, '/api/v1/orgs');
  const np = await count(alice.c, '/api/v1/projects');
  const k = uniq('reuse');
  assertOk(await alice.c.post('/api/v1/orgs', { name: '第一 First', kind: 'studio' }, key(k)), 201);
  assertProblem(await alice.c.post('/api/v1/orgs', { name: '第二 Second', kind: 'studio' }, key(k)), 409, 'idempotency-key-reused');
  // Semantically equal but different bytes is a different request too.
  assertProblem(await alice.c.req('POST', '/api/v1/orgs', { body: '{"kind":"studio","name":"第一 First"}', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': k } }), 409, 'idempotency-key-reused');
  assertProblem(await alice.c.post('/api/v1/projects', { org_id: org.id, name: '第一 First' }, key(k)), 409, 'idempotency-key-reused');
  assert.equal(await count(alice.c, '/api/v1/orgs'), n + 1);
  assert.equal(await count(alice.c, '/api/v1/projects'), np);
});

test('keys are per user: the same key and body from another user creates their own', async () => {
  const k = uniq('shared');
  const body = { name: '各自 Separate', kind: 'school' };
  const a = await alice.c.post('/api/v1/orgs', body, key(k));
  const b = await bob.c.post('/api/v1/orgs', body, key(k));
  assertOk(a, 201);
  assertOk(b, 201);
  assert.equal(b.headers.get('idempotent-replayed'), null);
  assert.notEqual(a.json.id, b.json.id);
  assert.equal(b.json.my_role, 'owner');
  assertProblem(await bob.c.get(`/api/v1/orgs/${a.json.id}`), 404, 'not-found');
  // The same user through a session and a token shares the key space.
  const s = new Client(srv.url);
  const r = await s.post('/api/v1/sessions', { email: alice.email, password: alice.password });
  s.csrf = r.json.csrf_token;
  assertReplay(a, await s.post('/api/v1/orgs', body, key(k)));
});

test('a failed attempt does not use up its key', async () => {
  const k = uniq('retry-after-fix');
  assertProblem(await alice.c.post('/api/v1/orgs', { name: '', kind: 'studio' }, key(k)), 422, 'validation', { fields: ['name'] });
  assertProblem(await alice.c.post('/api/v1/orgs', { name: '', kind: 'studio' }, key(k)), 422, 'validation');
  const ok = await alice.c.post('/api/v1/orgs', { name: '修好了 Fixed', kind: 'studio' }, key(k));
  assertOk(ok, 201);
  assert.equal(ok.headers.get('idempotent-replayed'), null);
  // A refused request (403) does not either.
  const viewerOrg = await mkOrg(bob.c, uniq('只读 Read-only'), 'studio');
  assertOk(await bob.c.post(`/api/v1/orgs/${viewerOrg.id}/members`, { user_id: alice.id, role: 'viewer' }), 201);
  const k2 = uniq('forbidden');
  assertProblem(await alice.c.post('/api/v1/projects', { org_id: viewerOrg.id, name: '不行' }, key(k2)), 403, 'forbidden');
  assertOk(await alice.c.post('/api/v1/projects', { org_id: org.id, name: '可以' }, key(k2)), 201);
});

test('malformed keys answer 400 bad-idempotency-key; keys on other methods are ignored', async () => {
  const n = await count(alice.c, '/api/v1/orgs');
  let sent = 0;
  for (const k of ['has space', 'x'.repeat(256), 'tab\tkey', '中文', 'del\x7f']) {
    const r = await alice.c.post('/api/v1/orgs', { name: '坏键 Bad key', kind: 'studio' }, key(k)).catch(() => null);
    if (r === null) continue; // fetch refuses to send some header values at all
    sent += 1;
    assertProblem(r, 400, 'bad-idempotency-key');
  }
  assert.ok(sent >= 3, `${sent} malformed keys sent`);
  const raw = await rawRequest(srv.url, { method: 'POST', path: '/api/v1/orgs', headers: { Authorization: `Bearer ${alice.c.token}`, 'Content-Type': 'application/json', 'Idempotency-Key': Buffer.from('中文', 'utf8').toString('latin1') }, body: JSON.stringify({ name: '坏键', kind: 'studio' }) });
  assertProblem(raw, 400, 'bad-idempotency-key');
  assert.equal(await count(alice.c, '/api/v1/orgs'), n);
  assertOk(await alice.c.post('/api/v1/orgs', { name: '长键 Long key', kind: 'studio' }, key('k'.repeat(255))), 201);
  // PATCH with a key: applied each time (PATCH is not replayed).
  const k = uniq('patch');
  const p1 = await alice.c.patch(`/api/v1/projects/${project.id}`, { description: '一' }, key(k));
  const p2 = await alice.c.patch(`/api/v1/projects/${project.id}`, { description: '一' }, key(k));
  assertOk(p1, 200);
  assertOk(p2, 200);
  assert.equal(p2.headers.get('idempotent-replayed'), null);
  assert.equal(p2.json.version, p1.json.version + 1);
});

test('concurrent retries with one key create one object', async () => {
  const n = await count(alice.c, '/api/v1/projects');
  const k = uniq('race');
  const body = { org_id: org.id, name: '并发 Concurrent' };
  const rs = await Promise.all(Array.from({ length: 8 }, () => alice.c.post('/api/v1/projects', body, key(k))));
  for (const r of rs) assert.equal(r.status, 201, r.text);
  assert.equal(new Set(rs.map((r) => r.json.id)).size, 1);
  assert.equal(rs.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 7);
  assert.equal(await count(alice.c, '/api/v1/projects'), n + 1);
});

test('a token created with an Idempotency-Key is not kept in plain text in the database',
  { skip: !(await haveSqlite3()) && 'needs the sqlite3 tool' }, async () => {
    const r = await alice.c.post('/api/v1/tokens', { name: '保密 secret' }, key(uniq('tok')));
    assertOk(r, 201);
    const stdout = await dumpDatabase(srv);
    assert.ok(stdout.includes('CREATE TABLE'), 'dump worked');
    assert.ok(!stdout.includes(r.json.token), 'the API token appears in plain text in the database');
    const inv = await alice.c.post(`/api/v1/orgs/${org.id}/invitations`, { email: `${uniq('secret')}@example.com`, role: 'member' }, key(uniq('inv')));
    assertOk(inv, 201);
    const dump2 = await dumpDatabase(srv);
    assert.ok(!dump2.includes(inv.json.token), 'the invitation token appears in plain text in the database');
  });
