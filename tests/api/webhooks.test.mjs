// Project webhooks over the API: created by supervisors only (the secret shown once), fired
// by production changes inside their transaction, delivered as signed POSTs to a receiver on
// 127.0.0.1 (the HMAC checked here with node's crypto), event patterns, retries after a 500,
// a 410 turning the webhook off, redelivery and pings, the deliveries log newest first,
// If-Match, and the refusal of private addresses when webhooks_allow_private is off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { startServer } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg, mkProject, addMember, etag, waitFor, sleep, walk, events } from './helpers.mjs';

// ---- A receiver: records every request; answers from a per-path script (default 200). ----
let recv;
function startReceiver() {
  const got = [];
  const script = new Map(); // path -> [status, ...] answered in turn, then 200
  const server = http.createServer((req, res) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      got.push({ path: req.url, method: req.method, headers: req.headers, body, at: Date.now() });
      const q = script.get(req.url) || [];
      const status = q.length ? q.shift() : 200;
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status === 200 ? 'ok' : 'no');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    resolve({ server, port, got, script, url: (p) => `http://127.0.0.1:${port}${p}`, on: (p) => got.filter((g) => g.path === p) });
  }));
}

/** Verify X-Mstation-Signature the way a receiver should. */
function verify(secret, headers, body, toleranceS = 300) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers['x-mstation-signature'] || '');
  if (!m) return false;
  if (Math.abs(Date.now() / 1000 - Number(m[1])) > toleranceS) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(want, Buffer.from(m[2], 'hex'));
}

let srv, sup, artist, client, vendor, outsider, org, project, other, shot, task, st;
const P = () => `/api/v1/projects/${project.id}`;

before(async () => {
  recv = await startReceiver();
  srv = await startServer({ settings: { webhooks_allow_private: 'true' } });
  sup = await person(srv, 'sup', '监制 Supervisor');
  artist = await person(srv, 'artist', 'Artist');
  client = await person(srv, 'client', 'Client');
  vendor = await person(srv, 'vendor', 'Vendor');
  outsider = await person(srv, 'outsider', 'Outsider');
  org = await mkOrg(sup.c, 'Studio');
  await addMember(sup.c, org.id, artist.id, 'member');
  project = await mkProject(sup.c, org.id, 'Series');
  const vorg = await mkOrg(vendor.c, 'VFX House');
  const corg = await mkOrg(client.c, 'Broadcaster', 'broadcaster');
  assertOk(await sup.c.post(`${P()}/partners`, { org_id: vorg.id, role: 'vendor' }), 201);
  assertOk(await sup.c.post(`${P()}/partners`, { org_id: corg.id, role: 'client' }), 201);
  const oorg = await mkOrg(outsider.c, 'Elsewhere');
  other = await mkProject(outsider.c, oorg.id, 'Theirs');
  const voc = assertOk(await sup.c.post(`${P()}/production/setup`, { template: 'series' }), 201);
  st = Object.fromEntries(voc.task_statuses.map((s) => [s.short_name, s]));
  const [epType, seqType, shotType] = voc.entity_types;
  const ep = assertOk(await sup.c.post(`${P()}/entities`, { type_id: epType.id, name: 'EP01' }), 201);
  const sq = assertOk(await sup.c.post(`${P()}/entities`, { type_id: seqType.id, parent_id: ep.id, name: 'SQ010' }), 201);
  shot = assertOk(await sup.c.post(`${P()}/entities`, { type_id: shotType.id, parent_id: sq.id, name: 'SH010' }), 201);
  const anim = voc.task_types.find((t) => t.name === 'Animation');
  task = assertOk(await sup.c.post(`${P()}/tasks`, { task_type_id: anim.id, entity_id: shot.id, assignees: [artist.id] }), 201);
});
after(async () => {
  await srv?.stop();
  recv?.server.close();
});

async function mkHook(body) {
  return assertOk(await sup.c.post(`${P()}/webhooks`, body), 201);
}
async function deliveries(hookId, q = '') {
  return assertOk(await sup.c.get(`/api/v1/webhooks/${hookId}/deliveries${q}`), 200).items;
}
/** Wait until the webhook's newest delivery satisfies `pred`; returns it. */
async function waitDelivery(hookId, pred, ms = 10000, what = 'delivery') {
  return waitFor(async () => (await deliveries(hookId)).find(pred), ms, what);
}
async function setStatus(statusId) {
  const g = await sup.c.get(`/api/v1/tasks/${task.id}`);
  return assertOk(await sup.c.patch(`/api/v1/tasks/${task.id}`, { status_id: statusId }, { headers: { 'If-Match': etag(g) } }), 200);
}

let main, mainSecret;
test('create: checked input; the secret is shown once and never again', async () => {
  const bad = [
    [{ url: 'ftp://example.com/hook' }, ['url']],
    [{ url: 'example.com/hook' }, ['url']],
    [{ url: 'http://user:pw@example.com/hook' }, ['url']],
    [{ url: 'http://user@example.com/hook' }, ['url']],
    [{ url: `https://example.com/${'a'.repeat(2040)}` }, ['url']],
    [{ url: 'https://example.com/ h' }, ['url']],
    [{ url: 'https://example.com/h', events: [] }, ['events']],
    [{ url: 'https://example.com/h', events: ['Task.*'] }, ['events']],
    [{ url: 'https://example.com/h', events: ['task*'] }, ['events']],
    [{ url: 'https://example.com/h', events: ['*.updated'] }, ['events']],
    [{ url: 'https://example.com/h', events: ['task..x'] }, ['events']],
    [{ url: 'https://example.com/h', events: ['task.*', 'task.*'] }, ['events']],
    [{ url: 'https://example.com/h', events: [3] }, ['events']],
    [{ url: 'https://example.com/h', events: 'task.*' }, ['events']],
    [{ url: 'https://example.com/h', secret: 'mine' }, ['secret']],
    [{ events: ['*'] }, ['url']],
  ];
  for (const [body, fields] of bad) {
    assertProblem(await sup.c.post(`${P()}/webhooks`, body), 422, 'validation', { fields });
  }
  assert.equal(assertOk(await sup.c.get(`${P()}/webhooks`), 200).items.length, 0, 'nothing was created');

  const r = await sup.c.post(`${P()}/webhooks`, { url: recv.url('/main'), events: ['task.*'] });
  main = assertOk(r, 201);
  assert.match(main.secret, /^whsec_[0-9a-f]{64}$/);
  mainSecret = main.secret;
  assert.equal(main.active, true);
  assert.deepEqual(main.events, ['task.*']);
  assert.equal(main.project_id, project.id);
  assert.equal(main.last_delivery_status, null);
  assert.equal(main.version, 1);
  assert.equal(etag(r), '"1"');
  const g = assertOk(await sup.c.get(`/api/v1/webhooks/${main.id}`), 200);
  assert.equal(g.secret, undefined, 'GET never shows the secret');
  assert.ok(!JSON.stringify(g).includes(mainSecret.slice(6)));
  const l = assertOk(await sup.c.get(`${P()}/webhooks`), 200);
  assert.deepEqual(l.items.map((h) => h.id), [main.id]);
  assert.ok(!JSON.stringify(l).includes(mainSecret.slice(6)), 'the list never shows the secret');
  const second = await mkHook({ url: 'https://example.com/defaults' });
  assert.deepEqual(second.events, ['*'], 'events default to everything');
  assert.notEqual(second.secret, mainSecret);
  // The audit event is in the feed every member reads: it names neither the URL nor the secret.
  const feed = (await events(artist.c)).filter((e) => e.action === 'webhook.created');
  assert.deepEqual(feed.map((e) => e.object_id).sort(), [main.id, second.id].sort());
  assert.ok(!JSON.stringify(feed).includes('/main') && !JSON.stringify(feed).includes('whsec_'), JSON.stringify(feed));
  assert.equal(assertOk(await sup.c.del(`/api/v1/webhooks/${second.id}`), 204), null);
});

test('roles: artists, vendors and clients may not manage webhooks; outsiders see nothing', async () => {
  const d = (await sup.c.post(`/api/v1/webhooks/${main.id}/ping`)).json;
  const calls = (c) => [
    c.get(`${P()}/webhooks`),
    c.post(`${P()}/webhooks`, { url: recv.url('/x') }),
    c.get(`/api/v1/webhooks/${main.id}`),
    c.patch(`/api/v1/webhooks/${main.id}`, { active: false }),
    c.del(`/api/v1/webhooks/${main.id}`),
    c.post(`/api/v1/webhooks/${main.id}/ping`),
    c.get(`/api/v1/webhooks/${main.id}/deliveries`),
    c.post(`/api/v1/webhook-deliveries/${d.id}/redeliver`),
  ];
  for (const who of [artist, vendor, client]) {
    for (const r of await Promise.all(calls(who.c))) assertProblem(r, 403, 'production-role');
  }
  for (const r of await Promise.all(calls(outsider.c))) assertProblem(r, 404, 'not-found');
  // A supervisor of another project reaches nothing here, nor do unknown or malformed ids.
  const theirs = assertOk(await outsider.c.post(`/api/v1/projects/${other.id}/webhooks`, { url: 'https://example.org/theirs' }), 201);
  assertProblem(await sup.c.get(`/api/v1/webhooks/${theirs.id}`), 404, 'not-found');
  assertProblem(await sup.c.get(`/api/v1/webhooks/${theirs.id}/deliveries`), 404, 'not-found');
  assertProblem(await sup.c.get(`/api/v1/projects/${other.id}/webhooks`), 404, 'not-found');
  assertProblem(await sup.c.get('/api/v1/webhooks/not-an-id'), 404, 'not-found');
  assertProblem(await sup.c.get('/api/v1/webhooks/00000000-0000-7000-8000-000000000000'), 404, 'not-found');
  assertProblem(await sup.c.post('/api/v1/webhook-deliveries/00000000-0000-7000-8000-000000000000/redeliver'), 404, 'not-found');
  const g = assertOk(await sup.c.get(`/api/v1/webhooks/${main.id}`), 200);
  assert.equal(g.active, true, 'nothing changed');
  assert.equal(g.version, 1);
  await waitDelivery(main.id, (x) => x.id === d.id && x.status === 'delivered', 10000, 'the ping');
});

test('a task status change is delivered as a signed POST the receiver can verify', async () => {
  const before = recv.on('/main').length;
  await setStatus(st.wip.id);
  const req = await waitFor(() => recv.on('/main').find((g, i) => i >= before && g.headers['x-mstation-event'] === 'task.updated'), 10000, 'the POST');
  assert.equal(req.method, 'POST');
  assert.match(req.headers['content-type'], /^application\/json/);
  assert.match(req.headers['user-agent'], /^mstation-webhooks\//);
  assert.ok(verify(mainSecret, req.headers, req.body), 'the signature verifies with the secret');
  assert.ok(!verify(mainSecret, req.headers, req.body + ' '), 'and not for another body');
  assert.ok(!verify('whsec_' + '0'.repeat(64), req.headers, req.body), 'nor with another secret');
  const body = JSON.parse(req.body);
  assert.equal(body.event, 'task.updated');
  assert.equal(body.project_id, project.id);
  assert.equal(body.actor_id, sup.id);
  assert.equal(body.object_type, 'task');
  assert.equal(body.object_id, task.id);
  assert.deepEqual(body.data, { status_id: st.wip.id });
  assert.match(body.id, /^[0-9a-f-]{36}$/);
  assert.match(body.created_at, /^\d{4}-\d\d-\d\dT/);
  const d = await waitDelivery(main.id, (x) => x.id === req.headers['x-mstation-delivery'] && x.status === 'delivered');
  assert.equal(d.event, 'task.updated');
  assert.equal(d.origin, 'event');
  assert.equal(d.attempts, 1);
  assert.equal(d.last_http_status, 200);
  assert.equal(d.last_error, null);
  assert.ok(d.delivered_at && d.last_attempt_at);
  assert.equal(typeof d.duration_ms, 'number');
  assert.deepEqual(d.payload, body, 'the log keeps the body as sent');
  const h = assertOk(await sup.c.get(`/api/v1/webhooks/${main.id}`), 200);
  assert.equal(h.last_delivery_status, 'delivered');
  assert.ok(h.last_delivery_at);
});

test('events: each webhook gets only what its patterns match; an inactive one gets nothing', async () => {
  const ent = await mkHook({ url: recv.url('/entities'), events: ['entity.*'] });
  const upd = await mkHook({ url: recv.url('/updates'), events: ['task.updated', 'task.commented'] });
  const off = await mkHook({ url: recv.url('/off'), events: ['*'], active: false });
  assert.equal(off.active, false);
  const all = await mkHook({ url: recv.url('/all'), events: ['*'] });
  const g = await sup.c.get(`/api/v1/entities/${shot.id}`);
  assertOk(await sup.c.patch(`/api/v1/entities/${shot.id}`, { description: 'Opening' }, { headers: { 'If-Match': etag(g) } }), 200);
  assertOk(await artist.c.post(`/api/v1/tasks/${task.id}/comments`, { text: 'looks good' }), 201);
  await setStatus(st.todo.id);
  // A refused request fires nothing.
  const stale = await sup.c.patch(`/api/v1/tasks/${task.id}`, { status_id: st.wip.id }, { headers: { 'If-Match': '"1"' } });
  assertProblem(stale, 412, 'stale-version');
  await waitFor(() => recv.on('/all').length >= 3, 10000, 'three events on /all');
  await waitFor(() => recv.on('/updates').length >= 2, 10000, 'two events on /updates');
  await waitFor(() => recv.on('/entities').length >= 1, 10000, 'one event on /entities');
  await sleep(500);
  const ev = (p) => recv.on(p).map((x) => x.headers['x-mstation-event']);
  assert.deepEqual(ev('/entities'), ['entity.updated']);
  const eb = JSON.parse(recv.on('/entities')[0].body);
  assert.deepEqual([eb.object_type, eb.object_id, eb.data], ['entity', shot.id, null], 'every field is present, data null when the event has none');
  assert.deepEqual(ev('/updates').sort(), ['task.commented', 'task.updated']);
  assert.deepEqual(ev('/all').sort(), ['entity.updated', 'task.commented', 'task.updated']);
  assert.deepEqual(ev('/off'), []);
  assert.equal((await deliveries(off.id)).length, 0);
  for (const p of ['/entities', '/updates', '/all']) {
    for (const x of recv.on(p)) assert.ok(verify(p === '/entities' ? ent.secret : p === '/updates' ? upd.secret : all.secret, x.headers, x.body));
  }
  // Patterns change with PATCH (If-Match); the webhook's own changes are not delivered.
  const r = await sup.c.get(`/api/v1/webhooks/${ent.id}`);
  const ch = assertOk(await sup.c.patch(`/api/v1/webhooks/${ent.id}`, { events: ['task.deleted'] }, { headers: { 'If-Match': etag(r) } }), 200);
  assert.deepEqual(ch.events, ['task.deleted']);
  assert.equal(ch.version, 2);
  assertProblem(await sup.c.patch(`/api/v1/webhooks/${ent.id}`, { active: false }, { headers: { 'If-Match': etag(r) } }), 412, 'stale-version');
  assertProblem(await sup.c.patch(`/api/v1/webhooks/${ent.id}`, { url: 'gopher://x' }), 422, 'validation', { fields: ['url'] });
  assertProblem(await sup.c.patch(`/api/v1/webhooks/${ent.id}`, { events: ['**'] }), 422, 'validation', { fields: ['events'] });
  assertProblem(await sup.c.patch(`/api/v1/webhooks/${ent.id}`, { nope: 1 }), 422, 'validation', { fields: ['nope'] });
  assert.deepEqual(assertOk(await sup.c.get(`/api/v1/webhooks/${ent.id}`), 200).events, ['task.deleted'], 'bad changes changed nothing');
  assert.equal(recv.on('/all').filter((x) => x.headers['x-mstation-event'].startsWith('webhook.')).length, 0);
  for (const h of [ent, upd, off, all]) {
    const cur = await sup.c.get(`/api/v1/webhooks/${h.id}`);
    assertProblem(await sup.c.del(`/api/v1/webhooks/${h.id}`, { headers: { 'If-Match': '"99"' } }), 412, 'stale-version');
    assertOk(await sup.c.del(`/api/v1/webhooks/${h.id}`, { headers: { 'If-Match': etag(cur) } }), 204);
    assertProblem(await sup.c.get(`/api/v1/webhooks/${h.id}/deliveries`), 404, 'not-found');
  }
});

test('a 500 is retried with the queue backoff until the receiver answers 2xx', async () => {
  const flaky = await mkHook({ url: recv.url('/flaky'), events: ['task.updated'] });
  recv.script.set('/flaky', [500]);
  await setStatus(st.wip.id);
  const first = await waitDelivery(flaky.id, (x) => x.attempts === 1, 10000, 'the first attempt');
  assert.equal(first.status, 'pending', 'a failed attempt with attempts left stays pending');
  assert.equal(first.last_http_status, 500);
  assert.match(first.last_error, /500/);
  assert.equal(first.delivered_at, null);
  assert.equal(assertOk(await sup.c.get(`/api/v1/webhooks/${flaky.id}`), 200).last_delivery_status, 'pending');
  // The queue's first retry comes 5 s later (plus up to 20% jitter).
  const done = await waitDelivery(flaky.id, (x) => x.id === first.id && x.status === 'delivered', 15000, 'the retry');
  assert.equal(done.attempts, 2);
  assert.equal(done.last_http_status, 200);
  assert.equal(done.last_error, null);
  const got = recv.on('/flaky');
  assert.equal(got.length, 2);
  assert.equal(got[0].body, got[1].body, 'a retry sends the same body');
  assert.equal(got[0].headers['x-mstation-delivery'], got[1].headers['x-mstation-delivery']);
  assert.ok(got[1].at - got[0].at >= 4500, `retried after the backoff (${got[1].at - got[0].at} ms)`);
  for (const x of got) assert.ok(verify(flaky.secret, x.headers, x.body));
  assertOk(await sup.c.del(`/api/v1/webhooks/${flaky.id}`), 204);
});

test('410 Gone turns the webhook off; turning it on again clears the reason', async () => {
  const gone = await mkHook({ url: recv.url('/gone'), events: ['*'] });
  recv.script.set('/gone', [410]);
  const p = assertOk(await sup.c.post(`/api/v1/webhooks/${gone.id}/ping`), 201);
  assert.equal(p.event, 'ping');
  assert.equal(p.origin, 'ping');
  assert.equal(p.status, 'pending');
  const d = await waitDelivery(gone.id, (x) => x.id === p.id && x.status !== 'pending', 10000, 'the ping');
  assert.equal(d.status, 'failed');
  assert.equal(d.last_http_status, 410);
  assert.equal(d.attempts, 1);
  const h = assertOk(await sup.c.get(`/api/v1/webhooks/${gone.id}`), 200);
  assert.equal(h.active, false);
  assert.match(h.disabled_reason, /410/);
  assert.equal(h.last_delivery_status, 'failed');
  const n = recv.on('/gone').length;
  await setStatus(st.todo.id);
  await sleep(1500);
  assert.equal(recv.on('/gone').length, n, 'an inactive webhook gets no events');
  assert.equal((await deliveries(gone.id)).length, 1);
  const on = assertOk(await sup.c.patch(`/api/v1/webhooks/${gone.id}`, { active: true }), 200);
  assert.equal(on.active, true);
  assert.equal(on.disabled_reason, null);
  await setStatus(st.wip.id);
  await waitDelivery(gone.id, (x) => x.event === 'task.updated' && x.status === 'delivered', 10000, 'delivery after re-enabling');
  assertOk(await sup.c.del(`/api/v1/webhooks/${gone.id}`), 204);
});

test('redeliver: a new delivery with the same body; ping; the log pages newest first', async () => {
  const ds = await deliveries(main.id);
  const orig = ds.find((x) => x.event === 'task.updated' && x.status === 'delivered');
  const n = recv.on('/main').length;
  const re = assertOk(await sup.c.post(`/api/v1/webhook-deliveries/${orig.id}/redeliver`), 201);
  assert.notEqual(re.id, orig.id);
  assert.equal(re.origin, 'redelivery');
  assert.equal(re.redelivery_of, orig.id);
  assert.equal(re.event, orig.event);
  assert.deepEqual(re.payload, orig.payload);
  await waitDelivery(main.id, (x) => x.id === re.id && x.status === 'delivered');
  const req = recv.on('/main').slice(n).find((x) => x.headers['x-mstation-delivery'] === re.id);
  assert.ok(req, 'the receiver got the redelivery');
  assert.equal(JSON.parse(req.body).id, orig.payload.id, 'the body keeps the event id');
  assert.ok(verify(mainSecret, req.headers, req.body));
  // Ping bodies name the webhook.
  const p = assertOk(await sup.c.post(`/api/v1/webhooks/${main.id}/ping`), 201);
  await waitDelivery(main.id, (x) => x.id === p.id && x.status === 'delivered');
  const preq = recv.on('/main').find((x) => x.headers['x-mstation-delivery'] === p.id);
  const pb = JSON.parse(preq.body);
  assert.equal(pb.event, 'ping');
  assert.equal(pb.data.webhook.id, main.id);
  assert.deepEqual(pb.data.webhook.events, ['task.*']);
  assert.equal(pb.data.webhook.secret, undefined);
  // Newest first, in pages; filters checked.
  const all = await deliveries(main.id, '?limit=500');
  assert.ok(all.length >= 4);
  assert.equal(all[0].id, p.id);
  const ids = all.map((x) => x.id);
  assert.deepEqual(ids, [...ids].sort().reverse());
  const paged = await walk(sup.c, `/api/v1/webhooks/${main.id}/deliveries`, 1);
  assert.deepEqual(paged.items.map((x) => x.id), ids);
  assert.equal(paged.pages, ids.length);
  const delivered = await deliveries(main.id, '?status=delivered');
  assert.ok(delivered.every((x) => x.status === 'delivered'));
  assertProblem(await sup.c.get(`/api/v1/webhooks/${main.id}/deliveries?status=lost`), 400, 'bad-query');
  assertProblem(await sup.c.get(`/api/v1/webhooks/${main.id}/deliveries?sort=x`), 400, 'bad-query');
  assertProblem(await sup.c.get(`/api/v1/webhooks/${main.id}/deliveries?cursor=@@`), 400, 'bad-query');
});

test('without webhooks_allow_private, private addresses are refused at creation and when connecting', async () => {
  const s2 = await startServer();
  try {
    const boss = await person(s2, 'boss', 'Boss');
    const o = await mkOrg(boss.c, 'Studio 2');
    const pr = await mkProject(boss.c, o.id, 'Film');
    const PP = `/api/v1/projects/${pr.id}`;
    for (const url of [recv.url('/private'), 'http://[::1]/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest',
      'http://192.168.0.10/x', 'http://0.0.0.0/x', 'http://[fd00::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://224.0.0.1/x']) {
      assertProblem(await boss.c.post(`${PP}/webhooks`, { url }), 422, 'validation', { fields: ['url'] });
    }
    assertOk(await boss.c.post(`${PP}/webhooks`, { url: 'https://93.184.215.14/hook' }), 201);
    // A name that resolves to loopback passes creation and is refused when connecting.
    const h = assertOk(await boss.c.post(`${PP}/webhooks`, { url: `http://localhost:${recv.port}/private` }), 201);
    const p = assertOk(await boss.c.post(`/api/v1/webhooks/${h.id}/ping`), 201);
    const d = await waitFor(async () => (await boss.c.get(`/api/v1/webhooks/${h.id}/deliveries`)).json.items.find((x) => x.id === p.id && x.status !== 'pending'), 10000, 'the refusal');
    assert.equal(d.status, 'failed', 'not retried');
    assert.equal(d.last_http_status, null);
    assert.match(d.last_error, /refused to connect to (127\.0\.0\.1|::1)/);
    assert.equal(recv.on('/private').length, 0, 'the receiver was never called');
  } finally {
    await s2.stop();
  }
});
