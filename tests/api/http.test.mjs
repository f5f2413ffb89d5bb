// The request life cycle every route shares (src/http/server.c): JSON bodies (malformed,
// wrong Content-Type, wrong shapes, control characters, over-long strings, empty), body
// limits (Content-Length and chunked), bodies where none is allowed, query parameters
// (unknown, cursors, limits), routing (404, 405, trailing slash, bad ids), oversized
// headers, common response headers, and many requests at once. Each rejected write is
// followed by a re-read showing that nothing changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client, tokenClient } from '../lib/api.mjs';
import {
  assertProblem, assertOk, rawRequest, rawSocket, mkOrg, mkProject, authRoutes, moduleRoutes, NIL_UUID, uniq,
} from './helpers.mjs';

const MAX_BODY = 4096;
let srv, bot, org, project;

before(async () => {
  srv = await startServer({ settings: { max_body: '4KiB', max_header: '8KiB' } });
  bot = await tokenClient(srv, srv.admin.email);
  org = await mkOrg(bot, 'Hong Kong Films 香港電影', 'studio');
  project = await mkProject(bot, org.id, '無間道 Infernal Affairs', { code: 'IA' });
});
after(async () => { await srv.stop(); });

async function orgCount() {
  const r = await bot.get('/api/v1/orgs?limit=500');
  assert.equal(r.status, 200);
  return r.json.items.length;
}

const post = (path, body, headers = {}) => bot.req('POST', path, { body, headers });

test('malformed JSON answers 400 malformed-json and creates nothing', async () => {
  const n = await orgCount();
  for (const body of ['{"name":', 'not json', '[1, 2', '{"name": "a" "kind": "studio"}', "{'name': 'x'}",
    '{"name":"Duplicated","name":"Twice","kind":"studio"}', '{"name":"a","kind":"studio"} trailing']) {
    const r = await post('/api/v1/orgs', body, { 'Content-Type': 'application/json' });
    assertProblem(r, 400, 'malformed-json');
  }
  // Invalid UTF-8 and NUL inside a string are not JSON text a server may accept.
  const bad = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","kind":"studio"}')]);
  assertProblem(await post('/api/v1/orgs', bad, { 'Content-Type': 'application/json' }), 400, 'malformed-json');
  assertProblem(await post('/api/v1/orgs', '{"name":"a\\u0000b","kind":"studio"}', { 'Content-Type': 'application/json' }),
    400, 'malformed-json');
  assert.equal(await orgCount(), n);
});

test('a JSON array where an object is expected answers 422 validation', async () => {
  const n = await orgCount();
  for (const body of ['[]', '[{"name":"上海影业","kind":"studio"}]']) {
    const r = await post('/api/v1/orgs', body, { 'Content-Type': 'application/json' });
    assertProblem(r, 422, 'validation', { detail: /JSON object/ });
  }
  assert.equal(await orgCount(), n);
});

test('a JSON scalar where an object is expected answers 422 validation (it is valid JSON, not malformed)', async () => {
  const n = await orgCount();
  for (const body of ['"上海影业"', 'null', '42', 'true']) {
    const r = await post('/api/v1/orgs', body, { 'Content-Type': 'application/json' });
    assertProblem(r, 422, 'validation', { detail: /JSON object/ });
  }
  assert.equal(await orgCount(), n);
});

test('an empty body where one is required answers 4xx and creates nothing', async () => {
  const n = await orgCount();
  const r = await post('/api/v1/orgs', '', { 'Content-Type': 'application/json' });
  assertProblem(r, 422, 'validation', { detail: /JSON object/ });
  // No Content-Type and no body at all: the same answer, not a crash.
  const r2 = await rawRequest(srv.url, { method: 'POST', path: '/api/v1/orgs', headers: { Authorization: `Bearer ${bot.token}`, 'Content-Length': '0' }, body: '' });
  assertProblem(r2, 422, 'validation');
  assert.equal(await orgCount(), n);
});

test('wrong Content-Type answers 415 before the body is read', async () => {
  const n = await orgCount();
  const json = JSON.stringify({ name: '北京电影', kind: 'studio' });
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json']) {
    assertProblem(await post('/api/v1/orgs', json, { 'Content-Type': ct }), 415, 'unsupported-media-type');
  }
  // A body without any Content-Type.
  const r = await rawRequest(srv.url, { method: 'POST', path: '/api/v1/orgs', headers: { Authorization: `Bearer ${bot.token}`, 'Content-Length': String(Buffer.byteLength(json)) }, body: json });
  assertProblem(r, 415, 'unsupported-media-type');
  // A chunked body with a wrong type.
  const r2 = await rawRequest(srv.url, { method: 'POST', path: '/api/v1/orgs', headers: { Authorization: `Bearer ${bot.token}`, 'Content-Type': 'text/plain' }, chunks: [json.slice(0, 10), json.slice(10)] });
  assertProblem(r2, 415, 'unsupported-media-type');
  assert.equal(await orgCount(), n);
  // JSON types with parameters and +json suffixes are JSON.
  assertOk(await post('/api/v1/orgs', JSON.stringify({ name: uniq('charset'), kind: 'other' }), { 'Content-Type': 'application/json; charset=utf-8' }), 201);
  assertOk(await post('/api/v1/orgs', JSON.stringify({ name: uniq('merge'), kind: 'other' }), { 'Content-Type': 'application/merge-patch+json' }), 201);
  assert.equal(await orgCount(), n + 2);
});

test('wrong types, missing, null and unknown fields answer 422 with field errors', async () => {
  const n = await orgCount();
  const cases = [
    [{}, ['name', 'kind']],
    [{ name: 5, kind: 'studio' }, ['name']],
    [{ name: '上海影业', kind: 'spaceship' }, ['kind']],
    [{ name: '上海影业', kind: ['studio'] }, ['kind']],
    [{ name: null, kind: 'studio' }, ['name']],
    [{ name: { zh: '上海影业' }, kind: 'studio' }, ['name']],
    [{ name: '上海影业', kind: 'studio', colour: 'red' }, ['colour']],
    [{ name: '上海影业', kind: 'studio', slug: 'Bad_Slug' }, ['slug']],
    [{ name: '上海影业', kind: 'studio', slug: 'a' }, ['slug']],
    [{ name: '上海影业', kind: 'studio', description: 7 }, ['description']],
    [{ nme: '上海影业', kind: 'studio' }, ['nme', 'name']],
  ];
  for (const [body, fields] of cases) {
    assertProblem(await bot.post('/api/v1/orgs', body), 422, 'validation', { fields });
  }
  assert.equal(await orgCount(), n);
});

test('over-long strings, blanks and control characters answer 422; limits count characters', async () => {
  const n = await orgCount();
  const cases = [
    [{ name: 'x'.repeat(201), kind: 'studio' }, ['name']],
    [{ name: '影'.repeat(201), kind: 'studio' }, ['name']],
    [{ name: '', kind: 'studio' }, ['name']],
    [{ name: '    ', kind: 'studio' }, ['name']],
    [{ name: 'Line\nbreak', kind: 'studio' }, ['name']],
    [{ name: 'Bell\u0007', kind: 'studio' }, ['name']],
    [{ name: 'Esc\u001b[31m', kind: 'studio' }, ['name']],
    [{ name: 'Del\u007f', kind: 'studio' }, ['name']],
    [{ name: 'ok', kind: 'studio', description: 'd'.repeat(4001) }, ['description']],
    [{ name: 'ok', kind: 'studio', description: 'nul-free but \u0001 control' }, ['description']],
  ];
  for (const [body, fields] of cases) {
    assertProblem(await bot.post('/api/v1/orgs', body), 422, 'validation', { fields });
  }
  assert.equal(await orgCount(), n);
  // At the limits: 200 CJK characters (600 bytes) is a valid name; multi-line descriptions are text.
  const o = assertOk(await bot.post('/api/v1/orgs', { name: '影'.repeat(200), kind: 'studio', description: '第一行\n\tSecond line 第二行' }), 201);
  assert.equal(o.name, '影'.repeat(200));
  assert.equal(o.description, '第一行\n\tSecond line 第二行');
});

test('a body over max_body answers 413, with Content-Length and chunked, and creates nothing', async () => {
  const n = await orgCount();
  // A valid organization padded to `size` bytes: a 3000-character description, then JSON
  // whitespace.
  const pad = (size) => {
    const text = JSON.stringify({ name: uniq('big'), kind: 'studio', description: 'd'.repeat(3000) });
    assert.ok(Buffer.byteLength(text) < size);
    return text + ' '.repeat(size - Buffer.byteLength(text));
  };
  // Declared too large: answered from the headers.
  const big = pad(MAX_BODY + 1);
  assert.equal(Buffer.byteLength(big), MAX_BODY + 1);
  const r1 = await post('/api/v1/orgs', big, { 'Content-Type': 'application/json' });
  assertProblem(r1, 413, 'body-too-large', { detail: /4096/ });
  // Chunked, no Content-Length: counted while reading.
  const r2 = await rawRequest(srv.url, {
    method: 'POST', path: '/api/v1/orgs',
    headers: { Authorization: `Bearer ${bot.token}`, 'Content-Type': 'application/json' },
    chunks: [big.slice(0, 1000), big.slice(1000, 3000), big.slice(3000)],
  });
  assertProblem(r2, 413, 'body-too-large');
  // Much larger chunked body (1 MiB): still a clean 413.
  const huge = '{"name":"' + 'x'.repeat(1 << 20) + '","kind":"studio"}';
  const r3 = await rawRequest(srv.url, {
    method: 'POST', path: '/api/v1/orgs',
    headers: { Authorization: `Bearer ${bot.token}`, 'Content-Type': 'application/json' },
    chunks: [huge.slice(0, 500000), huge.slice(500000)],
  });
  assertProblem(r3, 413, 'body-too-large');
  // A declared 10 GB upload is refused at once, without sending the body.
  const r4 = await rawSocket(srv.url,
    `POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bot.token}\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n`,
    { timeout: 3000 });
  assert.equal(r4.status, 413, r4.raw);
  assert.equal(await orgCount(), n);
  // Exactly max_body is accepted, with Content-Length and chunked.
  assertOk(await post('/api/v1/orgs', pad(MAX_BODY), { 'Content-Type': 'application/json' }), 201);
  const exact = pad(MAX_BODY);
  const r5 = await rawRequest(srv.url, {
    method: 'POST', path: '/api/v1/orgs',
    headers: { Authorization: `Bearer ${bot.token}`, 'Content-Type': 'application/json' },
    chunks: [exact.slice(0, 2048), exact.slice(2048)],
  });
  assertOk(r5, 201);
  assert.equal(await orgCount(), n + 2);
});

test('a body sent to a GET or DELETE is refused, with Content-Length and chunked', async () => {
  const auth = { Authorization: `Bearer ${bot.token}` };
  const r1 = await rawRequest(srv.url, { method: 'GET', path: '/api/v1/users/me', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"x":1}' });
  assertProblem(r1, 413, 'body-not-allowed');
  const r2 = await rawRequest(srv.url, { method: 'GET', path: '/api/v1/orgs', headers: { ...auth, 'Content-Type': 'application/json' }, chunks: ['{"x":', '1}'] });
  assertProblem(r2, 413, 'body-not-allowed');
  // DELETE with a body: refused before anything is deleted.
  const p = await mkProject(bot, org.id, uniq('删除测试'));
  const r3 = await rawRequest(srv.url, { method: 'DELETE', path: `/api/v1/projects/${p.id}`, headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"force":true}' });
  assertProblem(r3, 413, 'body-not-allowed');
  const r4 = await rawRequest(srv.url, { method: 'DELETE', path: `/api/v1/projects/${p.id}`, headers: { ...auth, 'Content-Type': 'application/json' }, chunks: ['{"force":', 'true}'] });
  assertProblem(r4, 413, 'body-not-allowed');
  assertOk(await bot.get(`/api/v1/projects/${p.id}`), 200);
});

test('every JSON route answers malformed JSON 400, wrong type 415, oversized 413, unknown fields 422', async () => {
  const me = (await bot.get('/api/v1/users/me')).json;
  const routes = (await moduleRoutes()).filter((r) => r.json);
  assert.ok(routes.length >= 15);
  const big = JSON.stringify({ zzz: 'x'.repeat(MAX_BODY) });
  for (const r of routes) {
    const path = r.path.replace('/orgs/{id}', `/orgs/${org.id}`).replace('/projects/{id}', `/projects/${project.id}`)
      .replace('{user_id}', me.id).replace('{org_id}', org.id).replace('{token}', `msi_${'A'.repeat(43)}`);
    const what = `${r.method} ${r.path}`;
    const send = (body, ct) => bot.req(r.method, path, { body, headers: { 'Content-Type': ct } });
    const m = await send('{"zzz": ', 'application/json');
    assertProblem(m, 400, 'malformed-json');
    assertProblem(await send('{"zzz": 1}', 'text/plain'), 415, 'unsupported-media-type');
    if (!r.large) assertProblem(await send(big, 'application/json'), 413, 'body-too-large'); // manifests: 64 MiB (assets.test)
    const u = await send('{"zzz": 1}', 'application/json');
    assert.equal(u.status, 422, `${what}: ${u.text}`);
    assert.ok(u.json.errors.some((e) => e.field === 'zzz'), `${what} names the unknown field: ${u.text}`);
  }
});

test('every list rejects unknown query parameters, bad cursors and out-of-range limits', async () => {
  const lists = (await authRoutes()).filter((r) => r.method === 'GET' && !r.path.includes('{token}') && !/\/(me|\{id\})$/.test(r.path));
  assert.ok(lists.length >= 9, 'all list routes found');
  for (const r of lists) {
    const path = r.path.replace('/orgs/{id}', `/orgs/${org.id}`).replace('/projects/{id}', `/projects/${project.id}`);
    assertOk(await bot.get(path), 200);
    assertProblem(await bot.get(`${path}?colour=red`), 400, 'bad-query', { fields: ['colour'] });
    assertProblem(await bot.get(`${path}?limit=10&Limit=10`), 400, 'bad-query', { fields: ['Limit'] });
    for (const limit of ['0', '501', '-1', 'abc', '1.5', '', '99999999999999999999']) {
      assertProblem(await bot.get(`${path}?limit=${limit}`), 400, 'bad-query', { fields: ['limit'] });
    }
    assertOk(await bot.get(`${path}?limit=1`), 200);
    assertOk(await bot.get(`${path}?limit=500`), 200);
    for (const cursor of ['!!!', '%25%25', 'a'.repeat(400), 'AA']) {
      const res = await bot.get(`${path}?cursor=${cursor}`);
      assertProblem(res, 400, 'bad-query');
      assert.ok(res.json.errors === undefined || res.json.errors.every((e) => e.field === 'cursor'), res.text);
    }
  }
});

test('query values with control characters or too many parameters answer 400', async () => {
  assertProblem(await bot.get('/api/v1/orgs?q=%01'), 400, 'bad-query');
  assertProblem(await bot.get('/api/v1/orgs?q=%FF%FE'), 400, 'bad-query');
  const many = Array.from({ length: 40 }, (_, i) => `limit${i}=1`).join('&');
  assertProblem(await bot.get(`/api/v1/orgs?${many}`), 400, 'bad-query');
});

test('unknown paths answer 404, wrong methods 405 with Allow', async () => {
  assertProblem(await bot.get('/api/v1/nowhere'), 404, 'not-found');
  assertProblem(await bot.get('/api/v1/orgs/'), 404, 'not-found');
  assertProblem(await bot.get('/api/v2/orgs'), 404, 'not-found');
  assertProblem(await bot.get('/api/v1/orgs/not-a-uuid'), 404, 'not-found');
  assertProblem(await bot.get(`/api/v1/orgs/${NIL_UUID}`), 404, 'not-found');
  assertProblem(await bot.get('/api/v1/projects/%00'), 404, 'not-found');
  assertProblem(await bot.get('/api/v1/projects/%E4%B8%8A'), 404, 'not-found');
  const r = await bot.req('PUT', '/api/v1/orgs', { json: { name: 'x', kind: 'studio' } });
  assertProblem(r, 405, 'method-not-allowed');
  assert.deepEqual(r.headers.get('allow').split(/,\s*/).sort(), ['GET', 'POST']);
  const r2 = await bot.del('/api/v1/orgs');
  assertProblem(r2, 405, 'method-not-allowed');
  const r3 = await bot.req('PATCH', '/api/v1/events', { json: {} });
  assertProblem(r3, 405, 'method-not-allowed');
  assert.equal(r3.headers.get('allow'), 'GET');
});

test('paths that climb out of the web root never reach the file system', async () => {
  for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd',
    '/api/v1/../../../etc/passwd', '/web/..%5c..%5cetc%5cpasswd', '//etc/passwd']) {
    const r = await rawSocket(srv.url, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, { timeout: 2000 });
    assert.ok(r.status > 0 && r.status < 500, `${path}: ${r.raw.slice(0, 120)}`);
    assert.ok(!/root:.*:0:0:/.test(r.raw), `${path} served /etc/passwd`);
  }
});

test('API answers carry no-store, nosniff and a request id; 401 carries WWW-Authenticate', async () => {
  const r = await bot.get('/api/v1/users/me');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(r.headers.get('x-request-id'));
  const u = await new Client(srv.url).get('/api/v1/users/me');
  assertProblem(u, 401, 'authentication-required');
  assert.match(u.headers.get('www-authenticate'), /^Bearer realm="mstation"/);
  assert.equal(u.headers.get('cache-control'), 'no-store');
});

test('headers larger than max_header answer 4xx and the server keeps serving', async () => {
  const big = 'a'.repeat(20000);
  const r1 = await rawSocket(srv.url, `GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bot.token}\r\nX-Big: ${big}\r\n\r\n`);
  assert.ok(r1.status >= 400 && r1.status < 500, `status ${r1.status}: ${r1.raw.slice(0, 200)}`);
  const r2 = await rawSocket(srv.url, `GET /api/v1/orgs?q=${big} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bot.token}\r\n\r\n`);
  assert.ok(r2.status >= 400 && r2.status < 500, `status ${r2.status}: ${r2.raw.slice(0, 200)}`);
  const many = Array.from({ length: 600 }, (_, i) => `X-H${i}: ${'v'.repeat(20)}`).join('\r\n');
  const r3 = await rawSocket(srv.url, `GET /healthz HTTP/1.1\r\nHost: x\r\n${many}\r\n\r\n`);
  assert.ok(r3.status >= 400 && r3.status < 500, `status ${r3.status}: ${r3.raw.slice(0, 200)}`);
  // A huge Authorization header is not a credential.
  const r4 = await rawSocket(srv.url, `GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer mst_${'A'.repeat(7000)}\r\n\r\n`);
  assert.equal(r4.status, 401, r4.raw.slice(0, 300));
  assertOk(await bot.get('/api/v1/users/me'), 200);
  assert.equal((await new Client(srv.url).get('/healthz')).status, 200);
});

test('malformed request lines and headers answer 4xx, not a crash', async () => {
  const bad = [
    ['GARBAGE\r\n\r\n'],
    ['GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n', 505],
    ['GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'],
    ['POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}'],
    ['POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
    ['GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nCookie: ms_session=\x01\x02\r\n\r\n'],
    ['GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nCookie: ms_session=mss_short\r\n\r\n', 401],
  ];
  for (const [req, want] of bad) {
    const r = await rawSocket(srv.url, req, { timeout: 3000 });
    const ok = want ? r.status === want : r.status === 0 || (r.status >= 400 && r.status < 500);
    assert.ok(ok, `${JSON.stringify(req)} -> ${r.raw.slice(0, 200)}`);
  }
  assert.equal((await new Client(srv.url).get('/healthz')).status, 200);
});

test('deep nesting, huge numbers and bad Unicode are 4xx; emoji and CJK names are fine', async () => {
  const n = await orgCount();
  const json = { 'Content-Type': 'application/json' };
  // 2000 levels of nesting: refused by the parser's depth limit or by the field check.
  for (const nested of ['['.repeat(2000) + ']'.repeat(2000), `{"name":"x","kind":"studio","description":${'['.repeat(2000)}${']'.repeat(2000)}}`]) {
    const r = await post('/api/v1/orgs', nested, json);
    assert.ok(r.status === 400 || r.status === 422, `${r.status} ${r.text.slice(0, 200)}`);
    assert.match(r.headers.get('content-type'), /problem\+json/);
  }
  assertProblem(await post('/api/v1/orgs', '{"name":1e999999,"kind":"studio"}', json), 400, 'malformed-json');
  assertProblem(await post('/api/v1/orgs', '{"name":"\\ud800 lone surrogate","kind":"studio"}', json), 400, 'malformed-json');
  assertProblem(await post('/api/v1/orgs', '{"name":123456789012345678901234567890,"kind":"studio"}', json), 400, 'malformed-json');
  assert.equal(await orgCount(), n);
  const o = assertOk(await bot.post('/api/v1/orgs', { name: '🎬 电影工作室 Film Studio 🎥', kind: 'studio', description: '𠮷野家 — 「引号」' }), 201);
  assert.equal(o.name, '🎬 电影工作室 Film Studio 🎥');
  assert.equal(o.description, '𠮷野家 — 「引号」');
  assert.equal(o.slug, 'film-studio');
  const back = assertOk(await bot.get(`/api/v1/orgs/${o.id}`), 200);
  assert.equal(back.name, o.name);
});

test('an early answer never runs the unread body as a request', async () => {
  // Each request is refused from its headers; its body is itself an HTTP request that would
  // reveal the account if it were ever parsed as one.
  const inner = `GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bot.token}\r\n\r\n`;
  const cl = Buffer.byteLength(inner);
  const cases = [
    `POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl}\r\n\r\n${inner}`,
    `POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bot.token}\r\nContent-Type: text/plain\r\nContent-Length: ${cl}\r\n\r\n${inner}`,
    `GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: ${cl}\r\n\r\n${inner}`,
    `POST /api/v1/nowhere HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl}\r\n\r\n${inner}`,
    `PUT /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${cl}\r\n\r\n${inner}`,
    `POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bot.token}\r\nContent-Type: application/json\r\nContent-Length: ${MAX_BODY + 10}\r\n\r\n${inner}${' '.repeat(MAX_BODY + 10 - cl)}`,
    `POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bot.token}\r\nContent-Type: application/json\r\nIdempotency-Key: bad key\r\nContent-Length: ${cl}\r\n\r\n${inner}`,
  ];
  for (const req of cases) {
    const r = await rawSocket(srv.url, req, { timeout: 1500, all: true });
    const statuses = [...r.raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    assert.ok(statuses.length >= 1 && statuses[0] >= 400, `${req.split('\r\n')[0]}: ${r.raw.slice(0, 200)}`);
    assert.ok(!r.raw.includes('"email"'), `the body of ${req.split('\r\n')[0]} was run as a request: ${r.raw}`);
  }
  // Pipelined requests on one connection are still answered in order.
  const two = await rawSocket(srv.url, `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n${inner}`, { timeout: 1500, all: true });
  assert.deepEqual([...two.raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]), ['200', '200']);
});

test('200 parallel reads and 50 parallel creates all succeed', async () => {
  const n = await orgCount();
  const reads = await Promise.all(Array.from({ length: 200 }, (_, i) =>
    (i % 2 ? bot.get('/api/v1/users/me') : bot.get(`/api/v1/projects/${project.id}`))));
  for (const r of reads) assert.equal(r.status, 200, r.text);
  const names = Array.from({ length: 50 }, (_, i) => `並行 Parallel ${i} ${uniq('p')}`);
  const creates = await Promise.all(names.map((name) => bot.post('/api/v1/orgs', { name, kind: 'agency' })));
  for (const r of creates) assert.equal(r.status, 201, r.text);
  assert.equal(new Set(creates.map((r) => r.json.id)).size, 50);
  assert.equal(new Set(creates.map((r) => r.json.slug)).size, 50);
  assert.equal(await orgCount(), n + 50);
  // Mixed: projects created in parallel with reads of the project list.
  const mixed = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 3 === 0
    ? bot.post('/api/v1/projects', { org_id: org.id, name: `短剧 ${i}` })
    : bot.get('/api/v1/projects?limit=20'))));
  for (const r of mixed) assert.ok(r.status === 200 || r.status === 201, r.text);
});
