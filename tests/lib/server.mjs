// tests/lib/server.mjs: start a real mstation server for a test, on a free port, with a
// fresh data folder and a known administrator; stop it and check it exited cleanly (under
// the sanitizer build, a leak or a crash makes the exit code non-zero and the test fails).
//
//   const srv = await startServer();          // MSTATION_BIN picks the binary (ASan build)
//   srv.url, srv.admin.email, srv.admin.password, srv.logs (parsed JSON log lines)
//   await srv.cli(['user', 'add', '--email', 'x@example.com', '--password-file', f])
//   await srv.stop();
//
// Engine: SQLite in the data folder, unless MSTATION_TEST_PG holds the URL of a PostgreSQL
// cluster (scripts/test starts one): then each server gets a fresh database of its own.
// `startServer({ share: other })` starts a second server on another server's database and
// data folder (a cluster of two); `share: { data, database, admin }` one on a copied database;
// `engine: 'sqlite'` forces SQLite; `database: url` uses that (empty) database.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(new URL('../..', import.meta.url).pathname);
export const BIN = resolve(root, process.env.MSTATION_BIN || 'build/mstation');

export const PG = process.env.MSTATION_TEST_PG || '';
export const ENGINE = PG ? 'postgres' : 'sqlite';
let dbCount = 0;

/** A new, empty PostgreSQL database on the test cluster; returns its URL. */
export async function createDatabase() {
  dbCount += 1;
  const name = `t_${process.pid}_${dbCount}_${Math.random().toString(36).slice(2, 8)}`;
  await run('psql', ['-q', '-X', '-v', 'ON_ERROR_STOP=1', PG, '-c', `CREATE DATABASE ${name}`]);
  return PG.replace(/\/[^/]*$/, '/' + name);
}

export async function startServer({ settings = {}, admin = {}, share = null, engine = ENGINE, database: db = null } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'mstation-test-'));
  const data = share ? share.data : join(dir, 'data');
  const database = share ? share.database : db || (engine === 'postgres' ? await createDatabase() : `sqlite:${data}/mstation.db`);
  const env = { ...testEnv(), MSTATION_DATABASE: database };
  const email = share ? share.admin.email : admin.email || 'admin@example.com';
  const password = share ? share.admin.password : admin.password || 'admin-password-123';
  if (!share) {
    const pwFile = join(dir, 'admin.pw');
    await writeFile(pwFile, password + '\n');
    await run(BIN, ['init', '--data', data, '--admin-email', email, '--admin-name', admin.name || 'Admin',
      '--admin-password-file', pwFile], { env });
  }
  const args = ['serve', '--data', data, '--listen', '127.0.0.1:0', '--threads', '2', '--workers', '1'];
  for (const [k, v] of Object.entries(settings)) args.push(`--${k}`, String(v));
  const proc = spawn(BIN, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  const logs = [];
  let stderrTail = '';
  const port = await new Promise((resolvePort, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + stderrTail)), 15000);
    proc.stderr.on('data', (chunk) => {
      buf += chunk;
      stderrTail = (stderrTail + chunk).slice(-4000);
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let rec;
        try { rec = JSON.parse(line); } catch { rec = { raw: line }; }
        logs.push(rec);
        if (rec.msg === 'listening') { clearTimeout(timer); resolvePort(rec.port); }
      }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${stderrTail}`)); });
  });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return {
    url: `http://127.0.0.1:${port}`,
    port, dir, data, logs, database, engine: database.startsWith('sqlite:') ? 'sqlite' : 'postgres',
    admin: { email, password },
    stderr: () => stderrTail,
    cli: (argv, opts = {}) => run(BIN, [...argv, '--data', data], { env, ...opts }),
    async stop() {
      proc.kill('SIGTERM');
      const { code, signal } = await exited;
      await rm(dir, { recursive: true, force: true });
      if (code !== 0) throw new Error(`server exited with ${code ?? signal}:\n${stderrTail}`);
    },
  };
}

export function testEnv() {
  // Only the variables a test means to pass: a developer's MSTATION_* must not leak in.
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MSTATION_')) env[k] = v;
  env.ASAN_OPTIONS ??= 'detect_leaks=1:abort_on_error=1:halt_on_error=1';
  env.UBSAN_OPTIONS ??= 'halt_on_error=1:print_stacktrace=1';
  return env;
}
