// The command line (src/cli/): user add/passwd/list, org add, token create/revoke, jobs
// list/retry, migrate, init, version and help, against the data folder of a running server,
// with the exit codes scripts rely on (0 done, 2 usage, 3 exists, 4 not found) and the effect
// seen through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, BIN, testEnv } from '../lib/server.mjs';
import { Client, signIn, addUser, tokenClient } from '../lib/api.mjs';
import {
  assertProblem, assertOk, run, uniq, walk, waitFor, outbox, sql, haveSqlite3, UUID_RE,
} from './helpers.mjs';

let srv, scratch;
before(async () => {
  srv = await startServer();
  scratch = await mkdtemp(join(tmpdir(), 'mstation-cli-'));
});
after(async () => {
  await srv.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** Run the CLI; resolves { code, stdout, stderr } whatever the exit code. */
async function cli(argv, { data = true } = {}) {
  try {
    const r = data ? await srv.cli(argv) : await run(BIN, argv, { env: testEnv() });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    assert.equal(typeof e.code, 'number', `the CLI exited (${e.message})`);
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
async function pwFile(pw) {
  const f = join(scratch, `${uniq('pw')}.txt`);
  await writeFile(f, `${pw}\n`);
  return f;
}
const email = (label) => `${uniq(label)}@example.com`.toLowerCase();

test('version, help and usage errors', async () => {
  const v = await cli(['version'], { data: false });
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^mstation \S+ \(.+\)\n$/);
  assert.equal((await cli(['--version'], { data: false })).stdout, v.stdout);
  const h = await cli(['--help'], { data: false });
  assert.equal(h.code, 0);
  assert.match(h.stdout, /usage: mstation <command>/);
  assert.match(h.stdout, /Exit codes: 0 done, 1 failed, 2 wrong usage, 3 already exists, 4 not found/);
  const uh = await cli(['user', 'add', '--help'], { data: false });
  assert.equal(uh.code, 0);
  assert.match(uh.stdout, /--password-file/);
  assert.equal((await cli([], { data: false })).code, 2);
  const unk = await cli(['frobnicate'], { data: false });
  assert.equal(unk.code, 2);
  assert.match(unk.stderr, /unknown command/);
  const group = await cli(['user'], { data: false });
  assert.equal(group.code, 2);
  assert.match(group.stderr, /user add/);
  assert.equal((await cli(['user', 'add', '--email', 'a@example.com', '--bogus', 'x'])).code, 2);
  assert.equal((await cli(['user', 'add', '--email'])).code, 2);
  assert.equal((await cli(['user', 'add', 'positional'])).code, 2);
  assert.equal((await cli(['user', 'list', '--admin'])).code, 2);
});

test('user add: creates an account that can sign in; 3 when it exists; 2 on bad input', async () => {
  const e = email('Gong.Li');
  const r = await cli(['user', 'add', '--email', e.toUpperCase(), '--name', '巩俐 Gong Li', '--password-file', await pwFile('gong-li-password')]);
  assert.equal(r.code, 0, r.stderr);
  const m = /^user: (\S+) (\S+)\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.match(m[1], UUID_RE);
  assert.doesNotMatch(r.stdout, /password/);
  const s = await signIn(srv, e, 'gong-li-password');
  const me = assertOk(await s.get('/api/v1/users/me'), 200);
  assert.equal(me.id, m[1]);
  assert.equal(me.email, e, 'stored lower-case');
  assert.equal(me.display_name, '巩俐 Gong Li');
  assert.equal(me.is_admin, false);
  // Already exists (any case): 3, nothing changed.
  const again = await cli(['user', 'add', '--email', e, '--password-file', await pwFile('another-password')]);
  assert.equal(again.code, 3);
  assert.match(again.stderr, /already exists/);
  await signIn(srv, e, 'gong-li-password');
  // Bad input: 2.
  assert.equal((await cli(['user', 'add', '--name', 'x'])).code, 2);
  assert.equal((await cli(['user', 'add', '--email', 'not-an-email', '--password-file', await pwFile('long-enough-pw')])).code, 2);
  assert.equal((await cli(['user', 'add', '--email', email('weak'), '--password-file', await pwFile('short')])).code, 2);
  assert.equal((await cli(['user', 'add', '--email', email('nofile'), '--password-file', join(scratch, 'missing.txt')])).code, 4);
  // Generated password, printed once; --admin.
  const g = email('generated');
  const gr = await cli(['user', 'add', '--email', g, '--admin']);
  assert.equal(gr.code, 0, gr.stderr);
  const pw = /^password: (\S+)$/m.exec(gr.stdout)[1];
  assert.match(pw, /^[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}$/);
  const gs = await signIn(srv, g, pw);
  const gme = (await gs.get('/api/v1/users/me')).json;
  assert.equal(gme.is_admin, true);
  assert.equal(gme.display_name, g.split('@')[0], 'default name: the part before @');
});

test('user list shows every account', async () => {
  const u = await addUser(srv, email('list'), { name: '张国荣 Leslie Cheung' });
  const r = await cli(['user', 'list']);
  assert.equal(r.code, 0);
  const line = r.stdout.split('\n').find((l) => l.includes(u.email));
  assert.ok(line, r.stdout);
  assert.ok(line.startsWith(u.id));
  assert.ok(line.includes('张国荣 Leslie Cheung'));
  assert.match(r.stdout.split('\n').find((l) => l.includes(srv.admin.email)), / admin$/);
});

test('user passwd: new password, every session ended, tokens kept; 4 for unknown accounts', async () => {
  const u = await addUser(srv, email('passwd'), { name: '林青霞 Brigitte Lin' });
  const s = await signIn(srv, u.email, u.password);
  const tok = await tokenClient(srv, u.email);
  const r = await cli(['user', 'passwd', '--email', u.email.toUpperCase(), '--password-file', await pwFile('new-password-77')]);
  assert.equal(r.code, 0, r.stderr);
  assertProblem(await s.get('/api/v1/users/me'), 401, 'invalid-credentials');
  assertOk(await tok.get('/api/v1/users/me'), 200);
  assertProblem(await new Client(srv.url).post('/api/v1/sessions', { email: u.email, password: u.password }), 401, 'invalid-credentials');
  await signIn(srv, u.email, 'new-password-77');
  const ev = (await walk(tok, '/api/v1/events?action=user.password_reset', 50)).items;
  assert.equal(ev.length, 1);
  assert.equal((await cli(['user', 'passwd', '--email', email('nobody'), '--password-file', await pwFile('new-password-77')])).code, 4);
  assert.equal((await cli(['user', 'passwd', '--email', u.email, '--password-file', await pwFile('tiny')])).code, 2);
  assert.equal((await cli(['user', 'passwd'])).code, 2);
  await signIn(srv, u.email, 'new-password-77');
  const gen = await cli(['user', 'passwd', '--email', u.email]);
  assert.equal(gen.code, 0);
  await signIn(srv, u.email, /^password: (\S+)$/m.exec(gen.stdout)[1]);
});

test('org add: the owner runs it through the API; 3 for a taken slug, 4 for an unknown owner, 2 for bad input', async () => {
  const o = await addUser(srv, email('org-owner'), { name: '于冬 Yu Dong' });
  const r = await cli(['org', 'add', '--name', '博纳影业 Bona Film Group', '--kind', 'studio', '--owner', o.email, '--slug', 'bona']);
  assert.equal(r.code, 0, r.stderr);
  const m = /^org: (\S+) (\S+)\n$/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(m[2], 'bona');
  const c = await tokenClient(srv, o.email);
  const org = assertOk(await c.get(`/api/v1/orgs/${m[1]}`), 200);
  assert.equal(org.name, '博纳影业 Bona Film Group');
  assert.equal(org.my_role, 'owner');
  const auto = await cli(['org', 'add', '--name', '中影 China Film', '--kind', 'distributor', '--owner', o.email]);
  assert.equal(auto.code, 0);
  assert.match(auto.stdout, /^org: \S+ china-film\n$/);
  assert.equal((await cli(['org', 'add', '--name', 'Again', '--kind', 'studio', '--owner', o.email, '--slug', 'bona'])).code, 3);
  assert.equal((await cli(['org', 'add', '--name', 'Ghost', '--kind', 'studio', '--owner', email('ghost')])).code, 4);
  assert.equal((await cli(['org', 'add', '--name', 'Bad', '--kind', 'bank', '--owner', o.email])).code, 2);
  assert.equal((await cli(['org', 'add', '--name', 'Bad', '--kind', 'studio', '--owner', o.email, '--slug', 'Bad Slug'])).code, 2);
  assert.equal((await cli(['org', 'add', '--name', '', '--kind', 'studio', '--owner', o.email])).code, 2);
  assert.equal((await cli(['org', 'add', '--kind', 'studio', '--owner', o.email])).code, 2);
  assert.equal((await walk(c, '/api/v1/orgs', 100)).items.length, 2, 'only the two good ones');
});

test('token create and revoke: the token works until revoked; exit codes', async () => {
  const u = await addUser(srv, email('tok'), { name: '刘德华 Andy Lau' });
  const r = await cli(['token', 'create', '--user', u.email, '--name', '部署 deploy']);
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.trim();
  assert.match(token, /^mst_[A-Za-z0-9_-]{43}$/);
  assert.equal(r.stdout, `${token}\n`, 'only the token');
  const c = new Client(srv.url, { token });
  assertOk(await c.get('/api/v1/users/me'), 200);
  const listed = (await c.get('/api/v1/tokens')).json.items.find((t) => t.prefix === token.slice(0, 12));
  assert.equal(listed.name, '部署 deploy');
  assert.ok(Math.abs(Date.parse(listed.expires_at) - Date.now() - 90 * 86400e3) < 60e3);
  const forever = (await cli(['token', 'create', '--user', u.email, '--name', 'forever', '--no-expiry'])).stdout.trim();
  const day = (await cli(['token', 'create', '--user', u.email, '--name', 'one day', '--expires-in-days', '1'])).stdout.trim();
  const items = (await c.get('/api/v1/tokens')).json.items;
  assert.equal(items.find((t) => t.prefix === forever.slice(0, 12)).expires_at, null);
  assert.ok(Math.abs(Date.parse(items.find((t) => t.prefix === day.slice(0, 12)).expires_at) - Date.now() - 86400e3) < 60e3);
  assert.equal((await cli(['token', 'create', '--user', email('nobody'), '--name', 'x'])).code, 4);
  assert.equal((await cli(['token', 'create', '--user', u.email])).code, 2);
  assert.equal((await cli(['token', 'create', '--user', u.email, '--name', 'x', '--expires-in-days', '0'])).code, 2);
  assert.equal((await cli(['token', 'create', '--user', u.email, '--name', 'x', '--expires-in-days', '3651'])).code, 2);
  assert.equal((await cli(['token', 'create', '--user', u.email, '--name', 'x', '--expires-in-days', 'soon'])).code, 2);
  // Revoke by token text and by id.
  const rv = await cli(['token', 'revoke', '--token', token]);
  assert.equal(rv.code, 0, rv.stderr);
  assertProblem(await c.get('/api/v1/users/me'), 401, 'token-revoked');
  assert.equal((await cli(['token', 'revoke', '--token', token])).code, 0, 'revoking twice is fine');
  const fc = new Client(srv.url, { token: forever });
  const fid = (await fc.get('/api/v1/tokens')).json.items.find((t) => t.prefix === forever.slice(0, 12)).id;
  assert.equal((await cli(['token', 'revoke', '--id', fid])).code, 0);
  assertProblem(await fc.get('/api/v1/users/me'), 401, 'token-revoked');
  assert.equal((await cli(['token', 'revoke', '--id', '00000000-0000-7000-8000-000000000000'])).code, 4);
  assert.equal((await cli(['token', 'revoke', '--token', `mst_${'A'.repeat(43)}`])).code, 4);
  assert.equal((await cli(['token', 'revoke'])).code, 2);
  assert.equal((await cli(['token', 'revoke', '--id', fid, '--token', forever])).code, 2);
  assertOk(await new Client(srv.url, { token: day }).get('/api/v1/users/me'), 200);
});

test('migrate --dry-run reports the schema state; init refuses an initialized folder', async () => {
  const d = await cli(['migrate', '--dry-run']);
  assert.equal(d.code, 0, d.stderr);
  const m = /^(\d+) migrations applied, 0 pending\n$/.exec(d.stdout);
  assert.ok(m, d.stdout);
  const ready = (await new Client(srv.url).get('/readyz')).json;
  assert.equal(Number(m[1]), ready.migrations);
  const again = await cli(['migrate']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^0 migrations applied now, ${m[1]} were already applied\\n$`));
  const empty = join(scratch, 'empty');
  assert.equal((await cli(['migrate', '--dry-run', '--data', empty], { data: false })).code, 4);
  assert.equal((await cli(['user', 'list', '--data', empty], { data: false })).code, 4);
  const init = await cli(['init', '--admin-email', 'second@example.com', '--admin-password-file', await pwFile('second-admin-pw')]);
  assert.equal(init.code, 3);
  assert.equal((await cli(['init', '--data', join(scratch, 'x')], { data: false })).code, 2);
  assertOk(await (await tokenClient(srv, srv.admin.email)).get('/api/v1/users/me'), 200);
});

test('jobs list shows the queue; jobs retry queues a dead job again and the server runs it',
  { skip: !(await haveSqlite3()) && 'needs the sqlite3 tool' }, async () => {
    const owner = await addUser(srv, email('jobs'), { name: '发信人 Sender' });
    const c = await tokenClient(srv, owner.email);
    const org = (await c.post('/api/v1/orgs', { name: '邮件测试 Mail Test', kind: 'school' })).json;
    const before1 = (await outbox(srv)).length;
    const to = email('recipient');
    assertOk(await c.post(`/api/v1/orgs/${org.id}/invitations`, { email: to, role: 'viewer' }), 201);
    await waitFor(async () => (await outbox(srv)).length > before1, 5000, 'the invitation mail');
    const list = await cli(['jobs', 'list', '--state', 'done']);
    assert.equal(list.code, 0, list.stderr);
    const line = list.stdout.split('\n').find((l) => l.includes('mail.send'));
    assert.ok(line, list.stdout);
    const id = line.split(/\s+/)[0];
    assert.match(id, UUID_RE);
    assert.match(line, /\bdone\b/);
    // Dead-letter it (as if every attempt had failed), then retry.
    await sql(srv, `UPDATE job SET state = 'dead', last_error = 'smtp: connection refused' WHERE id = '${id}'`);
    const dead = await cli(['jobs', 'list', '--state', 'dead']);
    assert.match(dead.stdout, new RegExp(`^${id} .*mail\\.send.*dead.*smtp: connection refused`, 'm'));
    assert.ok(!(await cli(['jobs', 'list', '--state', 'done'])).stdout.includes(id));
    const n = (await outbox(srv)).length;
    const retry = await cli(['jobs', 'retry', '--id', id]);
    assert.equal(retry.code, 0, retry.stderr);
    await waitFor(async () => (await outbox(srv)).length > n, 5000, 'the mail sent again');
    await waitFor(async () => (await cli(['jobs', 'list', '--state', 'done'])).stdout.includes(id), 5000, 'the job done again');
    // Exit codes.
    assert.equal((await cli(['jobs', 'retry', '--id', id])).code, 4, 'not dead any more');
    assert.equal((await cli(['jobs', 'retry', '--id', '00000000-0000-7000-8000-000000000000'])).code, 4);
    assert.equal((await cli(['jobs', 'retry', '--id', 'nope'])).code, 2);
    assert.equal((await cli(['jobs', 'retry'])).code, 2);
    assert.equal((await cli(['jobs', 'list', '--state', 'stuck'])).code, 2);
    assert.equal((await cli(['jobs', 'list'])).code, 0);
  });
