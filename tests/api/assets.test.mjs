// The asset library over the API: tus uploads (every extension we announce, and their unhappy
// paths), versions, downloads (Range, ETag), the deduplicating chunk path, probe and
// derivative jobs, share links, folder zips with ASC MHL, crash safety (kill -9 in the middle
// of an upload), a damaged chunk, a full store, and the walls between organizations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile, readdir, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/api.mjs';
import {
  assertProblem, assertOk, person, mkOrg, mkProject, waitFor, run, sleep, events, rawRequest, sql,
} from './helpers.mjs';

const SMALL = { 'chunk-min': '16KiB', 'chunk-avg': '64KiB', 'chunk-max': '256KiB' };
let srv, alice, bob, org, project, otherOrg, otherProject, work;

const b64 = (s) => Buffer.from(s).toString('base64');
const meta = (o) => Object.entries(o).map(([k, v]) => (v === null ? k : `${k} ${b64(v)}`)).join(',');
const sha1 = (buf) => createHash('sha1').update(buf).digest('base64');
const TUS = { 'Tus-Resumable': '1.0.0' };

/** A whole tus upload in `pieces` PATCHes; returns the final PATCH response. */
async function tusUpload(c, buf, { filename, projectId = project.id, folder = '/', pieces = 2, comment } = {}) {
  const m = { filename, project_id: projectId, folder };
  if (comment) m.comment = comment;
  const cr = await c.req('POST', '/api/v1/uploads', {
    headers: { ...TUS, 'Upload-Length': String(buf.length), 'Upload-Metadata': meta(m) },
  });
  assert.equal(cr.status, 201, cr.text);
  const loc = cr.headers.get('location');
  let off = 0, last = cr;
  const step = Math.ceil(buf.length / pieces) || 1;
  while (off < buf.length || (buf.length === 0 && last === cr)) {
    const part = buf.subarray(off, off + step);
    last = await c.req('PATCH', loc, {
      body: part,
      headers: { ...TUS, 'Upload-Offset': String(off), 'Content-Type': 'application/offset+octet-stream' },
    });
    assert.equal(last.status, 204, last.text);
    off += part.length;
    if (buf.length === 0) break;
  }
  return { loc, last, assetId: last.headers.get('x-asset-id'), version: Number(last.headers.get('x-asset-version')) };
}

async function ffmpeg(args) {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

before(async () => {
  srv = await startServer({ settings: SMALL });
  alice = await person(srv, 'alice', '王菲 Alice');
  bob = await person(srv, 'bob', 'Bob');
  org = await mkOrg(alice.c, 'Studio A');
  project = await mkProject(alice.c, org.id, 'Series');
  otherOrg = await mkOrg(bob.c, 'Studio B');
  otherProject = await mkProject(bob.c, otherOrg.id, 'Other');
  work = await mkdtemp(join(tmpdir(), 'mstation-assets-'));
});
after(async () => {
  await srv.stop();
  await rm(work, { recursive: true, force: true });
});

test('tus discovery says what this server supports', async () => {
  const r = await new Client(srv.url).req('OPTIONS', '/api/v1/uploads');
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('tus-resumable'), '1.0.0');
  assert.equal(r.headers.get('tus-version'), '1.0.0');
  const ext = r.headers.get('tus-extension').split(',');
  for (const e of ['creation', 'creation-with-upload', 'expiration', 'checksum', 'termination']) assert.ok(ext.includes(e), e);
  assert.equal(r.headers.get('tus-checksum-algorithm'), 'sha1');
  assert.ok(Number(r.headers.get('tus-max-size')) > 0);
});

test('a tus upload in pieces becomes v001, downloads byte-exact with Range, ETag and 304', async () => {
  const buf = randomBytes(700_000);
  const up = await tusUpload(alice.c, buf, { filename: 'plate_v1.bin', folder: '/EP01/plates', pieces: 3, comment: 'first' });
  assert.match(up.assetId, /^[0-9a-f-]{36}$/);
  assert.equal(up.version, 1);
  assert.equal(up.last.headers.get('upload-offset'), String(buf.length));
  const a = assertOk(await alice.c.get(`/api/v1/assets/${up.assetId}`), 200);
  assert.equal(a.folder, '/EP01/plates');
  assert.equal(a.name, 'plate_v1.bin');
  assert.equal(a.size, buf.length);
  assert.equal(a.current_number, 1);
  const full = await fetch(`${srv.url}/api/v1/assets/${up.assetId}/content`, { headers: { Authorization: `Bearer ${alice.c.token}` } });
  assert.equal(full.status, 200);
  const got = Buffer.from(await full.arrayBuffer());
  assert.ok(got.equals(buf), 'identical bytes');
  const etag = full.headers.get('etag');
  assert.equal(etag, `"b3-${a.digest}"`);
  assert.match(full.headers.get('content-disposition'), /attachment; filename="plate_v1.bin"/);
  const part = await fetch(`${srv.url}/api/v1/assets/${up.assetId}/content`, {
    headers: { Authorization: `Bearer ${alice.c.token}`, Range: 'bytes=100000-300000' },
  });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 100000-300000/${buf.length}`);
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(buf.subarray(100000, 300001)));
  const tail = await fetch(`${srv.url}/api/v1/assets/${up.assetId}/content`, {
    headers: { Authorization: `Bearer ${alice.c.token}`, Range: 'bytes=-10' },
  });
  assert.ok(Buffer.from(await tail.arrayBuffer()).equals(buf.subarray(buf.length - 10)));
  const bad = await alice.c.get(`/api/v1/assets/${up.assetId}/content`, { headers: { Range: `bytes=${buf.length}-` } });
  assertProblem(bad, 416, 'range-not-satisfiable');
  const nm = await alice.c.get(`/api/v1/assets/${up.assetId}/content`, { headers: { 'If-None-Match': etag } });
  assert.equal(nm.status, 304);
});

test('the same folder and name make v002; history, compare and restore (v003 = v001)', async () => {
  // 2 MB against chunks of at most 256 KiB: a 4 KB change touches at most two chunks
  // (the one it falls in and the next, until the cut points resynchronize), so at
  // least 74% is shared whatever the random bytes are.
  const one = randomBytes(2_000_000);
  const two = Buffer.from(one);
  two.fill(7, 1_000_000, 1_004_000); // a small change in the middle
  const a = await tusUpload(alice.c, one, { filename: 'edit.mov.bin', folder: '/EP02' });
  const b = await tusUpload(alice.c, two, { filename: 'edit.mov.bin', folder: '/EP02', comment: 'fix' });
  assert.equal(b.assetId, a.assetId);
  assert.equal(b.version, 2);
  const hist = assertOk(await alice.c.get(`/api/v1/assets/${a.assetId}/versions`), 200);
  assert.deepEqual(hist.items.map((v) => v.label), ['v002', 'v001']);
  assert.equal(hist.items[0].comment, 'fix');
  assert.equal(hist.items[0].uploaded_by_name, '王菲 Alice');
  const cmp = assertOk(await alice.c.get(`/api/v1/assets/${a.assetId}/compare?a=1&b=2`), 200);
  assert.ok(cmp.differences.some((d) => d.field === 'digest'));
  assert.ok(cmp.shared.fraction_of_b > 0.5, `most chunks are shared: ${cmp.shared.fraction_of_b}`);
  assertProblem(await alice.c.get(`/api/v1/assets/${a.assetId}/compare?a=1`), 400, 'bad-query');
  assertProblem(await alice.c.get(`/api/v1/assets/${a.assetId}/compare?a=1&b=9`), 404, 'no-such-version');
  const v1 = await alice.c.get(`/api/v1/assets/${a.assetId}/content?version=1`, { raw: true });
  assert.equal(v1.headers.get('x-content-blake3'), hist.items[1].digest);
  const rs = assertOk(await alice.c.post(`/api/v1/assets/${a.assetId}/versions/1/restore`), 201);
  assert.equal(rs.current_number, 3);
  assert.equal(rs.digest, hist.items[1].digest);
  const now = await fetch(`${srv.url}/api/v1/assets/${a.assetId}/content`, { headers: { Authorization: `Bearer ${alice.c.token}` } });
  assert.ok(Buffer.from(await now.arrayBuffer()).equals(one));
  assertProblem(await alice.c.post(`/api/v1/assets/${a.assetId}/versions/99/restore`), 404, 'no-such-version');
});

test('tus unhappy paths: version, length, metadata, names, offsets, content type, checksum, termination', async () => {
  const c = alice.c;
  const post = (headers) => c.req('POST', '/api/v1/uploads', { headers });
  const good = meta({ filename: 'x.bin', project_id: project.id, folder: '/' });
  assertProblem(await post({ 'Upload-Length': '10', 'Upload-Metadata': good }), 412, 'tus-version');
  assertProblem(await post({ ...TUS, 'Upload-Metadata': good }), 400, 'bad-upload-length');
  assertProblem(await post({ ...TUS, 'Upload-Length': '-5', 'Upload-Metadata': good }), 400, 'bad-upload-length');
  assertProblem(await post({ ...TUS, 'Upload-Defer-Length': '1', 'Upload-Metadata': good }), 400, 'defer-length-unsupported');
  assertProblem(await post({ ...TUS, 'Upload-Length': String(2 ** 53), 'Upload-Metadata': good }), 413, 'upload-too-large');
  // Hostile names and folders: 4xx, and no upload row or file was made.
  const names = ['..', '.', 'a/b', 'a\\b', 'bad\u0000name', 'bell\u0007', 'x'.repeat(300), '', 'line\nbreak'];
  for (const filename of names) {
    const r = await post({ ...TUS, 'Upload-Length': '3', 'Upload-Metadata': meta({ filename, project_id: project.id }) });
    assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(filename)}: ${r.status}`);
  }
  for (const folder of ['/a/../b', '/./x', '/\u0001']) {
    const r = await post({ ...TUS, 'Upload-Length': '3', 'Upload-Metadata': meta({ filename: 'f.bin', project_id: project.id, folder }) });
    assertProblem(r, 422, 'validation');
  }
  assertProblem(await post({ ...TUS, 'Upload-Length': '3', 'Upload-Metadata': 'filename !!!notbase64' }), 422, 'validation');
  assertProblem(await post({ ...TUS, 'Upload-Length': '3', 'Upload-Metadata': meta({ filename: 'f.bin' }) }), 422, 'validation');
  // Another organization's project does not exist for alice.
  assertProblem(await post({ ...TUS, 'Upload-Length': '3', 'Upload-Metadata': meta({ filename: 'f.bin', project_id: otherProject.id }) }), 404, 'not-found');
  const uploads = await readdir(join(srv.data, 'work', 'uploads'));
  assert.equal(uploads.length, 0, `no part files left: ${uploads}`);

  // Creation with upload, then offsets.
  const body = randomBytes(1000);
  const cr = await c.req('POST', '/api/v1/uploads', {
    body: body.subarray(0, 400),
    headers: { ...TUS, 'Upload-Length': '1000', 'Upload-Metadata': meta({ filename: 'cwu.bin', project_id: project.id }), 'Content-Type': 'application/offset+octet-stream' },
  });
  assert.equal(cr.status, 201, cr.text);
  assert.equal(cr.headers.get('upload-offset'), '400');
  assert.match(cr.headers.get('upload-expires'), /GMT$/);
  const loc = cr.headers.get('location');
  const patch = (off, data, extra = {}) => c.req('PATCH', loc, {
    body: data, headers: { ...TUS, 'Upload-Offset': String(off), 'Content-Type': 'application/offset+octet-stream', ...extra },
  });
  assertProblem(await patch(0, body.subarray(0, 10)), 409, 'offset-mismatch');
  assertProblem(await patch(400, body.subarray(400, 500), { 'Content-Type': 'application/octet-stream' }), 415, 'unsupported-media-type');
  assertProblem(await patch(400, randomBytes(700)), 413, 'beyond-upload-length');
  // A checksum mismatch keeps nothing; a good checksum is accepted.
  const piece = body.subarray(400, 700);
  const r460 = await patch(400, piece, { 'Upload-Checksum': `sha1 ${sha1(Buffer.from('other'))}` });
  assert.equal(r460.status, 460, r460.text);
  assertProblem(await patch(400, piece, { 'Upload-Checksum': 'md5 AAAA' }), 400, 'checksum-algorithm');
  let h = await c.req('HEAD', loc, { headers: TUS });
  assert.equal(h.status, 200);
  assert.equal(h.headers.get('upload-offset'), '400');
  assert.equal(h.headers.get('upload-length'), '1000');
  assert.equal((await patch(400, piece, { 'Upload-Checksum': `sha1 ${sha1(piece)}` })).status, 204);
  h = await c.req('HEAD', loc, { headers: TUS });
  assert.equal(h.headers.get('upload-offset'), '700');
  // Somebody else's upload does not exist for them.
  assert.equal((await bob.c.req('HEAD', loc, { headers: TUS })).status, 404);
  assertProblem(await bob.c.req('PATCH', loc, { body: body.subarray(700), headers: { ...TUS, 'Upload-Offset': '700', 'Content-Type': 'application/offset+octet-stream' } }), 404, 'not-found');
  assertProblem(await bob.c.req('DELETE', loc, { headers: TUS }), 404, 'not-found');
  // Termination.
  assert.equal((await c.req('DELETE', loc, { headers: TUS })).status, 204);
  assert.equal((await c.req('HEAD', loc, { headers: TUS })).status, 404);
  assertProblem(await patch(700, body.subarray(700)), 404, 'not-found');
});

test('an expired upload answers 410', async () => {
  const cr = await alice.c.req('POST', '/api/v1/uploads', {
    headers: { ...TUS, 'Upload-Length': '10', 'Upload-Metadata': meta({ filename: 'late.bin', project_id: project.id }) },
  });
  const loc = cr.headers.get('location');
  const id = loc.split('/').pop();
  await sql(srv, `UPDATE upload SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = '${id}'`);
  assert.equal((await alice.c.req('HEAD', loc, { headers: TUS })).status, 410);
  assertProblem(await alice.c.get(loc, { headers: TUS }), 410, 'upload-expired');
  assertProblem(await alice.c.req('PATCH', loc, { body: Buffer.alloc(10), headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' } }), 410, 'upload-expired');
});

test('assets: list filters, rename with If-Match, tags, delete; other organizations see nothing', async () => {
  const up = await tusUpload(alice.c, randomBytes(5000), { filename: '分镜 storyboard.pdf', folder: '/EP03/docs' });
  const list = assertOk(await alice.c.get(`/api/v1/projects/${project.id}/assets?folder=/EP03&recursive=true`), 200);
  assert.ok(list.items.some((i) => i.id === up.assetId));
  const flat = assertOk(await alice.c.get(`/api/v1/projects/${project.id}/assets?folder=/EP03`), 200);
  assert.ok(!flat.items.some((i) => i.id === up.assetId), 'not recursive: only /EP03 itself');
  const byName = assertOk(await alice.c.get(`/api/v1/projects/${project.id}/assets?name=${encodeURIComponent('分镜')}`), 200);
  assert.deepEqual(byName.items.map((i) => i.id), [up.assetId]);
  assertProblem(await alice.c.get(`/api/v1/projects/${project.id}/assets?kind=hologram`), 400, 'bad-query');
  assertProblem(await alice.c.get(`/api/v1/projects/${project.id}/assets?colour=red`), 400, 'bad-query');
  const cur = await alice.c.get(`/api/v1/assets/${up.assetId}`);
  const tag = cur.headers.get('etag');
  assertProblem(await alice.c.patch(`/api/v1/assets/${up.assetId}`, { name: 'x' }, { headers: { 'If-Match': '"999"' } }), 412, 'stale-version');
  assertProblem(await alice.c.patch(`/api/v1/assets/${up.assetId}`, { name: '../evil' }), 422, 'validation');
  assertProblem(await alice.c.patch(`/api/v1/assets/${up.assetId}`, { tags: [1] }), 422, 'validation');
  const upd = assertOk(await alice.c.patch(`/api/v1/assets/${up.assetId}`, { name: 'boards.pdf', folder: '/EP03/final', tags: ['approved'] }, { headers: { 'If-Match': tag } }), 200);
  assert.equal(upd.folder, '/EP03/final');
  assert.deepEqual(upd.tags, ['approved']);
  const tagged = assertOk(await alice.c.get(`/api/v1/projects/${project.id}/assets?tag=approved`), 200);
  assert.deepEqual(tagged.items.map((i) => i.id), [up.assetId]);
  // Bob (another organization) gets 404 for everything about it.
  for (const p of ['', '/versions', '/content', '/shares', '/compare?a=1&b=1', '/derivatives/thumbnail']) {
    assertProblem(await bob.c.get(`/api/v1/assets/${up.assetId}${p}`), 404, 'not-found');
  }
  assertProblem(await bob.c.patch(`/api/v1/assets/${up.assetId}`, { name: 'mine' }), 404, 'not-found');
  assertProblem(await bob.c.del(`/api/v1/assets/${up.assetId}`), 404, 'not-found');
  assertProblem(await bob.c.post(`/api/v1/assets/${up.assetId}/shares`, { mode: 'download' }), 404, 'not-found');
  assertProblem(await bob.c.get(`/api/v1/projects/${project.id}/assets`), 404, 'not-found');
  assertProblem(await bob.c.get(`/api/v1/projects/${project.id}/folders/zip?folder=/`), 404, 'not-found');
  // Delete.
  assert.equal((await alice.c.del(`/api/v1/assets/${up.assetId}`)).status, 204);
  assertProblem(await alice.c.get(`/api/v1/assets/${up.assetId}`), 404, 'not-found');
  const ev = await events(alice.c, `project_id=${project.id}`);
  assert.ok(ev.some((e) => e.action === 'asset.deleted'));
});

test('deduplicating path: missing, verified chunk PUT, commit; chunks are per organization', async () => {
  const params = assertOk(await alice.c.get('/api/v1/store/params'), 200);
  assert.equal(params.chunk_max, 256 * 1024);
  // Node has no BLAKE3: the digest comes from a tus upload of the same bytes in another project
  // of the organization. Below the smallest chunk size a file is one chunk, whose digest is the
  // file's.
  const data = randomBytes(10_000);
  const p2 = await mkProject(alice.c, org.id, 'Dedup');
  const up = await tusUpload(alice.c, data, { filename: 'seed.bin', projectId: p2.id });
  const a = assertOk(await alice.c.get(`/api/v1/assets/${up.assetId}`), 200);
  const digest = a.digest;
  const bad = await alice.c.req('PUT', `/api/v1/projects/${project.id}/chunks/${'0'.repeat(64)}`, {
    body: data.subarray(0, 1000), headers: { 'Content-Type': 'application/octet-stream' },
  });
  assertProblem(bad, 422, 'digest-mismatch');
  assertProblem(await alice.c.req('PUT', `/api/v1/projects/${project.id}/chunks/nothex`, { body: 'x', headers: { 'Content-Type': 'application/octet-stream' } }), 404, 'not-found');
  const tooBig = await alice.c.req('PUT', `/api/v1/projects/${project.id}/chunks/${'a'.repeat(64)}`, {
    body: Buffer.alloc(300 * 1024), headers: { 'Content-Type': 'application/octet-stream' },
  });
  assertProblem(tooBig, 413, 'chunk-too-large');
  // The organization owns the seed's chunk (a small file is one chunk: its digest is the file's).
  const miss = assertOk(await alice.c.post(`/api/v1/projects/${project.id}/chunks/missing`, { digests: [digest, 'b'.repeat(64)] }), 200);
  assert.deepEqual(miss.missing, ['b'.repeat(64)]);
  assertProblem(await alice.c.post(`/api/v1/projects/${project.id}/chunks/missing`, { digests: ['XYZ'] }), 422, 'validation');
  // Bob's organization does not learn that the chunk exists.
  const bm = assertOk(await bob.c.post(`/api/v1/projects/${otherProject.id}/chunks/missing`, { digests: [digest] }), 200);
  assert.deepEqual(bm.missing, [digest]);
  const bc = await bob.c.post(`/api/v1/projects/${otherProject.id}/assets/commit`, { filename: 'stolen.bin', size: data.length, digest, chunks: [{ digest, size: data.length }] });
  assertProblem(bc, 409, 'chunks-missing');
  // Bob uploads the same bytes himself: 200 (already stored, not written again), then commits.
  const put = await bob.c.req('PUT', `/api/v1/projects/${otherProject.id}/chunks/${digest}`, { body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.stored, false);
  const ok = assertOk(await bob.c.post(`/api/v1/projects/${otherProject.id}/assets/commit`, { folder: '/in', filename: 'same.bin', size: data.length, digest, chunks: [{ digest, size: data.length }] }), 201);
  assert.equal(ok.digest, digest);
  assert.equal(ok.folder, '/in');
  // A manifest may be far larger than max_body (a long camera file has many chunks).
  const many = Array.from({ length: 30000 }, (_, i) => ({ digest: i.toString(16).padStart(64, '0'), size: 1000 }));
  const huge = await alice.c.post(`/api/v1/projects/${project.id}/assets/commit`, { filename: 'long.mxf', size: 30_000_000, digest, chunks: many });
  assert.ok(JSON.stringify(many).length > 1 << 20);
  assertProblem(huge, 409, 'chunks-missing');
  // Lies are refused: wrong size, wrong whole-file digest.
  assertProblem(await alice.c.post(`/api/v1/projects/${project.id}/assets/commit`, { filename: 'x.bin', size: 5, digest, chunks: [{ digest, size: data.length }] }), 422, 'validation');
  assertProblem(await alice.c.post(`/api/v1/projects/${project.id}/assets/commit`, { filename: 'x.bin', size: data.length, digest: 'c'.repeat(64), chunks: [{ digest, size: data.length }] }), 422, 'digest-mismatch');
  assertProblem(await alice.c.post(`/api/v1/projects/${project.id}/assets/commit`, { filename: '../x', size: data.length, digest, chunks: [{ digest, size: data.length }] }), 422, 'validation');
});

test('probe and derivatives: a video gets its metadata, thumbnail, filmstrip, proxy and waveform; garbage fails cleanly', async () => {
  const mp4 = join(work, 'clip.mp4');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', mp4]);
  const up = await tusUpload(alice.c, await readFile(mp4), { filename: 'clip.mp4', folder: '/EP04' });
  const a = await waitFor(async () => {
    const r = (await alice.c.get(`/api/v1/assets/${up.assetId}`)).json;
    const d = r.derivatives || {};
    return r.probe_state === 'done' && ['thumbnail', 'filmstrip', 'proxy', 'waveform'].every((k) => d[k]?.state === 'done') ? r : null;
  }, 60000, 'probe and derivatives');
  assert.equal(a.kind, 'video');
  assert.equal(a.width, 640);
  assert.equal(a.height, 360);
  assert.equal(a.fps, '25/1');
  assert.equal(a.video_codec, 'h264');
  assert.equal(a.audio_codec, 'aac');
  assert.ok(a.probe.streams.length >= 2);
  const th = await alice.c.get(`/api/v1/assets/${up.assetId}/derivatives/thumbnail`, { raw: true });
  assert.equal(th.status, 200);
  assert.equal(th.headers.get('content-type'), 'image/jpeg');
  const wf = assertOk(await alice.c.get(`/api/v1/assets/${up.assetId}/derivatives/waveform`), 200);
  assert.ok(wf.max.length > 100);
  const proxy = await fetch(`${srv.url}/api/v1/assets/${up.assetId}/derivatives/proxy`, { headers: { Authorization: `Bearer ${alice.c.token}` } });
  assert.equal(proxy.headers.get('content-type'), 'video/mp4');
  const pbuf = Buffer.from(await proxy.arrayBuffer());
  assert.ok(pbuf.indexOf('moov') < pbuf.indexOf('mdat'), 'faststart: the index comes first');
  // Probe fields are filters.
  const f = assertOk(await alice.c.get(`/api/v1/projects/${project.id}/assets?video_codec=h264&min_width=640&folder=/EP04`), 200);
  assert.deepEqual(f.items.map((i) => i.id), [up.assetId]);
  const none = assertOk(await alice.c.get(`/api/v1/projects/${project.id}/assets?min_width=3840&hdr=any`), 200);
  assert.equal(none.items.length, 0);
  // Text named like a movie, and a movie cut short: the probe fails visibly, the server stays up.
  const cut = (await readFile(mp4)).subarray(0, 3000);
  for (const [name, buf] of [['corrupt.mov', Buffer.alloc(50_000, 'this is not a movie ')], ['cut.mp4', cut]]) {
    const junk = await tusUpload(alice.c, buf, { filename: name, folder: '/EP04' });
    const j = await waitFor(async () => {
      const r = (await alice.c.get(`/api/v1/assets/${junk.assetId}`)).json;
      return r.probe_state !== 'pending' ? r : null;
    }, 30000, `probe of ${name}`);
    assert.ok(['failed', 'skipped'].includes(j.probe_state), `${name}: ${j.probe_state}`);
    assert.ok(j.probe_error, `${name}: the error is shown`);
    if (name === 'corrupt.mov') assert.notEqual(j.kind, 'video', 'content decides the kind, not the extension');
  }
  assertOk(await alice.c.get('/api/v1/users/me'), 200);
});

test('share links: passphrase, view-only, download, revoke, expiry; every access is an event', async () => {
  const data = randomBytes(30_000);
  const up = await tusUpload(alice.c, data, { filename: 'cut.bin' });
  const anon = new Client(srv.url);
  assertProblem(await alice.c.post(`/api/v1/assets/${up.assetId}/shares`, { mode: 'edit' }), 422, 'validation');
  assertProblem(await alice.c.post(`/api/v1/assets/${up.assetId}/shares`, { passphrase: '123' }), 422, 'validation');
  const view = assertOk(await alice.c.post(`/api/v1/assets/${up.assetId}/shares`, { mode: 'view', passphrase: 'open sesame', expires_in: 3600 }), 201);
  assert.match(view.url, /\/s\/mss_/);
  const tok = view.token;
  assertProblem(await anon.get(`/api/v1/shares/${tok}`), 401, 'passphrase-required');
  assertProblem(await anon.get(`/api/v1/shares/${tok}`, { headers: { 'X-Share-Passphrase': 'wrong' } }), 403, 'wrong-passphrase');
  const opened = assertOk(await anon.get(`/api/v1/shares/${tok}`, { headers: { 'X-Share-Passphrase': 'open sesame' } }), 200);
  assert.equal(opened.mode, 'view');
  assert.equal(opened.asset.name, 'cut.bin');
  assert.equal(opened.urls.content, undefined, 'view mode offers no download');
  assertProblem(await anon.get(`/api/v1/shares/${tok}/content?access=${opened.access}`), 403, 'view-only');
  assertProblem(await anon.get(`/api/v1/shares/${tok}/content`), 401, 'passphrase-required');
  const dl = assertOk(await alice.c.post(`/api/v1/assets/${up.assetId}/shares`, { mode: 'download' }), 201);
  const o2 = assertOk(await anon.get(`/api/v1/shares/${dl.token}`), 200);
  const got = await fetch(srv.url + o2.urls.content);
  assert.equal(got.status, 200);
  assert.ok(Buffer.from(await got.arrayBuffer()).equals(data));
  const list = assertOk(await alice.c.get(`/api/v1/assets/${up.assetId}/shares`), 200);
  assert.equal(list.items.length, 2);
  assert.ok(list.items.every((s) => s.token === undefined), 'tokens are shown only once');
  assert.equal(list.items.find((s) => s.id === dl.id).access_count, 2);
  assert.equal((await alice.c.del(`/api/v1/assets/${up.assetId}/shares/${dl.id}`)).status, 204);
  assertProblem(await anon.get(`/api/v1/shares/${dl.token}`), 410, 'share-revoked');
  assertProblem(await anon.get(`/api/v1/shares/${dl.token}/content`), 410, 'share-revoked');
  await sql(srv, `UPDATE share SET expires_at = '2001-01-01T00:00:00.000Z' WHERE id = '${view.id}'`);
  assertProblem(await anon.get(`/api/v1/shares/${tok}`, { headers: { 'X-Share-Passphrase': 'open sesame' } }), 410, 'share-expired');
  assertProblem(await anon.get(`/api/v1/shares/mss_${'A'.repeat(43)}`), 404, 'not-found');
  const ev = await events(alice.c, `project_id=${project.id}`);
  assert.ok(ev.filter((e) => e.action === 'share.opened').length >= 2);
  assert.ok(ev.some((e) => e.action === 'share.downloaded'));
});

test('a folder downloads as a zip that unzip reads, with an ASC MHL that verifies', async () => {
  const p = await mkProject(alice.c, org.id, 'Zip');
  const files = { 'A001/clip1.bin': randomBytes(90_000), 'A001/sub/clip2.bin': randomBytes(1000), 'A002/说明.txt': Buffer.from('你好\n') };
  for (const [path, buf] of Object.entries(files)) {
    const parts = path.split('/');
    await tusUpload(alice.c, buf, { filename: parts.pop(), folder: `/DAY1/${parts.join('/')}`, projectId: p.id });
  }
  const r = await fetch(`${srv.url}/api/v1/projects/${p.id}/folders/zip?folder=/DAY1&mhl=true`, { headers: { Authorization: `Bearer ${alice.c.token}` } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/zip');
  const zip = join(work, 'day1.zip');
  await writeFile(zip, Buffer.from(await r.arrayBuffer()));
  const out = join(work, 'unzipped');
  await mkdir(out, { recursive: true });
  await run('unzip', ['-q', '-o', zip, '-d', out]);
  for (const [path, buf] of Object.entries(files)) assert.ok((await readFile(join(out, path))).equals(buf), path);
  const { stdout } = await run(process.env.MSTATION_BIN || 'build/mstation', ['mhl', 'verify', out]);
  assert.match(stdout, /every file matches/);
});

test('kill -9 in the middle of an upload: restart, resume from the durable offset, same digest', async () => {
  const s = await startServer({ settings: SMALL });
  const u = await person(s, 'crash', 'Crash');
  const o = await mkOrg(u.c, 'Crash Org');
  const p = await mkProject(u.c, o.id, 'Crash');
  const data = randomBytes(3_000_000);
  const cr = await u.c.req('POST', '/api/v1/uploads', { headers: { ...TUS, 'Upload-Length': String(data.length), 'Upload-Metadata': meta({ filename: 'card.bin', project_id: p.id }) } });
  const loc = cr.headers.get('location');
  const first = await u.c.req('PATCH', loc, { body: data.subarray(0, 1_000_000), headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' } });
  assert.equal(first.status, 204);
  // A second PATCH sends part of its bytes, then the server is killed.
  const pending = rawRequest(s.url, {
    method: 'PATCH', path: loc,
    headers: { Authorization: `Bearer ${u.c.token}`, ...TUS, 'Upload-Offset': '1000000', 'Content-Type': 'application/offset+octet-stream', 'Content-Length': String(data.length - 1_000_000) },
    chunks: [data.subarray(1_000_000, 1_500_000)], pause: 5000,
  }).catch((e) => e);
  await sleep(300);
  const data2 = s.data;
  const pid = Number((await run('pgrep', ['-f', `serve --data ${data2}`])).stdout.trim().split('\n')[0]);
  process.kill(pid, 'SIGKILL');
  await pending;
  const s2 = await startServer({ settings: SMALL, share: { data: data2, database: s.database, admin: s.admin } });
  const c2 = new Client(s2.url, { token: u.c.token });
  const h = await c2.req('HEAD', loc, { headers: TUS });
  assert.equal(h.status, 200);
  const off = Number(h.headers.get('upload-offset'));
  assert.ok(off >= 1_000_000 && off <= 1_500_000, `durable offset ${off}`);
  const rest = await c2.req('PATCH', loc, { body: data.subarray(off), headers: { ...TUS, 'Upload-Offset': String(off), 'Content-Type': 'application/offset+octet-stream' } });
  assert.equal(rest.status, 204, rest.text);
  const id = rest.headers.get('x-asset-id');
  const got = await fetch(`${s2.url}/api/v1/assets/${id}/content`, { headers: { Authorization: `Bearer ${u.c.token}` } });
  const buf = Buffer.from(await got.arrayBuffer());
  assert.ok(buf.equals(data), 'identical content after the crash');
  await s2.stop();
  await rm(s.dir, { recursive: true, force: true });
});

test('a damaged chunk: store verify names it and its version, a download fails loudly', async () => {
  const s = await startServer({ settings: SMALL });
  const u = await person(s, 'rot', 'Rot');
  const o = await mkOrg(u.c, 'Rot Org');
  const p = await mkProject(u.c, o.id, 'Rot');
  const data = randomBytes(600_000);
  const up = await tusUpload(u.c, data, { filename: 'rotten.bin', folder: '/vault', projectId: p.id });
  assert.equal((await s.cli(['store', 'verify'])).stdout.includes('0 damaged'), true);
  // Flip a byte in the middle of one stored chunk.
  const chunksDir = join(s.data, 'store', 'chunks');
  const victims = [];
  for (const a of await readdir(chunksDir)) for (const b of await readdir(join(chunksDir, a))) for (const f of await readdir(join(chunksDir, a, b))) victims.push(join(chunksDir, a, b, f));
  victims.sort();
  const victim = victims[0];
  const bytes = await readFile(victim);
  bytes[bytes.length >> 1] ^= 0xff;
  await writeFile(victim, bytes);
  const v = await s.cli(['store', 'verify']).catch((e) => e);
  assert.equal(v.code, 1, 'verify exits non-zero');
  assert.match(v.stdout, /DAMAGED [0-9a-f]{64}/);
  assert.match(v.stdout, /used by \/vault\/rotten\.bin v001/);
  const r = await fetch(`${s.url}/api/v1/assets/${up.assetId}/content`, { headers: { Authorization: `Bearer ${u.c.token}` } });
  let failed = false;
  try {
    const buf = Buffer.from(await r.arrayBuffer());
    failed = buf.length !== data.length || !buf.equals(data);
    assert.ok(buf.length < data.length, 'the body is cut short, never complete with wrong bytes');
  } catch { failed = true; }
  assert.ok(failed, 'the download did not succeed');
  const stats = await s.cli(['store', 'stats']);
  assert.match(stats.stdout, /damaged chunks\s+1/);
  await s.stop();
});

test('a full store answers 507 and leaves nothing half-visible', async (t) => {
  const mnt = await mkdtemp(join(tmpdir(), 'mstation-full-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
  } catch {
    await rm(mnt, { recursive: true, force: true });
    t.skip('cannot mount a tmpfs here (needs root)');
    return;
  }
  try {
    const s = await startServer({ settings: { ...SMALL, store: `file:${mnt}/store`, 'store-compress': 'false' } });
    const u = await person(s, 'full', 'Full');
    const o = await mkOrg(u.c, 'Full Org');
    const p = await mkProject(u.c, o.id, 'Full');
    const data = randomBytes(3_000_000);
    const cr = await u.c.req('POST', '/api/v1/uploads', { headers: { ...TUS, 'Upload-Length': String(data.length), 'Upload-Metadata': meta({ filename: 'big.bin', project_id: p.id }) } });
    const r = await u.c.req('PATCH', cr.headers.get('location'), { body: data, headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' } });
    assertProblem(r, 507, 'insufficient-storage');
    const list = assertOk(await u.c.get(`/api/v1/projects/${p.id}/assets`), 200);
    assert.equal(list.items.length, 0, 'no asset, no version');
    // Chunk PUTs are refused the same way, and the server is fine afterwards.
    assertOk(await u.c.get('/api/v1/users/me'), 200);
    await s.stop();
  } finally {
    await run('umount', [mnt]).catch(() => {});
    await rm(mnt, { recursive: true, force: true });
  }
});
