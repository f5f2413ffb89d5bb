// Graceful shutdown (src/http/server.c server_stop, src/cli/serve.c): on SIGTERM the server
// stops accepting, lets the requests in flight finish (here: uploads whose bodies are still
// arriving, and slow sign-ins), reports none abandoned, and exits 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../lib/server.mjs';
import { Client, tokenClient } from '../lib/api.mjs';
import { sleep, waitFor } from './helpers.mjs';

let srv, bot, stopped = false;
before(async () => {
  srv = await startServer();
  bot = await tokenClient(srv, srv.admin.email);
});
after(async () => { if (!stopped) await srv.stop(); });

/** Open a connection and send the headers and the first part of a JSON body. */
function partialPost(path, headers, body, firstBytes) {
  const sock = net.connect(srv.port, '127.0.0.1');
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  const buf = Buffer.from(body);
  let data = '';
  const answered = new Promise((resolve) => {
    sock.on('data', (d) => { data += d; });
    sock.on('close', () => resolve(data));
    sock.on('error', () => resolve(data));
  });
  sock.write(head + buf.subarray(0, firstBytes).toString('latin1'), 'latin1');
  return { finish: () => sock.write(buf.subarray(firstBytes)), answered };
}

/** A kept-alive connection: request(text) sends one request and resolves its response text. */
function keepAlive() {
  const sock = net.connect(srv.port, '127.0.0.1');
  let buf = '';
  let waiter = null;
  const check = () => {
    const end = buf.indexOf('\r\n\r\n');
    if (!waiter || end < 0) return;
    const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buf.slice(0, end))?.[1] || 0);
    if (Buffer.byteLength(buf) < end + 4 + len) return;
    const out = buf.slice(0, end + 4 + len);
    buf = buf.slice(end + 4 + len);
    const w = waiter;
    waiter = null;
    w(out);
  };
  sock.setEncoding('latin1');
  sock.on('data', (d) => { buf += d; check(); });
  sock.on('close', () => { if (waiter) { const w = waiter; waiter = null; w(buf || 'closed'); } });
  return {
    request: (text) => new Promise((resolve) => { waiter = resolve; sock.write(text); }),
    close: () => sock.destroy(),
  };
}

test('SIGTERM lets requests in flight finish, refuses new ones, and exits 0', async () => {
  const ka = keepAlive();
  assert.match(await ka.request('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 200 /);
  const uploads = Array.from({ length: 4 }, (_, i) => partialPost('/api/v1/orgs', { Authorization: `Bearer ${bot.token}` },
    JSON.stringify({ name: `关机前 Before shutdown ${i}`, kind: 'studio', description: '慢慢上传 slow upload '.repeat(20) }), 40));
  // The server has the headers of every upload.
  await waitFor(async () => {
    const m = await new Client(srv.url).get('/metrics');
    const open = Number(/mstation_http_open_connections (\d+)/.exec(m.text)?.[1] || 0);
    return open >= 6; // the 4 uploads, the kept-alive connection and this request
  }, 5000, 'the uploads to be connected');
  await sleep(100);
  // Slow requests too: sign-ins spend ~0.1 s each in argon2id.
  const signins = Array.from({ length: 4 }, () => new Client(srv.url)
    .post('/api/v1/sessions', { email: srv.admin.email, password: srv.admin.password }).catch((e) => e));
  await sleep(30);
  const t0 = Date.now();
  stopped = true;
  const stopping = srv.stop();
  await sleep(300);
  // New connections are no longer served.
  const late = await new Client(srv.url).get('/healthz').then((r) => r.status, () => 'refused');
  assert.ok(late === 'refused' || late === 503, `a new request after SIGTERM got ${late}`);
  // On a connection opened before, the server answers that it is going away.
  const ready = await ka.request('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(ready, /^HTTP\/1\.1 503 /, ready.slice(0, 300));
  assert.match(ready, /urn:mstation:problem:shutting-down/);
  const api = await ka.request(`GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bot.token}\r\n\r\n`);
  assert.ok(/^HTTP\/1\.1 503 /.test(api) || api === 'closed', api.slice(0, 300));
  ka.close();
  // The uploads complete and are answered.
  for (const u of uploads) u.finish();
  const answers = await Promise.all(uploads.map((u) => u.answered));
  for (const a of answers) assert.match(a, /^HTTP\/1\.1 201 /, a.slice(0, 300));
  for (const s of await Promise.all(signins)) {
    if (s instanceof Error) continue; // not yet accepted when the listener closed
    assert.ok(s.status === 201 || s.status === 503, `sign-in during shutdown: ${s.status} ${s.text}`);
  }
  await stopping; // throws if the exit code is not 0
  assert.ok(Date.now() - t0 < 10000, 'stopped promptly once the requests were done');
  const stoppedLine = srv.logs.find((l) => l.msg === 'http stopped');
  assert.ok(stoppedLine, 'the server logged its stop');
  assert.equal(stoppedLine.abandoned_requests, 0);
  const ids = srv.logs.filter((l) => l.msg === 'request' && l.route === '/api/v1/orgs' && l.status === 201);
  assert.equal(ids.length, 4, 'four uploads logged as 201');
});
