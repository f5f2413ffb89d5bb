// The event feed (GET /api/v1/events, src/auth/events.c): every successful write appends
// exactly one event and a refused one none; who sees what (project events for whoever reaches
// the project, organization events for its members only, personal events for their actor
// only); filters; cursor pagination that walks every event exactly once, newest first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client, signIn } from '../lib/api.mjs';
import {
  assertProblem, assertOk, person, mkOrg, mkProject, addMember, walk, events, sleep, uniq, sql, haveSqlite3, UUID_RE, NIL_UUID,
  stopAll,
} from './helpers.mjs';

let srv, s2, alice, bob, carol, carolMate, dave, A, B, P, Q;
before(async () => {
  // s2: a second server for the long-log test, whose bulk events must not slow the others.
  [srv, s2] = await Promise.all([startServer(), startServer()]);
  [alice, bob, carol, carolMate, dave] = await Promise.all([
    person(srv, 'alice', '王晶 Wong Jing'), person(srv, 'bob', '周星馳 Stephen Chow'),
    person(srv, 'carol', 'Carol 嘉禾'), person(srv, 'carol-mate', '嘉禾同事 Colleague'),
    person(srv, 'dave', 'Dave 路人'),
  ]);
  A = await mkOrg(alice.c, '星辉海外 Star Overseas', 'studio');
  B = await mkOrg(carol.c, '嘉禾 Golden Harvest', 'distributor');
  await addMember(alice.c, A.id, bob.id, 'member');
  await addMember(carol.c, B.id, carolMate.id, 'member');
  P = await mkProject(alice.c, A.id, '功夫 Kung Fu Hustle', { code: 'KFH' });
  Q = await mkProject(alice.c, A.id, '内部项目 Internal');
  assertOk(await alice.c.post(`/api/v1/projects/${P.id}/partners`, { org_id: B.id, role: 'distributor' }), 201);
  assertOk(await alice.c.patch(`/api/v1/projects/${P.id}`, { description: '动作喜剧' }), 200);
});
after(async () => { await stopAll(srv, s2); });


test('events have one shape: ids, times, actor, object, scope, summary and data', async () => {
  const list = await events(alice.c);
  assert.ok(list.length >= 8);
  // The same shape whichever way the feed is read: filtered, paged, by a partner.
  const variants = [
    ...list,
    ...await events(alice.c, `project_id=${P.id}`),
    ...await events(alice.c, `org_id=${A.id}`),
    ...await events(alice.c, `object_id=${P.id}`),
    ...await events(alice.c, 'action=project.created'),
    ...(await walk(alice.c, '/api/v1/events', 2)).items,
    ...await events(carol.c),
    ...await events(carol.c, `project_id=${P.id}`),
  ];
  for (const e of variants) {
    assert.deepEqual(Object.keys(e).sort(), ['action', 'actor_id', 'actor_name', 'at', 'data', 'id', 'object_id', 'object_type', 'org_id', 'project_id', 'seq', 'summary'],
      `event keys of ${e.action}`);
    assert.match(e.id, UUID_RE);
    assert.equal(typeof e.seq, 'number');
    assert.ok(!Number.isNaN(Date.parse(e.at)) && e.at.endsWith('Z'));
    assert.equal(typeof e.summary, 'string');
    assert.ok(e.data === null || typeof e.data === 'object');
  }
  const created = list.find((e) => e.action === 'project.created' && e.object_id === P.id);
  assert.equal(created.actor_id, alice.id);
  assert.equal(created.actor_name, '王晶 Wong Jing');
  assert.equal(created.org_id, A.id);
  assert.equal(created.project_id, P.id);
  assert.equal(created.object_type, 'project');
  assert.match(created.summary, /功夫 Kung Fu Hustle/);
});

test('visibility: partners see the shared project\'s events, not the owner\'s organization; personal events stay personal', async () => {
  const [a, b, c, cm, d] = await Promise.all([alice, bob, carol, carolMate, dave].map((p) => events(p.c)));
  const find = (list, action, obj) => list.filter((e) => e.action === action && e.object_id === obj);
  // Organization A's internal events: alice and bob, nobody else.
  for (const [action, obj] of [['org.created', A.id], ['org.member.added', bob.id]]) {
    assert.equal(find(a, action, obj).length, 1, `alice sees ${action}`);
    assert.equal(find(b, action, obj).length, 1, `bob sees ${action}`);
    assert.equal(find(c, action, obj).length, 0, `carol does not see ${action}`);
    assert.equal(find(cm, action, obj).length, 0);
    assert.equal(find(d, action, obj).length, 0);
  }
  // Project P's events: A's members and every member of partner B.
  for (const [action, obj] of [['project.created', P.id], ['project.partner.added', B.id], ['project.updated', P.id]]) {
    for (const [who, list] of [['alice', a], ['bob', b], ['carol', c], ['carol-mate', cm]]) {
      assert.equal(find(list, action, obj).length, 1, `${who} sees ${action}`);
    }
    assert.equal(find(d, action, obj).length, 0);
  }
  // Project Q is not shared.
  assert.equal(find(a, 'project.created', Q.id).length, 1);
  assert.equal(find(c, 'project.created', Q.id).length, 0);
  assert.ok(!c.some((e) => e.project_id === Q.id));
  // B's internal events are B's.
  assert.equal(find(c, 'org.member.added', carolMate.id).length, 1);
  assert.equal(find(a, 'org.member.added', carolMate.id).length, 0);
  // Personal events (token created by the CLI, account created) only for their actor.
  for (const [p, list] of [[alice, a], [bob, b], [carol, c], [carolMate, cm], [dave, d]]) {
    const personal = list.filter((e) => e.org_id === null && e.project_id === null);
    assert.ok(personal.length >= 2, 'user.created and token.created');
    assert.ok(personal.every((e) => e.actor_id === p.id), 'only own personal events');
  }
  // Dave sees only his own.
  assert.ok(d.every((e) => e.actor_id === dave.id));
  // Nothing seen that the viewer cannot reach.
  for (const e of c) assert.ok(e.project_id === P.id || e.org_id === B.id || e.actor_id === carol.id, JSON.stringify(e));
});

test('every successful write appends exactly one event; refused writes none', async () => {
  const eve = await person(srv, 'eve', '伊芙 Eve');
  const frank = await person(srv, 'frank', '弗兰克 Frank');
  let count = (await events(eve.c)).length;
  const check = async (what, r, status, action) => {
    assert.equal(r.status, status, `${what}: ${r.status} ${r.text}`);
    const list = await events(eve.c);
    assert.equal(list.length, count + (action ? 1 : 0), `${what}: event count`);
    if (action) assert.equal(list[0].action, action, what);
    count = list.length;
    return r.json;
  };
  const c = eve.c;
  const org = await check('create org', await c.post('/api/v1/orgs', { name: '伊芙影视 Eve Pictures', kind: 'studio' }), 201, 'org.created');
  await check('update org', await c.patch(`/api/v1/orgs/${org.id}`, { description: '新' }), 200, 'org.updated');
  await check('stale org update', await c.patch(`/api/v1/orgs/${org.id}`, { description: 'x' }, { headers: { 'If-Match': '"1"' } }), 412, null);
  await check('invalid org update', await c.patch(`/api/v1/orgs/${org.id}`, { kind: 'x' }), 422, null);
  await check('add member', await c.post(`/api/v1/orgs/${org.id}/members`, { user_id: frank.id, role: 'member' }), 201, 'org.member.added');
  await check('add member again', await c.post(`/api/v1/orgs/${org.id}/members`, { user_id: frank.id, role: 'member' }), 409, null);
  await check('change role', await c.patch(`/api/v1/orgs/${org.id}/members/${frank.id}`, { role: 'viewer' }), 200, 'org.member.updated');
  await check('demote last owner', await c.patch(`/api/v1/orgs/${org.id}/members/${eve.id}`, { role: 'admin' }), 409, null);
  await check('remove member', await c.del(`/api/v1/orgs/${org.id}/members/${frank.id}`), 204, 'org.member.removed');
  const inv = await check('invite', await c.post(`/api/v1/orgs/${org.id}/invitations`, { email: `${uniq('guest')}@example.com`, role: 'viewer' }), 201, 'org.invitation.created');
  await check('revoke invitation', await c.del(`/api/v1/orgs/${org.id}/invitations/${inv.id}`), 204, 'org.invitation.revoked');
  await check('revoke invitation again', await c.del(`/api/v1/orgs/${org.id}/invitations/${inv.id}`), 204, null);
  const inv2 = await check('invite again', await c.post(`/api/v1/orgs/${org.id}/invitations`, { email: `${uniq('guest')}@example.com`, role: 'member' }), 201, 'org.invitation.created');
  await check('accept', await new Client(srv.url).post(`/api/v1/invitations/${inv2.token}/accept`, { display_name: '客人 Guest', password: 'guest-password-1' }), 201, 'org.member.joined');
  const p = await check('create project', await c.post('/api/v1/projects', { org_id: org.id, name: '伊芙的项目' }), 201, 'project.created');
  await check('update project', await c.patch(`/api/v1/projects/${p.id}`, { status: 'archived' }), 200, 'project.updated');
  await check('add partner', await c.post(`/api/v1/projects/${p.id}/partners`, { org_id: B.id, role: 'client' }), 201, 'project.partner.added');
  await check('update partner', await c.patch(`/api/v1/projects/${p.id}/partners/${B.id}`, { role: 'vendor' }), 200, 'project.partner.updated');
  await check('remove partner', await c.del(`/api/v1/projects/${p.id}/partners/${B.id}`), 204, 'project.partner.removed');
  await check('add project member', await c.post(`/api/v1/projects/${p.id}/members`, { user_id: frank.id, role: 'client' }), 201, 'project.member.added');
  await check('update project member', await c.patch(`/api/v1/projects/${p.id}/members/${frank.id}`, { role: 'vendor' }), 200, 'project.member.updated');
  await check('remove project member', await c.del(`/api/v1/projects/${p.id}/members/${frank.id}`), 204, 'project.member.removed');
  await check('delete project (stale)', await c.del(`/api/v1/projects/${p.id}`, { headers: { 'If-Match': '"1"' } }), 412, null);
  // The project's own history disappears with it; the deletion is recorded at the organization.
  count -= (await events(c, `project_id=${p.id}`)).length;
  await check('delete project', await c.del(`/api/v1/projects/${p.id}`), 204, 'project.deleted');
  const tok = await check('create token', await c.post('/api/v1/tokens', { name: '脚本 script' }), 201, 'token.created');
  await check('revoke token', await c.del(`/api/v1/tokens/${tok.id}`), 204, 'token.revoked');
  await check('revoke token again', await c.del(`/api/v1/tokens/${tok.id}`), 204, null);
  await check('update profile', await c.patch('/api/v1/users/me', { locale: 'zh-TW' }), 200, 'user.updated');
  await check('failed sign-in', await new Client(srv.url).post('/api/v1/sessions', { email: eve.email, password: 'wrong-password' }), 401, 'user.signin_failed');
  const s = await signIn(srv, eve.email, eve.password);
  const list = await events(c);
  assert.equal(list.length, count + 1);
  assert.equal(list[0].action, 'user.signed_in');
  count = list.length;
  const s2 = await signIn(srv, eve.email, eve.password);
  count += 1;
  const s2id = (await s2.get('/api/v1/sessions')).json.items.find((x) => x.is_current).id;
  await check('end other session', await s.del(`/api/v1/sessions/${s2id}`), 204, 'user.session_ended');
  await check('change password (wrong current)', await s.post('/api/v1/users/me/password', { current_password: 'nope-nope-nope', new_password: 'eve-password-22' }), 422, null);
  await check('change password', await s.post('/api/v1/users/me/password', { current_password: eve.password, new_password: 'eve-password-22' }), 204, 'user.password_changed');
  await check('sign out', await s.del('/api/v1/sessions/current'), 204, 'user.signed_out');
  await check('forbidden write', await eve.c.patch(`/api/v1/projects/${P.id}`, { name: 'x' }), 404, null);
  // And nobody else saw eve's personal events.
  const others = await events(alice.c);
  assert.ok(!others.some((e) => e.actor_id === eve.id && e.org_id === null));
});

test('project deletion is recorded at the organization: its members see it, former partners do not', async () => {
  const p = await mkProject(alice.c, A.id, '临时 Temporary');
  assertOk(await alice.c.post(`/api/v1/projects/${p.id}/partners`, { org_id: B.id, role: 'co-producer' }), 201);
  assert.ok((await events(carol.c, `project_id=${p.id}`)).length >= 2);
  assertOk(await alice.c.del(`/api/v1/projects/${p.id}`), 204);
  const bobSees = (await events(bob.c, `object_id=${p.id}`)).map((e) => e.action);
  assert.ok(bobSees.includes('project.deleted'));
  assert.ok(!(await events(carol.c, `object_id=${p.id}`)).some((e) => e.action === 'project.deleted'));
  assert.deepEqual(await events(carol.c, `object_id=${p.id}`), [], 'the project\'s history is gone with it for partners');
  assertProblem(await carol.c.get(`/api/v1/events?project_id=${p.id}`), 404, 'not-found');
});

test('a removed partner stops seeing the project\'s events at once', async () => {
  const p = await mkProject(alice.c, A.id, '合拍片 Co-production');
  assertOk(await alice.c.post(`/api/v1/projects/${p.id}/partners`, { org_id: B.id, role: 'co-producer' }), 201);
  assert.ok((await events(carolMate.c, `project_id=${p.id}`)).length >= 2);
  assertOk(await carol.c.del(`/api/v1/projects/${p.id}/partners/${B.id}`), 204);
  assertProblem(await carolMate.c.get(`/api/v1/events?project_id=${p.id}`), 404, 'not-found');
  assert.ok(!(await events(carolMate.c)).some((e) => e.project_id === p.id));
});

test('filters: project, organization, object, type, actor, action, since; invalid values 400', async () => {
  // Compared by id: the shape is the first test's business.
  const idsOf = (list) => list.map((e) => e.id);
  const all = await events(alice.c);
  const byProject = await events(alice.c, `project_id=${P.id}`);
  assert.deepEqual(idsOf(byProject), idsOf(all.filter((e) => e.project_id === P.id)));
  assert.ok(byProject.length >= 3);
  const byOrg = await events(alice.c, `org_id=${A.id}`);
  assert.deepEqual(idsOf(byOrg), idsOf(all.filter((e) => e.org_id === A.id)));
  const byObject = await events(alice.c, `object_id=${bob.id}`);
  assert.deepEqual(idsOf(byObject), idsOf(all.filter((e) => e.object_id === bob.id)));
  const byType = await events(alice.c, 'object_type=org');
  assert.deepEqual(idsOf(byType), idsOf(all.filter((e) => e.object_type === 'org')));
  const byActor = await events(carol.c, `actor_id=${alice.id}`);
  assert.ok(byActor.length >= 3 && byActor.every((e) => e.actor_id === alice.id && e.project_id === P.id));
  const byAction = await events(alice.c, 'action=project.created');
  assert.deepEqual(idsOf(byAction), idsOf(all.filter((e) => e.action === 'project.created')));
  const combo = await events(alice.c, `project_id=${P.id}&action=project.updated&actor_id=${alice.id}`);
  assert.deepEqual(idsOf(combo), idsOf(all.filter((e) => e.project_id === P.id && e.action === 'project.updated' && e.actor_id === alice.id)));
  assert.equal(combo.length, 1);
  // since: inclusive lower bound on the time.
  await sleep(5);
  const t = new Date().toISOString();
  await sleep(5);
  assertOk(await alice.c.patch(`/api/v1/projects/${Q.id}`, { description: '之后 later' }), 200);
  const recent = await events(alice.c, `since=${encodeURIComponent(t)}`);
  assert.deepEqual(recent.map((e) => e.action), ['project.updated']);
  assert.deepEqual(await events(alice.c, `since=${encodeURIComponent('2999-01-01T00:00:00Z')}`), []);
  assert.equal((await events(alice.c, 'since=2000-01-01T00:00:00Z')).length, all.length + 1);
  // Filtering by another organization reveals nothing.
  assert.deepEqual(await events(dave.c, `org_id=${A.id}`), []);
  assert.deepEqual(await events(dave.c, `actor_id=${alice.id}`), []);
  assertProblem(await dave.c.get(`/api/v1/events?project_id=${P.id}`), 404, 'not-found');
  assertProblem(await dave.c.get(`/api/v1/events?project_id=${NIL_UUID}`), 404, 'not-found');
  // Invalid values.
  for (const q of ['org_id=abc', 'project_id=abc', 'object_id=1', 'actor_id=%20', 'since=yesterday', 'since=2024-13-45T00:00:00Z',
    `action=${'a'.repeat(65)}`, `object_type=${'t'.repeat(65)}`, 'cursor=abc', 'cursor=MA', 'cursor=LTE', 'limit=0', 'limit=501', 'kind=x']) {
    assertProblem(await alice.c.get(`/api/v1/events?${q}`), 400, 'bad-query');
  }
});

test('pagination walks every event once, newest first, even while new events arrive', async () => {
  const full = (await alice.c.get('/api/v1/events?limit=500')).json;
  assert.equal(full.next_cursor, null);
  const seqs = full.items.map((e) => e.seq);
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] < seqs[i - 1], 'newest first, by commit order');
  const walked = await walk(alice.c, '/api/v1/events', 3);
  assert.deepEqual(walked.items.map((e) => e.id), full.items.map((e) => e.id));
  assert.equal(walked.pages, Math.ceil(full.items.length / 3));
  // New events during a walk do not shift the pages already promised.
  const first = (await alice.c.get('/api/v1/events?limit=4')).json;
  assertOk(await alice.c.patch(`/api/v1/projects/${Q.id}`, { description: '翻页中 during paging' }), 200);
  assertOk(await alice.c.post('/api/v1/tokens', { name: '翻页 token' }), 201);
  const rest = await walk(alice.c, '/api/v1/events', 5, { cursor: first.next_cursor });
  assert.deepEqual([...first.items, ...rest.items].map((e) => e.id), full.items.map((e) => e.id));
  // Filtered walks page too.
  const pw = await walk(carol.c, `/api/v1/events?project_id=${P.id}`, 1);
  assert.deepEqual(pw.items.map((e) => e.id), (await carol.c.get(`/api/v1/events?project_id=${P.id}&limit=500`)).json.items.map((e) => e.id));
  assert.equal(new Set(pw.items.map((e) => e.id)).size, pw.items.length);
});

test('the feed pages every event once when a caller\'s events lie beyond the most recent thousands',
  { skip: !(await haveSqlite3()) && 'needs the sqlite3 tool' }, async () => {
    // A quiet user's events, then 5000 events of another organization (written straight into
    // the database: set-up only), then a few more of the quiet user's.
    const [quiet, busy] = await Promise.all([person(s2, 'quiet', '安静 Quiet'), person(s2, 'busy', '忙碌 Busy')]);
    const qo = await mkOrg(quiet.c, '小工作室 Small Studio', 'studio');
    const qp = await mkProject(quiet.c, qo.id, '独立电影 Indie');
    for (let i = 0; i < 4; i++) assertOk(await quiet.c.patch(`/api/v1/projects/${qp.id}`, { description: `第${i}版` }), 200);
    const bo = await mkOrg(busy.c, '大公司 Big Company', 'platform');
    await sql(s2, s2.engine === 'postgres'
      ? `INSERT INTO event (id, at, actor_id, action, object_type, object_id, org_id, project_id, body)
      SELECT x.id, x.at, '${busy.id}', 'org.updated', 'org', '${bo.id}', '${bo.id}', NULL,
        substr(json_build_object('id', x.id, 'at', x.at, 'actor_id', '${busy.id}', 'actor_name', 'Busy',
          'action', 'org.updated', 'object_type', 'org', 'object_id', '${bo.id}', 'org_id', '${bo.id}',
          'project_id', NULL, 'summary', 'bulk ' || i, 'data', NULL)::text, 2)
      FROM generate_series(1, 5000) i, LATERAL (SELECT lpad(to_hex(i), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(i), 12, '0') AS id,
        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at) x`
      : `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
      INSERT INTO event (id, at, actor_id, action, object_type, object_id, org_id, project_id, body)
      SELECT printf('%08x-0000-7000-8000-%012x', i, i), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '${busy.id}',
        'org.updated', 'org', '${bo.id}', '${bo.id}', NULL,
        substr(json_object('id', printf('%08x-0000-7000-8000-%012x', i, i), 'at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
          'actor_id', '${busy.id}', 'actor_name', 'Busy', 'action', 'org.updated', 'object_type', 'org',
          'object_id', '${bo.id}', 'org_id', '${bo.id}', 'project_id', NULL, 'summary', 'bulk ' || i, 'data', NULL), 2)
      FROM n`);
    for (let i = 0; i < 3; i++) assertOk(await quiet.c.patch(`/api/v1/projects/${qp.id}`, { description: `之后${i}` }), 200);
    const full = assertOk(await quiet.c.get('/api/v1/events?limit=500'), 200);
    assert.equal(full.next_cursor, null);
    assert.equal(full.items.length, 11, 'user.created, token.created, org.created, project.created and 7 updates');
    assert.ok(full.items.every((e) => e.actor_id === quiet.id), 'none of the other organization\'s');
    const pages = [];
    for (const size of [1, 3, 5]) {
      const w = await walk(quiet.c, '/api/v1/events', size);
      assert.deepEqual(w.items.map((e) => e.id), full.items.map((e) => e.id), `pages of ${size}`);
      pages.push(...w.items);
    }
    const byProject = await walk(quiet.c, `/api/v1/events?project_id=${qp.id}`, 2);
    assert.equal(byProject.items.length, 8);
    const busyAll = await walk(busy.c, '/api/v1/events', 500);
    assert.ok(busyAll.items.length >= 5002);
    assert.equal(new Set(busyAll.items.map((e) => e.id)).size, busyAll.items.length);
    assert.ok(!busyAll.items.some((e) => e.org_id === qo.id));
    // One shape however the page was assembled.
    for (const e of [...pages, ...full.items]) {
      assert.ok('data' in e && !('data_json' in e), `shape of ${e.action} (seq ${e.seq}): ${Object.keys(e)}`);
    }
  });
