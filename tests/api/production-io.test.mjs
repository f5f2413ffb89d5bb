// CSV and EDL import and export of production data over the API: exports of every kind in
// Kitsu's columns (only what the caller sees), imports with Kitsu's and ShotGrid's headers,
// creates vs updates vs unchanged, every bad row reported by row, line and column, atomic vs
// not, dry runs, the size cap, permissions, and EDLs at 24 and 29.97 drop-frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg, mkProject, addMember, rawRequest, sql } from './helpers.mjs';

let srv, sup, artist, viewer, client, vendor, outsider, org, vorg, corg, project, other;
let voc, st, shotType, seqType, epType;

before(async () => {
  srv = await startServer();
  sup = await person(srv, 'sup', 'Supervisor');
  artist = await person(srv, 'artist', 'Artist');
  viewer = await person(srv, 'viewer', 'Viewer');
  client = await person(srv, 'client', 'Client');
  vendor = await person(srv, 'vendor', 'Vendor');
  outsider = await person(srv, 'outsider', 'Outsider');
  org = await mkOrg(sup.c, 'Studio IO');
  await addMember(sup.c, org.id, artist.id, 'member');
  await addMember(sup.c, org.id, viewer.id, 'viewer');
  project = await mkProject(sup.c, org.id, 'Series IO');
  vorg = await mkOrg(vendor.c, 'VFX Vendor');
  corg = await mkOrg(client.c, 'Channel', 'broadcaster');
  assertOk(await sup.c.post(`/api/v1/projects/${project.id}/partners`, { org_id: vorg.id, role: 'vendor' }), 201);
  assertOk(await sup.c.post(`/api/v1/projects/${project.id}/partners`, { org_id: corg.id, role: 'client' }), 201);
  const oorg = await mkOrg(outsider.c, 'Elsewhere IO');
  other = await mkProject(outsider.c, oorg.id, 'Theirs');
  voc = assertOk(await sup.c.post(`/api/v1/projects/${project.id}/production/setup`, { template: 'series' }), 201);
  st = Object.fromEntries(voc.task_statuses.map((s) => [s.short_name, s]));
  [epType, seqType, shotType] = voc.entity_types;
  assertOk(await sup.c.post(`/api/v1/projects/${project.id}/fields`, { key: 'difficulty', label: 'Difficulty', type: 'number', entity_type_id: shotType.id }), 201);
  assertOk(await sup.c.post(`/api/v1/projects/${project.id}/fields`, { key: 'location', label: 'Location', type: 'choice', choices: ['studio', 'exterior'] }), 201);
});
after(async () => { await srv.stop(); });

const P = () => `/api/v1/projects/${project.id}`;
const csv = (c, path, text, headers = {}) => c.req('POST', path, { body: text, headers: { 'Content-Type': 'text/csv', ...headers } });
const lines = (text) => text.replace(/\r\n$/, '').split('\r\n');
async function shotsOf(c) {
  const r = await c.get(`${P()}/entities?kind=shot&limit=500`);
  return Object.fromEntries(assertOk(r, 200).items.map((e) => [`${e.parent_name}/${e.name}`, e]));
}
async function tasksOf(c) {
  const r = await c.get(`${P()}/tasks?limit=500`);
  return assertOk(r, 200).items;
}

test('import shots with Kitsu headers: episodes and sequences found or created, tasks by status columns, assignees by e-mail', async () => {
  const file = [
    'Episode,Sequence,Name,Description,Nb Frames,Frame In,Frame Out,FPS,Difficulty,Location,Animation,Animation Assignees,Comp',
    `EP01,SQ010,SH010,开场 Opening,48,1001,1048,24,3,studio,wip,${artist.email},todo`,
    'EP01,SQ010,SH020,,,1001,1100,23.976,,,,,',
    `EP01,SQ020,SH010,"quoted, with comma",24,1001,,25,1.5,exterior,todo,"${artist.email}; ${sup.email.toUpperCase()}",`,
  ].join('\r\n');
  const r = assertOk(await csv(artist.c, `${P()}/import/shots`, file), 200);
  assert.equal(r.created, 3);
  assert.equal(r.updated, 0);
  assert.equal(r.unchanged, 0);
  assert.deepEqual(r.errors, []);
  assert.equal(r.parents_created, 3, 'EP01, SQ010 and SQ020');
  assert.equal(r.tasks_created, 3);
  const shots = await shotsOf(artist.c);
  assert.equal(shots['SQ010/SH010'].frame_in, 1001);
  assert.equal(shots['SQ010/SH010'].frame_out, 1048);
  assert.equal(shots['SQ010/SH010'].description, '开场 Opening');
  assert.deepEqual(shots['SQ010/SH010'].fields, { difficulty: 3, location: 'studio' });
  assert.equal(shots['SQ010/SH020'].fps, '24000/1001');
  assert.equal(shots['SQ010/SH020'].nb_frames, 100);
  assert.equal(shots['SQ020/SH010'].frame_out, 1024, 'Frame Out from Nb Frames');
  assert.equal(shots['SQ020/SH010'].description, 'quoted, with comma');
  assert.deepEqual(shots['SQ020/SH010'].fields, { difficulty: 1.5, location: 'exterior' });
  const tasks = await tasksOf(artist.c);
  const anim = tasks.find((t) => t.entity_id === shots['SQ020/SH010'].id && t.task_type === 'Animation');
  assert.deepEqual(anim.assignees.sort(), [artist.id, sup.id].sort());
  assert.equal(tasks.find((t) => t.entity_id === shots['SQ010/SH010'].id && t.task_type === 'Animation').status, 'wip');
  // The import is one event with its counts, not one per row.
  const ev = assertOk(await sup.c.get(`/api/v1/events?project_id=${project.id}&action=production.imported`), 200);
  assert.equal(ev.items.length, 1);
});

test('the same file again is unchanged; a changed cell is an update', async () => {
  const head = 'Episode,Sequence,Name,Frame In,Frame Out,Animation';
  let r = assertOk(await csv(artist.c, `${P()}/import/shots`, `${head}\nEP01,SQ010,SH010,1001,1048,wip\n`), 200);
  assert.deepEqual([r.created, r.updated, r.unchanged], [0, 0, 1]);
  r = assertOk(await csv(artist.c, `${P()}/import/shots`, `${head}\nEP01,SQ010,SH010,1001,1060,wip\nEP01,SQ010,SH020,1001,1100,wfa\n`), 200);
  assert.deepEqual([r.created, r.updated, r.unchanged], [0, 2, 0]);
  assert.equal(r.tasks_created, 1);
  const shots = await shotsOf(artist.c);
  assert.equal(shots['SQ010/SH010'].frame_out, 1060);
  assert.equal(shots['SQ010/SH010'].version, 2);
});

test('import with ShotGrid headers', async () => {
  const file = 'Shot Code,Sequence,Episode,Cut In,Cut Out,Cut Duration,Description,Status,Id\n' +
    'SH030,SQ010,EP01,1001,1010,10,from ShotGrid,ip,123\n';
  const r = assertOk(await csv(artist.c, `${P()}/import/shots`, file), 200);
  assert.equal(r.created, 1);
  assert.deepEqual(r.ignored_columns, ['Status', 'Id']);
  const shots = await shotsOf(artist.c);
  assert.equal(shots['SQ010/SH030'].nb_frames, 10);
  // ShotGrid tasks: Link, Pipeline Step, sg_status_list codes, Assigned To, Bid in minutes.
  const tf = 'Episode,Sequence,Link,Pipeline Step,sg_status_list,Assigned To,Bid,start_date,due_date\n' +
    `EP01,SQ010,SH030,Layout,ip,${artist.email},480,2026-03-01,2026-03-05\n` +
    'EP01,SQ010,SH030,Comp,wtg,,,,\n';
  const t = assertOk(await csv(artist.c, `${P()}/import/tasks`, tf), 200);
  assert.equal(t.created, 2, JSON.stringify(t));
  const tasks = (await tasksOf(artist.c)).filter((x) => x.entity_id === shots['SQ010/SH030'].id);
  const layout = tasks.find((x) => x.task_type === 'Layout');
  assert.equal(layout.status, 'wip');
  assert.equal(layout.estimate, 480);
  assert.equal(layout.due_date, '2026-03-05');
  assert.deepEqual(layout.assignees, [artist.id]);
  assert.equal(tasks.find((x) => x.task_type === 'Comp').status, 'todo');
});

test('task files: the entity must exist, the task type must fit it, one row per task, dates in order', async () => {
  const tf = [
    'Episode,Sequence,Entity Type,Entity,Task Type,Status,Priority,Estimate,Start Date,Due Date',
    'EP01,SQ010,Shot,SH010,Sound,wip,2,60,2026-04-01,2026-04-02',
    'EP01,SQ010,Shot,SH999,Sound,wip,,,,',
    'EP01,SQ010,Shot,SH010,Modeling,wip,,,,',
    'EP01,SQ010,Shot,SH010,Sound,todo,,,,',
    'EP01,SQ010,Shot,SH020,Sound,wip,7,-1,2026-02-30,',
    'EP01,SQ010,Shot,SH030,Sound,wip,,,2026-05-02,2026-05-01',
    'EP01,SQ010,Planet,SH030,Sound,wip,,,,',
  ].join('\n');
  const pb = assertProblem(await csv(artist.c, `${P()}/import/tasks`, tf), 422, 'validation');
  assert.deepEqual(pb.errors.map((e) => [e.row, e.column]), [
    [3, 'Entity'], [4, 'Task Type'], [5, 'Task Type'],
    [6, 'Priority'], [6, 'Estimate'], [6, 'Start Date'], [7, 'Due Date'], [8, 'Entity Type'],
  ], JSON.stringify(pb.errors, null, 1));
  assert.match(pb.errors[1].message, /task type for asset entities/);
  assert.match(pb.errors[2].message, /in row 2 already/);
  const ok = assertOk(await csv(artist.c, `${P()}/import/tasks?atomic=false`, tf), 200);
  assert.deepEqual([ok.created, ok.bad_rows], [1, 6]);
  const sound = (await tasksOf(artist.c)).find((t) => t.task_type === 'Sound' && t.entity_name === 'SH010');
  assert.deepEqual([sound.status, sound.priority, sound.estimate, sound.start_date, sound.due_date], ['wip', 2, 60, '2026-04-01', '2026-04-02']);
});

test('export of every kind, in Kitsu columns, and a round trip that changes nothing', async () => {
  const s = await sup.c.get(`${P()}/export/shots.csv`);
  assert.equal(s.status, 200);
  assert.match(s.headers.get('content-type'), /^text\/csv/);
  assert.match(s.headers.get('content-disposition'), /shots\.csv/);
  const rows = lines(s.text);
  assert.equal(rows[0], 'Episode,Sequence,Name,Description,Nb Frames,Frame In,Frame Out,FPS,Difficulty,Location,' +
    'Storyboard,Storyboard Assignees,Layout,Layout Assignees,Animation,Animation Assignees,VFX,VFX Assignees,' +
    'Comp,Comp Assignees,Grade,Grade Assignees,Sound,Sound Assignees,Subtitles,Subtitles Assignees');
  assert.equal(rows.length, 5);
  assert.ok(rows.includes(`EP01,SQ020,SH010,"quoted, with comma",24,1001,1024,25,1.5,exterior,,,,,todo,"${[artist.email, sup.email].sort().join(', ')}",,,,,,,,,,`), s.text);
  // Back in: nothing changes.
  const back = assertOk(await csv(artist.c, `${P()}/import/shots`, s.text), 200);
  assert.deepEqual([back.created, back.updated, back.unchanged], [0, 0, 4], JSON.stringify(back));
  for (const kind of ['episodes', 'sequences', 'assets', 'tasks']) {
    const r = await sup.c.get(`${P()}/export/${kind}.csv`);
    assert.equal(r.status, 200, `${kind}: ${r.text}`);
    const again = assertOk(await csv(sup.c, `${P()}/import/${kind}`, r.text), 200);
    assert.equal(again.created + again.updated, 0, `${kind} round trip: ${JSON.stringify(again)}`);
  }
  const ep = lines((await sup.c.get(`${P()}/export/episodes.csv`)).text);
  assert.equal(ep[1].split(',').slice(0, 2).join(','), 'EP01,');
  const sq = lines((await sup.c.get(`${P()}/export/sequences.csv`)).text);
  assert.deepEqual(sq.slice(1).map((l) => l.split(',').slice(0, 2).join(',')), ['EP01,SQ010', 'EP01,SQ020']);
  const tk = lines((await sup.c.get(`${P()}/export/tasks.csv`)).text);
  assert.equal(tk[0], 'Episode,Sequence,Entity Type,Entity,Task Type,Status,Assignees,Priority,Estimate,Start Date,Due Date,Time Spent,Retakes');
  assert.ok(tk.includes(`EP01,SQ010,Shot,SH030,Layout,wip,${artist.email},0,480,2026-03-01,2026-03-05,0,0`), tk.join('\n'));
  // Formula-like text is defused; BOM on request.
  const bom = await rawRequest(srv.url, { path: `${P()}/export/episodes.csv?bom=true`, headers: { Authorization: `Bearer ${sup.c.token}` } });
  assert.equal(bom.status, 200);
  assert.equal(bom.text.charCodeAt(0), 0xfeff);
  assert.equal(bom.text.slice(1, 5), 'Name');
  assertProblem(await sup.c.get(`${P()}/export/people.csv`), 404, 'not-found');
  assertProblem(await sup.c.get(`${P()}/export/shots.json`), 404, 'not-found');
  assertProblem(await sup.c.get(`${P()}/export/shots.csv?sep=;`), 400, 'bad-query');
});

test('assets: type by name, created and updated; formula cells defused on export', async () => {
  const file = 'Type,Name,Description,Modeling\nCharacter,Hero,=HYPERLINK("x"),wip\nProp,Sword,,todo\nVehicle,Car,,\n';
  const r = assertOk(await csv(artist.c, `${P()}/import/assets?atomic=false`, file), 200);
  assert.equal(r.created, 2);
  assert.equal(r.errors.length, 1);
  assert.deepEqual({ ...r.errors[0], message: undefined, field: undefined }, { row: 4, line: 4, column: 'Type', message: undefined, field: undefined });
  const out = await artist.c.get(`${P()}/export/assets.csv`);
  assert.ok(lines(out.text).some((l) => l.startsWith(',Character,Hero,"\'=HYPERLINK(""x"")"')), out.text);
  const back = assertOk(await csv(artist.c, `${P()}/import/assets`, out.text), 200);
  assert.equal(back.unchanged, 2, JSON.stringify(back));
});

test('bad rows: every one reported by row, line and column; atomic changes nothing, atomic=false takes the good rows', async () => {
  const before = await sql(srv, `SELECT COUNT(*) FROM entity WHERE project_id = '${project.id}'`);
  const file = [
    'Episode,Sequence,Name,Frame In,Frame Out,FPS,Difficulty,Animation,Animation Assignees,Layout',
    'EP02,SQ100,SH100,1001,1010,24,1,todo,,',
    'EP02,SQ100,SH101,abc,1010,24,,,,',
    'EP02,SQ100,SH102,1001,900,24,,,,',
    'EP02,SQ100,SH103,1001,1010,fast,lots,,,',
    'EP02,SQ100,SH104,1001,1010,24,,nope,nobody@example.com,',
    'EP02,SQ100,SH100,1001,1010,24,,,,',
    'EP02,,SH105,1001,1010,24,,,,',
    '"EP02","SQ100","multi',
    'line",1,2,24,,,,approved',
  ].join('\n');
  const a = await csv(artist.c, `${P()}/import/shots`, file);
  const pb = assertProblem(a, 422, 'validation');
  assert.equal(pb.created, 0);
  const where = pb.errors.map((e) => [e.row, e.line, e.column]);
  assert.deepEqual(where, [
    [3, 3, 'Frame In'],
    [4, 4, 'Frame Out'],
    [5, 5, 'FPS'], [5, 5, 'Difficulty'],
    [6, 6, 'Animation'], [6, 6, 'Animation Assignees'],
    [7, 7, 'Name'],
    [8, 8, 'Sequence'],
    [9, 9, 'Name'], [9, 9, 'Layout'],
  ], JSON.stringify(pb.errors, null, 1));
  assert.match(pb.errors[0].message, /whole number/);
  assert.match(pb.errors[5].message, /nobody@example\.com is not someone who works on this project/);
  assert.match(pb.errors[6].message, /row 2 already/);
  assert.match(pb.errors[9].message, /may not set the status "Approved"/i);
  assert.equal(await sql(srv, `SELECT COUNT(*) FROM entity WHERE project_id = '${project.id}'`), before, 'nothing changed');
  // Dry run: the report, nothing written.
  const d = assertOk(await csv(artist.c, `${P()}/import/shots?dry_run=true&atomic=false`, file), 200);
  assert.equal(d.created, 1);
  assert.equal(d.errors.length, 10);
  assert.equal(d.dry_run, true);
  assert.equal(await sql(srv, `SELECT COUNT(*) FROM entity WHERE project_id = '${project.id}'`), before, 'dry run changed nothing');
  // Not atomic: the good row goes in.
  const n = assertOk(await csv(artist.c, `${P()}/import/shots?atomic=false`, file), 200);
  assert.equal(n.created, 1);
  assert.equal(n.bad_rows, 7);
  assert.equal(n.errors.length, 10);
  assert.ok((await shotsOf(artist.c))['SQ100/SH100']);
});

test('more rows than one batch: parents, shots, tasks and assignees all written, in order', async () => {
  let file = 'Episode,Sequence,Name,Frame In,Frame Out,Layout,Layout Assignees,Comp\n';
  for (let i = 0; i < 300; i++) file += `EP20,SQ${Math.floor(i / 100)},B${String(i).padStart(3, '0')},1,${i + 1},wip,${artist.email},todo\n`;
  const dry = assertOk(await csv(artist.c, `${P()}/import/shots?dry_run=true`, file), 200);
  assert.deepEqual([dry.created, dry.tasks_created, dry.parents_created], [300, 600, 4]);
  assert.equal((await sup.c.get(`${P()}/entities?kind=episode&name=EP20`)).json.items.length, 0, 'a dry run writes nothing');
  const r = assertOk(await csv(artist.c, `${P()}/import/shots`, file), 200);
  assert.deepEqual([r.created, r.tasks_created, r.parents_created], [300, 600, 4]);
  const out = lines((await sup.c.get(`${P()}/export/shots.csv`)).text).filter((l) => l.startsWith('EP20,'));
  assert.equal(out.length, 300);
  assert.ok(out.every((l) => l.includes(`,wip,${artist.email},`)), out[0]);
  // A second file moves some of them: the updated tasks were written by the batches before.
  const again = file.replace(/,wip,/g, ',wfa,');
  const u = assertOk(await csv(artist.c, `${P()}/import/shots`, again), 200);
  assert.deepEqual([u.updated, u.tasks_updated, u.unchanged], [300, 300, 0]);
});

test('many bad rows: all counted, the first 1,000 listed', async () => {
  let file = 'Episode,Sequence,Name,Frame In\n';
  for (let i = 0; i < 1500; i++) file += `EP03,SQ1,S${i},x${i}\n`;
  const r = await csv(artist.c, `${P()}/import/shots`, file);
  const pb = assertProblem(r, 422, 'validation');
  assert.equal(pb.errors.length, 1000);
  assert.equal(pb.more_errors, 500);
  assert.equal(pb.errors[999].row, 1001);
});

test('header, encoding, size and content type problems', async () => {
  assertProblem(await csv(artist.c, `${P()}/import/shots`, 'Episode,Sequence,Frame In\nEP01,SQ010,1\n'), 422, 'validation', { fields: ['Name'] });
  assertProblem(await csv(artist.c, `${P()}/import/shots`, 'Name,Shot\nA,B\n'), 422, 'validation');
  assertProblem(await csv(artist.c, `${P()}/import/shots`, ''), 422, 'invalid-csv');
  const latin1 = Buffer.concat([Buffer.from('Episode,Sequence,Name\nEP01,SQ010,Caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
  assertProblem(await csv(artist.c, `${P()}/import/shots`, latin1), 422, 'invalid-csv', { detail: /UTF-8/ });
  const utf16 = Buffer.from('\ufeffName\nA\n', 'utf16le');
  assertProblem(await csv(artist.c, `${P()}/import/shots`, utf16), 422, 'invalid-csv', { detail: /UTF-16/ });
  assertProblem(await csv(artist.c, `${P()}/import/shots`, '{"a":1}', { 'Content-Type': 'application/json' }), 415, 'unsupported-media-type');
  assertProblem(await csv(artist.c, `${P()}/import/people`, 'Name\nA\n'), 404, 'not-found');
  assertProblem(await csv(artist.c, `${P()}/import/shots?atomic=maybe`, 'Name\nA\n'), 400, 'bad-query');
  assertProblem(await csv(artist.c, `${P()}/import/shots?force=1`, 'Name\nA\n'), 400, 'bad-query');
  // Over 64 MiB, sent in chunks without a length: refused, nothing read past the cap.
  const auth = { Authorization: `Bearer ${artist.c.token}` };
  const piece = 'Name\n' + 'x'.repeat(1024 * 1024 - 6) + '\n';
  const chunked = await rawRequest(srv.url, { method: 'POST', path: `${P()}/import/shots`, headers: { ...auth, 'Content-Type': 'text/csv' }, chunks: Array(65).fill(piece) });
  assertProblem(chunked, 413, 'body-too-large');
});

test('permissions: viewers, clients and vendors may not import; outsiders see nothing; vendors export only their tasks', async () => {
  const file = 'Episode,Sequence,Name\nEP09,SQ9,SH9\n';
  for (const who of [viewer, client, vendor]) {
    assertProblem(await csv(who.c, `${P()}/import/shots`, file), 403, 'production-role');
    assertProblem(await who.c.req('POST', `${P()}/import/edl?parent_id=${project.id}`, { body: 'TITLE: x\n', headers: { 'Content-Type': 'text/plain' } }), 403, 'production-role');
  }
  assertProblem(await csv(outsider.c, `${P()}/import/shots`, file), 404, 'not-found');
  assertProblem(await outsider.c.get(`${P()}/export/shots.csv`), 404, 'not-found');
  assertProblem(await csv(sup.c, `/api/v1/projects/${other.id}/import/shots`, file), 404, 'not-found');
  assert.equal((await shotsOf(sup.c))['SQ9/SH9'], undefined);
  // Artists may not approve through a file, supervisors may.
  const ap = 'Episode,Sequence,Name,Animation\nEP01,SQ010,SH010,approved\n';
  assertProblem(await csv(artist.c, `${P()}/import/shots`, ap), 422, 'validation');
  assert.equal(assertOk(await csv(sup.c, `${P()}/import/shots`, ap), 200).updated, 1);
  // A vendor sees only the shots holding its people's tasks, and only those tasks.
  const vf = `Episode,Sequence,Name,Comp,Comp Assignees\nEP01,SQ010,SH020,wip,${vendor.email}\n`;
  assertOk(await csv(sup.c, `${P()}/import/shots`, vf), 200);
  const v = lines((await vendor.c.get(`${P()}/export/shots.csv`)).text);
  assert.equal(v.length, 2, v.join('\n'));
  assert.match(v[1], /^EP01,SQ010,SH020,/);
  assert.match(v[1], new RegExp(`,wip,${vendor.email.replace(/[.]/g, '\\.')},`));
  assert.doesNotMatch(v[1], /wfa/, 'the Animation task is not the vendor\'s');
  const vt = lines((await vendor.c.get(`${P()}/export/tasks.csv`)).text);
  assert.equal(vt.length, 2);
  const c = lines((await client.c.get(`${P()}/export/tasks.csv`)).text);
  assert.ok(c.slice(1).every((l) => /,wfa,|,approved,|,retake,/.test(l)), c.join('\n'));
  assert.equal(lines((await viewer.c.get(`${P()}/export/shots.csv`)).text).length, (await sup.c.get(`${P()}/export/shots.csv`)).text.split('\r\n').length - 1);
});

const EDL24 = `TITLE: REEL 1
FCM: NON-DROP FRAME

001  A001     V     C        10:00:00:00 10:00:02:00 01:00:00:00 01:00:02:00
* FROM CLIP NAME: A001C003_plate.mov
* LOC: 01:00:00:12 RED     SH010 check focus
002  A002     V     C        11:00:00:00 11:00:01:00 01:00:02:00 01:00:03:00
* FROM CLIP NAME: beach.mov
003  A002     A     C        11:00:00:00 11:00:01:00 01:00:02:00 01:00:03:00
004  BL       V     C        00:00:00:00 00:00:01:00 01:00:03:00 01:00:04:00
005  A003     V     C        12:00:00:00 12:00:01:00 01:00:04:00 01:00:05:00
GARBAGE LINE
`;

test('EDL at 24 fps: shots named by locator or clip name, frames from the record timecodes', async () => {
  const sq = assertOk(await sup.c.post(`${P()}/entities`, { type_id: seqType.id, parent_id: (await sup.c.get(`${P()}/entities?kind=episode&name=EP01`)).json.items[0].id, name: 'SQ500' }), 201);
  const send = (c, q, body) => c.req('POST', `${P()}/import/edl?parent_id=${sq.id}${q}`, { body, headers: { 'Content-Type': 'text/plain' } });
  const pb = assertProblem(await send(artist.c, '&fps=24', EDL24), 422, 'validation');
  assert.deepEqual(pb.errors.map((e) => [e.row, e.line]), [[5, 11], [null, 12]], JSON.stringify(pb.errors));
  const r = assertOk(await send(artist.c, '&fps=24&atomic=false', EDL24), 200);
  assert.equal(r.created, 2);
  assert.equal(r.skipped, 2, 'sound-only and black');
  const shots = Object.fromEntries((await sup.c.get(`${P()}/entities?parent_id=${sq.id}`)).json.items.map((e) => [e.name, e]));
  assert.deepEqual(Object.keys(shots).sort(), ['SH010', 'beach']);
  assert.equal(shots.SH010.frame_in, 86400);
  assert.equal(shots.SH010.frame_out, 86447);
  assert.equal(shots.SH010.nb_frames, 48);
  assert.equal(shots.beach.frame_in, 86448);
  assert.equal(shots.beach.fps, '24');
  // Again: unchanged; a moved cut updates.
  const again = assertOk(await send(artist.c, '&atomic=false', EDL24), 200);
  assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, 2]);
  const moved = assertOk(await send(artist.c, '&atomic=false', EDL24.replace('01:00:02:00 01:00:03:00\n* FROM CLIP NAME: beach', '01:00:02:00 01:00:04:00\n* FROM CLIP NAME: beach')), 200);
  assert.equal(moved.updated, 1);
  // Bad parameters.
  assertProblem(await send(artist.c, '&fps=fast', EDL24), 422, 'validation', { fields: ['fps'] });
  assertProblem(await artist.c.req('POST', `${P()}/import/edl`, { body: EDL24, headers: { 'Content-Type': 'text/plain' } }), 422, 'validation', { fields: ['parent_id'] });
  assertProblem(await artist.c.req('POST', `${P()}/import/edl?parent_id=${other.id}`, { body: EDL24, headers: { 'Content-Type': 'text/plain' } }), 422, 'validation', { fields: ['parent_id'] });
  assertProblem(await artist.c.req('POST', `${P()}/import/edl?parent_id=${shots.SH010.id}`, { body: EDL24, headers: { 'Content-Type': 'text/plain' } }), 422, 'validation', { fields: ['parent_id'] });
  // Duplicate names in one list.
  const dup = `001  A001     V     C        10:00:00:00 10:00:02:00 01:00:00:00 01:00:02:00\n* FROM CLIP NAME: x.mov\n002  A001     V     C        10:00:00:00 10:00:02:00 01:00:02:00 01:00:04:00\n* FROM CLIP NAME: x.mov\n`;
  const d = assertProblem(await send(artist.c, '', dup), 422, 'validation');
  assert.match(d.errors[0].message, /named by event 1 \(line 1\) already/);
});

test('EDL at 29.97 drop-frame', async () => {
  const ep = (await sup.c.get(`${P()}/entities?kind=episode&name=EP01`)).json.items[0];
  const sq = assertOk(await sup.c.post(`${P()}/entities`, { type_id: seqType.id, parent_id: ep.id, name: 'SQ600', fps: '30000/1001' }), 201);
  const edl = `TITLE: DF\nFCM: DROP FRAME\n001  A001 V C 00:00:00:00 00:00:10:00 00:59:59;28 01:00:00;04\n* LOC: 00:59:59;28 GREEN DF010\n002  A001 V C 00:00:00:00 00:00:10:00 00:01:00:02 00:01:00:04\n* FROM CLIP NAME: minute\n`;
  const r = assertOk(await sup.c.req('POST', `${P()}/import/edl?parent_id=${sq.id}`, { body: edl, headers: { 'Content-Type': 'text/plain' } }), 200);
  assert.equal(r.created, 2, JSON.stringify(r));
  const shots = Object.fromEntries((await sup.c.get(`${P()}/entities?parent_id=${sq.id}`)).json.items.map((e) => [e.name, e]));
  // 01:00:00;00 is frame 107892 at 29.97 DF; two frames before it 107890; the out is exclusive.
  assert.equal(shots.DF010.frame_in, 107890);
  assert.equal(shots.DF010.frame_out, 107895);
  assert.equal(shots.DF010.nb_frames, 6);
  assert.equal(shots.DF010.fps, '30000/1001');
  assert.equal(shots.minute.frame_in, 1800);
  assert.equal(shots.minute.frame_out, 1801);
});
