// The served OpenAPI document describes every route of the router table (DESIGN.md: "a test
// fails when a route in the router table is missing from it"), with its path parameters and
// responses. The auth routes are read from src/auth/routes.c so that a new route is checked
// without editing this file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/api.mjs';
import { moduleRoutes } from './helpers.mjs';

const SYSTEM = [
  { method: 'GET', path: '/healthz' }, { method: 'GET', path: '/readyz' },
  { method: 'GET', path: '/metrics' }, { method: 'GET', path: '/api/v1/openapi.json' },
];
let srv, doc;
before(async () => {
  srv = await startServer();
  const r = await new Client(srv.url).get('/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  doc = r.json;
});
after(async () => { await srv.stop(); });

test('the document is OpenAPI 3.1 with the server version', async () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(typeof doc.info.title, 'string');
  assert.match(doc.info.version, /^\d+\.\d+/);
  assert.equal(typeof doc.paths, 'object');
});

test('every route of the router table is described, with its parameters and responses', async () => {
  const routes = [...SYSTEM, ...await moduleRoutes()];
  assert.ok(routes.length >= 40);
  const missing = [];
  for (const r of routes) {
    const op = doc.paths?.[r.path]?.[r.method.toLowerCase()];
    if (!op) { missing.push(`${r.method} ${r.path}`); continue; }
    assert.ok(op.responses && Object.keys(op.responses).length > 0, `${r.method} ${r.path} has responses`);
    const declared = new Set([...(doc.paths[r.path].parameters || []), ...(op.parameters || [])]
      .map((p) => (p.$ref ? doc.components?.parameters?.[p.$ref.split('/').pop()] : p))
      .filter((p) => p && p.in === 'path').map((p) => p.name));
    for (const name of r.path.matchAll(/\{([^}]+)\}/g)) {
      assert.ok(declared.has(name[1]), `${r.method} ${r.path} declares path parameter ${name[1]}`);
    }
  }
  assert.deepEqual(missing, [], `routes missing from /api/v1/openapi.json:\n  ${missing.join('\n  ')}`);
});

test('the document describes no route the server does not have', async () => {
  const routes = new Set([...SYSTEM, ...await moduleRoutes()].map((r) => `${r.method} ${r.path}`));
  const extra = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of ['get', 'post', 'put', 'patch', 'delete']) {
      if (item[m] && !routes.has(`${m.toUpperCase()} ${path}`)) extra.push(`${m.toUpperCase()} ${path}`);
    }
  }
  assert.deepEqual(extra, []);
});
