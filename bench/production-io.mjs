// bench/production-io.mjs: the CSV import benchmark of issue 5. Generates a shot list of
// ROWS rows (default 100,000: 10 episodes x 100 sequences x 100 shots, each with a frame range,
// a frame rate and three task status columns), then times, on a fresh server:
//   import   POST /projects/{id}/import/shots: every shot, episode, sequence and task created
//   again    the same file: every row read, compared and left unchanged
//   update   the file with every Frame Out and one status column changed
//   export   GET /projects/{id}/export/shots.csv of the result
// Prints one summary line: BENCH production-io rows=... import_s=... import_cpu_s=... (wall time
// of the HTTP request, upload included, and the CPU time the server spent on it) for each step. The engine is SQLite unless
// MSTATION_TEST_PG names a PostgreSQL database (as for the API tests).
//   MSTATION_BIN=build/mstation node bench/production-io.mjs
//   ROWS=20000 MSTATION_BIN=build/mstation node bench/production-io.mjs
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { startServer, ENGINE } from '../tests/lib/server.mjs';
import { person, mkOrg, mkProject } from '../tests/api/helpers.mjs';

const ROWS = Number(process.env.ROWS || 100000);
const srv = await startServer();
// The server's process, to read its CPU time (user + system) around each request: on a shared
// machine wall time says as much about the neighbours as about the import.
const serverPid = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).find((d) => {
  try { return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').includes(srv.data); } catch { return false; }
});
const cpu = () => {
  const f = readFileSync(`/proc/${serverPid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
};
try {
  const sup = await person(srv, 'bench', 'Bench');
  const org = await mkOrg(sup.c, 'Bench Studio');
  const project = await mkProject(sup.c, org.id, 'Bench Series');
  const P = `/api/v1/projects/${project.id}`;
  assert.equal((await sup.c.post(`${P}/production/setup`, { template: 'series' })).status, 201);

  const make = (outShift, status) => {
    const out = ['Episode,Sequence,Name,Frame In,Frame Out,FPS,Layout,Animation,Comp'];
    for (let i = 0; i < ROWS; i++) {
      const ep = `EP${String(Math.floor(i / 10000) + 1).padStart(2, '0')}`;
      const sq = `SQ${String((Math.floor(i / 100) % 100) + 1).padStart(3, '0')}`;
      const sh = `SH${String((i % 100) * 10 + 10).padStart(4, '0')}`;
      const len = 24 + (i % 200);
      out.push(`${ep},${sq},${sh},1001,${1000 + len + outShift},24,${status},wip,todo`);
    }
    return out.join('\n') + '\n';
  };
  const time = async (what, fn) => {
    const t0 = process.hrtime.bigint(), c0 = cpu();
    const r = await fn();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    assert.equal(r.status, 200, `${what}: ${r.status} ${r.text.slice(0, 500)}`);
    return { s, r, cpu: cpu() - c0 };
  };
  const post = (body) => sup.c.req('POST', `${P}/import/shots`, { body, headers: { 'Content-Type': 'text/csv' } });
  const file = make(0, 'todo');
  const mib = (Buffer.byteLength(file) / 1048576).toFixed(1);

  const imp = await time('import', () => post(file));
  assert.equal(imp.r.json.created, ROWS, JSON.stringify(imp.r.json).slice(0, 500));
  const again = await time('again', () => post(file));
  assert.equal(again.r.json.unchanged, ROWS);
  const upd = await time('update', () => post(make(1, 'wip')));
  assert.equal(upd.r.json.updated, ROWS);
  const exp = await time('export', () => sup.c.get(`${P}/export/shots.csv`));
  assert.equal(exp.r.text.split('\r\n').length - 2, ROWS);

  console.log(`bench production-io: ${ROWS} shots (${mib} MiB, ${imp.r.json.tasks_created} tasks, ` +
    `${imp.r.json.parents_created} episodes and sequences) on ${ENGINE}`);
  const w = (x) => x.s.toFixed(2), c = (x) => x.cpu.toFixed(2);
  console.log(`BENCH production-io engine=${ENGINE} rows=${ROWS} import_s=${w(imp)} import_cpu_s=${c(imp)} ` +
    `again_s=${w(again)} again_cpu_s=${c(again)} update_s=${w(upd)} update_cpu_s=${c(upd)} ` +
    `export_s=${w(exp)} export_cpu_s=${c(exp)} load=${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
} finally {
  await srv.stop();
}
