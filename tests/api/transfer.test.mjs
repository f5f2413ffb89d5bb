// The transfer commands (src/cli/transfer.c): `mstation put`, `get`, `ls` and `share` as
// clients of a running server over HTTP. Deduplicating, resumable uploads of a folder tree
// (re-put sends nothing, a 1% edit sends a small fraction, a killed put finishes by sending
// the rest), resumable and verified downloads (a truncated or corrupted .part), listings,
// share links, wrong tokens and roles, and a hostile server whose answers are malformed.
// Node has no BLAKE3, so content is checked by a `get` round trip, byte for byte.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, mkdir, rm, writeFile, readFile, readdir, stat, symlink, truncate, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, BIN, testEnv } from '../lib/server.mjs';
import { tokenClient } from '../lib/api.mjs';
import { run, person, mkOrg, mkProject, addMember, walk, waitFor, sleep, uniq } from './helpers.mjs';

const MB = 1e6;
let srv, admin, token, org, project, scratch;

before(async () => {
  // Small chunks, so that a few MB make dozens of chunks and the tests stay fast.
  srv = await startServer({ settings: { 'chunk-min': '64KiB', 'chunk-avg': '256KiB', 'chunk-max': '1MiB' } });
  admin = await tokenClient(srv, srv.admin.email);
  token = admin.token;
  org = await mkOrg(admin, 'Transfer Studio');
  project = await mkProject(admin, org.id, 'Transfer Film');
  scratch = await mkdtemp(join(tmpdir(), 'mstation-transfer-'));
});
after(async () => {
  await srv.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** The CLI's environment: the server and token as variables (the options are tested too). */
function cliEnv({ tok = token, server = srv.url } = {}) {
  const env = testEnv();
  if (tok !== null) env.MSTATION_TOKEN = tok;
  if (server !== null) env.MSTATION_SERVER = server;
  return env;
}

/** Run the CLI; resolves { code, stdout, stderr } whatever the exit code. */
async function mst(argv, opts = {}) {
  try {
    const r = await run(BIN, argv, { env: cliEnv(opts), cwd: opts.cwd || scratch, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    assert.equal(typeof e.code, 'number', `the CLI exited (${e.message})`);
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Start the CLI without waiting: { proc, done } where done resolves { code, signal, stdout, stderr }. */
function mstSpawn(argv, opts = {}) {
  const proc = spawn(BIN, argv, { env: cliEnv(opts), cwd: opts.cwd || scratch, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  proc.stdout.on('data', (d) => { stdout += d; });
  proc.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal, stdout, stderr })));
  return { proc, done };
}

const PUT_LINE = /^put (.+) -> (.+) v(\d{3})( unchanged)? \(([\d.]+) MB, ([\d.]+) MB sent, ([\d.]+) MB\/s\)$/;

/** The per-file lines of a put, by remote path. */
function putLines(stdout) {
  const out = {};
  for (const line of stdout.split('\n').filter(Boolean)) {
    const m = PUT_LINE.exec(line);
    assert.ok(m, `a put line: ${line}`);
    out[m[2]] = { local: m[1], version: Number(m[3]), unchanged: !!m[4], size: Number(m[5]), sent: Number(m[6]) };
  }
  return out;
}

/** Every asset of the project below `folder` (API), by "folder/name". */
async function assets(folder) {
  const { items } = await walk(admin, `/api/v1/projects/${project.id}/assets?folder=${encodeURIComponent(folder)}&recursive=true`, 200);
  const out = {};
  for (const a of items) out[`${a.folder === '/' ? '' : a.folder}/${a.name}`] = a;
  return out;
}

/** Download with the CLI and return the bytes. */
async function fetchBytes(id, extra = []) {
  const f = join(scratch, `${uniq('dl')}.bin`);
  const r = await mst(['get', id, '-o', f, '--no-progress', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return readFile(f);
}

async function chunkFiles() {
  let n = 0;
  const walkDir = async (d) => {
    let ents;
    try { ents = await readdir(d, { withFileTypes: true }); } catch { return; }
    for (const e of ents) {
      if (e.isDirectory()) await walkDir(join(d, e.name));
      else n++;
    }
  };
  await walkDir(join(srv.data, 'store', 'chunks'));
  return n;
}

let tree, files;
test('put: a folder tree goes up with its sub-folders; symlinks are skipped; bytes come back equal', async () => {
  tree = join(scratch, 'tree');
  await mkdir(join(tree, 'A', 'B'), { recursive: true });
  files = {
    'a.bin': randomBytes(3_000_000),
    'A/b.bin': randomBytes(2_500_000),
    'A/B/c.bin': randomBytes(1_000_000),
    'A/empty.bin': Buffer.alloc(0),
    '镜头 01.bin': randomBytes(1_200_000),
  };
  for (const [p, b] of Object.entries(files)) await writeFile(join(tree, p), b);
  await symlink('a.bin', join(tree, 'link.bin'));
  const r = await mst(['put', tree, '--project', project.id, '--folder', '/EP01//', '--no-progress', '--comment', 'first cut']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /link\.bin: skipped \(a symbolic link\)/);
  const lines = putLines(r.stdout);
  assert.deepEqual(Object.keys(lines).sort(),
    ['/EP01/A/B/c.bin', '/EP01/A/b.bin', '/EP01/A/empty.bin', '/EP01/a.bin', '/EP01/镜头 01.bin']);
  for (const [p, l] of Object.entries(lines)) {
    assert.equal(l.version, 1, p);
    assert.equal(l.unchanged, false);
    assert.equal(l.sent, l.size, `${p}: a new file's bytes are all sent`);
  }
  const got = await assets('/EP01');
  assert.deepEqual(Object.keys(got).sort(), Object.keys(lines).sort());
  for (const [p, b] of Object.entries(files)) {
    const a = got[`/EP01/${p}`];
    assert.equal(a.size, b.length, p);
    assert.equal(a.current_number, 1);
    assert.match(a.digest, /^[0-9a-f]{64}$/);
    assert.ok((await fetchBytes(a.id)).equals(b), `${p} round trip`);
  }
  assert.equal(got['/EP01/A/B/c.bin'].folder, '/EP01/A/B');
  const v = await admin.get(`/api/v1/assets/${got['/EP01/a.bin'].id}/versions`);
  assert.equal(v.json.items[0].comment, 'first cut');
});

test('put again: nothing is sent and no version is made', async () => {
  const before = await chunkFiles();
  const r = await mst(['put', tree, '--project', project.id, '--folder', '/EP01', '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  const lines = putLines(r.stdout);
  assert.equal(Object.keys(lines).length, 5);
  for (const [p, l] of Object.entries(lines)) {
    assert.ok(l.unchanged, `${p} unchanged`);
    assert.equal(l.sent, 0);
    assert.equal(l.version, 1);
  }
  assert.equal(await chunkFiles(), before);
  for (const a of Object.values(await assets('/EP01'))) assert.equal(a.latest_number, 1);
  // The same bytes under another name: a new asset, but no chunk is sent (deduplicated).
  const copy = join(scratch, 'copy-of-a.bin');
  await writeFile(copy, files['a.bin']);
  const c = await mst(['put', copy, '--project', project.id, '--folder', '/copies', '--no-progress']);
  assert.equal(c.code, 0, c.stderr);
  const l = putLines(c.stdout)['/copies/copy-of-a.bin'];
  assert.equal(l.version, 1);
  assert.equal(l.sent, 0);
});

test('a 1% edit in place makes v002 and sends a small fraction; both versions download', async () => {
  const f = join(scratch, 'edit.bin');
  // 32 MB: an edit changes at most the chunk it falls in and the next (2 MiB on average, 8 MiB
  // at most), so the bound below holds for any random bytes; 8 MB let two long chunks pass 30%.
  const orig = randomBytes(32_000_000);
  await writeFile(f, orig);
  const r1 = await mst(['put', f, '--project', project.id, '--folder', '/edit', '--no-progress']);
  assert.equal(r1.code, 0, r1.stderr);
  const edited = Buffer.from(orig);
  randomBytes(320_000).copy(edited, 16_000_000);
  const fh = await open(f, 'r+');
  await fh.write(edited, 16_000_000, 320_000, 16_000_000);
  await fh.close();
  const r2 = await mst(['put', f, '--project', project.id, '--folder', '/edit', '--no-progress']);
  assert.equal(r2.code, 0, r2.stderr);
  const l = putLines(r2.stdout)['/edit/edit.bin'];
  assert.equal(l.version, 2);
  assert.equal(l.unchanged, false);
  assert.ok(l.sent > 0 && l.sent < 0.3 * l.size, `sent ${l.sent} MB of ${l.size} MB`);
  const a = (await assets('/edit'))['/edit/edit.bin'];
  assert.equal(a.current_number, 2);
  assert.ok((await fetchBytes(a.id)).equals(edited), 'v002 round trip');
  assert.ok((await fetchBytes(a.id, ['--version', '1'])).equals(orig), 'v001 round trip');
  const cmp = await admin.get(`/api/v1/assets/${a.id}/compare?a=1&b=2`);
  assert.ok(cmp.json.shared.fraction_of_b > 0.7, JSON.stringify(cmp.json.shared));
});

test('a put killed halfway finishes on the next run, sending only the rest', async () => {
  const f = join(scratch, 'interrupted.bin');
  const bytes = randomBytes(24_000_000);
  await writeFile(f, bytes);
  const before = await chunkFiles();
  const p = mstSpawn(['put', f, '--project', project.id, '--folder', '/int', '--no-progress',
    '--parallel', '2', '--limit-rate', '4MB']);
  // Kill once the server holds some of its chunks (not on a timer: sanitizer builds are slow).
  await waitFor(async () => (await chunkFiles()) >= before + 10, 20000, 'some chunks stored');
  p.proc.kill('SIGKILL');
  const killed = await p.done;
  assert.equal(killed.signal, 'SIGKILL', `the put was still running: ${killed.stdout}`);
  assert.equal((await assets('/int'))['/int/interrupted.bin'], undefined, 'no version yet');
  const r = await mst(['put', f, '--project', project.id, '--folder', '/int', '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  const l = putLines(r.stdout)['/int/interrupted.bin'];
  assert.equal(l.version, 1);
  assert.ok(l.sent < l.size - 1, `only the rest: sent ${l.sent} MB of ${l.size} MB`);
  assert.ok(l.sent > 0);
  const a = (await assets('/int'))['/int/interrupted.bin'];
  assert.ok((await fetchBytes(a.id)).equals(bytes));
});

test('get: resumes a truncated .part, refuses a corrupt one loudly, and will not overwrite', async () => {
  const a = (await assets('/int'))['/int/interrupted.bin'];
  const want = await fetchBytes(a.id);
  const dir = join(scratch, uniq('get'));
  await mkdir(dir);
  // Killed halfway, the .part truncated further: the next run continues from what is there.
  const p = mstSpawn(['get', a.id, '--limit-rate', '2MB', '--no-progress'], { cwd: dir });
  const part = join(dir, 'interrupted.bin.part');
  await waitFor(async () => { try { return (await stat(part)).size > 3_000_000; } catch { return false; } }, 20000, '.part grows');
  p.proc.kill('SIGKILL');
  assert.equal((await p.done).signal, 'SIGKILL');
  const partSize = (await stat(part)).size;
  assert.ok(partSize > 0 && partSize < want.length);
  await truncate(part, Math.floor(partSize / 2));
  const r = await mst(['get', a.id, '--no-progress'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^get ${a.id} v001 -> interrupted\\.bin \\(24\\.0 MB, resumed at [\\d.]+ MB, [\\d.]+ MB/s\\)\\n$`));
  assert.ok((await readFile(join(dir, 'interrupted.bin'))).equals(want));
  await assert.rejects(stat(part), 'the .part is gone');
  // Again: already there.
  const again = await mst(['get', a.id, '--no-progress'], { cwd: dir });
  assert.equal(again.code, 0);
  assert.match(again.stdout, /unchanged \(24\.0 MB, already here\)/);
  // A .part with wrong bytes: the digest does not match, it is deleted, the exit code says so.
  await writeFile(join(dir, 'other.bin.part'), randomBytes(5_000_000));
  const bad = await mst(['get', a.id, '-o', 'other.bin', '--no-progress'], { cwd: dir });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /DOWNLOAD CORRUPT: .* the \.part file was deleted/);
  await assert.rejects(stat(join(dir, 'other.bin.part')));
  await assert.rejects(stat(join(dir, 'other.bin')));
  const good = await mst(['get', a.id, '-o', 'other.bin', '--no-progress'], { cwd: dir });
  assert.equal(good.code, 0, good.stderr);
  assert.ok((await readFile(join(dir, 'other.bin'))).equals(want));
  // A different file of that name is not replaced without --force.
  await writeFile(join(dir, 'interrupted.bin'), 'something else');
  const refuse = await mst(['get', a.id, '--no-progress'], { cwd: dir });
  assert.equal(refuse.code, 3);
  assert.match(refuse.stderr, /exists with other content; pass --force/);
  assert.equal(await readFile(join(dir, 'interrupted.bin'), 'utf8'), 'something else');
  const force = await mst(['get', a.id, '--force', '--no-progress'], { cwd: dir });
  assert.equal(force.code, 0, force.stderr);
  assert.ok((await readFile(join(dir, 'interrupted.bin'))).equals(want));
  // A folder as the output: the asset's name inside it; "-": standard output.
  const sub = join(dir, 'sub');
  await mkdir(sub);
  assert.equal((await mst(['get', a.id, '--output', sub, '--no-progress'])).code, 0);
  assert.ok((await readFile(join(sub, 'interrupted.bin'))).equals(want));
  const out = await run(BIN, ['get', a.id, '-o', '-'], { env: cliEnv(), encoding: 'buffer', maxBuffer: 64 << 20 });
  assert.ok(out.stdout.equals(want));
  // Unknown asset, unknown version, not an id.
  const unknown = await mst(['get', '01900000-0000-7000-8000-000000000000']);
  assert.equal(unknown.code, 4);
  assert.match(unknown.stderr, /no asset/);
  const nov = await mst(['get', a.id, '--version', '9', '-o', join(dir, 'v9')]);
  assert.equal(nov.code, 4);
  assert.match(nov.stderr, /no version 9/);
  assert.equal((await mst(['get', 'not-an-id'])).code, 2);
  assert.equal((await mst(['get', a.id, '-o'])).code, 2);
});

test('ls: a table of the folder, recursive, by kind, across pages', async () => {
  const r = await mst(['ls', '--project', project.id, '--folder', '/EP01']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^NAME\s+KIND\s+VER\s+SIZE\s+MEDIA\s+UPDATED\s+ID$/);
  assert.equal(lines.length, 4, r.stdout); // header, a.bin, 镜头 01.bin, summary
  // (The kind and media columns come from the server's probe, which random bytes can fool.)
  assert.match(lines[1], /^a\.bin\s+\S+\s+v001\s+3\.0 MB\s+.*\d{4}-\d\d-\d\d \d\d:\d\d\s+[0-9a-f-]{36}$/);
  assert.match(lines[2], /^镜头 01\.bin\s+\S+\s+v001\s+1\.2 MB/);
  assert.match(lines[3], /^2 assets, 4\.2 MB in \/EP01$/);
  const rec = await mst(['ls', '--project', project.id, '--folder', '/EP01', '--recursive']);
  assert.equal(rec.code, 0, rec.stderr);
  assert.match(rec.stdout, /^\/EP01\/A\/B\/c\.bin\s+\S+\s+v001\s+1\.0 MB/m);
  assert.match(rec.stdout, /^5 assets, 7\.7 MB in and below \/EP01$/m);
  const seq = await mst(['ls', '--project', project.id, '--kind', 'image_sequence', '--recursive']);
  assert.equal(seq.code, 0);
  assert.equal(seq.stdout, '0 assets, 0 B in and below /\n');
  const badKind = await mst(['ls', '--project', project.id, '--kind', 'hologram']);
  assert.equal(badKind.code, 2);
  assert.match(badKind.stderr, /kind must be/);
  assert.equal((await mst(['ls', '--project', '01900000-0000-7000-8000-000000000000'])).code, 4);
  assert.equal((await mst(['ls'])).code, 2);
  // More than one page (500): 501 tiny files.
  const many = join(scratch, 'many');
  await mkdir(many);
  for (let i = 0; i < 501; i++) await writeFile(join(many, `f${String(i).padStart(3, '0')}.txt`), `file ${i}\n`);
  const put = await mst(['put', many, '--project', project.id, '--folder', '/many', '--no-progress']);
  assert.equal(put.code, 0, put.stderr);
  const ls = await mst(['ls', '--project', project.id, '--folder', '/many']);
  assert.equal(ls.code, 0, ls.stderr);
  const rows = ls.stdout.trimEnd().split('\n');
  assert.equal(rows.length, 503);
  assert.match(rows[1], /^f000\.txt /);
  assert.match(rows[501], /^f500\.txt /);
  assert.match(rows[502], /^501 assets, /);
});

test('share: make links, list them, revoke one', async () => {
  const a = (await assets('/EP01'))['/EP01/a.bin'];
  const view = await mst(['share', a.id]);
  assert.equal(view.code, 0, view.stderr);
  assert.match(view.stdout, /^https?:\/\/\S+\/s\/mss_\S+\n$/);
  const pass = join(scratch, 'pass.txt');
  await writeFile(pass, 'open sesame\n');
  const dl = await mst(['share', a.id, '--mode', 'download', '--expires-in', '7d', '--passphrase-file', pass, '--note', '给导演 review']);
  assert.equal(dl.code, 0, dl.stderr);
  const list = await mst(['share', a.id, '--list']);
  assert.equal(list.code, 0, list.stderr);
  const rows = list.stdout.trimEnd().split('\n');
  assert.match(rows[0], /^ID\s+MODE\s+STATUS\s+PASSPHRASE\s+CREATED\s+EXPIRES\s+OPENED\s+NOTE$/);
  assert.equal(rows.length, 3);
  assert.match(rows[1], /^([0-9a-f-]{36})\s+download\s+active\s+yes\s+\S+ \S+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+0\s+给导演 review$/);
  assert.match(rows[2], /^[0-9a-f-]{36}\s+view\s+active\s+no\s+\S+ \S+\s+never\s+0$/);
  const sid = rows[1].split(/\s+/)[0];
  const rv = await mst(['share', a.id, '--revoke', sid]);
  assert.equal(rv.code, 0, rv.stderr);
  assert.equal(rv.stdout, `revoked ${sid}\n`);
  assert.match((await mst(['share', a.id, '--list'])).stdout, new RegExp(`^${sid}\\s+download\\s+revoked`, 'm'));
  const unknown = await mst(['share', a.id, '--revoke', '01900000-0000-7000-8000-000000000000']);
  assert.equal(unknown.code, 4);
  assert.match(unknown.stderr, /no share link/);
  // Wrong use: exit 2, nothing made.
  assert.equal((await mst(['share', a.id, '--list', '--mode', 'view'])).code, 2);
  assert.equal((await mst(['share', a.id, '--mode', 'edit'])).code, 2);
  assert.equal((await mst(['share', a.id, '--expires-in', 'soon'])).code, 2);
  const tooLong = await mst(['share', a.id, '--expires-in', '3000d']);
  assert.equal(tooLong.code, 2);
  assert.match(tooLong.stderr, /expires_in/);
  assert.equal((await mst(['share', a.id, '--list'])).stdout.trimEnd().split('\n').length, 3);
});

test('wrong or missing token, a viewer, missing paths: clear errors and exit codes', async () => {
  const f = join(scratch, 'small.bin');
  await writeFile(f, randomBytes(300_000));
  const wrong = await mst(['put', f, '--project', project.id, '--no-progress'], { tok: 'mst_not_a_real_token' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^mstation put: the server refused the token: /m);
  assert.equal(wrong.stdout, '');
  const byOption = await mst(['ls', '--project', project.id, '--token', 'mst_nope', '--server', srv.url], { tok: null, server: null });
  assert.equal(byOption.code, 1);
  assert.match(byOption.stderr, /refused the token/);
  const none = await mst(['put', f, '--project', project.id], { tok: null });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no API token: pass --token TOKEN or set MSTATION_TOKEN/);
  assert.equal((await mst(['ls', '--project', project.id, '--server', 'ftp://x'])).code, 2);
  // A viewer of the organization may list and download, not upload.
  const viewer = await person(srv, 'viewer');
  await addMember(admin, org.id, viewer.id, 'viewer');
  const vt = viewer.c.token;
  const vput = await mst(['put', f, '--project', project.id, '--no-progress'], { tok: vt });
  assert.equal(vput.code, 1);
  assert.match(vput.stderr, /^mstation put: .*small\.bin: /m);
  assert.equal((await mst(['ls', '--project', project.id, '--folder', '/EP01'], { tok: vt })).code, 0);
  // Someone outside the organization does not see the project at all.
  const stranger = await person(srv, 'stranger');
  const sput = await mst(['put', f, '--project', project.id], { tok: stranger.c.token });
  assert.equal(sput.code, 4);
  assert.match(sput.stderr, /no project/);
  // A path that does not exist fails, the others still go up; the exit code reports it.
  const mixed = await mst(['put', join(scratch, 'no-such-file'), f, '--project', project.id, '--folder', '/mixed', '--no-progress']);
  assert.equal(mixed.code, 4);
  assert.match(mixed.stderr, /no-such-file: No such file or directory/);
  assert.match(mixed.stdout, /-> \/mixed\/small\.bin v001/);
  assert.match(mixed.stderr, /1 files uploaded or unchanged, 1 failed/);
  // Usage errors.
  assert.equal((await mst(['put', f])).code, 2);
  assert.equal((await mst(['put', '--project', project.id])).code, 2);
  assert.equal((await mst(['put', f, '--project', 'x'])).code, 2);
  assert.equal((await mst(['put', f, '--project', project.id, '--folder', '/a/../b'])).code, 2);
  assert.equal((await mst(['put', f, '--project', project.id, '--parallel', '0'])).code, 2);
  assert.equal((await mst(['put', f, '--project', project.id, '--files', '0'])).code, 2);
  assert.equal((await mst(['put', f, '--project', project.id, '--files', '17'])).code, 2);
});

test('several files at once: two files for one name become v001 and v002 in the order named; equal files in flight together share their chunks', async () => {
  const dir = join(scratch, 'inflight');
  await mkdir(join(dir, 'x'), { recursive: true });
  await mkdir(join(dir, 'y'), { recursive: true });
  const one = randomBytes(1_500_000), two = randomBytes(1_700_000), same = randomBytes(2_000_000);
  await writeFile(join(dir, 'x', 'take.bin'), one);
  await writeFile(join(dir, 'y', 'take.bin'), two);
  for (const n of ['d1.bin', 'd2.bin', 'd3.bin', 'd4.bin']) await writeFile(join(dir, n), same);
  const r = await mst(['put', join(dir, 'x', 'take.bin'), join(dir, 'y', 'take.bin'), join(dir, 'd1.bin'),
    join(dir, 'd2.bin'), join(dir, 'd3.bin'), join(dir, 'd4.bin'),
    '--project', project.id, '--folder', '/inflight', '--files', '4', '--no-progress']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /6 files uploaded or unchanged, 0 failed/);
  const got = await assets('/inflight');
  const take = got['/inflight/take.bin'];
  assert.equal(take.current_number, 2);
  assert.ok((await fetchBytes(take.id, ['--version', '1'])).equals(one), 'the first named is v001');
  assert.ok((await fetchBytes(take.id)).equals(two), 'the second named is v002');
  for (const n of ['d1.bin', 'd2.bin', 'd3.bin', 'd4.bin']) {
    assert.equal(got[`/inflight/${n}`].digest, got['/inflight/d1.bin'].digest);
    assert.ok((await fetchBytes(got[`/inflight/${n}`].id)).equals(same), n);
  }
});

/** A fake server with scripted answers, to see the CLI survive a hostile or broken one. */
async function hostile(routes) {
  const s = http.createServer((req, res) => {
    const path = req.url.split('?')[0];
    const h = routes[`${req.method} ${path}`] || routes[`${req.method} *`];
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => {
      if (!h) { res.writeHead(404, { 'Content-Type': 'application/problem+json' }); res.end('{"detail":"nope"}'); return; }
      const { status = 200, headers = { 'Content-Type': 'application/json' }, body = '' } = h(req, Buffer.concat(parts));
      res.writeHead(status, headers);
      res.end(body);
    });
  });
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${s.address().port}`, close: () => new Promise((r) => s.close(r)) };
}

test('a hostile server: malformed JSON, absurd sizes, a path as a name, too many bytes', async () => {
  const pid = '01900000-0000-7000-8000-000000000001';
  const aid = '01900000-0000-7000-8000-000000000002';
  const f = join(scratch, 'h.bin');
  await writeFile(f, randomBytes(200_000));
  const project = () => ({ body: '{"id":"x"}' });
  const cases = [
    [{ [`GET /api/v1/projects/${pid}`]: project, 'GET /api/v1/store/params': () => ({ body: 'not json' }) },
      ['put', f, '--project', pid], /not a JSON object/],
    [{ [`GET /api/v1/projects/${pid}`]: project, 'GET /api/v1/store/params': () => ({ body: '{"chunk_min":1,"chunk_avg":3,"chunk_max":-5}' }) },
      ['put', f, '--project', pid], /chunk_min, chunk_avg and chunk_max|unusable/],
    [{ [`GET /api/v1/projects/${pid}`]: project, 'GET /api/v1/store/params': () => ({ body: '{"chunk_min":65536,"chunk_avg":262144,"chunk_max":1048576}' }),
      [`GET /api/v1/projects/${pid}/assets`]: () => ({ body: '{"items":{"no":"array"}}' }) },
      ['put', f, '--project', pid], /asset list is malformed/],
    [{ [`GET /api/v1/projects/${pid}`]: project, 'GET /api/v1/store/params': () => ({ body: '{"chunk_min":65536,"chunk_avg":262144,"chunk_max":1048576}' }),
      [`GET /api/v1/projects/${pid}/assets`]: () => ({ body: '{"items":[],"next_cursor":null}' }),
      [`POST /api/v1/projects/${pid}/chunks/missing`]: () => ({ body: `{"missing":["${'ab'.repeat(32)}"]}` }) },
      ['put', f, '--project', pid], /named a chunk as missing that was not asked about/],
    [{ [`GET /api/v1/assets/${aid}`]: () => ({ body: `{"name":"../../etc/passwd","current_number":1,"size":3,"digest":"${'0'.repeat(64)}"}` }) },
      ['get', aid], /cannot be a file name here; pass -o FILE/],
    [{ [`GET /api/v1/assets/${aid}`]: () => ({ body: `{"name":"x","current_number":1,"size":1180591620717411303424,"digest":"${'0'.repeat(64)}"}` }) },
      ['get', aid], /too big integer|no valid name, current_number, size or digest/],
    [{ [`GET /api/v1/assets/${aid}`]: () => ({ body: `{"name":"x","current_number":1,"size":4611686018427387904,"digest":"${'0'.repeat(64)}"}` }) },
      ['get', aid], /no valid name, current_number, size or digest/],
    [{ [`GET /api/v1/assets/${aid}`]: () => ({ body: `{"name":"x.bin","current_number":1,"size":3,"digest":"${'0'.repeat(64)}"}` }),
      [`GET /api/v1/assets/${aid}/content`]: () => ({ headers: { 'Content-Type': 'application/octet-stream' }, body: 'way more than three bytes' }) },
      ['get', aid], /sent more than the version's 3 bytes/],
    [{ [`GET /api/v1/assets/${aid}`]: () => ({ body: `{"name":"y.bin","current_number":1,"size":3,"digest":"${'0'.repeat(64)}"}` }),
      [`GET /api/v1/assets/${aid}/content`]: () => ({ headers: { 'Content-Type': 'application/octet-stream' }, body: 'abc' }) },
      ['get', aid], /DOWNLOAD CORRUPT/],
    [{ [`GET /api/v1/projects/${pid}/assets`]: () => ({ body: '{"items":[{"name":"\\u001b[31mred\\u001b[0m","kind":"other"}],"next_cursor":null}' }) },
      ['ls', '--project', pid], null],
    [{ [`GET /api/v1/projects/${pid}/assets`]: () => ({ status: 401, headers: { 'Content-Type': 'text/html' }, body: '<html>' }) },
      ['ls', '--project', pid], /refused the token \(401\)/],
  ];
  const dir = join(scratch, uniq('hostile'));
  await mkdir(dir);
  for (const [routes, argv, want] of cases) {
    const s = await hostile(routes);
    try {
      const r = await mst(argv, { server: s.url, cwd: dir });
      if (want) {
        assert.notEqual(r.code, 0, `${argv.join(' ')}: ${r.stdout}`);
        assert.match(r.stderr, want, argv.join(' '));
      } else {
        assert.equal(r.code, 0, r.stderr);
        assert.doesNotMatch(r.stdout, /\x1b/, 'no escape sequences from the server reach the terminal');
        assert.match(r.stdout, /\?\[31mred\?\[0m/);
      }
    } finally {
      await s.close();
    }
  }
  assert.deepEqual((await readdir(dir)).sort(), [], 'no file was left behind');
  // 503 (and 429) are retried with backoff; a 4xx is not.
  let calls = 0;
  const flaky = await hostile({
    [`GET /api/v1/projects/${pid}/assets`]: () => (++calls <= 2
      ? { status: 503, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '0' }, body: '{"detail":"busy"}' }
      : { body: '{"items":[{"name":"late.bin","kind":"other","size":5,"current_number":1}],"next_cursor":null}' }),
  });
  try {
    const r = await mst(['ls', '--project', pid], { server: flaky.url });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^late\.bin\s+other\s+v001\s+5 B/m);
    assert.equal(calls, 3);
  } finally {
    await flaky.close();
  }
  calls = 0;
  const gone = await hostile({
    [`GET /api/v1/assets/${aid}`]: () => { calls++; return { status: 410, headers: { 'Content-Type': 'application/problem+json' }, body: '{"type":"urn:mstation:problem:gone","detail":"It was deleted."}' }; },
  });
  try {
    const r = await mst(['get', aid], { server: gone.url, cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /It was deleted\./);
    assert.equal(calls, 1, 'a 4xx is not retried');
  } finally {
    await gone.close();
  }
});

test('a commit answered 409 chunks-missing: the chunks are asked about again, sent, and committed once more', async () => {
  const pid = '01900000-0000-7000-8000-000000000003';
  const f = join(scratch, 'lost.bin');
  await writeFile(f, randomBytes(2_000_000));
  let missingCalls = 0, commits = 0, lost = [];
  const puts = [];
  const s = await hostile({
    [`GET /api/v1/projects/${pid}`]: () => ({ body: '{}' }),
    'GET /api/v1/store/params': () => ({ body: '{"chunk_min":65536,"chunk_avg":262144,"chunk_max":1048576}' }),
    [`GET /api/v1/projects/${pid}/assets`]: () => ({ body: '{"items":[],"next_cursor":null}' }),
    // First everything is "present"; after the failed commit, everything is missing.
    [`POST /api/v1/projects/${pid}/chunks/missing`]: (req, body) => {
      missingCalls++;
      const asked = JSON.parse(body).digests;
      return { body: JSON.stringify({ missing: commits ? asked : [] }) };
    },
    'PUT *': (req, body) => { puts.push({ url: req.url, len: body.length }); return { status: 201, body: '{}' }; },
    [`POST /api/v1/projects/${pid}/assets/commit`]: (req, body) => {
      commits++;
      const m = JSON.parse(body);
      assert.equal(m.size, 2_000_000);
      assert.equal(m.chunks.reduce((n, c) => n + c.size, 0), 2_000_000);
      if (commits === 1) {
        lost = m.chunks;
        return { status: 409, headers: { 'Content-Type': 'application/problem+json' },
          body: '{"type":"urn:mstation:problem:chunks-missing","detail":"gone","status":409}' };
      }
      return { status: 201, body: '{"id":"x","current_number":1}' };
    },
  });
  try {
    const r = await mst(['put', f, '--project', pid, '--no-progress'], { server: s.url });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /-> \/lost\.bin v001 \(2\.0 MB, 2\.0 MB sent/);
    assert.equal(commits, 2);
    assert.ok(missingCalls >= 2);
    const distinct = new Set(lost.map((c) => c.digest));
    assert.equal(puts.length, distinct.size, 'every chunk sent once, after the 409');
    assert.equal(puts.reduce((n, p) => n + p.len, 0), 2_000_000);
  } finally {
    await s.close();
  }
});
