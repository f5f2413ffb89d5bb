// tests/lib/api.mjs: a small API client for tests. Every call returns
// { status, headers, json, text } and never throws on HTTP errors, so tests assert on them.
//
//   const admin = await signIn(srv, srv.admin.email, srv.admin.password);   // cookie + CSRF
//   const bot = await tokenClient(srv, srv.admin.email);                   // bearer token
//   const r = await admin.post('/api/v1/orgs', { name: 'Studio', kind: 'studio' });
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

export class Client {
  constructor(base, { token = null, cookie = null, csrf = null } = {}) {
    this.base = base; this.token = token; this.cookie = cookie; this.csrf = csrf;
  }
  async req(method, path, { body, json, headers = {}, raw = false } = {}) {
    const h = { ...headers };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    if (this.cookie) h.Cookie = this.cookie;
    if (this.csrf && method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] ??= this.csrf;
    let payload = body;
    if (json !== undefined) { payload = JSON.stringify(json); h['Content-Type'] ??= 'application/json'; }
    const res = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    const text = await res.text();
    let parsed = null;
    if (text && /json/.test(res.headers.get('content-type') || '')) parsed = JSON.parse(text);
    const setCookie = res.headers.get('set-cookie');
    if (setCookie && !raw) {
      const m = /ms_session=([^;]*)/.exec(setCookie);
      if (m) this.cookie = m[1] ? `ms_session=${m[1]}` : null;
    }
    return { status: res.status, headers: res.headers, json: parsed, text };
  }
  get(p, o) { return this.req('GET', p, o); }
  post(p, json, o = {}) { return this.req('POST', p, { ...o, json }); }
  patch(p, json, o = {}) { return this.req('PATCH', p, { ...o, json }); }
  put(p, json, o = {}) { return this.req('PUT', p, { ...o, json }); }
  del(p, o) { return this.req('DELETE', p, o); }
}

export async function signIn(srv, email, password) {
  const c = new Client(srv.url);
  const r = await c.post('/api/v1/sessions', { email, password });
  if (r.status !== 201) throw new Error(`sign-in of ${email} failed: ${r.status} ${r.text}`);
  c.csrf = r.json.csrf_token;
  c.user = r.json.user;
  return c;
}

export async function tokenClient(srv, email) {
  const { stdout } = await srv.cli(['token', 'create', '--user', email, '--name', 'test']);
  return new Client(srv.url, { token: stdout.trim() });
}

// Create an account with the CLI; returns { email, password, id }.
export async function addUser(srv, email, { name, password = 'user-password-123' } = {}) {
  const f = join(srv.dir, `${randomUUID()}.pw`);
  await writeFile(f, password + '\n');
  const args = ['user', 'add', '--email', email, '--password-file', f];
  if (name) args.push('--name', name);
  const { stdout } = await srv.cli(args);
  const id = /user: (\S+)/.exec(stdout)[1];
  return { email, password, id };
}
