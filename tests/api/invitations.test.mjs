// Invitations (src/auth/invitations.c): an admin invites an e-mail address with a role; the
// mail job writes the message to <data>/outbox/; whoever has the link previews it and accepts,
// creating an account (and a session) or, for an existing account, after signing in as it.
// Revoked, used, replaced and expired invitations; who may invite and list; pagination.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { Client, signIn } from '../lib/api.mjs';
import {
  assertProblem, assertOk, person, mkOrg, addMember, walk, uniq, events, waitFor, outbox, sql, haveSqlite3, NIL_UUID,
} from './helpers.mjs';

let srv, owner, admin, member, outsider, org, other;
before(async () => {
  srv = await startServer({ settings: { public_url: 'https://mstation.example.com' } });
  [owner, admin, member, outsider] = await Promise.all([
    person(srv, 'inv-owner', '博纳 Owner'), person(srv, 'inv-admin', '管理员 Admin'),
    person(srv, 'inv-member', '成员 Member'), person(srv, 'inv-outsider', '外人 Outsider'),
  ]);
  org = await mkOrg(owner.c, '博纳影业 Bona Film', 'studio');
  await addMember(owner.c, org.id, admin.id, 'admin');
  await addMember(owner.c, org.id, member.id, 'member');
  other = await mkOrg(outsider.c, 'Emperor Motion 英皇電影', 'studio');
});
after(async () => { await srv.stop(); });

const invite = (c, body, orgId = org.id) => c.post(`/api/v1/orgs/${orgId}/invitations`, body);
const tokenOf = (r) => r.json.token;
const invitations = async (c, q = '') => (await walk(c, `/api/v1/orgs/${org.id}/invitations${q ? `?${q}` : ''}`, 500)).items;
const freshEmail = (label) => `${uniq(label)}@example.com`.toLowerCase();

test('create: 201 with token and accept_url; the mail reaches the outbox via the job queue', async () => {
  const before1 = (await outbox(srv)).length;
  const email = freshEmail('Zhou.Dongyu');
  const r = await invite(admin.c, { email: email.toUpperCase(), role: 'member', message: '欢迎加入剧组！\nWelcome aboard.' });
  assertOk(r, 201);
  const inv = r.json;
  assert.match(inv.token, /^msi_[A-Za-z0-9_-]{43}$/);
  assert.equal(inv.accept_url, `https://mstation.example.com/invite/${inv.token}`);
  assert.equal(inv.email, email, 'stored lower-case');
  assert.equal(inv.role, 'member');
  assert.equal(inv.status, 'pending');
  assert.equal(inv.org_id, org.id);
  assert.equal(inv.invited_by_name, '管理员 Admin');
  assert.ok(Math.abs(Date.parse(inv.expires_at) - Date.now() - 7 * 86400e3) < 60e3, 'valid for 7 days');
  assert.equal(r.headers.get('location'), `/api/v1/orgs/${org.id}/invitations/${inv.id}`);
  // The mail job writes one .eml file within a few seconds.
  const files = await waitFor(async () => { const f = await outbox(srv); return f.length > before1 && f; }, 5000, 'a mail in the outbox');
  const texts = await Promise.all(files.map((f) => readFile(join(srv.data, 'outbox', f), 'utf8')));
  const mail = texts.find((t) => t.includes(inv.token));
  assert.ok(mail, 'the mail carries the link');
  assert.match(mail, new RegExp(`^To: ${email.replace(/[.+]/g, '\\$&')}\\r$`, 'm'));
  assert.match(mail, /^Subject: .+/m);
  assert.ok(mail.includes(inv.accept_url));
  assert.ok(mail.includes('欢迎加入剧组！'));
  assert.ok(mail.includes('博纳影业 Bona Film'));
  // The token is shown once: the list never carries it.
  const listed = (await invitations(admin.c)).find((x) => x.id === inv.id);
  assert.equal(listed.token, undefined);
  assert.equal(listed.token_hash, undefined);
  assert.equal(listed.status, 'pending');
  const ev = (await events(member.c, `object_id=${inv.id}`));
  assert.deepEqual(ev.map((e) => e.action), ['org.invitation.created']);
  assert.deepEqual(ev[0].data, { email, role: 'member' });
});

test('create: validation, roles, conflicts; only admins and owners; outsiders 404', async () => {
  const n = (await invitations(owner.c)).length;
  const cases = [
    [{ role: 'member' }, ['email']],
    [{ email: 'not-an-email', role: 'member' }, ['email']],
    [{ email: 'a@b.example', role: 'boss' }, ['role']],
    [{ email: 'a@b.example' }, ['role']],
    [{ email: 'a@b.example', role: 'member', message: 'm'.repeat(2001) }, ['message']],
    [{ email: 'a@b.example', role: 'member', message: 'bell\u0007' }, ['message']],
    [{ email: 'a@b.example', role: 'member', ttl: 3 }, ['ttl']],
  ];
  for (const [body, fields] of cases) assertProblem(await invite(admin.c, body), 422, 'validation', { fields });
  assertProblem(await invite(admin.c, { email: freshEmail('o'), role: 'owner' }), 403, 'forbidden');
  assertProblem(await invite(member.c, { email: freshEmail('m'), role: 'member' }), 403, 'forbidden');
  assertProblem(await invite(admin.c, { email: member.email.toUpperCase(), role: 'viewer' }), 409, 'already-member');
  assertProblem(await invite(outsider.c, { email: freshEmail('x'), role: 'member' }), 404, 'not-found');
  assertProblem(await invite(admin.c, { email: freshEmail('x'), role: 'member' }, other.id), 404, 'not-found');
  assert.equal((await invitations(owner.c)).length, n, 'nothing created');
  // Owners may invite owners.
  assertOk(await invite(owner.c, { email: freshEmail('co-owner'), role: 'owner' }), 201);
});

test('list: admins only, status filter, paging', async () => {
  const o = await mkOrg(owner.c, uniq('邀请 Invites'), 'school');
  const ids = [];
  for (let i = 0; i < 7; i++) ids.push((await invite(owner.c, { email: freshEmail(`student${i}`), role: 'viewer' }, o.id)).json.id);
  const { items, pages } = await walk(owner.c, `/api/v1/orgs/${o.id}/invitations`, 3);
  assert.equal(pages, 3);
  assert.deepEqual(items.map((x) => x.id), ids);
  assertOk(await owner.c.del(`/api/v1/orgs/${o.id}/invitations/${ids[2]}`), 204);
  const revoked = (await owner.c.get(`/api/v1/orgs/${o.id}/invitations?status=revoked`)).json.items;
  assert.deepEqual(revoked.map((x) => x.id), [ids[2]]);
  assert.equal((await walk(owner.c, `/api/v1/orgs/${o.id}/invitations?status=pending`, 2)).items.length, 6);
  assert.deepEqual((await owner.c.get(`/api/v1/orgs/${o.id}/invitations?status=accepted`)).json.items, []);
  assertProblem(await owner.c.get(`/api/v1/orgs/${o.id}/invitations?status=open`), 400, 'bad-query');
  await addMember(owner.c, o.id, member.id, 'member');
  assertProblem(await member.c.get(`/api/v1/orgs/${o.id}/invitations`), 403, 'forbidden');
  assertProblem(await outsider.c.get(`/api/v1/orgs/${o.id}/invitations`), 404, 'not-found');
});

test('preview: public; shows org, role and whether the account exists; bad tokens 404 invitation-invalid', async () => {
  const email = freshEmail('preview');
  const inv = (await invite(admin.c, { email, role: 'viewer' })).json;
  const anon = new Client(srv.url);
  const p = assertOk(await anon.get(`/api/v1/invitations/${inv.token}`), 200);
  assert.deepEqual(p.org, { id: org.id, name: '博纳影业 Bona Film', slug: org.slug, kind: 'studio' });
  assert.equal(p.email, email);
  assert.equal(p.role, 'viewer');
  assert.equal(p.invited_by, '管理员 Admin');
  assert.equal(p.account_exists, false);
  assert.equal(p.expires_at, inv.expires_at);
  assert.equal(p.token, undefined);
  const existing = (await invite(admin.c, { email: outsider.email, role: 'viewer' })).json;
  assert.equal((await anon.get(`/api/v1/invitations/${existing.token}`)).json.account_exists, true);
  for (const t of [`msi_${'A'.repeat(43)}`, 'msi_short', inv.token.slice(0, -1) + (inv.token.endsWith('A') ? 'B' : 'A'), `mst_${inv.token.slice(4)}`, 'x']) {
    assertProblem(await anon.get(`/api/v1/invitations/${t}`), 404, 'invitation-invalid');
    assertProblem(await anon.post(`/api/v1/invitations/${t}/accept`, { display_name: 'x', password: 'long-enough-pw' }), 404, 'invitation-invalid');
  }
  // A signed-in user may preview too.
  assertOk(await member.c.get(`/api/v1/invitations/${inv.token}`), 200);
});

test('accept as a new account: validation first, then the account, membership and a session', async () => {
  const email = freshEmail('newbie');
  const inv = (await invite(admin.c, { email, role: 'member' })).json;
  const anon = new Client(srv.url);
  const url = `/api/v1/invitations/${inv.token}/accept`;
  assertProblem(await anon.post(url, {}), 422, 'validation', { fields: ['display_name', 'password'] });
  assertProblem(await anon.req('POST', url), 422, 'validation', { fields: ['display_name', 'password'] });
  assertProblem(await anon.post(url, { display_name: '新人' }), 422, 'validation', { fields: ['password'] });
  assertProblem(await anon.post(url, { display_name: '新人', password: 'short' }), 422, 'validation', { fields: ['password'] });
  assertProblem(await anon.post(url, { display_name: '新人', password: email }), 422, 'validation', { fields: ['password'] });
  assertProblem(await anon.post(url, { display_name: '', password: 'long-enough-pw' }), 422, 'validation', { fields: ['display_name'] });
  assertProblem(await anon.post(url, { display_name: '新人', password: 'long-enough-pw', locale: 'klingon!' }), 422, 'validation', { fields: ['locale'] });
  assertProblem(await anon.post(url, { display_name: '新人', password: 'long-enough-pw', email: 'other@example.com' }), 422, 'validation', { fields: ['email'] });
  assertProblem(await anon.req('POST', url, { body: '{', headers: { 'Content-Type': 'application/json' } }), 400, 'malformed-json');
  // Nothing happened: still pending, still no account.
  const p = assertOk(await anon.get(`/api/v1/invitations/${inv.token}`), 200);
  assert.equal(p.account_exists, false);
  assert.equal(anon.cookie, null);
  // Accept.
  const r = await anon.post(url, { display_name: '周冬雨 Zhou Dongyu', password: '新密码 new password', locale: 'zh-CN' });
  assertOk(r, 201);
  assert.equal(r.json.user.email, email);
  assert.equal(r.json.user.display_name, '周冬雨 Zhou Dongyu');
  assert.equal(r.json.user.locale, 'zh-CN');
  assert.deepEqual(r.json.org, { id: org.id, name: '博纳影业 Bona Film', slug: org.slug, role: 'member' });
  assert.match(r.headers.get('set-cookie'), /^ms_session=mss_[^;]+; .*HttpOnly/);
  assert.match(r.headers.get('set-cookie'), /; Secure/, 'https public_url makes the cookie Secure');
  assert.equal(typeof r.json.csrf_token, 'string');
  // Signed in: the cookie works, with the CSRF token for writes.
  anon.csrf = r.json.csrf_token;
  const me = assertOk(await anon.get('/api/v1/users/me'), 200);
  assert.deepEqual(me.orgs.map((o) => [o.id, o.role]), [[org.id, 'member']]);
  assertOk(await anon.patch('/api/v1/users/me', { display_name: '周冬雨' }), 200);
  assertOk(await anon.post('/api/v1/projects', { org_id: org.id, name: '少年的你 Better Days' }), 201);
  // The password works for later sign-ins.
  await signIn(srv, email, '新密码 new password');
  // Used: the link is spent.
  assertProblem(await new Client(srv.url).get(`/api/v1/invitations/${inv.token}`), 404, 'invitation-used');
  assertProblem(await new Client(srv.url).post(url, { display_name: 'again', password: 'long-enough-pw' }), 404, 'invitation-used');
  assert.equal((await invitations(admin.c, 'status=accepted')).filter((x) => x.id === inv.id).length, 1);
  assertProblem(await admin.c.del(`/api/v1/orgs/${org.id}/invitations/${inv.id}`), 409, 'invitation-accepted');
  const ev = (await events(owner.c, `org_id=${org.id}&action=org.member.joined`)).find((e) => e.object_id === me.id);
  assert.equal(ev.actor_id, me.id);
});

test('accept for an existing account requires being signed in as that account', async () => {
  const x = await person(srv, 'existing', '已有账户 Existing');
  const inv = (await invite(admin.c, { email: x.email, role: 'viewer' })).json;
  const url = `/api/v1/invitations/${inv.token}/accept`;
  assertProblem(await new Client(srv.url).post(url, {}), 401, 'sign-in-as-invitee');
  assertProblem(await new Client(srv.url).post(url, { display_name: 'Impostor', password: 'long-enough-pw' }), 401, 'sign-in-as-invitee');
  assertProblem(await outsider.c.post(url, {}), 403, 'sign-in-as-invitee');
  const s = await signIn(srv, outsider.email, outsider.password);
  assertProblem(await s.post(url, {}), 403, 'sign-in-as-invitee');
  assertProblem(await x.c.get(`/api/v1/orgs/${org.id}`), 404, 'not-found');
  assertProblem(await outsider.c.get(`/api/v1/orgs/${org.id}`), 404, 'not-found');
  // As the invitee (cookie: the CSRF token is required like any cookie write).
  const xs = await signIn(srv, x.email, x.password);
  assertProblem(await new Client(srv.url, { cookie: xs.cookie }).post(url, {}), 403, 'csrf-failed');
  const r = await xs.post(url);
  assertOk(r, 201);
  assert.equal(r.json.user.id, x.id);
  assert.equal(r.json.org.role, 'viewer');
  assert.equal(r.json.csrf_token, undefined, 'no new session');
  assert.equal(r.headers.get('set-cookie'), null);
  assert.equal((await x.c.get(`/api/v1/orgs/${org.id}`)).json.my_role, 'viewer');
  assertProblem(await x.c.post(url, {}), 404, 'invitation-used');
});

test('accept as a new address while signed in as someone else answers 403 wrong-account', async () => {
  const inv = (await invite(admin.c, { email: freshEmail('someone'), role: 'member' })).json;
  const url = `/api/v1/invitations/${inv.token}/accept`;
  assertProblem(await member.c.post(url, { display_name: 'x', password: 'long-enough-pw' }), 403, 'wrong-account');
  assert.equal((await new Client(srv.url).get(`/api/v1/invitations/${inv.token}`)).json.account_exists, false);
});

test('revoke: 204, then the link answers invitation-revoked; admins only; unknown 404', async () => {
  const email = freshEmail('revokee');
  const inv = (await invite(admin.c, { email, role: 'member' })).json;
  const url = `/api/v1/orgs/${org.id}/invitations/${inv.id}`;
  assertProblem(await member.c.del(url), 403, 'forbidden');
  assertProblem(await outsider.c.del(url), 404, 'not-found');
  assertProblem(await outsider.c.del(`/api/v1/orgs/${other.id}/invitations/${inv.id}`), 404, 'not-found');
  assertOk(await new Client(srv.url).get(`/api/v1/invitations/${inv.token}`), 200);
  assertOk(await admin.c.del(url), 204);
  assertOk(await admin.c.del(url), 204); // revoking twice is fine
  assertProblem(await admin.c.del(`/api/v1/orgs/${org.id}/invitations/${NIL_UUID}`), 404, 'not-found');
  assertProblem(await admin.c.del(`/api/v1/orgs/${org.id}/invitations/abc`), 404, 'not-found');
  const anon = new Client(srv.url);
  assertProblem(await anon.get(`/api/v1/invitations/${inv.token}`), 404, 'invitation-revoked');
  assertProblem(await anon.post(`/api/v1/invitations/${inv.token}/accept`, { display_name: '迟到', password: 'long-enough-pw' }), 404, 'invitation-revoked');
  assert.equal((await invitations(admin.c)).find((x) => x.id === inv.id).status, 'revoked');
  const ev = await events(admin.c, `object_id=${inv.id}`);
  assert.deepEqual(ev.map((e) => e.action), ['org.invitation.revoked', 'org.invitation.created']);
});

test('inviting the same address again replaces the pending invitation', async () => {
  const email = freshEmail('twice');
  const first = (await invite(admin.c, { email, role: 'viewer' })).json;
  const second = (await invite(owner.c, { email, role: 'admin' })).json;
  assert.notEqual(first.token, second.token);
  const anon = new Client(srv.url);
  assertProblem(await anon.get(`/api/v1/invitations/${first.token}`), 404, 'invitation-revoked');
  const p = assertOk(await anon.get(`/api/v1/invitations/${second.token}`), 200);
  assert.equal(p.role, 'admin');
  const mine = (await invitations(owner.c)).filter((x) => x.email === email);
  assert.deepEqual(mine.map((x) => x.status), ['revoked', 'pending']);
  const r = await anon.post(`/api/v1/invitations/${second.token}/accept`, { display_name: '二次邀请', password: 'long-enough-pw' });
  assertOk(r, 201);
  assert.equal(r.json.org.role, 'admin');
});

test('an expired invitation answers 404 invitation-expired', { skip: !(await haveSqlite3()) && 'needs the sqlite3 tool' }, async () => {
  const inv = (await invite(admin.c, { email: freshEmail('late'), role: 'member' })).json;
  // Seven days cannot pass in a test: move the expiry into the past in the database.
  await sql(srv, `UPDATE invitation SET expires_at = '2001-01-01T00:00:00.000Z' WHERE id = '${inv.id}'`);
  const anon = new Client(srv.url);
  assertProblem(await anon.get(`/api/v1/invitations/${inv.token}`), 404, 'invitation-expired');
  assertProblem(await anon.post(`/api/v1/invitations/${inv.token}/accept`, { display_name: '过期', password: 'long-enough-pw' }), 404, 'invitation-expired');
  const listed = (await invitations(admin.c, 'status=expired')).map((x) => x.id);
  assert.ok(listed.includes(inv.id));
  assert.ok(!(await invitations(admin.c, 'status=pending')).some((x) => x.id === inv.id));
});
