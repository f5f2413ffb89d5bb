// System routes: liveness, readiness, metrics, the OpenAPI document, request ids and the
// access log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/api.mjs';

let srv, anon;
before(async () => { srv = await startServer(); anon = new Client(srv.url); });
after(async () => { await srv.stop(); });

test('healthz and readyz answer', async () => {
  const h = await anon.get('/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(h.json, { status: 'ok' });
  const r = await anon.get('/readyz');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ready');
  assert.equal(r.json.database, srv.engine);
  assert.ok(r.json.migrations >= 2);
});

test('request id is echoed when sane and generated otherwise', async () => {
  const a = await anon.get('/healthz', { headers: { 'X-Request-Id': 'abc-123' } });
  assert.equal(a.headers.get('x-request-id'), 'abc-123');
  const b = await anon.get('/healthz', { headers: { 'X-Request-Id': 'bad id with spaces' } });
  assert.match(b.headers.get('x-request-id'), /^[0-9a-f-]{36}$/);
});

test('metrics count requests by route and status', async () => {
  await anon.get('/healthz');
  await anon.get('/api/v1/nowhere');
  const m = await anon.get('/metrics');
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /^text\/plain/);
  assert.match(m.text, /mstation_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  assert.match(m.text, /route="\(unmatched\)",status="404"/);
  assert.match(m.text, /mstation_http_request_duration_seconds_bucket\{method="GET",route="\/healthz",le="0.0005"\}/);
  assert.match(m.text, /mstation_http_open_connections \d+/);
  assert.match(m.text, /mstation_db_statement_duration_seconds_count \d+/);
  assert.match(m.text, /mstation_jobs\{state="queued"\} \d+/);
});

test('openapi document is served and describes itself', async () => {
  const r = await anon.get('/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.json.openapi, '3.1.0');
  assert.ok(r.json.paths['/api/v1/openapi.json'].get);
});

test('each request writes one JSON access log line', async () => {
  await anon.get('/healthz', { headers: { 'X-Request-Id': 'log-check-1' } });
  await new Promise((r) => setTimeout(r, 50));
  const line = srv.logs.find((l) => l.request_id === 'log-check-1');
  assert.ok(line, 'access log line present');
  assert.equal(line.msg, 'request');
  assert.equal(line.status, 200);
  assert.equal(line.route, '/healthz');
  assert.equal(typeof line.duration_ms, 'number');
});
