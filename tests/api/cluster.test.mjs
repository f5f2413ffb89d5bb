// Two servers on one PostgreSQL database and one data folder, as behind a load balancer:
// nothing a request relies on may live in one process. Sessions, sign-in throttling,
// If-Match versions and Idempotency-Keys work across servers; every queued job is done
// exactly once although both servers' workers claim from the same queue; the event feed
// never shows an event below one it has already shown (seq follows commit order).
// Runs only on PostgreSQL (scripts/test api-pg): SQLite is one machine's database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, ENGINE } from '../lib/server.mjs';
import { Client, signIn, addUser } from '../lib/api.mjs';
import {
  assertOk, assertProblem, person, mkOrg, etag, uniq, waitFor, outbox, sql, stopAll, sleep, run,
} from './helpers.mjs';

const skip = ENGINE !== 'postgres' && 'needs PostgreSQL (MSTATION_TEST_PG)';
const settings = { signin_max_failures: 3, signin_lock: '30s', trust_proxy: 'true', workers: 2 };
let a, b;
before(async () => {
  if (skip) return;
  a = await startServer({ settings });
  b = await startServer({ settings, share: a });
});
after(async () => { if (!skip) await stopAll(a, b); });

/** The same credentials pointed at the other server. */
const via = (c, srv) => Object.assign(new Client(srv.url), { token: c.token, cookie: c.cookie, csrf: c.csrf });

test('a session made on one server works on the other, and ends on both', { skip }, async () => {
  const u = await addUser(a, `${uniq('roam')}@example.com`, { name: '张艺谋 Zhang Yimou' });
  const onA = await signIn(a, u.email, u.password);
  const onB = via(onA, b);
  assert.equal(assertOk(await onB.get('/api/v1/users/me'), 200).email, u.email);
  // A cookie write on B with the CSRF token A issued.
  const org = assertOk(await onB.post('/api/v1/orgs', { name: `跨服 ${uniq('o')}`, kind: 'studio' }), 201);
  assert.equal(assertOk(await onA.get(`/api/v1/orgs/${org.id}`), 200).name, org.name);
  assertOk(await onB.del('/api/v1/sessions/current'), 204);
  assertProblem(await onA.get('/api/v1/users/me'), 401, 'invalid-credentials');
});

test('sign-in failures count across servers: the lock holds on both', { skip }, async () => {
  const u = await addUser(a, `${uniq('guess')}@example.com`);
  const ip = '198.51.100.77';
  const attempt = (srv, password) => new Client(srv.url).post('/api/v1/sessions', { email: u.email, password },
    { headers: { 'X-Forwarded-For': ip } });
  assertProblem(await attempt(a, 'wrong-password-1'), 401, 'invalid-credentials');
  assertProblem(await attempt(b, 'wrong-password-2'), 401, 'invalid-credentials');
  assertProblem(await attempt(a, 'wrong-password-3'), 401, 'invalid-credentials');
  assertProblem(await attempt(b, u.password), 429, 'signin-locked');
  assertProblem(await attempt(a, u.password), 429, 'signin-locked');
});

test('If-Match and Idempotency-Key hold across servers', { skip }, async () => {
  const p = await person(a, 'owner', '王家卫 Wong Kar-wai');
  const pb = via(p.c, b);
  const org = await mkOrg(p.c, '泽东电影 Jet Tone', 'studio');
  const got = await p.c.get(`/api/v1/orgs/${org.id}`);
  const v1 = etag(got);
  assertOk(await pb.patch(`/api/v1/orgs/${org.id}`, { description: 'B first' }, { headers: { 'If-Match': v1 } }), 200);
  assertProblem(await p.c.patch(`/api/v1/orgs/${org.id}`, { description: 'A stale' }, { headers: { 'If-Match': v1 } }),
    412, 'stale-version');
  const key = { headers: { 'Idempotency-Key': uniq('k') } };
  const body = { org_id: org.id, name: '花样年华 In the Mood' };
  const first = assertOk(await p.c.post('/api/v1/projects', body, key), 201);
  const again = await pb.post('/api/v1/projects', body, key);
  assert.equal(assertOk(again, 201).id, first.id);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
});

test('every job is done exactly once by the two servers\' workers', { skip }, async () => {
  const p = await person(a, 'inviter', '李安 Ang Lee');
  const org = await mkOrg(p.c, '中影 CFG', 'studio');
  const pb = via(p.c, b);
  const before = (await outbox(a)).length;
  const n = 30;
  // 30 writers on one organization at once: PostgreSQL may still refuse one after the server's
  // own retries (503 serialization-conflict, "try again"); a client then tries again, as here.
  const invite = async (c) => {
    const body = { email: `${uniq('inv')}@example.com`, role: 'member' };
    for (let k = 0; ; k++) {
      const r = await c.post(`/api/v1/orgs/${org.id}/invitations`, body);
      if (r.status !== 503 || k === 4) return r;
      assert.equal(r.json.type, 'urn:mstation:problem:serialization-conflict', r.text);
      await sleep(50 * (k + 1));
    }
  };
  const rs = await Promise.all(Array.from({ length: n }, (_, i) => invite(i % 2 ? pb : p.c)));
  for (const r of rs) assertOk(r, 201);
  await waitFor(async () => Number(await sql(a,
    "SELECT count(*) FROM job WHERE kind = 'mail.send' AND state <> 'done'")) === 0, 20000, 'all mail jobs done');
  const ids = (await sql(a, "SELECT id FROM job WHERE kind = 'mail.send' ORDER BY id")).split('\n');
  assert.ok(ids.length >= n);
  // Each job ran once: one "job done" line in one of the two servers' logs, one attempt.
  const runs = [...a.logs, ...b.logs].filter((l) => l.msg === 'job done' && l.kind === 'mail.send');
  const per = new Map();
  for (const l of runs) per.set(l.job_id, (per.get(l.job_id) || 0) + 1);
  for (const id of ids) assert.equal(per.get(id), 1, `job ${id} ran ${per.get(id) || 0} times`);
  assert.equal(await sql(a, "SELECT count(*) FROM job WHERE kind = 'mail.send' AND attempts <> 1"), '0');
  assert.equal((await outbox(a)).length - before, n, 'one mail per invitation');
});

test('the feed never reveals an event below one it has shown (seq follows commit order)', { skip }, async () => {
  const p = await person(a, 'writer', '贾樟柯 Jia Zhangke');
  const org = await mkOrg(p.c, '西河星汇 Xstream', 'studio');
  const pb = via(p.c, b);
  const watcher = via(p.c, b);
  let done = false;
  const seen = new Set();
  let high = 0;
  const violations = [];
  const watch = (async () => {
    while (!done) {
      const page = assertOk(await watcher.get(`/api/v1/events?org_id=${org.id}&limit=200`), 200);
      for (const e of page.items) {
        if (seen.has(e.seq)) continue;
        if (e.seq < high) violations.push(`seq ${e.seq} appeared after ${high}`);
        seen.add(e.seq);
      }
      high = Math.max(high, ...page.items.map((e) => e.seq), 0);
      await sleep(2);
    }
  })();
  // A slow writer that follows the servers' protocol (the event-log lock, DB_LOCK_EVENT_LOG
  // in store/db.h, then the insert) and takes a second to commit: the servers' writes meanwhile
  // must wait for it rather than commit events with higher seqs first.
  const id = '00000000-0000-7000-8000-' + Date.now().toString(16).padStart(12, '0');
  const slow = run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', a.database, '-c', `BEGIN;
    SELECT pg_advisory_xact_lock(${0x6d730002});
    INSERT INTO event (id, at, actor_id, action, object_type, object_id, org_id, project_id, body)
      VALUES ('${id}', '2026-01-01T00:00:00.000Z', NULL, 'org.checked', 'org', '${org.id}', '${org.id}', NULL,
      substr(json_build_object('id', '${id}', 'at', '2026-01-01T00:00:00.000Z', 'actor_id', NULL, 'actor_name', NULL,
        'action', 'org.checked', 'object_type', 'org', 'object_id', '${org.id}', 'org_id', '${org.id}',
        'project_id', NULL, 'summary', 'slow', 'data', NULL)::text, 2));
    SELECT pg_sleep(1.5);
    COMMIT;`]);
  await sleep(300);
  const writes = Array.from({ length: 60 }, (_, i) =>
    (i % 2 ? pb : p.c).post('/api/v1/projects', { org_id: org.id, name: `片 ${i}` }));
  for (const r of await Promise.all(writes)) assertOk(r, 201);
  await slow;
  await sleep(50);
  done = true;
  await watch;
  assert.deepEqual(violations, []);
  const all = assertOk(await p.c.get(`/api/v1/events?org_id=${org.id}&limit=200`), 200).items;
  const seqs = all.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => y - x), 'newest first');
  assert.equal(new Set(seqs).size, seqs.length);
  assert.equal(all.filter((e) => e.action === 'project.created').length, 60);
});

test('a database restart costs no request: broken connections reconnect before BEGIN', { skip }, async () => {
  // Its own cluster: restarting the shared one would break the other test files' servers.
  const dir = await mkdtemp(join(tmpdir(), 'mstation-pgrestart-'));
  const pgtmp = resolve(new URL('../../scripts/pgtmp', import.meta.url).pathname);
  const url = (await run(pgtmp, ['start', dir])).stdout.trim();
  let srv;
  try {
    const database = (await run(pgtmp, ['createdb', url, 'restart'])).stdout.trim();
    await run('psql', ['-q', '-X', database, '-c', 'SELECT 1']);
    srv = await startServer({ settings: { threads: 2 }, database });
    const p = await person(srv, 'steady', '许鞍华 Ann Hui');
    assertOk(await p.c.get('/api/v1/users/me'), 200);
    await run(pgtmp, ['restart', dir]);
    for (let i = 0; i < 6; i++) {
      assertOk(await p.c.get('/api/v1/users/me'), 200);
      assertOk(await p.c.post('/api/v1/orgs', { name: `重启后 ${i}`, kind: 'studio' }), 201);
    }
  } finally {
    if (srv) await srv.stop();
    await run(pgtmp, ['stop', dir]);
  }
});

test('a write that collides with a concurrent transaction is run again, not failed', { skip }, async () => {
  const p = await person(a, 'editor', '田壮壮 Tian Zhuangzhuang');
  const org = await mkOrg(p.c, '北京电影 Beijing Film', 'studio');
  const retries = async () => Number(/mstation_db_retries_total (\d+)/.exec((await new Client(a.url).get('/metrics')).text)[1]);
  const before = await retries();
  // Another client changes the same row in a transaction that stays open for a second: the
  // server's update waits for its row lock, then fails with a serialization conflict when it
  // commits, and the server runs the request again on the new version.
  const other = run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', a.database, '-c', `BEGIN ISOLATION LEVEL SERIALIZABLE;
    UPDATE org SET description = 'from another client', version = version + 1 WHERE id = '${org.id}';
    SELECT pg_sleep(1);
    COMMIT;`]);
  await sleep(300);
  const r = assertOk(await p.c.patch(`/api/v1/orgs/${org.id}`, { description: 'from the API' }), 200);
  await other;
  assert.equal(r.description, 'from the API');
  assert.equal(r.version, org.version + 2, 'applied on top of the other change');
  assert.ok(await retries() > before, 'counted in mstation_db_retries_total');
});

test('a job enqueued on one server starts at once on another (LISTEN/NOTIFY, not the 1 s poll)', { skip }, async () => {
  // x runs the only job worker; y, on the same database, has none: its jobs wait for x.
  const x = await startServer({ settings: { workers: 1 } });
  const y = await startServer({ settings: { workers: 0 }, share: x });
  try {
    const p = await person(y, 'notifier', '冯小刚 Feng Xiaogang');
    const org = await mkOrg(p.c, '华谊兄弟 Huayi Brothers', 'studio');
    const waits = [];
    for (let i = 0; i < 5; i++) {
      await sleep(Math.random() * 400); // at a random point of x's poll cycle
      const before = (await outbox(x)).length;
      const t0 = Date.now();
      assertOk(await p.c.post(`/api/v1/orgs/${org.id}/invitations`, { email: `${uniq('n')}@example.com`, role: 'member' }), 201);
      for (;;) {
        if ((await outbox(x)).length > before) break;
        assert.ok(Date.now() - t0 < 5000, 'the mail was sent');
        await sleep(5);
      }
      waits.push(Date.now() - t0);
    }
    waits.sort((m, n) => m - n);
    // Polling alone would wait half a second on average; a notification, milliseconds.
    assert.ok(waits[2] < 250, `median wait ${waits[2]} ms (${waits.join(', ')})`);
  } finally {
    await y.stop();
    await x.stop();
  }
});

test('the avails cache of each server follows deals signed on the other', { skip }, async () => {
  const p = await person(a, 'rights', 'Rights Owner');
  const onA = p.c, onB = via(p.c, b);
  const org = await mkOrg(onA, `Rights ${uniq('o')}`, 'distributor');
  const t = assertOk(await onA.post(`/api/v1/orgs/${org.id}/titles`, { kind: 'feature', title: '双城 Two Cities' }), 201);
  assertOk(await onA.post(`/api/v1/titles/${t.id}/rights-in`, { source: 'own_production', territories: ['WORLD'], media: ['svod'], start: '2026-01-01', exclusivity: 'exclusive' }), 201);
  const q = `/api/v1/titles/${t.id}/avails?territories=FR&media=svod&start=2026-01-01&end=2026-12-31&exclusivity=exclusive`;
  // Both servers load their cache.
  assert.equal(assertOk(await onA.get(q), 200).available.length, 1);
  assert.equal(assertOk(await onB.get(q), 200).available.length, 1);
  const d = assertOk(await onA.post(`/api/v1/orgs/${org.id}/deals`, { licensee_name: 'TV', rights: [{ title_id: t.id, territories: ['FR'], media: ['svod'], start: '2026-04-01', end: '2026-06-30', exclusivity: 'exclusive' }] }), 201);
  assertOk(await onA.post(`/api/v1/deals/${d.id}/status`, { status: 'signed' }), 200);
  // B never saw the write, and answers from the database's revision, not its stale cache.
  const avail = assertOk(await onB.get(q), 200).available.map((w) => [w.start, w.end]);
  assert.deepEqual(avail, [['2026-01-01', '2026-03-31'], ['2026-07-01', '2026-12-31']]);
  const g = assertOk(await onB.get(`/api/v1/orgs/${org.id}/avails/grid?media=svod&date=2026-05-01&territories=FR,DE`), 200);
  assert.equal(g.rows[0].cells, 'AX');
});
