// HTTP details a proxy or an unusual client relies on, and disabling accounts from the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/api.mjs';
import { rawSocket, person, assertProblem, events, PROBLEM } from './helpers.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

test('an HTTP/1.1 request without Host answers 400 missing-host; HTTP/1.0 needs none', async () => {
  const r = await rawSocket(srv.url, 'GET /healthz HTTP/1.1\r\n\r\n');
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.text).type, PROBLEM + 'missing-host');
  const old = await rawSocket(srv.url, 'GET /healthz HTTP/1.0\r\n\r\n');
  assert.equal(old.status, 200);
});

test('an absolute-form request target routes by its path', async () => {
  const alice = await person(srv, 'abs');
  const r = await rawSocket(srv.url, `GET http://mstation.example.com/api/v1/users/me HTTP/1.1\r\n` +
    `Host: mstation.example.com\r\nAuthorization: Bearer ${alice.c.token}\r\nConnection: close\r\n\r\n`);
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.text).email, alice.email);
  const h = await rawSocket(srv.url, 'GET https://x/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(h.status, 200);
  assert.deepEqual(JSON.parse(h.text), { status: 'ok' });
});

test('user disable ends sessions and refuses sign-in and tokens; user enable restores them', async () => {
  const bob = await person(srv, 'disable', '停用 Bob');
  const web = await signIn(srv, bob.email, bob.password);
  assert.equal((await web.get('/api/v1/users/me')).status, 200);
  const { stdout } = await srv.cli(['user', 'disable', '--email', bob.email]);
  assert.match(stdout, /disabled/);
  assertProblem(await web.get('/api/v1/users/me'), 401, 'invalid-credentials'); // session gone
  assertProblem(await bob.c.get('/api/v1/users/me'), 401, 'account-disabled');  // token refused
  const again = await web.post('/api/v1/sessions', { email: bob.email, password: bob.password });
  assertProblem(again, 401, 'account-disabled');
  await srv.cli(['user', 'enable', '--email', bob.email]);
  assert.equal((await bob.c.get('/api/v1/users/me')).status, 200);
  const feed = await events(bob.c, 'action=user.disabled');
  assert.equal(feed.length, 1, 'the disabling is in the person\'s own activity');
  await assert.rejects(srv.cli(['user', 'disable', '--email', 'nobody@example.com']), (e) => e.code === 4);
  await assert.rejects(srv.cli(['user', 'disable']), (e) => e.code === 2);
});

test('without public_url, links in responses and mail use the port actually bound', async () => {
  const owner = await person(srv, 'links');
  const org = (await owner.c.post('/api/v1/orgs', { name: 'Link Studio', kind: 'studio' })).json;
  const inv = await owner.c.post(`/api/v1/orgs/${org.id}/invitations`, { email: 'link@example.com', role: 'member' });
  assert.equal(inv.status, 201);
  assert.equal(inv.json.accept_url, `${srv.url}/invite/${inv.json.token}`);
});
