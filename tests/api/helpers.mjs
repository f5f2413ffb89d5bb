// tests/api/helpers.mjs: what the API test files share beyond tests/lib/: problem+json
// assertions, a raw HTTP client (bodies on GET, chunked uploads, huge headers, bodies sent in
// pieces), people with bearer tokens, pagination walks, and small waiting helpers.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, tokenClient, addUser } from '../lib/api.mjs';
import { ENGINE } from '../lib/server.mjs';

export const run = promisify(execFile);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const PROBLEM = 'urn:mstation:problem:';
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const NIL_UUID = '00000000-0000-7000-8000-000000000000';

let seq = 0;
/** A unique suffix for names and e-mail addresses within one test run. */
export function uniq(label = 'x') {
  seq += 1;
  return `${label}-${process.pid}-${seq}-${randomUUID().slice(0, 6)}`;
}

/**
 * Assert an RFC 9457 problem answer: exact status, content type, `type` slug, a `detail`,
 * the request id, and (when `fields` is given) exactly that set of field names in `errors`.
 */
export function assertProblem(r, status, slug, { fields, detail } = {}) {
  const where = `${r.status} ${(r.text || '').slice(0, 600)}`;
  assert.equal(r.status, status, `status: ${where}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/, `content type: ${where}`);
  assert.ok(r.json, `problem body is JSON: ${where}`);
  assert.equal(r.json.type, PROBLEM + slug, `type: ${where}`);
  assert.equal(r.json.status, status, `body status: ${where}`);
  assert.equal(typeof r.json.title, 'string');
  assert.equal(typeof r.json.detail, 'string');
  assert.ok(r.json.detail.length > 0, 'detail is not empty');
  if (detail) assert.match(r.json.detail, detail);
  assert.equal(r.json.request_id, r.headers.get('x-request-id'), 'request_id matches X-Request-Id');
  if (fields) {
    assert.ok(Array.isArray(r.json.errors), `errors[] present: ${where}`);
    for (const e of r.json.errors) {
      assert.equal(typeof e.field, 'string');
      assert.equal(typeof e.message, 'string');
      assert.ok(e.message.length > 0);
    }
    const got = [...new Set(r.json.errors.map((e) => e.field))].sort();
    assert.deepEqual(got, [...fields].sort(), `errors[].field: ${where}`);
  }
  return r.json;
}

/** A 2xx with a JSON body (or 204 with none). */
export function assertOk(r, status) {
  assert.equal(r.status, status, `${r.status} ${(r.text || '').slice(0, 600)}`);
  if (status === 204) assert.equal(r.text, '');
  else assert.match(r.headers.get('content-type') || '', /^application\/json/);
  return r.json;
}

/**
 * A raw HTTP/1.1 request through node:http, for what fetch will not send: a body with GET,
 * a chunked body without Content-Length, huge headers, a body in pieces with pauses.
 * `chunks`: array of strings/Buffers written one by one (chunked unless Content-Length is
 * set in headers); `pause`: ms between chunks; `beforeEnd`: async hook before the last write.
 */
export function rawRequest(base, { method = 'GET', path = '/', headers = {}, body, chunks, pause = 0, beforeEnd } = {}) {
  const url = new URL(path, base);
  headers = { ...headers };
  const has = (k) => Object.keys(headers).some((h) => h.toLowerCase() === k);
  // node:http sends GET/DELETE bodies without framing unless told: frame them explicitly.
  if (body !== undefined && !has('content-length')) headers['Content-Length'] = String(Buffer.byteLength(body));
  if (chunks && !has('content-length') && !has('transfer-encoding')) headers['Transfer-Encoding'] = 'chunked';
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: false,
    }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json = null;
        if (text && /json/.test(res.headers['content-type'] || '')) {
          try { json = JSON.parse(text); } catch { json = null; }
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode, headers: h, json, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    (async () => {
      if (body !== undefined) { req.end(body); return; }
      if (!chunks) { req.end(); return; }
      for (let i = 0; i < chunks.length; i++) {
        if (i === chunks.length - 1 && beforeEnd) await beforeEnd();
        req.write(chunks[i]);
        if (pause) await sleep(pause);
      }
      req.end();
    })().catch(reject);
  });
}

/** An account with a bearer-token client: { id, email, password, name, c }. */
export async function person(srv, label, name) {
  const email = `${uniq(label)}@example.com`.toLowerCase();
  const u = await addUser(srv, email, { name: name || label });
  const c = await tokenClient(srv, email);
  return { ...u, name: name || label, c };
}

/** Create an organization through the API and return its JSON. */
export async function mkOrg(c, name, kind = 'studio', extra = {}) {
  const r = await c.post('/api/v1/orgs', { name, kind, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** Create a project through the API and return its JSON. */
export async function mkProject(c, orgId, name, extra = {}) {
  const r = await c.post('/api/v1/projects', { org_id: orgId, name, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** Upload `buf` as a new asset of project `projectId` in one tus request: { id, version }. */
export async function upload(c, buf, filename, projectId, folder = '/') {
  const b64 = (s) => Buffer.from(s).toString('base64');
  const TUS = { 'Tus-Resumable': '1.0.0' };
  const m = `filename ${b64(filename)},project_id ${b64(projectId)},folder ${b64(folder)}`;
  const cr = await c.req('POST', '/api/v1/uploads', { headers: { ...TUS, 'Upload-Length': String(buf.length), 'Upload-Metadata': m } });
  assert.equal(cr.status, 201, cr.text);
  const r = await c.req('PATCH', cr.headers.get('location'), {
    body: buf, headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
  });
  assert.equal(r.status, 204, r.text);
  return { id: r.headers.get('x-asset-id'), version: Number(r.headers.get('x-asset-version')) };
}

/** Add a user to an organization with a role (caller must be an admin/owner there). */
export async function addMember(c, orgId, userId, role) {
  const r = await c.post(`/api/v1/orgs/${orgId}/members`, { user_id: userId, role });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/**
 * Walk a list with `limit` per page until next_cursor is null. Asserts every page has at most
 * `limit` items and every page but the last exactly `limit`; returns every item in order.
 */
export async function walk(c, path, limit, { cursor = null } = {}) {
  const sep = path.includes('?') ? '&' : '?';
  const items = [];
  let pages = 0;
  for (;;) {
    const r = await c.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.json.items));
    assert.ok('next_cursor' in r.json, 'next_cursor is always present');
    assert.ok(r.json.items.length <= limit);
    pages += 1;
    items.push(...r.json.items);
    if (r.json.next_cursor === null) break;
    assert.equal(r.json.items.length, limit, 'a page with a next cursor is full');
    assert.equal(typeof r.json.next_cursor, 'string');
    cursor = r.json.next_cursor;
    assert.ok(pages < 1000, 'pagination ends');
  }
  return { items, pages };
}

/** The ETag of a response, e.g. "\"3\"". */
export const etag = (r) => r.headers.get('etag');

/** Wait until fn() returns a truthy value (polling), or fail after `ms`. */
export async function waitFor(fn, ms = 5000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The .eml files in the data folder's outbox. */
export async function outbox(srv) {
  try {
    return (await readdir(join(srv.data, 'outbox'))).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
}

/** Run SQL on the server's database with the engine's own tool, sqlite3 or psql (test
 * set-up only). Rows come back as lines, columns separated by '|'. */
export async function sql(srv, statement) {
  const { stdout } = srv.engine === 'postgres'
    ? await run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', srv.database, '-c', statement])
    : await run('sqlite3', ['-cmd', '.timeout 5000', join(srv.data, 'mstation.db'), statement]);
  return stdout.trim();
}

/** The whole database as text (schema and rows), to compare before and after. */
export async function dumpDatabase(srv) {
  const { stdout } = srv.engine === 'postgres'
    ? await run('pg_dump', ['--no-owner', '--inserts', srv.database], { maxBuffer: 64 << 20 })
    : await run('sqlite3', ['-cmd', '.timeout 5000', join(srv.data, 'mstation.db'), '.dump'], { maxBuffer: 64 << 20 });
  return stdout;
}

export async function haveSqlite3() {
  try { await run(ENGINE === 'postgres' ? 'psql' : 'sqlite3', ['--version']); return true; } catch { return false; }
}

/** A client for the same base URL without credentials. */
export const anon = (srv) => new Client(srv.url);

/** Every event the client can see matching `query` (all pages). */
export async function events(c, query = '') {
  const { items } = await walk(c, `/api/v1/events${query ? `?${query}` : ''}`, 200);
  return items;
}

/**
 * Write raw bytes on a fresh TCP connection and read one response (status line, headers and a
 * Content-Length body), or whatever arrives before the server closes the connection. For
 * requests node:http refuses to build. Resolves { status, headers, text, raw }; status is 0
 * when the server closed without answering. `all`: keep reading until the server closes the
 * connection or `timeout` passes (to see every response on the connection).
 */
export function rawSocket(base, data, { timeout = 5000, all = false } = {}) {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(url.port), url.hostname);
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const raw = buf.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
      const end = raw.indexOf('\r\n\r\n');
      const headers = new Headers();
      if (end > 0) {
        for (const line of raw.slice(0, end).split('\r\n').slice(1)) {
          const i = line.indexOf(':');
          if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
        }
      }
      const text = end > 0 ? buf.subarray(Buffer.byteLength(raw.slice(0, end + 4), 'latin1')).toString('utf8') : '';
      resolve({ status: m ? Number(m[1]) : 0, headers, text, raw });
    };
    const timer = setTimeout(finish, timeout);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const raw = buf.toString('latin1');
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return;
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(raw.slice(0, end));
      if (!all && cl && buf.length >= end + 4 + Number(cl[1])) finish();
    });
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', (e) => { if (e.code === 'ECONNRESET' || e.code === 'EPIPE') finish(); else if (!done) { done = true; clearTimeout(timer); reject(e); } });
    sock.write(data);
  });
}

/**
 * The route table of src/auth/routes.c, read from the source so that a new route shows up in
 * the tests that loop over every route: [{ method, path, handler, perm, json }].
 */
export async function authRoutes() {
  return moduleRoutes('auth');
}

/** The routes of the modules' tables (src/<module>/routes.c), all modules by default. */
export async function moduleRoutes(...modules) {
  if (!modules.length) modules = ['auth', 'assets', 'production', 'rights', 'talent'];
  const { readFile } = await import('node:fs/promises');
  let src = '';
  for (const m of modules) src += await readFile(new URL(`../../src/${m}/routes.c`, import.meta.url), 'utf8');
  const out = [];
  const re = /\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)",\s*(\w+),\s*(PERM_\w+),\s*([^,]+),/g;
  for (const m of src.matchAll(re)) {
    out.push({ method: m[1], path: m[2], handler: m[3], perm: m[4], json: /\bJ\b|MS_ROUTE_JSON/.test(m[5]), large: /MS_ROUTE_LARGE/.test(m[5]) });
  }
  return out;
}

/** A route pattern with every {param} replaced by `id` (a well-formed id nobody has). */
export const fillPath = (pattern, id = NIL_UUID) => pattern.replace(/\{[^}]+\}/g, id);

/** Stop every server (each one, even when another fails), then report every failure. */
export async function stopAll(...servers) {
  const results = await Promise.allSettled(servers.map((s) => s.stop()));
  const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  if (failed.length) throw new Error(failed.join('\n\n'));
}
