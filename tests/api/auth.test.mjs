// Authentication: signing in and out, browser sessions (list, end, expiry), the CSRF rule for
// cookie writes, API tokens (create, list, revoke, expiry, wrong and malformed tokens), the
// profile (GET/PATCH /users/me with ETag/If-Match) and password change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client, signIn, tokenClient, addUser } from '../lib/api.mjs';
import {
  assertProblem, assertOk, moduleRoutes, fillPath, walk, etag, sleep, uniq, events, NIL_UUID,
  stopAll, sql, haveSqlite3,
} from './helpers.mjs';

// Short-lived credentials are made first and checked last, so that waiting for them to
// expire overlaps the other tests: a token that expires in 3 s, and a session on a second
// server whose session_ttl is 2 s.
let srv, admin, adminBot, short, shortLived, shortSession;
before(async () => {
  [srv, short] = await Promise.all([startServer(), startServer({ settings: { session_ttl: '2s' } })]);
  admin = await signIn(srv, srv.admin.email, srv.admin.password);
  adminBot = await tokenClient(srv, srv.admin.email);
  const exp = new Date(Date.now() + 3000);
  const t = await adminBot.post('/api/v1/tokens', { name: 'short-lived', expires_at: exp.toISOString() });
  assert.equal(t.status, 201, t.text);
  shortLived = { client: new Client(srv.url, { token: t.json.token }), expires: exp.getTime(), json: t.json };
  const c = new Client(short.url);
  const r = await c.post('/api/v1/sessions', { email: short.admin.email, password: short.admin.password });
  assert.equal(r.status, 201, r.text);
  c.csrf = r.json.csrf_token;
  shortSession = { client: c, cookie: c.cookie, r };
});
after(async () => { await stopAll(srv, short); });

test('short-lived credentials work before they expire', async () => {
  assertOk(await shortLived.client.get('/api/v1/users/me'), 200);
  assert.equal(Date.parse(shortLived.json.expires_at), shortLived.expires);
  const { r, client } = shortSession;
  assert.match(r.headers.get('set-cookie'), /Max-Age=2(;|$)/);
  assert.ok(Date.parse(r.json.expires_at) - Date.now() <= 2100);
  assertOk(await client.get('/api/v1/users/me'), 200);
});

const randomToken = () => `mst_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;

test('sign-in answers 201 with the user, a CSRF token and an HttpOnly SameSite cookie', async () => {
  const c = new Client(srv.url);
  const r = await c.post('/api/v1/sessions', { email: srv.admin.email.toUpperCase(), password: srv.admin.password });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.user.email, srv.admin.email);
  assert.equal(r.json.user.password_hash, undefined);
  assert.equal(typeof r.json.csrf_token, 'string');
  assert.ok(r.json.csrf_token.length >= 20);
  const exp = Date.parse(r.json.expires_at);
  assert.ok(Math.abs(exp - Date.now() - 14 * 86400e3) < 60e3, 'expires in 14 days');
  const sc = r.headers.get('set-cookie');
  assert.match(sc, /^ms_session=mss_[A-Za-z0-9_-]{43};/);
  assert.match(sc, /; HttpOnly/);
  assert.match(sc, /; SameSite=Lax/);
  assert.match(sc, /; Path=\//);
  assert.match(sc, /; Max-Age=1209600/);
  const me = assertOk(await c.get('/api/v1/users/me'), 200);
  assert.equal(me.auth, 'session');
  assert.equal(me.csrf_token, r.json.csrf_token);
});

test('sign-in validates its body', async () => {
  const c = new Client(srv.url);
  assertProblem(await c.post('/api/v1/sessions', { email: srv.admin.email }), 422, 'validation', { fields: ['password'] });
  assertProblem(await c.post('/api/v1/sessions', {}), 422, 'validation', { fields: ['email', 'password'] });
  assertProblem(await c.post('/api/v1/sessions', { email: srv.admin.email, password: 123 }), 422, 'validation', { fields: ['password'] });
  assertProblem(await c.post('/api/v1/sessions', { email: srv.admin.email, password: srv.admin.password, remember: true }), 422, 'validation', { fields: ['remember'] });
  assertProblem(await c.post('/api/v1/sessions', { email: 'a'.repeat(300), password: 'x' }), 422, 'validation', { fields: ['email'] });
  assertProblem(await c.req('POST', '/api/v1/sessions', { body: '{"email":', headers: { 'Content-Type': 'application/json' } }), 400, 'malformed-json');
  assertProblem(await c.req('POST', '/api/v1/sessions', { body: 'email=a&password=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type');
  assert.equal(c.cookie, null, 'no session was started');
});

test('every non-public route answers 401 authentication-required without credentials', async () => {
  const c = new Client(srv.url);
  for (const r of await moduleRoutes()) {
    if (r.perm === 'PERM_PUBLIC') continue;
    const res = await c.req(r.method, fillPath(r.path), r.json ? { json: {} } : {});
    assertProblem(res, 401, 'authentication-required');
    assert.match(res.headers.get('www-authenticate') || '', /Bearer/);
  }
});

test('wrong, malformed and foreign bearer tokens answer 401 invalid-credentials', async () => {
  const cases = [
    `Bearer ${randomToken()}`,
    'Bearer mst_short',
    'Bearer not-a-token',
    `Bearer ${randomToken().replace('mst_', 'mss_')}`,
    'Bearer ',
    'Basic YWRtaW46cGFzc3dvcmQ=',
    'Token abc',
    `Bearer ${adminBot.token}x`,
    `Bearer ${adminBot.token.slice(0, -1)}`,
  ];
  for (const auth of cases) {
    const r = await new Client(srv.url).get('/api/v1/users/me', { headers: { Authorization: auth } });
    assertProblem(r, 401, 'invalid-credentials');
  }
  // The scheme name is case-insensitive.
  assertOk(await new Client(srv.url).get('/api/v1/users/me', { headers: { Authorization: `bearer ${adminBot.token}` } }), 200);
  // A bearer token wins over a session cookie, and needs no CSRF header.
  const both = new Client(srv.url, { token: adminBot.token, cookie: admin.cookie });
  const me = assertOk(await both.get('/api/v1/users/me'), 200);
  assert.equal(me.auth, 'token');
  assertOk(await both.patch('/api/v1/users/me', { locale: 'en' }), 200);
  // A broken cookie with a valid token: the token decides.
  const r = await new Client(srv.url, { token: adminBot.token, cookie: 'ms_session=garbage' }).get('/api/v1/users/me');
  assertOk(r, 200);
});

test('a broken or unknown session cookie answers 401 and clears the cookie', async () => {
  for (const cookie of ['ms_session=garbage', `ms_session=mss_${'A'.repeat(43)}`]) {
    const c = new Client(srv.url, { cookie });
    const r = await c.get('/api/v1/users/me');
    assertProblem(r, 401, 'invalid-credentials');
    assert.match(r.headers.get('set-cookie') || '', /^ms_session=; .*Max-Age=0/);
  }
  // On a public route a stale cookie is ignored.
  const c = new Client(srv.url, { cookie: 'ms_session=garbage' });
  assertProblem(await c.get(`/api/v1/invitations/msi_${'A'.repeat(43)}`), 404, 'invitation-invalid');
  assert.equal((await c.get('/healthz')).status, 200);
});

test('cookie writes need the X-CSRF-Token: missing or wrong answers 403 csrf-failed, nothing changes', async () => {
  const u = await addUser(srv, `${uniq('csrf')}@example.com`, { name: '张艺谋 Zhang Yimou' });
  const s = await signIn(srv, u.email, u.password);
  const noCsrf = new Client(srv.url, { cookie: s.cookie });
  const wrong = { headers: { 'X-CSRF-Token': 'x'.repeat(s.csrf.length) } };
  // Every write route, before anything else is checked (even on ids that do not exist).
  for (const r of await moduleRoutes()) {
    if (r.method === 'GET' || r.path === '/api/v1/sessions') continue;
    const path = fillPath(r.path, r.path.includes('{token}') ? `msi_${'A'.repeat(43)}` : NIL_UUID);
    const opts = r.json ? { json: {} } : {};
    assertProblem(await noCsrf.req(r.method, path, opts), 403, 'csrf-failed');
    assertProblem(await s.req(r.method, path, { ...opts, ...wrong }), 403, 'csrf-failed');
    assertProblem(await s.req(r.method, path, { ...opts, headers: { 'X-CSRF-Token': '' } }), 403, 'csrf-failed');
  }
  // Nothing changed: the profile, the organizations, the session itself.
  const me = assertOk(await s.get('/api/v1/users/me'), 200);
  assert.equal(me.display_name, '张艺谋 Zhang Yimou');
  assert.equal(me.version, 1);
  assert.deepEqual(me.orgs, []);
  assert.equal((await s.get('/api/v1/tokens')).json.items.length, 0);
  // With the right token the same writes work.
  const p = await s.patch('/api/v1/users/me', { display_name: '张艺谋' });
  assertOk(p, 200);
  assert.equal(p.json.display_name, '张艺谋');
  // Another session's CSRF token is not this session's.
  const s2 = await signIn(srv, u.email, u.password);
  assertProblem(await s.patch('/api/v1/users/me', { display_name: 'x' }, { headers: { 'X-CSRF-Token': s2.csrf } }), 403, 'csrf-failed');
  assert.equal((await s.get('/api/v1/users/me')).json.display_name, '张艺谋');
});

test('signing out ends the session; the old cookie no longer works', async () => {
  const s = await signIn(srv, srv.admin.email, srv.admin.password);
  const cookie = s.cookie;
  const r = await s.del('/api/v1/sessions/current');
  assertOk(r, 204);
  assert.match(r.headers.get('set-cookie'), /^ms_session=; .*Max-Age=0/);
  const old = new Client(srv.url, { cookie, csrf: s.csrf });
  assertProblem(await old.get('/api/v1/users/me'), 401, 'invalid-credentials');
  assertProblem(await new Client(srv.url, { cookie, csrf: s.csrf }).del('/api/v1/sessions/current'), 401, 'invalid-credentials');
  // Signing out is for sessions; a token gets a clear 400.
  assertProblem(await adminBot.del('/api/v1/sessions/current'), 400, 'not-a-session');
  assertOk(await adminBot.get('/api/v1/users/me'), 200);
  const ev = (await events(adminBot, 'action=user.signed_out'));
  assert.ok(ev.length >= 1);
});

test('sessions are listed, paged, and can be ended one by one; nobody else\'s', async () => {
  const u = await addUser(srv, `${uniq('sess')}@example.com`, { name: '巩俐 Gong Li' });
  const clients = [];
  for (let i = 0; i < 5; i++) clients.push(await signIn(srv, u.email, u.password));
  const [a, b] = clients;
  const list = assertOk(await a.get('/api/v1/sessions'), 200);
  assert.equal(list.items.length, 5);
  assert.equal(list.items.filter((x) => x.is_current).length, 1);
  for (const x of list.items) {
    assert.deepEqual(Object.keys(x).sort(), ['created_at', 'expires_at', 'id', 'ip', 'is_current', 'last_seen_at', 'user_agent']);
    assert.equal(x.ip, '127.0.0.1');
  }
  const { items, pages } = await walk(a, '/api/v1/sessions', 2);
  assert.equal(pages, 3);
  assert.deepEqual(items.map((x) => x.id), list.items.map((x) => x.id));
  const current = list.items.find((x) => x.is_current).id;
  const bId = (await b.get('/api/v1/sessions')).json.items.find((x) => x.is_current).id;
  // Another user cannot end these sessions, and sees none of them.
  const other = await tokenClient(srv, srv.admin.email);
  assertProblem(await other.del(`/api/v1/sessions/${bId}`), 404, 'not-found');
  assert.ok(!(await other.get('/api/v1/sessions')).json.items.some((x) => x.id === bId));
  assertOk(await b.get('/api/v1/users/me'), 200);
  // End b's session from a.
  assertOk(await a.del(`/api/v1/sessions/${bId}`), 204);
  assertProblem(await b.get('/api/v1/users/me'), 401, 'invalid-credentials');
  assertProblem(await a.del(`/api/v1/sessions/${bId}`), 404, 'not-found');
  assertProblem(await a.del(`/api/v1/sessions/${NIL_UUID}`), 404, 'not-found');
  assertProblem(await a.del('/api/v1/sessions/not-an-id'), 404, 'not-found');
  assert.equal((await a.get('/api/v1/sessions')).json.items.length, 4);
  // Ending the current session by id signs out and clears the cookie.
  const r = await a.del(`/api/v1/sessions/${current}`);
  assertOk(r, 204);
  assert.match(r.headers.get('set-cookie') || '', /^ms_session=; .*Max-Age=0/);
  assertProblem(await new Client(srv.url, { cookie: clients[2].cookie.replace(/.$/, '') }).get('/api/v1/users/me'), 401, 'invalid-credentials');
  assertOk(await clients[2].get('/api/v1/users/me'), 200);
});

test('GET and PATCH /users/me: ETag, If-Match, validation; rejected writes change nothing', async () => {
  const u = await addUser(srv, `${uniq('me')}@example.com`, { name: 'Maggie Cheung 張曼玉' });
  const c = await tokenClient(srv, u.email);
  const g = await c.get('/api/v1/users/me');
  assertOk(g, 200);
  assert.equal(etag(g), '"1"');
  assert.equal(g.json.auth, 'token');
  assert.equal(g.json.csrf_token, undefined, 'tokens get no CSRF token');
  assert.equal(g.json.locale, 'en');
  assert.equal(g.json.is_admin, false);
  const p = await c.patch('/api/v1/users/me', { display_name: '张曼玉', locale: 'zh-HK' }, { headers: { 'If-Match': '"1"' } });
  assertOk(p, 200);
  assert.equal(etag(p), '"2"');
  assert.equal(p.json.display_name, '张曼玉');
  assert.equal(p.json.locale, 'zh-HK');
  assert.equal(p.json.version, 2);
  // Rejected writes.
  assertProblem(await c.patch('/api/v1/users/me', { display_name: 'stale' }, { headers: { 'If-Match': '"1"' } }), 412, 'stale-version');
  assertProblem(await c.patch('/api/v1/users/me', { display_name: 'weak' }, { headers: { 'If-Match': 'W/"2"' } }), 412, 'stale-version');
  assertProblem(await c.patch('/api/v1/users/me', { display_name: 'bare' }, { headers: { 'If-Match': '2' } }), 400, 'bad-precondition');
  assertProblem(await c.patch('/api/v1/users/me', { display_name: 'open' }, { headers: { 'If-Match': '"2' } }), 400, 'bad-precondition');
  assertProblem(await c.patch('/api/v1/users/me', { display_name: '' }), 422, 'validation', { fields: ['display_name'] });
  assertProblem(await c.patch('/api/v1/users/me', { display_name: 'x'.repeat(201) }), 422, 'validation', { fields: ['display_name'] });
  assertProblem(await c.patch('/api/v1/users/me', { display_name: 'tab\tname' }), 422, 'validation', { fields: ['display_name'] });
  assertProblem(await c.patch('/api/v1/users/me', { locale: 'chinese' }), 422, 'validation', { fields: ['locale'] });
  assertProblem(await c.patch('/api/v1/users/me', { locale: 5 }), 422, 'validation', { fields: ['locale'] });
  assertProblem(await c.patch('/api/v1/users/me', { email: 'new@example.com' }), 422, 'validation', { fields: ['email'] });
  assertProblem(await c.patch('/api/v1/users/me', { is_admin: true }), 422, 'validation', { fields: ['is_admin'] });
  const after1 = await c.get('/api/v1/users/me');
  assert.equal(etag(after1), '"2"');
  assert.equal(after1.json.display_name, '张曼玉');
  assert.equal(after1.json.locale, 'zh-HK');
  assert.equal(after1.json.email, u.email);
  assert.equal(after1.json.is_admin, false);
  // A list of tags with the current one matches, as does *.
  assertOk(await c.patch('/api/v1/users/me', { locale: 'en' }, { headers: { 'If-Match': '"7", "2"' } }), 200);
  const star = await c.patch('/api/v1/users/me', { locale: 'zh-CN' }, { headers: { 'If-Match': '*' } });
  assertOk(star, 200);
  assert.equal(etag(star), '"4"');
  // No If-Match: last write wins (the header is optional).
  assertOk(await c.patch('/api/v1/users/me', {}), 200);
  const ev = await events(c, 'action=user.updated');
  assert.ok(ev.length >= 3);
  assert.ok(ev.every((e) => e.actor_id === u.id && e.object_id === u.id));
});

test('API tokens: create, use, list without secrets, page, revoke', async () => {
  const u = await addUser(srv, `${uniq('tok')}@example.com`, { name: '李安 Ang Lee' });
  const s = await signIn(srv, u.email, u.password);
  const r = await s.post('/api/v1/tokens', { name: 'CI 流水线 pipeline' });
  assertOk(r, 201);
  const t = r.json;
  assert.match(t.token, /^mst_[A-Za-z0-9_-]{43}$/);
  assert.equal(t.prefix, t.token.slice(0, 12));
  assert.equal(t.name, 'CI 流水线 pipeline');
  assert.equal(r.headers.get('location'), `/api/v1/tokens/${t.id}`);
  assert.ok(Math.abs(Date.parse(t.expires_at) - Date.now() - 90 * 86400e3) < 60e3, 'default expiry 90 days');
  assert.equal(t.revoked_at, null);
  assert.equal(t.last_used_at, null);
  const bot = new Client(srv.url, { token: t.token });
  const me = assertOk(await bot.get('/api/v1/users/me'), 200);
  assert.equal(me.id, u.id);
  assert.equal(me.auth, 'token');
  // Listed with prefix and last use, never the token or its hash.
  const listed = (await s.get('/api/v1/tokens')).json.items.find((x) => x.id === t.id);
  assert.equal(listed.token, undefined);
  assert.equal(listed.token_hash, undefined);
  assert.equal(listed.prefix, t.prefix);
  assert.ok(listed.last_used_at, 'last use recorded');
  // Never-expiring token.
  const forever = assertOk(await s.post('/api/v1/tokens', { name: 'forever', expires_at: null }), 201);
  assert.equal(forever.expires_at, null);
  // Page through 8 tokens, 3 at a time.
  for (let i = 0; i < 6; i++) assertOk(await bot.post('/api/v1/tokens', { name: `批量 ${i}` }), 201);
  const all = await walk(s, '/api/v1/tokens', 3);
  assert.equal(all.items.length, 8);
  assert.equal(all.pages, 3);
  assert.equal(new Set(all.items.map((x) => x.id)).size, 8);
  // Revoke: 204, the token stops working with token-revoked, revoking again is fine.
  assertOk(await s.del(`/api/v1/tokens/${t.id}`), 204);
  assertProblem(await bot.get('/api/v1/users/me'), 401, 'token-revoked');
  assertOk(await s.del(`/api/v1/tokens/${t.id}`), 204);
  assert.equal((await walk(s, '/api/v1/tokens', 500)).items.length, 7);
  const withRevoked = (await walk(s, '/api/v1/tokens?include_revoked=true', 3)).items;
  assert.equal(withRevoked.length, 8);
  assert.ok(withRevoked.find((x) => x.id === t.id).revoked_at);
  assertProblem(await s.get('/api/v1/tokens?include_revoked=maybe'), 400, 'bad-query');
  // Unknown ids and other people's tokens: 404, and their token keeps working.
  assertProblem(await s.del(`/api/v1/tokens/${NIL_UUID}`), 404, 'not-found');
  assertProblem(await s.del('/api/v1/tokens/xyz'), 404, 'not-found');
  const adminTokens = (await adminBot.get('/api/v1/tokens')).json.items;
  assert.ok(adminTokens.length >= 1);
  assertProblem(await s.del(`/api/v1/tokens/${adminTokens[0].id}`), 404, 'not-found');
  assertOk(await adminBot.get('/api/v1/users/me'), 200);
  assert.ok(!(await s.get('/api/v1/tokens?limit=500')).json.items.some((x) => x.id === adminTokens[0].id));
  // Events: created and revoked, personal.
  const ev = await events(s, `object_id=${t.id}`);
  assert.deepEqual(ev.map((e) => e.action), ['token.revoked', 'token.created']);
});

test('token creation validates name and expiry; rejected creates add no token', async () => {
  const c = await tokenClient(srv, srv.admin.email);
  const before1 = (await walk(c, '/api/v1/tokens', 500)).items.length;
  const soon = new Date(Date.now() + 3600e3).toISOString();
  const cases = [
    [{}, ['name']],
    [{ name: '' }, ['name']],
    [{ name: 'x'.repeat(101) }, ['name']],
    [{ name: 'new\nline' }, ['name']],
    [{ name: 42 }, ['name']],
    [{ name: 'ok', expires_at: 'tomorrow' }, ['expires_at']],
    [{ name: 'ok', expires_at: '2001-01-01T00:00:00Z' }, ['expires_at']],
    [{ name: 'ok', expires_at: new Date(Date.now() + 11 * 366 * 86400e3).toISOString() }, ['expires_at']],
    [{ name: 'ok', expires_at: 1700000000 }, ['expires_at']],
    [{ name: 'ok', expires_at: soon, scopes: ['all'] }, ['scopes']],
  ];
  for (const [body, fields] of cases) assertProblem(await c.post('/api/v1/tokens', body), 422, 'validation', { fields });
  assert.equal((await walk(c, '/api/v1/tokens', 500)).items.length, before1);
  const ok = assertOk(await c.post('/api/v1/tokens', { name: '一小时', expires_at: soon }), 201);
  assert.equal(Date.parse(ok.expires_at), Date.parse(soon));
});

test('changing the password ends the other sessions, keeps this one, and checks the old password', async () => {
  const u = await addUser(srv, `${uniq('pw')}@example.com`, { name: '梁朝伟 Tony Leung', password: 'first-password-1' });
  const a = await signIn(srv, u.email, u.password);
  const b = await signIn(srv, u.email, u.password);
  const tok = await tokenClient(srv, u.email);
  const url = '/api/v1/users/me/password';
  // Unhappy paths first: nothing changes.
  assertProblem(await a.post(url, { current_password: 'wrong-password-9', new_password: 'second-password-2' }), 422, 'wrong-password', { fields: ['current_password'] });
  assertProblem(await a.post(url, { current_password: u.password, new_password: 'short' }), 422, 'validation', { fields: ['new_password'] });
  assertProblem(await a.post(url, { current_password: u.password, new_password: 'aaaaaaaaaaaaaa' }), 422, 'validation', { fields: ['new_password'] });
  assertProblem(await a.post(url, { current_password: u.password, new_password: u.email.toUpperCase() }), 422, 'validation', { fields: ['new_password'] });
  assertProblem(await a.post(url, { current_password: u.password, new_password: 'bell\u0007password' }), 422, 'validation', { fields: ['new_password'] });
  assertProblem(await a.post(url, { current_password: u.password }), 422, 'validation', { fields: ['new_password'] });
  assertProblem(await a.post(url, { new_password: 'x', old: 'y' }), 422, 'validation', { fields: ['old', 'current_password'] });
  assertProblem(await a.post(url, { current_password: u.password, new_password: 'second-password-2' }, { headers: { 'X-CSRF-Token': 'nope' } }), 403, 'csrf-failed');
  assertOk(await b.get('/api/v1/users/me'), 200);
  assert.equal((await a.get('/api/v1/sessions')).json.items.length, 2);
  // The change.
  assertOk(await a.post(url, { current_password: u.password, new_password: '第二个密码 second' }), 204);
  assertOk(await a.get('/api/v1/users/me'), 200);
  assertProblem(await b.get('/api/v1/users/me'), 401, 'invalid-credentials');
  assertOk(await tok.get('/api/v1/users/me'), 200);
  assert.equal((await a.get('/api/v1/sessions')).json.items.length, 1);
  assertProblem(await new Client(srv.url).post('/api/v1/sessions', { email: u.email, password: u.password }), 401, 'invalid-credentials');
  await signIn(srv, u.email, '第二个密码 second');
  const ev = (await events(a, 'action=user.password_changed'))[0];
  assert.equal(ev.actor_id, u.id);
  assert.deepEqual(ev.data, { sessions_ended: 1 });
  // Through a token: every session ends.
  assertOk(await tok.post(url, { current_password: '第二个密码 second', new_password: 'third-password-3' }), 204);
  assertProblem(await a.get('/api/v1/users/me'), 401, 'invalid-credentials');
  assertOk(await tok.get('/api/v1/users/me'), 200);
});

test('a disabled account can neither sign in nor use its sessions and tokens', { skip: !(await haveSqlite3()) && 'needs the sqlite3 tool' }, async () => {
  const u = await addUser(srv, `${uniq('disabled')}@example.com`, { name: '停用 Disabled' });
  const s = await signIn(srv, u.email, u.password);
  const tok = await tokenClient(srv, u.email);
  // There is no API to disable an account yet: set the flag in the database (set-up only).
  await sql(srv, `UPDATE user_account SET disabled = 1 WHERE id = '${u.id}'`);
  assertProblem(await new Client(srv.url).post('/api/v1/sessions', { email: u.email, password: u.password }), 401, 'account-disabled');
  assertProblem(await s.get('/api/v1/users/me'), 401, 'account-disabled');
  assertProblem(await tok.get('/api/v1/users/me'), 401, 'account-disabled');
  assertProblem(await tok.post('/api/v1/orgs', { name: '停用', kind: 'studio' }), 401, 'account-disabled');
  // A wrong password does not reveal that the account is disabled.
  assertProblem(await new Client(srv.url).post('/api/v1/sessions', { email: u.email, password: 'wrong-password-1' }), 401, 'invalid-credentials');
  await sql(srv, `UPDATE user_account SET disabled = 0 WHERE id = '${u.id}'`);
  assertOk(await tok.get('/api/v1/users/me'), 200);
});

test('an expired token answers 401 token-expired', async () => {
  await sleep(Math.max(0, shortLived.expires - Date.now() + 200));
  assertProblem(await shortLived.client.get('/api/v1/users/me'), 401, 'token-expired');
  assertProblem(await shortLived.client.post('/api/v1/orgs', { name: 'x', kind: 'studio' }), 401, 'token-expired');
});

test('an expired session answers 401 session-expired (session_ttl) and clears the cookie', async () => {
  const { client: c, cookie, r } = shortSession;
  await sleep(Math.max(0, Date.parse(r.json.expires_at) - Date.now() + 200));
  const e = await c.get('/api/v1/users/me');
  assertProblem(e, 401, 'session-expired');
  assert.match(e.headers.get('set-cookie') || '', /^ms_session=; .*Max-Age=0/);
  const w = await new Client(short.url, { cookie, csrf: r.json.csrf_token }).patch('/api/v1/users/me', { display_name: 'late' });
  assertProblem(w, 401, 'session-expired');
  const bot = await tokenClient(short, short.admin.email);
  assert.equal((await bot.get('/api/v1/users/me')).json.display_name, 'Admin');
  assert.equal((await bot.get('/api/v1/sessions')).json.items.length, 0, 'expired sessions are not listed');
});
