// Review over the API: versions submitted on tasks (asset versions of the project, numbered per
// task even when submitted at once, the status rules, the task's thread), timing (the entity's
// rate, else the media's, else 24; SMPTE timecodes with drop-frame at 29.97), frame notes with
// strictly checked annotations, approval by supervisors and clients only, playlists (a client
// sees client playlists and only what was sent to it), and client review links through the
// asset library's share links: passphrase, guest notes, expiry, revocation (the shares too),
// and the wall around other organizations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServer } from '../lib/server.mjs';
import { Client } from '../lib/api.mjs';
import {
  assertProblem, assertOk, person, mkOrg, mkProject, addMember, etag, waitFor, run, sql, events, sleep, walk, NIL_UUID, upload } from './helpers.mjs';

let srv, sup, artist, client, vendor, outsider, org, vorg, corg, project, other, work;
let st, anim, comp, shots, taskA, taskB, taskC, taskV, binAsset, videoAsset, foreignAsset;


before(async () => {
  srv = await startServer();
  work = await mkdtemp(join(tmpdir(), 'mstation-review-'));
  sup = await person(srv, 'sup', '导演 Supervisor');
  artist = await person(srv, 'artist', 'Artist');
  client = await person(srv, 'client', 'Client');
  vendor = await person(srv, 'vendor', 'Vendor');
  outsider = await person(srv, 'outsider', 'Outsider');
  org = await mkOrg(sup.c, 'Studio');
  await addMember(sup.c, org.id, artist.id, 'member');
  project = await mkProject(sup.c, org.id, 'Series');
  vorg = await mkOrg(vendor.c, 'VFX Vendor');
  corg = await mkOrg(client.c, 'Broadcaster', 'broadcaster');
  assertOk(await sup.c.post(`/api/v1/projects/${project.id}/partners`, { org_id: vorg.id, role: 'vendor' }), 201);
  assertOk(await sup.c.post(`/api/v1/projects/${project.id}/partners`, { org_id: corg.id, role: 'client' }), 201);
  const oorg = await mkOrg(outsider.c, 'Elsewhere');
  other = await mkProject(outsider.c, oorg.id, 'Theirs');

  const voc = assertOk(await sup.c.post(`${P()}/production/setup`, { template: 'series' }), 201);
  st = Object.fromEntries(voc.task_statuses.map((s) => [s.short_name, s]));
  const [epType, seqType, shotType] = voc.entity_types;
  anim = voc.task_types.find((t) => t.name === 'Animation');
  comp = voc.task_types.find((t) => t.name === 'Comp');
  const ep = assertOk(await sup.c.post(`${P()}/entities`, { type_id: epType.id, name: 'EP01' }), 201);
  const sq = assertOk(await sup.c.post(`${P()}/entities`, { type_id: seqType.id, parent_id: ep.id, name: 'SQ010' }), 201);
  shots = [
    // 29.97 drop-frame, 20000 frames (more than ten minutes of labels).
    assertOk(await sup.c.post(`${P()}/entities`, { type_id: shotType.id, parent_id: sq.id, name: 'SH010', frame_in: 1, frame_out: 20000, fps: '30000/1001' }), 201),
    // No rate and no range: the media decides, else 24.
    assertOk(await sup.c.post(`${P()}/entities`, { type_id: shotType.id, parent_id: sq.id, name: 'SH020' }), 201),
  ];
  const t1 = assertOk(await sup.c.post(`${P()}/tasks`, { task_type_id: anim.id, entity_id: shots[0].id, assignees: [artist.id] }), 201);
  const t2 = assertOk(await sup.c.post(`${P()}/tasks`, { task_type_id: anim.id, entity_id: shots[1].id, assignees: [artist.id] }), 201);
  const t3 = assertOk(await sup.c.post(`${P()}/tasks`, { task_type_id: comp.id, entity_id: shots[1].id, assignees: [artist.id] }), 201);
  const t4 = assertOk(await sup.c.post(`${P()}/tasks`, { task_type_id: comp.id, entity_id: shots[0].id, assignees: [vendor.id] }), 201);
  taskA = t1; taskB = t2; taskC = t3; taskV = t4;

  binAsset = await upload(artist.c, randomBytes(20_000), 'sh010_anim.bin', project.id, '/review');
  foreignAsset = await upload(outsider.c, randomBytes(5_000), 'theirs.bin', other.id, '/review');
  const mp4 = join(work, 'clip.mp4');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-shortest', '-timecode', '01:00:00:00', mp4]);
  videoAsset = await upload(artist.c, await readFile(mp4), 'sh020_anim.mp4', project.id, '/review');
});
after(async () => {
  await srv.stop();
  await rm(work, { recursive: true, force: true });
});

const P = () => `/api/v1/projects/${project.id}`;
const V = (id) => `/api/v1/versions/${id}`;

let v1, v2, vVideo, vComp, vVendor;

test('versions: submitted on a task, numbered per task (also at once), announced in the thread', async () => {
  v1 = assertOk(await artist.c.post(`/api/v1/tasks/${taskA.id}/versions`, { asset_id: binAsset.id, text: 'first pass', status_id: st.wfa.id }), 201);
  assert.equal(v1.number, 1);
  assert.equal(v1.task_id, taskA.id);
  assert.equal(v1.project_id, project.id);
  assert.equal(v1.asset_id, binAsset.id);
  assert.equal(v1.asset_version, 1);
  assert.equal(v1.review_status, 'pending');
  assert.equal(v1.submitted_by, artist.id);
  assert.equal(v1.reviewed_by, null);
  assert.equal(v1.fps, '30000/1001', 'the entity\'s rate');
  assert.equal(v1.frame_count, 20000, 'the entity\'s range while the media says nothing');
  assert.equal(v1.start_timecode, null);
  assert.equal(v1.note_count, 0);
  assert.equal(v1.version, 1);
  assert.equal(v1.entity_name, 'SH010');
  assert.equal(v1.task_type_name, 'Animation');
  assert.deepEqual(Object.keys(v1.media).sort(), ['filmstrip', 'proxy', 'thumbnail', 'waveform']);
  assert.ok(Object.values(v1.media).every((u) => u === null), 'random bytes get no derivatives');
  assert.equal((await artist.c.get(`/api/v1/tasks/${taskA.id}`)).json.status, 'wfa', 'the status went through the rules');
  const thread = assertOk(await sup.c.get(`/api/v1/tasks/${taskA.id}/comments`), 200).items;
  const c = thread.find((x) => x.text.startsWith('Version 1'));
  assert.ok(c, 'the submission shows in the thread');
  assert.equal(c.text, 'Version 1: first pass');
  assert.deepEqual(c.attachments, [binAsset.id]);
  assert.equal(c.status_id, st.wfa.id);

  v2 = assertOk(await artist.c.post(`/api/v1/tasks/${taskA.id}/versions`, { asset_id: binAsset.id, asset_version: 1 }), 201);
  assert.equal(v2.number, 2);
  // Five at once: five different numbers, no gap, no failure.
  const many = await Promise.all([0, 1, 2, 3, 4].map(() => artist.c.post(`/api/v1/tasks/${taskC.id}/versions`, { asset_id: binAsset.id })));
  for (const r of many) assertOk(r, 201);
  assert.deepEqual(many.map((r) => r.json.number).sort(), [1, 2, 3, 4, 5]);
  const list = assertOk(await artist.c.get(`/api/v1/tasks/${taskC.id}/versions`), 200).items;
  assert.deepEqual(list.map((v) => v.number), [5, 4, 3, 2, 1], 'newest first');
  vComp = list[0];

  // Unhappy paths change nothing.
  assertProblem(await artist.c.post(`/api/v1/tasks/${taskA.id}/versions`, { asset_id: foreignAsset.id }), 422, 'validation', { fields: ['asset_id'] });
  assertProblem(await artist.c.post(`/api/v1/tasks/${taskA.id}/versions`, { asset_id: binAsset.id, asset_version: 9 }), 422, 'validation', { fields: ['asset_version'] });
  assertProblem(await artist.c.post(`/api/v1/tasks/${taskA.id}/versions`, { asset_id: binAsset.id, status_id: st.approved.id }), 403, 'status-not-allowed');
  assertProblem(await artist.c.post(`/api/v1/tasks/${taskA.id}/versions`, { asset_id: 'nope' }), 422, 'validation', { fields: ['asset_id'] });
  assertProblem(await artist.c.post(`/api/v1/tasks/${taskA.id}/versions`, { asset_id: binAsset.id, colour: 1 }), 422, 'validation', { fields: ['colour'] });
  assertProblem(await client.c.post(`/api/v1/tasks/${taskA.id}/versions`, { asset_id: binAsset.id }), 403, 'production-role');
  assertProblem(await vendor.c.post(`/api/v1/tasks/${taskA.id}/versions`, { asset_id: binAsset.id }), 404, 'not-found');
  assertProblem(await outsider.c.post(`/api/v1/tasks/${taskA.id}/versions`, { asset_id: binAsset.id }), 404, 'not-found');
  assertProblem(await outsider.c.get(`/api/v1/tasks/${taskA.id}/versions`), 404, 'not-found');
  assertProblem(await artist.c.get(`/api/v1/tasks/${taskA.id}/versions?x=1`), 400, 'bad-query');
  assert.equal(assertOk(await artist.c.get(`/api/v1/tasks/${taskA.id}/versions`), 200).items.length, 2);
  // A vendor submits on its own task.
  vVendor = assertOk(await vendor.c.post(`/api/v1/tasks/${taskV.id}/versions`, { asset_id: binAsset.id }), 201);
  assert.equal(vVendor.number, 1);
  const ev = await events(sup.c, `project_id=${project.id}&action=version.submitted`);
  assert.equal(ev.length, 8, 'v1, v2, five at once, the vendor\'s');
});

test('timing from the media: probed rate, frame count and start timecode; media URLs load the pinned version', async () => {
  const a = await waitFor(async () => {
    const r = (await artist.c.get(`/api/v1/assets/${videoAsset.id}`)).json;
    const d = r.derivatives || {};
    return r.probe_state === 'done' && ['thumbnail', 'filmstrip', 'proxy', 'waveform'].every((k) => d[k]?.state === 'done') ? r : null;
  }, 90000, 'probe and derivatives');
  assert.equal(a.fps, '25/1');
  vVideo = assertOk(await artist.c.post(`/api/v1/tasks/${taskB.id}/versions`, { asset_id: videoAsset.id }), 201);
  assert.equal(vVideo.fps, '25');
  assert.equal(vVideo.frame_count, 50);
  assert.equal(vVideo.start_timecode, '01:00:00:00');
  assert.equal(vVideo.media.proxy, `/api/v1/versions/${vVideo.id}/media/proxy`);
  assert.equal(typeof vVideo.filmstrip_meta, 'object', 'the filmstrip geometry for scrubbing');
  assert.ok(vVideo.filmstrip_meta !== null);
  assert.equal(v1.filmstrip_meta, null);
  const proxy = await artist.c.get(vVideo.media.proxy, { raw: true });
  assert.equal(proxy.status, 200);
  assert.equal(proxy.headers.get('content-type'), 'video/mp4');
  const th = await sup.c.get(vVideo.media.thumbnail, { raw: true });
  assert.equal(th.headers.get('content-type'), 'image/jpeg');
  assert.ok(assertOk(await sup.c.get(vVideo.media.waveform), 200).max.length > 10);
  assertProblem(await sup.c.get(`${V(vVideo.id)}/media/original`), 404, 'not-found');
  assertProblem(await sup.c.get(`${V(v1.id)}/media/proxy`), 404, 'derivative-pending');
  assertProblem(await outsider.c.get(vVideo.media.proxy), 404, 'not-found');
  assertProblem(await vendor.c.get(vVideo.media.proxy), 404, 'not-found');
  // A timecode is read from the start timecode: 01:00:01:00 is frame 25.
  const n = assertOk(await sup.c.post(`${V(vVideo.id)}/notes`, { timecode: '01:00:01:00', text: 'pop' }), 201);
  assert.equal(n.frame, 25);
  assert.equal(n.timecode, '01:00:01:00');
  assertProblem(await sup.c.post(`${V(vVideo.id)}/notes`, { timecode: '00:59:59:00', text: 'x' }), 422, 'validation', { fields: ['timecode'] });
  assertProblem(await sup.c.post(`${V(vVideo.id)}/notes`, { timecode: '01:00:02:00', text: 'x' }), 422, 'validation', { fields: ['timecode'] });
  assertProblem(await sup.c.post(`${V(vVideo.id)}/notes`, { frame: 50, text: 'x' }), 422, 'validation', { fields: ['frame'] });
});

let noteSup, noteClient;
test('notes: frames and drop-frame timecodes at 29.97, strict annotations, order, edit and delete rights', async () => {
  const N = `${V(v1.id)}/notes`;
  // Drop-frame: 00:01:00;02 is frame 1800 and back; 00:01:00;00 does not exist; 00:10:00;00 is 17982.
  const a = assertOk(await sup.c.post(N, { timecode: '00:01:00;02', text: 'one minute' }), 201);
  assert.equal(a.frame, 1800);
  assert.equal(a.timecode, '00:01:00;02');
  const colon = assertOk(await sup.c.post(N, { timecode: '00:01:00:04', text: 'colons read as drop-frame' }), 201);
  assert.equal(colon.frame, 1802);
  assert.equal(colon.timecode, '00:01:00;04');
  assertOk(await sup.c.del(`/api/v1/notes/${colon.id}`), 204);
  const b = assertOk(await sup.c.post(N, { frame: 17982, text: 'ten minutes' }), 201);
  assert.equal(b.timecode, '00:10:00;00');
  const c = assertOk(await sup.c.post(N, { frame: 1799, frame_out: 1805, text: 'range' }), 201);
  assert.equal(c.timecode, '00:00:59;29');
  assert.equal(c.frame_out, 1805);
  assertProblem(await sup.c.post(N, { timecode: '00:01:00;00', text: 'x' }), 422, 'validation', { fields: ['timecode'] });
  assertProblem(await sup.c.post(N, { timecode: '1:00', text: 'x' }), 422, 'validation', { fields: ['timecode'] });
  assertProblem(await sup.c.post(N, { timecode: '00:00:01:30', text: 'x' }), 422, 'validation', { fields: ['timecode'] });
  assertProblem(await sup.c.post(N, { frame: 20000, text: 'x' }), 422, 'validation', { fields: ['frame'] });
  assertProblem(await sup.c.post(N, { frame: -1, text: 'x' }), 422, 'validation', { fields: ['frame'] });
  assertProblem(await sup.c.post(N, { frame: 10, frame_out: 9, text: 'x' }), 422, 'validation', { fields: ['frame_out'] });
  assertProblem(await sup.c.post(N, { frame: 10, frame_out: 20000, text: 'x' }), 422, 'validation', { fields: ['frame_out'] });
  assertProblem(await sup.c.post(N, { frame: 10, timecode: '00:00:00;10', text: 'x' }), 422, 'validation', { fields: ['frame'] });
  assertProblem(await sup.c.post(N, { text: 'where?' }), 422, 'validation', { fields: ['frame'] });
  assertProblem(await sup.c.post(N, { frame: '10', text: 'x' }), 422, 'validation', { fields: ['frame'] });
  assertProblem(await sup.c.post(N, { frame: 1, text: '' }), 422, 'validation', { fields: ['text'] });

  // Annotations: every shape, normalized (colours lower-case, numbers as numbers).
  const shapes = [
    { type: 'path', points: [[0, 0], [0.5, 0.25], [1, 1]], color: '#FF0000', width: 3 },
    { type: 'line', from: [0.1, 0.1], to: [0.2, 0.2], color: '#00ff00', width: 1.5 },
    { type: 'arrow', from: [0.1, 0.1], to: [0.9, 0.2], color: '#0000ff', width: 2 },
    { type: 'rect', from: [0.1, 0.1], to: [0.3, 0.4], color: '#abcdef', width: 2 },
    { type: 'ellipse', from: [0.5, 0.5], to: [0.6, 0.7], color: '#123456', width: 2 },
    { type: 'text', at: [0.4, 0.4], text: '太亮 too bright', color: '#ffffff', size: 24 },
  ];
  noteSup = assertOk(await sup.c.post(N, { frame: 100, text: 'see drawing', annotations: shapes }), 201);
  assert.equal(noteSup.annotations.length, 6);
  assert.equal(noteSup.annotations[0].color, '#ff0000');
  assert.deepEqual(noteSup.annotations[0].points, [[0, 0], [0.5, 0.25], [1, 1]]);
  assert.equal(noteSup.annotations[5].text, '太亮 too bright');
  assert.equal(noteSup.guest, false);
  assert.equal(noteSup.resolved, false);
  assert.equal(noteSup.author_id, sup.id);
  assert.equal(noteSup.author_name, '导演 Supervisor');
  const drawing = assertOk(await sup.c.post(N, { frame: 101, annotations: [shapes[1]] }), 201);
  assert.equal(drawing.text, '', 'a drawing alone is a note');
  const bad = [
    [[{ ...shapes[1], from: [1.5, 0] }], 'annotations[0]'],
    [[{ ...shapes[1], from: [0, -0.1] }], 'annotations[0]'],
    [[{ ...shapes[1], from: [0, '0'] }], 'annotations[0]'],
    [[{ ...shapes[1], color: 'red' }], 'annotations[0].color'],
    [[{ ...shapes[1], color: '#ff00001' }], 'annotations[0].color'],
    [[{ ...shapes[1], width: 0 }], 'annotations[0].width'],
    [[{ ...shapes[1], width: 'thick' }], 'annotations[0].width'],
    [[{ ...shapes[1], type: 'star' }], 'annotations[0].type'],
    [[{ ...shapes[1], extra: 1 }], 'annotations[0]'],
    [[{ ...shapes[0], points: [] }], 'annotations[0]'],
    [[{ ...shapes[0], points: [[0.1, 0.1], [0.2]] }], 'annotations[0].points[1]'],
    [[{ ...shapes[5], text: '' }], 'annotations[0]'],
    [[shapes[1], 'line'], 'annotations[1]'],
    [[{ ...shapes[0], points: Array.from({ length: 5001 }, () => [0.5, 0.5]) }], 'annotations'],
    [Array.from({ length: 201 }, () => shapes[1]), 'annotations'],
    [Array.from({ length: 3 }, () => ({ ...shapes[0], points: Array.from({ length: 2000 }, () => [0.5, 0.5]) })), 'annotations'],
  ];
  for (const [annotations, field] of bad) {
    assertProblem(await sup.c.post(N, { frame: 5, text: 'x', annotations }), 422, 'validation', { fields: [field] });
  }
  assertProblem(await sup.c.post(N, { frame: 5, text: 'x', annotations: { type: 'line' } }), 422, 'validation', { fields: ['annotations'] });

  // Order: by frame, then creation.
  const list = assertOk(await artist.c.get(N), 200).items;
  assert.deepEqual(list.map((x) => x.frame), [100, 101, 1799, 1800, 17982]);
  assert.equal(assertOk(await artist.c.get(V(v1.id)), 200).note_count, 5);
  // The submitter heard of the notes.
  const heard = assertOk(await artist.c.get('/api/v1/me/notifications'), 200).items;
  assert.ok(heard.some((x) => x.kind === 'note' && x.task_id === taskA.id && /00:01:00;02/.test(x.summary)), JSON.stringify(heard.slice(0, 3)));
  assert.ok((await events(sup.c, `project_id=${project.id}&action=note.created`)).length >= 6);

  // The client sees the task (it waits for approval) and notes it.
  noteClient = assertOk(await client.c.post(N, { frame: 200, text: 'client says' }), 201);
  // Edit: only the author (or a supervisor); resolving: author, artists, supervisors, the submitter.
  const g = await artist.c.get(N);
  assert.equal(g.status, 200);
  assertProblem(await artist.c.patch(`/api/v1/notes/${noteClient.id}`, { text: 'rewritten' }), 403, 'production-role');
  const res = assertOk(await artist.c.patch(`/api/v1/notes/${noteClient.id}`, { resolved: true }, { headers: { 'If-Match': '"1"' } }), 200);
  assert.equal(res.resolved, true);
  assert.equal(res.version, 2);
  assertProblem(await client.c.patch(`/api/v1/notes/${noteClient.id}`, { text: 'again' }, { headers: { 'If-Match': '"1"' } }), 412, 'stale-version');
  const ed = assertOk(await client.c.patch(`/api/v1/notes/${noteClient.id}`, { text: 'client says, clearer', annotations: [shapes[3]] }, { headers: { 'If-Match': '"2"' } }), 200);
  assert.equal(ed.text, 'client says, clearer');
  assert.equal(ed.annotations.length, 1);
  assertProblem(await client.c.patch(`/api/v1/notes/${noteClient.id}`, { annotations: [{ type: 'blob' }] }), 422, 'validation');
  assertProblem(await client.c.patch(`/api/v1/notes/${noteClient.id}`, { text: '', annotations: [] }), 422, 'validation', { fields: ['text'] });
  assertProblem(await client.c.patch(`/api/v1/notes/${noteSup.id}`, { resolved: true }), 403, 'production-role');
  assertProblem(await vendor.c.patch(`/api/v1/notes/${noteSup.id}`, { resolved: true }), 404, 'not-found');
  assertProblem(await outsider.c.del(`/api/v1/notes/${noteSup.id}`), 404, 'not-found');
  assertProblem(await artist.c.del(`/api/v1/notes/${noteClient.id}`), 403, 'production-role');
  assertProblem(await client.c.del(`/api/v1/notes/${noteClient.id}`, { headers: { 'If-Match': '"1"' } }), 412, 'stale-version');
  assertOk(await client.c.del(`/api/v1/notes/${noteClient.id}`), 204);
  assertProblem(await client.c.del(`/api/v1/notes/${noteClient.id}`), 404, 'not-found');
  assertOk(await sup.c.del(`/api/v1/notes/${drawing.id}`), 204);
  // Viewers, vendors and outsiders.
  assertProblem(await vendor.c.post(N, { frame: 1, text: 'x' }), 404, 'not-found');
  assertProblem(await outsider.c.get(N), 404, 'not-found');
  assertProblem(await outsider.c.get(V(v1.id)), 404, 'not-found');
  assertProblem(await sup.c.get(`${V(NIL_UUID)}/notes`), 404, 'not-found');
  assertProblem(await sup.c.get(V('not-an-id')), 404, 'not-found');
});

test('approval: supervisors and clients decide, artists and vendors may not; If-Match; the submitter hears', async () => {
  assertProblem(await artist.c.patch(V(v1.id), { review_status: 'approved' }), 403, 'production-role');
  assertProblem(await vendor.c.patch(V(vVendor.id), { review_status: 'approved' }), 403, 'production-role');
  assertProblem(await sup.c.patch(V(v1.id), { review_status: 'done' }), 422, 'validation', { fields: ['review_status'] });
  assertProblem(await sup.c.patch(V(v1.id), {}), 422, 'validation', { fields: ['review_status'] });
  const g = await sup.c.get(V(v1.id));
  assert.equal(etag(g), '"1"');
  const ok = assertOk(await sup.c.patch(V(v1.id), { review_status: 'approved' }, { headers: { 'If-Match': etag(g) } }), 200);
  assert.equal(ok.review_status, 'approved');
  assert.equal(ok.reviewed_by, sup.id);
  assert.ok(ok.reviewed_at);
  assert.equal(ok.version, 2);
  assertProblem(await sup.c.patch(V(v1.id), { review_status: 'pending' }, { headers: { 'If-Match': etag(g) } }), 412, 'stale-version');
  // The client sees versions of tasks sent for review only.
  const cr = assertOk(await client.c.patch(V(v1.id), { review_status: 'changes_requested' }), 200);
  assert.equal(cr.review_status, 'changes_requested');
  assert.equal(cr.reviewed_by, client.id);
  assertProblem(await client.c.get(V(vComp.id)), 404, 'not-found');
  assertProblem(await client.c.patch(V(vComp.id), { review_status: 'approved' }), 404, 'not-found');
  const back = assertOk(await sup.c.patch(V(v1.id), { review_status: 'pending' }), 200);
  assert.equal(back.reviewed_by, null);
  const heard = assertOk(await artist.c.get('/api/v1/me/notifications'), 200).items;
  assert.ok(heard.some((x) => x.kind === 'review' && /approved version 1/.test(x.summary)));
  assert.ok(heard.some((x) => x.kind === 'review' && /asked for changes on version 1/.test(x.summary)));
  assert.equal((await events(sup.c, `project_id=${project.id}&action=version.reviewed`)).length, 3);
});

let team, dailies;
test('playlists: team or client, ordered versions replaced by PUT; a client sees client playlists and only what was sent to it', async () => {
  assertProblem(await vendor.c.post(`${P()}/playlists`, { name: 'x' }), 403, 'production-role');
  assertProblem(await client.c.post(`${P()}/playlists`, { name: 'x' }), 403, 'production-role');
  assertProblem(await artist.c.post(`${P()}/playlists`, { name: '' }), 422, 'validation', { fields: ['name'] });
  assertProblem(await artist.c.post(`${P()}/playlists`, { name: 'x', audience: 'public' }), 422, 'validation', { fields: ['audience'] });
  team = assertOk(await artist.c.post(`${P()}/playlists`, { name: 'Dailies 周一' }), 201);
  assert.equal(team.audience, 'team');
  assert.equal(team.item_count, 0);
  assert.deepEqual(team.items, []);
  dailies = assertOk(await sup.c.post(`${P()}/playlists`, { name: 'Client review', audience: 'client' }), 201);
  const put = assertOk(await artist.c.put(`/api/v1/playlists/${dailies.id}/items`, { version_ids: [vComp.id, v1.id, vVideo.id] }), 200);
  assert.deepEqual(put.items.map((i) => [i.position, i.version.id]), [[1, vComp.id], [2, v1.id], [3, vVideo.id]]);
  assert.equal(put.items[1].version.entity_name, 'SH010');
  assert.equal(put.items[1].version.task_type_name, 'Animation');
  assert.equal(put.items[1].version.task_id, taskA.id);
  assert.equal(put.item_count, 3);
  // Replaced, in the new order.
  const again = assertOk(await artist.c.put(`/api/v1/playlists/${dailies.id}/items`, { version_ids: [vVideo.id, v1.id, vComp.id] }), 200);
  assert.deepEqual(again.items.map((i) => i.version.id), [vVideo.id, v1.id, vComp.id]);
  // Foreign, duplicate, malformed: 422 and nothing changes.
  const theirs = assertOk(await outsider.c.post(`/api/v1/projects/${other.id}/production/setup`, {}), 201);
  assert.ok(theirs);
  assertProblem(await artist.c.put(`/api/v1/playlists/${dailies.id}/items`, { version_ids: [v1.id, NIL_UUID] }), 422, 'validation', { fields: ['version_ids[1]'] });
  assertProblem(await artist.c.put(`/api/v1/playlists/${dailies.id}/items`, { version_ids: [v1.id, v1.id] }), 422, 'validation', { fields: ['version_ids[1]'] });
  assertProblem(await artist.c.put(`/api/v1/playlists/${dailies.id}/items`, { version_ids: [7] }), 422, 'validation', { fields: ['version_ids[0]'] });
  assertProblem(await artist.c.put(`/api/v1/playlists/${dailies.id}/items`, {}), 422, 'validation', { fields: ['version_ids'] });
  assertProblem(await vendor.c.put(`/api/v1/playlists/${dailies.id}/items`, { version_ids: [] }), 403, 'production-role');
  assert.equal(assertOk(await artist.c.get(`/api/v1/playlists/${dailies.id}`), 200).items.length, 3);
  assertOk(await artist.c.put(`/api/v1/playlists/${team.id}/items`, { version_ids: [vVendor.id, v2.id] }), 200);

  // The client: only the client playlist, and in it only versions of tasks sent for review.
  const cl = assertOk(await client.c.get(`${P()}/playlists`), 200).items;
  assert.deepEqual(cl.map((p) => p.id), [dailies.id]);
  assert.equal(cl[0].item_count, 1, 'only the version of the task waiting for approval');
  const cp = assertOk(await client.c.get(`/api/v1/playlists/${dailies.id}`), 200);
  assert.deepEqual(cp.items.map((i) => i.version.id), [v1.id]);
  assertProblem(await client.c.get(`/api/v1/playlists/${team.id}`), 404, 'not-found');
  // The vendor: every playlist, its own people's versions only.
  const vp = assertOk(await vendor.c.get(`/api/v1/playlists/${team.id}`), 200);
  assert.deepEqual(vp.items.map((i) => i.version.id), [vVendor.id]);
  const all = assertOk(await artist.c.get(`${P()}/playlists`), 200).items;
  assert.deepEqual(all.map((p) => p.id), [dailies.id, team.id]);
  assert.deepEqual(assertOk(await artist.c.get(`${P()}/playlists?audience=team`), 200).items.map((p) => p.id), [team.id]);
  assertProblem(await artist.c.get(`${P()}/playlists?audience=all`), 400, 'bad-query');
  assertProblem(await outsider.c.get(`${P()}/playlists`), 404, 'not-found');
  assertProblem(await outsider.c.get(`/api/v1/playlists/${team.id}`), 404, 'not-found');

  // Every version of the project (to build playlists from), paged, filtered per role.
  const { items: allv } = await walk(artist.c, `${P()}/versions`, 4);
  assert.equal(allv.length, 9);
  assert.equal(allv[0].id, vVideo.id, 'newest first');
  assert.deepEqual((await walk(client.c, `${P()}/versions`, 10)).items.map((v) => v.id).sort(), [v1.id, v2.id].sort());
  assert.deepEqual((await walk(vendor.c, `${P()}/versions`, 10)).items.map((v) => v.id), [vVendor.id]);
  assert.equal(assertOk(await artist.c.get(`${P()}/versions?task_type_id=${comp.id}&limit=500`), 200).items.length, 6);
  assert.equal(assertOk(await artist.c.get(`${P()}/versions?review_status=approved`), 200).items.length, 0);
  assertProblem(await artist.c.get(`${P()}/versions?review_status=maybe`), 400, 'bad-query');
  assertProblem(await artist.c.get(`${P()}/versions?colour=red`), 400, 'bad-query');
  assertProblem(await outsider.c.get(`${P()}/versions`), 404, 'not-found');

  // PATCH with If-Match; DELETE.
  const g = await artist.c.get(`/api/v1/playlists/${team.id}`);
  const ren = assertOk(await artist.c.patch(`/api/v1/playlists/${team.id}`, { name: 'Dailies Monday' }, { headers: { 'If-Match': etag(g) } }), 200);
  assert.equal(ren.name, 'Dailies Monday');
  assertProblem(await artist.c.patch(`/api/v1/playlists/${team.id}`, { name: 'Stale' }, { headers: { 'If-Match': etag(g) } }), 412, 'stale-version');
  assertProblem(await client.c.patch(`/api/v1/playlists/${dailies.id}`, { name: 'Mine' }), 403, 'production-role');
  const gone = assertOk(await artist.c.post(`${P()}/playlists`, { name: 'Temp' }), 201);
  assertProblem(await vendor.c.del(`/api/v1/playlists/${gone.id}`), 403, 'production-role');
  assertOk(await artist.c.del(`/api/v1/playlists/${gone.id}`), 204);
  assertProblem(await artist.c.get(`/api/v1/playlists/${gone.id}`), 404, 'not-found');
});

test('review links: passphrase, media through share links, guest notes with a name, a cap, revocation revokes the shares', async () => {
  const anon = new Client(srv.url);
  const L = `/api/v1/playlists/${dailies.id}/review-links`;
  assertProblem(await artist.c.post(L, { expires_at: '2001-01-01T00:00:00Z' }), 422, 'validation', { fields: ['expires_at'] });
  assertProblem(await artist.c.post(L, { expires_in: 10 }), 422, 'validation', { fields: ['expires_in'] });
  assertProblem(await artist.c.post(L, { passphrase: '123' }), 422, 'validation', { fields: ['passphrase'] });
  assertProblem(await client.c.post(L, {}), 403, 'production-role');
  assertProblem(await vendor.c.post(L, {}), 403, 'production-role');
  assertProblem(await outsider.c.post(L, {}), 404, 'not-found');
  const link = assertOk(await artist.c.post(L, { passphrase: 'open sesame', expires_in: 3600, note: 'For the network' }), 201);
  assert.match(link.token, /^msr_[A-Za-z0-9_-]{43}$/);
  assert.equal(link.url, `/r/${link.token}`);
  assert.equal(link.status, 'active');
  assert.equal(link.has_passphrase, true);
  assert.equal(link.allow_notes, true);
  assert.equal(link.playlist_id, dailies.id);
  assert.equal(link.version_id, null);
  assert.ok(Date.parse(link.expires_at) > Date.now() + 3500_000);
  const R = `/api/v1/review/${link.token}`;
  assertProblem(await anon.get(R), 401, 'passphrase-required');
  assertProblem(await anon.get(R, { headers: { 'X-Passphrase': 'wrong one' } }), 403, 'passphrase-wrong');
  const open = assertOk(await anon.get(R, { headers: { 'X-Passphrase': 'open sesame' } }), 200);
  assert.equal(open.name, 'Client review');
  assert.equal(open.allow_notes, true);
  assert.equal(open.expires_at, link.expires_at);
  assert.match(open.access, /^\d+\.[0-9a-f]{32}$/);
  assert.deepEqual(open.items.map((i) => i.version_id), [vVideo.id, v1.id, vComp.id]);
  const vid = open.items[0];
  assert.equal(vid.fps, '25');
  assert.equal(vid.frame_count, 50);
  assert.equal(vid.start_timecode, '01:00:00:00');
  assert.equal(vid.entity_name, 'SH020');
  assert.deepEqual(vid.filmstrip_meta, vVideo.filmstrip_meta);
  assert.equal(vid.task_type_name, 'Animation');
  assert.match(vid.media.proxy, /^\/api\/v1\/shares\/mss_[A-Za-z0-9_-]+\/proxy\?access=/);
  assert.equal(open.items[1].media.proxy, null, 'not derived: null');
  // The proxy plays without an account, and through the asset library's share.
  const proxy = await anon.get(vid.media.proxy, { raw: true });
  assert.equal(proxy.status, 200);
  assert.equal(proxy.headers.get('content-type'), 'video/mp4');
  const shareToken = /shares\/(mss_[^/]+)\//.exec(vid.media.proxy)[1];
  assertProblem(await anon.get(`/api/v1/shares/${shareToken}/proxy`), 401, 'passphrase-required');
  const shares = assertOk(await artist.c.get(`/api/v1/assets/${videoAsset.id}/shares`), 200).items;
  const share = shares.find((s) => s.status === 'active' && s.mode === 'view');
  assert.ok(share, 'a view share of the asset');
  assert.equal(share.version_number, 1, 'pinned to the reviewed version');
  assert.equal(share.has_passphrase, true);
  // The access value stands in for the passphrase.
  assertOk(await anon.get(R, { headers: { 'X-Review-Access': open.access } }), 200);
  assertOk(await anon.get(`${R}?access=${open.access}`), 200);
  assertProblem(await anon.get(R, { headers: { 'X-Review-Access': `${Date.now() + 99999}.${'0'.repeat(32)}` } }), 401, 'passphrase-required');
  assertProblem(await anon.get(`${R}?x=1`, { headers: { 'X-Passphrase': 'open sesame' } }), 400, 'bad-query');

  // Guest notes: a name, a version of the link, the passphrase.
  const NR = `${R}/notes`;
  const H = { headers: { 'X-Passphrase': 'open sesame' } };
  assertProblem(await anon.post(NR, { version_id: vVideo.id, frame: 3, text: 'hi' }, H), 422, 'validation', { fields: ['name'] });
  assertProblem(await anon.post(NR, { version_id: vVideo.id, frame: 3, text: 'hi', name: '   ' }, H), 422, 'validation', { fields: ['name'] });
  assertProblem(await anon.post(NR, { version_id: vVideo.id, frame: 3, text: 'hi', name: 'x'.repeat(81) }, H), 422, 'validation', { fields: ['name'] });
  assertProblem(await anon.post(NR, { version_id: vVideo.id, frame: 3, text: 'hi', name: 'Ann' }), 401, 'passphrase-required');
  assertProblem(await anon.post(NR, { version_id: vVideo.id, frame: 3, text: 'hi', name: 'Ann' }, { headers: { 'X-Passphrase': 'nope nope' } }), 403, 'passphrase-wrong');
  assertProblem(await anon.post(NR, { version_id: v2.id, frame: 3, text: 'hi', name: 'Ann' }, H), 422, 'validation', { fields: ['version_id'] });
  assertProblem(await anon.post(NR, { version_id: vVideo.id, frame: 50, text: 'hi', name: 'Ann' }, H), 422, 'validation', { fields: ['frame'] });
  assertProblem(await anon.post(NR, { version_id: vVideo.id, frame: 3, text: 'hi', name: 'Ann', annotations: [{ type: 'rect' }] }, H), 422, 'validation');
  const gn = assertOk(await anon.post(NR, { version_id: vVideo.id, timecode: '01:00:00:12', text: '这里 too dark', name: '  Ann Client  ', annotations: [{ type: 'arrow', from: [0, 0], to: [0.5, 0.5], color: '#FFCC00', width: 4 }] }, { headers: { 'X-Review-Access': open.access } }), 201);
  assert.equal(gn.guest, true);
  assert.equal(gn.author_name, 'Ann Client');
  assert.equal(gn.author_id, null);
  assert.equal(gn.frame, 12);
  assert.equal(gn.timecode, '01:00:00:12');
  assert.equal(gn.annotations[0].color, '#ffcc00');
  // The team sees the guest's note; the guest sees only the link's notes.
  const team = assertOk(await sup.c.get(`${V(vVideo.id)}/notes`), 200).items;
  assert.ok(team.some((n) => n.id === gn.id && n.guest));
  assert.ok(team.some((n) => !n.guest), 'the team\'s own note is there too');
  const reopened = assertOk(await anon.get(R, H), 200);
  assert.deepEqual(reopened.items[0].notes.map((n) => n.id), [gn.id]);
  const heard = assertOk(await artist.c.get('/api/v1/me/notifications'), 200).items;
  assert.ok(heard.some((x) => x.kind === 'note' && /Ann Client/.test(x.summary)));
  // A version added to the playlist shows through the link; one taken out no longer does.
  assertOk(await artist.c.put(`/api/v1/playlists/${dailies.id}/items`, { version_ids: [vVideo.id, v2.id] }), 200);
  const moved = assertOk(await anon.get(R, H), 200);
  assert.deepEqual(moved.items.map((i) => i.version_id), [vVideo.id, v2.id]);
  assertProblem(await anon.post(NR, { version_id: v1.id, frame: 3, text: 'hi', name: 'Ann' }, H), 422, 'validation', { fields: ['version_id'] });

  // The cap: a public link cannot fill the database.
  await sql(srv, `UPDATE review_link SET note_count = 500 WHERE id = '${link.id}'`);
  assertProblem(await anon.post(NR, { version_id: vVideo.id, frame: 3, text: 'spam', name: 'Bot' }, H), 429, 'too-many-notes');
  assert.equal(assertOk(await anon.get(R, H), 200).allow_notes, false);
  await sql(srv, `UPDATE review_link SET note_count = 1 WHERE id = '${link.id}'`);

  // The team's list: no token, the status, a note count.
  const links = assertOk(await artist.c.get(`${P()}/review-links`), 200).items;
  const mine = links.find((x) => x.id === link.id);
  assert.equal(mine.status, 'active');
  assert.equal(mine.token, undefined);
  assert.equal(mine.url, undefined);
  assertProblem(await client.c.get(`${P()}/review-links`), 403, 'production-role');
  assertProblem(await outsider.c.get(`${P()}/review-links`), 404, 'not-found');

  // Revoked: 410, and the share links of its versions are revoked with it.
  assertProblem(await client.c.del(`/api/v1/review-links/${link.id}`), 403, 'production-role');
  assertProblem(await outsider.c.del(`/api/v1/review-links/${link.id}`), 404, 'not-found');
  assertOk(await artist.c.del(`/api/v1/review-links/${link.id}`), 204);
  assertProblem(await anon.get(R, H), 410, 'review-link-revoked');
  assertProblem(await anon.post(NR, { version_id: vVideo.id, frame: 3, text: 'late', name: 'Ann' }, H), 410, 'review-link-revoked');
  assertProblem(await anon.get(vid.media.proxy), 410, 'share-revoked');
  const after = assertOk(await artist.c.get(`/api/v1/assets/${videoAsset.id}/shares`), 200).items;
  assert.equal(after.find((s) => s.id === share.id).status, 'revoked');
  assert.equal(assertOk(await artist.c.get(`${P()}/review-links?playlist_id=${dailies.id}`), 200).items[0].status, 'revoked');
  assertOk(await artist.c.del(`/api/v1/review-links/${link.id}`), 204);
  assertProblem(await anon.get(`/api/v1/review/msr_${'A'.repeat(43)}`), 404, 'not-found');
  assertProblem(await anon.get('/api/v1/review/nonsense'), 404, 'not-found');
  const ev = await events(sup.c, `project_id=${project.id}`);
  assert.ok(ev.some((e) => e.action === 'review_link.created'));
  assert.ok(ev.filter((e) => e.action === 'review_link.opened' && e.object_id === link.id).length >= 3, 'every opening is recorded');
  assert.ok(ev.some((e) => e.action === 'review_link.revoked'));
  assert.ok(ev.some((e) => e.action === 'asset.share_revoked'));
});

test('review links of one version: no passphrase, watch-only, expiry', async () => {
  const anon = new Client(srv.url);
  const one = assertOk(await sup.c.post(`${V(vVideo.id)}/review-links`, { allow_notes: false }), 201);
  assert.equal(one.version_id, vVideo.id);
  assert.equal(one.has_passphrase, false);
  assert.equal(one.expires_at, null);
  const R = `/api/v1/review/${one.token}`;
  const open = assertOk(await anon.get(R), 200);
  assert.equal(open.access, null);
  assert.equal(open.allow_notes, false);
  assert.equal(open.name, 'SH020 Animation v1');
  assert.match(open.items[0].media.proxy, /^\/api\/v1\/shares\/mss_[A-Za-z0-9_-]+\/proxy$/);
  assert.equal((await anon.get(open.items[0].media.thumbnail, { raw: true })).status, 200);
  assertProblem(await anon.post(`${R}/notes`, { version_id: vVideo.id, frame: 1, text: 'x', name: 'Ann' }), 403, 'notes-not-allowed');
  assertProblem(await client.c.post(`${V(vVideo.id)}/review-links`, {}), 404, 'not-found');
  assertProblem(await artist.c.post(`${V(NIL_UUID)}/review-links`, {}), 404, 'not-found');
  // Expiry: an honest short expiry cannot be waited for (the minimum is 60 s), so the stored
  // expiry is moved into the past, as time would.
  const soon = assertOk(await sup.c.post(`${V(vVideo.id)}/review-links`, { expires_in: 60 }), 201);
  assertOk(await anon.get(`/api/v1/review/${soon.token}`), 200);
  await sql(srv, `UPDATE review_link SET expires_at = '2001-01-01T00:00:00.000Z' WHERE id = '${soon.id}'`);
  assertProblem(await anon.get(`/api/v1/review/${soon.token}`), 410, 'review-link-expired');
  assertProblem(await anon.post(`/api/v1/review/${soon.token}/notes`, { version_id: vVideo.id, frame: 1, text: 'x', name: 'Ann' }), 410, 'review-link-expired');
  const listed = assertOk(await sup.c.get(`${P()}/review-links?version_id=${vVideo.id}`), 200).items;
  assert.equal(listed.find((x) => x.id === soon.id).status, 'expired');
  // Deleting a playlist revokes its links.
  const pl = assertOk(await sup.c.post(`${P()}/playlists`, { name: 'Short-lived', audience: 'client' }), 201);
  assertOk(await sup.c.put(`/api/v1/playlists/${pl.id}/items`, { version_ids: [vVideo.id] }), 200);
  const pll = assertOk(await sup.c.post(`/api/v1/playlists/${pl.id}/review-links`, {}), 201);
  assertOk(await anon.get(`/api/v1/review/${pll.token}`), 200);
  assertOk(await sup.c.del(`/api/v1/playlists/${pl.id}`), 204);
  assertProblem(await anon.get(`/api/v1/review/${pll.token}`), 410, 'review-link-revoked');
  // A task with versions can still be deleted; its versions go with it.
  const ver = assertOk(await artist.c.post(`/api/v1/tasks/${taskC.id}/versions`, { asset_id: binAsset.id }), 201);
  assertOk(await sup.c.put(`/api/v1/playlists/${dailies.id}/items`, { version_ids: [vVideo.id, vComp.id] }), 200);
  assertOk(await sup.c.del(`/api/v1/tasks/${taskC.id}`), 204);
  assertProblem(await sup.c.get(V(ver.id)), 404, 'not-found');
  assertProblem(await sup.c.get(`${V(vComp.id)}/notes`), 404, 'not-found');
  assert.deepEqual(assertOk(await sup.c.get(`/api/v1/playlists/${dailies.id}`), 200).items.map((i) => i.version.id), [vVideo.id]);
});

test('passphrase guessing is slowed down per link, and a right passphrase starts the count over', async () => {
  const anon = new Client(srv.url);
  const link = assertOk(await sup.c.post(`${V(vVideo.id)}/review-links`, { passphrase: 'correct horse' }), 201);
  const R = `/api/v1/review/${link.token}`;
  for (let i = 0; i < 5; i++) {
    assertProblem(await anon.get(R, { headers: { 'X-Passphrase': `guess ${i}` } }), 403, 'passphrase-wrong');
  }
  const slow = await anon.get(R, { headers: { 'X-Passphrase': 'correct horse' } });
  assertProblem(slow, 429, 'passphrase-throttled');
  assert.equal(slow.headers.get('retry-after'), '1');
  assertProblem(await anon.post(`${R}/notes`, { version_id: vVideo.id, frame: 1, text: 'x', name: 'Ann' }, { headers: { 'X-Passphrase': 'correct horse' } }), 429, 'passphrase-throttled');
  await sleep(1100);
  assertOk(await anon.get(R, { headers: { 'X-Passphrase': 'correct horse' } }), 200);
  assertProblem(await anon.get(R, { headers: { 'X-Passphrase': 'guess again' } }), 403, 'passphrase-wrong');
  assertOk(await anon.get(R, { headers: { 'X-Passphrase': 'correct horse' } }), 200);
});
