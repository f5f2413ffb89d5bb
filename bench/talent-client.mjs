// bench/talent-client.mjs: the HTTP client of `make bench-talent` (bench/talent.sh). One
// connection (keep-alive), one request at a time, each timed from the request's start to the
// last byte of its answer:
//   node bench/talent-client.mjs BASE_URL TOKEN ORG_ID DIR QUERIES
// reads DIR/q_zh.txt, q_latn.txt (name substrings), facets.txt (query strings) and match.txt
// (JSON bodies), takes the first QUERIES of each, and prints one line per kind:
//   api KIND n=.. p50_ms=.. p99_ms=.. max_ms=.. cold_ms=.. hits=.. status=200:n[,404:n]
// KIND is zh, latn (GET /api/v1/talent/search?q=), facets (GET /talent/search?<facets>) and
// match (POST /orgs/{id}/talent/match). cold_ms is the first request of the run (it loads the
// server's in-memory index), kept out of the percentiles; hits the mean number of items.
// A route that answers 404 to every request is reported with status=404:n (not there yet).
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [base, token, org, dir, nq] = process.argv.slice(2);
const queries = Number(nq || 300);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const url = new URL(base);

function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = { Authorization: `Bearer ${token}` };
    if (body) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: url.hostname, port: url.port, path, method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        resolve({ status: res.statusCode, ms, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const lines = (f) => readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter(Boolean).slice(0, queries);
const pct = (v, p) => v[Math.min(v.length - 1, Math.max(0, Math.ceil((v.length * p) / 100) - 1))];

async function run(kind, items, make) {
  const times = [];
  const statuses = {};
  let cold = null, hits = 0, shown = 0;
  for (const [i, item] of items.entries()) {
    const [method, path, body] = make(item);
    const r = await request(method, path, body);
    statuses[r.status] = (statuses[r.status] || 0) + 1;
    if (r.status === 200) {
      try { hits += (JSON.parse(r.text).items || []).length; } catch { /* counted as no hits */ }
    } else if (r.status !== 404 && shown++ < 3) {
      process.stderr.write(`talent-client: ${kind} ${method} ${path} -> ${r.status} ${r.text.slice(0, 300)}\n`);
    }
    if (i === 0 && cold === null) cold = r.ms;
    else times.push(r.ms);
  }
  times.sort((a, b) => a - b);
  const st = Object.entries(statuses).map(([k, v]) => `${k}:${v}`).join(',');
  const ok = statuses[200] || 0;
  console.log(`api ${kind} n=${times.length} p50_ms=${pct(times, 50).toFixed(3)} p99_ms=${pct(times, 99).toFixed(3)} max_ms=${times[times.length - 1].toFixed(3)} cold_ms=${cold.toFixed(3)} hits=${ok ? (hits / ok).toFixed(1) : 0} status=${st}`);
}

const search = (qs) => ['GET', `/api/v1/talent/search?${qs}&limit=20`];
// The first request of all loads the in-memory index: make it one that is not measured.
await request('GET', '/api/v1/talent/search?q=warm&limit=1');
await run('zh', lines('q_zh.txt'), (q) => search(`q=${encodeURIComponent(q)}`));
await run('latn', lines('q_latn.txt'), (q) => search(`q=${encodeURIComponent(q)}`));
await run('facets', lines('facets.txt'), (qs) => search(qs));
await run('match', lines('match.txt'), (b) => ['POST', `/api/v1/orgs/${org}/talent/match`, b]);
agent.destroy();
