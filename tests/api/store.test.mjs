// The store across engines: `mstation db schema` (the two engines' migrations must give the
// same tables, columns and indexes: the check that catches a schema.pg.sql drifting from
// schema.sql) and `mstation migrate-store` (copy a running installation into an empty
// database, verified per table; refuse a non-empty target). On the SQLite run the copy goes
// SQLite -> SQLite; on the PostgreSQL run SQLite -> PostgreSQL -> SQLite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, createDatabase, ENGINE } from '../lib/server.mjs';
import { signIn } from '../lib/api.mjs';
import { assertOk, person, mkOrg, mkProject, uniq, walk, sql, run } from './helpers.mjs';

let src;
before(async () => { src = await startServer({ engine: 'sqlite' }); });
after(async () => { await src.stop(); });

const schemaOf = async (srv, database) =>
  JSON.parse((await srv.cli(['db', 'schema', ...(database ? ['--database', database] : [])])).stdout);

test('both engines\' migrations give the same tables, columns and indexes',
  { skip: ENGINE !== 'postgres' && 'needs PostgreSQL (MSTATION_TEST_PG)' }, async () => {
    const pg = await startServer();
    try {
      const [a, b] = await Promise.all([schemaOf(src), schemaOf(pg)]);
      assert.equal(a.engine, 'sqlite');
      assert.equal(b.engine, 'postgres');
      assert.ok(Object.keys(a.tables).length >= 13);
      assert.deepEqual(b.tables, a.tables);
    } finally {
      await pg.stop();
    }
  });

test('db schema describes types, keys and indexes by what they do', async () => {
  const s = await schemaOf(src);
  const membership = s.tables.membership;
  assert.deepEqual(membership.columns.filter((c) => c.primary_key).map((c) => c.name), ['org_id', 'user_id']);
  assert.deepEqual(membership.indexes, ['(user_id,org_id)']);
  assert.ok(s.tables.job.indexes.includes('unique (unique_key) partial'));
  assert.equal(s.tables.event.columns.find((c) => c.name === 'seq').type, 'integer');
});

/** Data of every kind, made through the API, so that a copy has something to prove. */
async function populate(srv) {
  const p = await person(srv, 'owner', '侯孝贤 Hou Hsiao-hsien');
  const org = await mkOrg(p.c, `${uniq('悲情城市')} Studio`, 'studio');
  const project = await mkProject(p.c, org.id, '刺客聂隐娘 The Assassin');
  assertOk(await p.c.patch(`/api/v1/projects/${project.id}`, { description: '唐代 Tang dynasty\nline two' }), 200);
  assertOk(await p.c.post(`/api/v1/orgs/${org.id}/invitations`, { email: `${uniq('inv')}@example.com`, role: 'member' }), 201);
  return { p, org, project };
}

async function copyOk(srv, from, to) {
  const { stdout } = await srv.cli(['migrate-store', '--from', from, '--to', to]);
  assert.match(stdout, /every table verified/);
  assert.doesNotMatch(stdout, /MISMATCH/);
  const rows = Object.fromEntries(stdout.split('\n').slice(1, -2).map((l) => l.trim().split(/\s+/)).map(([t, n]) => [t, Number(n)]));
  return rows;
}

test('migrate-store copies everything, verifies it, and the copy serves as the original did', async () => {
  const { p, org, project } = await populate(src);
  // More rows than one page of the copy's keyset scan (5,000): an integer key (event.seq) and
  // a two-column text key (idempotency_key), written straight into the database (set-up only).
  await sql(src, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6001)
    INSERT INTO idempotency_key (user_id, idem_key, method, path, request_hash, status, created_at)
    SELECT printf('u%d', i % 7), printf('k-%05d', i), 'POST', '/api/v1/orgs', 'h', 201, '2026-01-01T00:00:00.000Z' FROM n`);
  await sql(src, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 11000)
    INSERT INTO event (id, at, actor_id, action, object_type, object_id, org_id, project_id, body)
    SELECT printf('00000000-0000-7000-8000-%012d', i), '2026-01-01T00:00:00.000Z', NULL, 'bulk.loaded', 'x', 'x', NULL, NULL,
      '"id":"' || printf('00000000-0000-7000-8000-%012d', i) || '","data":null}' FROM n`);
  const target = ENGINE === 'postgres' ? await createDatabase() : `sqlite:${join(src.dir, 'copy.db')}`;
  const rows = await copyOk(src, src.database, target);
  for (const t of ['user_account', 'org', 'membership', 'project', 'event', 'invitation', 'api_token', 'job', 'idempotency_key']) {
    assert.equal(rows[t], Number(await sql(src, `SELECT count(*) FROM ${t}`)), `rows of ${t}`);
  }
  const feedBefore = (await walk(p.c, '/api/v1/events', 50)).items;

  // A server on the copy (same data folder: the same secret key, so tokens still verify).
  const copy = await startServer({ share: { data: src.data, database: target, admin: src.admin } });
  try {
    const c = Object.assign(Object.create(Object.getPrototypeOf(p.c)), p.c, { base: copy.url });
    assert.equal(assertOk(await c.get(`/api/v1/projects/${project.id}`), 200).description, '唐代 Tang dynasty\nline two');
    assert.deepEqual((await walk(c, '/api/v1/events', 50)).items, feedBefore);
    const admin = await signIn(copy, src.admin.email, src.admin.password);
    assert.ok(assertOk(await admin.get('/api/v1/users/me'), 200).is_admin);
    // New rows continue after the copied ones (identity counters moved past them).
    assertOk(await c.patch(`/api/v1/orgs/${org.id}`, { description: 'after the move' }), 200);
    const feed = (await walk(c, '/api/v1/events', 50)).items;
    assert.equal(feed[0].action, 'org.updated');
    assert.ok(feed[0].seq > feedBefore[0].seq);
  } finally {
    await copy.stop();
  }

  // The target is no longer empty: a second copy is refused and changes nothing.
  const onTarget = (q) => (target.startsWith('sqlite:')
    ? run('sqlite3', [target.slice(7), q]) : run('psql', ['-X', '-A', '-t', target, '-c', q])).then((r) => Number(r.stdout.trim()));
  const n = await onTarget('SELECT count(*) FROM event');
  await assert.rejects(src.cli(['migrate-store', '--from', src.database, '--to', target]),
    (e) => e.code === 3 && /target database is not empty/.test(e.stderr));
  assert.equal(await onTarget('SELECT count(*) FROM event'), n);
  if (ENGINE === 'postgres') {
    // And back: PostgreSQL -> SQLite (the way out, or a backup in the other engine's format).
    const back = `sqlite:${join(src.dir, 'back.db')}`;
    const rowsBack = await copyOk(src, target, back);
    assert.equal(rowsBack.event, n);
  }
});

test('migrate-store refuses bad arguments with usage errors', async () => {
  await assert.rejects(src.cli(['migrate-store']), (e) => e.code === 2 && /--to URL is required/.test(e.stderr));
  await assert.rejects(src.cli(['migrate-store', '--to', src.database]), (e) => e.code === 2 && /same database/.test(e.stderr));
  await assert.rejects(src.cli(['migrate-store', '--to', 'mysql://x/y']), (e) => e.code !== 0 && /unsupported database URL/.test(e.stderr));
  if (ENGINE === 'postgres') {
    await assert.rejects(src.cli(['migrate-store', '--to', 'postgres://nobody:secret-pw@127.0.0.1:1/none']),
      (e) => e.code !== 0 && /cannot connect/.test(e.stderr) && !e.stderr.includes('secret-pw'));
  }
});
