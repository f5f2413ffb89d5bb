// Production tracking over the API: setup from a template, entity types and the episode ->
// sequence -> shot hierarchy, typed custom fields, casting, tasks (one and many), the status
// rules (an artist cannot approve, a client only reviews what was sent to them, a vendor sees
// only its people's tasks), bulk changes all or nothing, the grid, my tasks, comments with
// mentions and notifications, If-Match, and the wall around other organizations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg, mkProject, addMember, etag } from './helpers.mjs';

let srv, sup, artist, client, vendor, vendorB, outsider, org, vorg, corg, project, other;
let voc, shotType, seqType, epType, charType, anim, comp, st;

before(async () => {
  srv = await startServer();
  sup = await person(srv, 'sup', '监制 Supervisor');
  artist = await person(srv, 'artist', 'Artist');
  client = await person(srv, 'client', 'Client');
  vendor = await person(srv, 'vendor', 'Vendor One');
  vendorB = await person(srv, 'vendorb', 'Vendor Two');
  outsider = await person(srv, 'outsider', 'Outsider');
  org = await mkOrg(sup.c, 'Studio');
  await addMember(sup.c, org.id, artist.id, 'member');
  project = await mkProject(sup.c, org.id, 'Series 1');
  vorg = await mkOrg(vendor.c, 'VFX House', 'studio');
  await addMember(vendor.c, vorg.id, vendorB.id, 'member');
  corg = await mkOrg(client.c, 'Broadcaster', 'broadcaster');
  assertOk(await sup.c.post(`/api/v1/projects/${project.id}/partners`, { org_id: vorg.id, role: 'vendor' }), 201);
  assertOk(await sup.c.post(`/api/v1/projects/${project.id}/partners`, { org_id: corg.id, role: 'client' }), 201);
  const oorg = await mkOrg(outsider.c, 'Elsewhere');
  other = await mkProject(outsider.c, oorg.id, 'Theirs');
});
after(async () => { await srv.stop(); });

const P = () => `/api/v1/projects/${project.id}`;

test('setup: a template fills types and statuses once; only a supervisor may', async () => {
  assertProblem(await artist.c.post(`${P()}/production/setup`, { template: 'series' }), 403, 'production-role');
  assertProblem(await sup.c.post(`${P()}/production/setup`, { template: 'sitcom' }), 422, 'validation', { fields: ['template'] });
  voc = assertOk(await sup.c.post(`${P()}/production/setup`, { template: 'series' }), 201);
  assert.deepEqual(voc.entity_types.map((t) => t.name), ['Episode', 'Sequence', 'Shot', 'Character', 'Prop', 'Environment']);
  epType = voc.entity_types[0]; seqType = voc.entity_types[1]; shotType = voc.entity_types[2]; charType = voc.entity_types[3];
  assert.equal(shotType.parent_type_id, seqType.id);
  assert.equal(seqType.parent_type_id, epType.id);
  st = Object.fromEntries(voc.task_statuses.map((s) => [s.short_name, s]));
  assert.equal(st.todo.is_default, true);
  assert.equal(st.approved.is_artist_allowed, false);
  assert.equal(st.approved.is_client_allowed, true);
  assert.equal(st.wfa.is_feedback_request, true);
  anim = voc.task_types.find((t) => t.name === 'Animation');
  comp = voc.task_types.find((t) => t.name === 'Comp');
  assert.equal(voc.task_types.filter((t) => t.for_kind === 'shot').length, 8);
  assertProblem(await sup.c.post(`${P()}/production/setup`, {}), 409, 'already-set-up');
  const lists = assertOk(await client.c.get(`${P()}/task-statuses`), 200);
  assert.equal(lists.items.length, 6);
  assertProblem(await outsider.c.get(`${P()}/task-types`), 404, 'not-found');
});

test('types, statuses and fields: created by supervisors, checked, unique', async () => {
  const t = assertOk(await sup.c.post(`${P()}/task-types`, { name: 'Matte Painting', for_kind: 'shot', color: '#123abc', department: 'DMP' }), 201);
  assert.equal(t.position, voc.task_types.length + 1);
  assertProblem(await sup.c.post(`${P()}/task-types`, { name: 'Matte Painting', for_kind: 'shot' }), 409, 'name-taken');
  assertProblem(await sup.c.post(`${P()}/task-types`, { name: 'X', for_kind: 'shot', color: 'red' }), 422, 'validation', { fields: ['color'] });
  assertProblem(await artist.c.post(`${P()}/task-types`, { name: 'Y', for_kind: 'shot' }), 403, 'production-role');
  const s = assertOk(await sup.c.post(`${P()}/task-statuses`, { name: 'On hold', short_name: 'hold', color: '#333333' }), 201);
  assert.equal(s.is_default, false);
  assertProblem(await sup.c.post(`${P()}/task-statuses`, { name: 'Hold 2', short_name: 'hold' }), 409, 'name-taken');
  const f = assertOk(await sup.c.post(`${P()}/fields`, { key: 'location', label: '地点 Location', type: 'choice', choices: ['studio', 'exterior'] }), 201);
  assert.deepEqual(f.choices, ['studio', 'exterior']);
  assertOk(await sup.c.post(`${P()}/fields`, { key: 'difficulty', label: 'Difficulty', type: 'number', entity_type_id: shotType.id }), 201);
  assertProblem(await sup.c.post(`${P()}/fields`, { key: 'bad', label: 'Bad', type: 'choice' }), 422, 'validation', { fields: ['choices'] });
  assertProblem(await sup.c.post(`${P()}/fields`, { key: 'dup', label: 'Dup', type: 'choices', choices: ['a', 'a'] }), 422, 'validation', { fields: ['choices'] });
  assertProblem(await sup.c.post(`${P()}/fields`, { key: 'location', label: 'Again', type: 'text' }), 409, 'key-taken');
});

let ep1, sq1, shots, hero;
test('entities: the hierarchy is enforced, names are unique among siblings, fields are typed, If-Match guards changes', async () => {
  ep1 = assertOk(await sup.c.post(`${P()}/entities`, { type_id: epType.id, name: 'EP01' }), 201);
  assertProblem(await sup.c.post(`${P()}/entities`, { type_id: seqType.id, name: 'SQ010' }), 422, 'validation', { fields: ['parent_id'] });
  assertProblem(await sup.c.post(`${P()}/entities`, { type_id: epType.id, name: 'EP02', parent_id: ep1.id }), 422, 'validation', { fields: ['parent_id'] });
  sq1 = assertOk(await artist.c.post(`${P()}/entities`, { type_id: seqType.id, parent_id: ep1.id, name: 'SQ010' }), 201);
  assertProblem(await sup.c.post(`${P()}/entities`, { type_id: shotType.id, parent_id: ep1.id, name: 'SH010' }), 422, 'validation', { fields: ['parent_id'] });
  shots = [];
  for (let i = 1; i <= 4; i++) {
    shots.push(assertOk(await artist.c.post(`${P()}/entities`, {
      type_id: shotType.id, parent_id: sq1.id, name: `SH0${i}0`, frame_in: 1001, frame_out: 1000 + 24 * i, fps: '24000/1001',
      fields: { location: 'studio', difficulty: i },
    }), 201));
  }
  assert.equal(shots[1].nb_frames, 48);
  assert.equal(shots[0].parent_name, 'SQ010');
  assert.equal(shots[0].fps, '24000/1001');
  assert.deepEqual(shots[0].fields, { location: 'studio', difficulty: 1 });
  assertProblem(await artist.c.post(`${P()}/entities`, { type_id: shotType.id, parent_id: sq1.id, name: 'SH010' }), 409, 'name-taken');
  assertProblem(await artist.c.post(`${P()}/entities`, { type_id: shotType.id, parent_id: sq1.id, name: 'SH090', frame_in: 10, frame_out: 5 }), 422, 'validation', { fields: ['frame_out'] });
  assertProblem(await artist.c.post(`${P()}/entities`, { type_id: shotType.id, parent_id: sq1.id, name: 'SH091', fields: { location: 'moon' } }), 422, 'validation', { fields: ['fields.location'] });
  assertProblem(await artist.c.post(`${P()}/entities`, { type_id: shotType.id, parent_id: sq1.id, name: 'SH092', fields: { nope: 1 } }), 422, 'validation', { fields: ['fields.nope'] });
  assertProblem(await artist.c.post(`${P()}/entities`, { type_id: shotType.id, parent_id: sq1.id, name: 'SH093', fps: 'fast' }), 422, 'validation', { fields: ['fps'] });
  assertProblem(await artist.c.post(`${P()}/entities`, { type_id: charType.id, name: 'X', fields: { difficulty: 2 } }), 422, 'validation', { fields: ['fields.difficulty'] });
  // PATCH with If-Match; a stale version changes nothing.
  const g = await artist.c.get(`/api/v1/entities/${shots[0].id}`);
  const ch = await artist.c.patch(`/api/v1/entities/${shots[0].id}`, { description: '开场 Opening', fields: { difficulty: null } }, { headers: { 'If-Match': etag(g) } });
  const upd = assertOk(ch, 200);
  assert.deepEqual(upd.fields, { location: 'studio' });
  assertProblem(await artist.c.patch(`/api/v1/entities/${shots[0].id}`, { name: 'SH999' }, { headers: { 'If-Match': etag(g) } }), 412, 'stale-version');
  assert.equal((await artist.c.get(`/api/v1/entities/${shots[0].id}`)).json.name, 'SH010');
  // Casting: only asset entities of this project.
  hero = assertOk(await sup.c.post(`${P()}/entities`, { type_id: charType.id, name: '小明 Hero' }), 201);
  const cast = assertOk(await artist.c.put(`/api/v1/entities/${shots[0].id}/casting`, { items: [{ asset_id: hero.id, occurrences: 2 }] }), 200);
  assert.deepEqual(cast.items.map((c) => [c.asset_name, c.occurrences]), [['小明 Hero', 2]]);
  assertProblem(await artist.c.put(`/api/v1/entities/${shots[0].id}/casting`, { items: [{ asset_id: shots[1].id }] }), 422, 'validation');
  // Lists and deletes.
  const list = assertOk(await client.c.get(`${P()}/entities?type_id=${shotType.id}`), 200);
  assert.equal(list.items.length, 0, 'a client sees no shot before anything is sent for review');
  const all = assertOk(await artist.c.get(`${P()}/entities?parent_id=${sq1.id}`), 200);
  assert.equal(all.items.length, 4);
  assertProblem(await artist.c.del(`/api/v1/entities/${sq1.id}`), 403, 'production-role');
  assertProblem(await sup.c.del(`/api/v1/entities/${sq1.id}`), 409, 'has-children');
  assertProblem(await outsider.c.get(`/api/v1/entities/${shots[0].id}`), 404, 'not-found');
});

let tasks;
test('tasks: one or many, assignees must work on the project, the default status, no duplicates', async () => {
  const made = assertOk(await artist.c.post(`${P()}/tasks`, { task_type_id: anim.id, entity_ids: shots.map((s) => s.id) }), 201);
  assert.equal(made.created, 4);
  const again = assertOk(await artist.c.post(`${P()}/tasks`, { task_type_id: anim.id, entity_ids: shots.map((s) => s.id) }), 201);
  assert.equal(again.created, 0, 'existing tasks are skipped');
  const one = assertOk(await sup.c.post(`${P()}/tasks`, { task_type_id: comp.id, entity_id: shots[0].id, assignees: [vendor.id], due_date: '2026-12-24', start_date: '2026-12-01' }), 201);
  assert.equal(one.status, 'todo');
  assert.deepEqual(one.assignees, [vendor.id]);
  assertProblem(await sup.c.post(`${P()}/tasks`, { task_type_id: comp.id, entity_id: shots[0].id }), 409, 'task-exists');
  assertProblem(await sup.c.post(`${P()}/tasks`, { task_type_id: comp.id, entity_id: shots[1].id, assignees: [outsider.id] }), 422, 'validation', { fields: ['assignees'] });
  assertProblem(await sup.c.post(`${P()}/tasks`, { task_type_id: comp.id, entity_id: shots[1].id, due_date: '2026-02-30' }), 422, 'validation', { fields: ['due_date'] });
  assertProblem(await sup.c.post(`${P()}/tasks`, { task_type_id: comp.id, entity_id: shots[1].id, start_date: '2026-12-10', due_date: '2026-12-01' }), 422, 'validation', { fields: ['due_date'] });
  assertProblem(await vendor.c.post(`${P()}/tasks`, { task_type_id: comp.id, entity_id: shots[1].id }), 403, 'production-role');
  tasks = assertOk(await artist.c.get(`${P()}/tasks?task_type_id=${anim.id}`), 200).items;
  assert.equal(tasks.length, 4);
  assert.equal(tasks[0].entity_name, 'SH010');
  // Assignment notifies the assignee.
  const n = await vendor.c.get('/api/v1/me/notifications?unread=true');
  assert.equal(n.headers.get('x-unread-count'), '1');
  assert.equal(n.json.items[0].kind, 'assignment');
});

test('status rules: an artist cannot approve, a vendor sees and moves only its people\'s tasks, a client only reviews', async () => {
  const t = tasks[0];
  const wip = assertOk(await artist.c.patch(`/api/v1/tasks/${t.id}`, { status_id: st.wip.id }), 200);
  assert.equal(wip.status, 'wip');
  assertProblem(await artist.c.patch(`/api/v1/tasks/${t.id}`, { status_id: st.approved.id }), 403, 'status-not-allowed');
  assert.equal((await artist.c.get(`/api/v1/tasks/${t.id}`)).json.status, 'wip', 'nothing changed');
  // Vendor: the comp task assigned to its member is visible, to both vendor people.
  const vt = assertOk(await vendorB.c.get(`${P()}/tasks`), 200).items;
  assert.deepEqual(vt.map((x) => x.task_type), ['Comp']);
  assertProblem(await vendor.c.get(`/api/v1/tasks/${t.id}`), 404, 'not-found');
  assertProblem(await vendor.c.patch(`/api/v1/tasks/${vt[0].id}`, { due_date: '2026-12-31' }), 403, 'production-role');
  assertOk(await vendor.c.patch(`/api/v1/tasks/${vt[0].id}`, { status_id: st.wfa.id }), 200);
  // Client: sees what waits for approval, may approve or ask for a retake, nothing else.
  const ct = assertOk(await client.c.get(`${P()}/tasks`), 200).items;
  assert.deepEqual(ct.map((x) => x.id), [vt[0].id]);
  assertProblem(await client.c.patch(`/api/v1/tasks/${vt[0].id}`, { status_id: st.wip.id }), 403, 'status-not-allowed');
  assertProblem(await client.c.patch(`/api/v1/tasks/${vt[0].id}`, { priority: 3 }), 403, 'production-role');
  const rt = assertOk(await client.c.patch(`/api/v1/tasks/${vt[0].id}`, { status_id: st.retake.id }), 200);
  assert.equal(rt.retake_count, 1);
  assertProblem(await client.c.get(`/api/v1/tasks/${t.id}`), 404, 'not-found');
  // The supervisor approves anything.
  assertOk(await sup.c.patch(`/api/v1/tasks/${t.id}`, { status_id: st.approved.id }), 200);
  // Another project's status is not a status here.
  assertProblem(await sup.c.patch(`/api/v1/tasks/${t.id}`, { status_id: '00000000-0000-7000-8000-000000000000' }), 422, 'validation', { fields: ['status_id'] });
});

test('bulk: many tasks at once, all or nothing', async () => {
  const ids = tasks.slice(1).map((t) => t.id);
  const r = assertOk(await artist.c.post(`${P()}/tasks/bulk`, { task_ids: ids, status_id: st.wip.id, assignees: [artist.id] }), 200);
  assert.equal(r.changed, 3);
  const after = assertOk(await artist.c.get(`${P()}/tasks?assignee=${artist.id}`), 200).items;
  assert.equal(after.length, 3);
  assert.ok(after.every((t) => t.status === 'wip'));
  // One foreign id: nothing changes.
  const theirs = assertOk(await outsider.c.post(`/api/v1/projects/${other.id}/production/setup`, {}), 201);
  assert.ok(theirs.task_statuses.length);
  assertProblem(await sup.c.post(`${P()}/tasks/bulk`, { task_ids: [...ids, '00000000-0000-7000-8000-000000000001'], status_id: st.done.id }), 422, 'validation', { fields: ['task_ids[3]'] });
  assert.ok((await artist.c.get(`${P()}/tasks?assignee=${artist.id}`)).json.items.every((t) => t.status === 'wip'));
  assertProblem(await artist.c.post(`${P()}/tasks/bulk`, { task_ids: ids, status_id: st.done.id }), 403, 'status-not-allowed');
  // Add people to many tasks, or take them off, without touching the others assigned.
  const before = (await sup.c.get('/api/v1/me/notifications')).json.items.length;
  assertOk(await artist.c.post(`${P()}/tasks/bulk`, { task_ids: ids, add_assignees: [sup.id] }), 200);
  for (const id of ids) assert.deepEqual(new Set((await sup.c.get(`/api/v1/tasks/${id}`)).json.assignees), new Set([artist.id, sup.id]));
  const notes = (await sup.c.get('/api/v1/me/notifications')).json.items;
  assert.equal(notes.length - before, ids.length, 'one assignment notice per task');
  assertOk(await artist.c.post(`${P()}/tasks/bulk`, { task_ids: ids, add_assignees: [sup.id] }), 200);
  assert.equal((await sup.c.get('/api/v1/me/notifications')).json.items.length, notes.length, 'no notice twice');
  assertOk(await artist.c.post(`${P()}/tasks/bulk`, { task_ids: ids, remove_assignees: [sup.id] }), 200);
  for (const id of ids) assert.deepEqual((await sup.c.get(`/api/v1/tasks/${id}`)).json.assignees, [artist.id]);
  assertProblem(await artist.c.post(`${P()}/tasks/bulk`, { task_ids: ids, assignees: [], add_assignees: [sup.id] }), 422, 'validation', { fields: ['assignees'] });
  assertProblem(await artist.c.post(`${P()}/tasks/bulk`, { task_ids: ids, add_assignees: [outsider.id] }), 422, 'validation', { fields: ['add_assignees'] });
  assertProblem(await artist.c.post(`${P()}/tasks/bulk`, { task_ids: ids, remove_assignees: ['nope'] }), 422, 'validation', { fields: ['remove_assignees'] });
  assertProblem(await client.c.post(`${P()}/tasks/bulk`, { task_ids: ids, add_assignees: [sup.id] }), 403, 'production-role');
});

test('the grid: shots x task types, cells with status and assignees; filtered per role', async () => {
  const g = assertOk(await artist.c.get(`${P()}/grid?entity_type_id=${shotType.id}&ancestor_id=${ep1.id}`), 200);
  assert.deepEqual(g.columns.map((c) => c.name).slice(0, 3), ['Storyboard', 'Layout', 'Animation']);
  assert.deepEqual(g.rows.map((r) => r.name), ['SH010', 'SH020', 'SH030', 'SH040']);
  assert.equal(g.rows[0].tasks[anim.id].status_id, st.approved.id);
  assert.deepEqual(g.rows[0].tasks[comp.id].assignees, [vendor.id]);
  assert.equal(g.rows[1].tasks[comp.id], undefined);
  const byParent = assertOk(await artist.c.get(`${P()}/grid?entity_type_id=${shotType.id}&parent_id=${sq1.id}`), 200);
  assert.equal(byParent.rows.length, 4);
  const v = assertOk(await vendor.c.get(`${P()}/grid?entity_type_id=${shotType.id}`), 200);
  assert.deepEqual(v.rows.map((r) => r.name), ['SH010']);
  assert.deepEqual(Object.keys(v.rows[0].tasks), [comp.id]);
  assertProblem(await artist.c.get(`${P()}/grid`), 400, 'bad-query');
  assertProblem(await outsider.c.get(`${P()}/grid?entity_type_id=${shotType.id}`), 404, 'not-found');
});

test('the grid of a sequence of 600 shots: every row has its cells', async () => {
  const sq = assertOk(await artist.c.post(`${P()}/entities`, { type_id: seqType.id, parent_id: ep1.id, name: 'SQ900' }), 201);
  const ids = [];
  for (let i = 0; i < 600; i += 50) {
    const made = await Promise.all(Array.from({ length: 50 }, (_, k) =>
      artist.c.post(`${P()}/entities`, { type_id: shotType.id, parent_id: sq.id, name: `SH${String(i + k + 1).padStart(4, '0')}` })));
    for (const m of made) ids.push(assertOk(m, 201).id);
  }
  assertOk(await artist.c.post(`${P()}/tasks`, { task_type_id: anim.id, entity_ids: ids }), 201);
  assertOk(await artist.c.post(`${P()}/tasks`, { task_type_id: comp.id, entity_ids: ids.slice(300) }), 201);
  const g = assertOk(await artist.c.get(`${P()}/grid?entity_type_id=${shotType.id}&parent_id=${sq.id}`), 200);
  assert.equal(g.rows.length, 600);
  assert.ok(g.rows.every((r) => r.tasks[anim.id] && r.tasks[anim.id].status_id === st.todo.id), 'an Animation cell in every row');
  assert.deepEqual(g.rows.map((r) => Boolean(r.tasks[comp.id])), ids.map((_, i) => i >= 300), 'Comp cells in the second half only');
  for (const id of ids) assertOk(await sup.c.del(`/api/v1/entities/${id}`), 204);
});

test('the grid cache: served again until a production write, then rebuilt; ETag and 304', async () => {
  const url = `${P()}/grid?entity_type_id=${shotType.id}&ancestor_id=${ep1.id}`;
  const a = await artist.c.get(url);
  const etag = a.headers.get('etag');
  assert.match(etag, /^"grid-\d+-a-gz"$/, 'node asks for gzip, as browsers do');
  assert.equal(a.headers.get('content-encoding'), 'gzip');
  assert.equal(a.headers.get('vary'), 'Accept-Encoding');
  const plain = await artist.c.get(url, { headers: { 'Accept-Encoding': 'identity' } });
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.match(plain.headers.get('etag'), /^"grid-\d+-a"$/);
  assert.equal(plain.text, a.text, 'the same JSON either way');
  assert.equal((await artist.c.get(url, { headers: { 'Accept-Encoding': 'gzip;q=0' } })).headers.get('content-encoding'), null);
  const again = await sup.c.get(url);
  assert.equal(again.text, a.text, 'the same bytes for another member who sees everything');
  assert.equal((await artist.c.get(url, { headers: { 'If-None-Match': etag } })).status, 304);
  // A client sees its own, status-filtered grid, not the cached full one.
  const cg = assertOk(await client.c.get(url), 200);
  assert.notEqual(cg.rows.length, a.json.rows.length);
  assert.ok(cg.rows.every((r) => Object.keys(r.tasks).length > 0));
  // A write through any route raises the revision: the next grid shows it.
  const cell = a.json.rows[0].tasks[anim.id];
  const t = assertOk(await sup.c.get(`/api/v1/tasks/${cell.id}`), 200);
  assertOk(await sup.c.patch(`/api/v1/tasks/${cell.id}`, { priority: (t.priority + 1) % 4 }, { headers: { 'If-Match': `"${t.version}"` } }), 200);
  const b = await artist.c.get(url, { headers: { 'If-None-Match': etag } });
  assert.equal(b.status, 200);
  assert.notEqual(b.headers.get('etag'), etag);
  assert.equal(b.json.rows[0].tasks[anim.id].priority, (t.priority + 1) % 4);
  // A vendor's grid is never the cached one.
  const v = assertOk(await vendor.c.get(url), 200);
  assert.ok(v.rows.length < b.json.rows.length);
  assert.equal((await vendor.c.get(url)).headers.get('etag'), null);
});

test('my tasks across projects; comments with a status change, mentions and notifications', async () => {
  const mine = assertOk(await artist.c.get('/api/v1/me/tasks?done=false'), 200).items;
  assert.equal(mine.length, 3);
  const t = mine[0];
  const c = assertOk(await artist.c.post(`/api/v1/tasks/${t.id}/comments`, {
    text: '@Supervisor ready for a look', status_id: st.wfa.id, mentions: [sup.id],
    checklist: [{ text: 'motion blur', checked: true }, { text: 'contact shadows', checked: false }],
  }), 201);
  assert.equal(c.status, 'wfa');
  assert.equal(c.author_name, 'Artist');
  assert.equal(c.checklist.length, 2);
  assert.equal((await artist.c.get(`/api/v1/tasks/${t.id}`)).json.status, 'wfa');
  const n = assertOk(await sup.c.get('/api/v1/me/notifications'), 200);
  assert.ok(n.items.some((x) => x.kind === 'mention' && x.task_id === t.id && x.actor_name === 'Artist'));
  const unread = Number((await sup.c.get('/api/v1/me/notifications')).headers.get('x-unread-count'));
  const read = assertOk(await sup.c.post('/api/v1/me/notifications/read', { all: true }), 200);
  assert.equal(read.read, unread);
  assert.equal((await sup.c.get('/api/v1/me/notifications')).headers.get('x-unread-count'), '0');
  // The client now sees it (waiting for approval), comments and asks for a retake.
  assertOk(await client.c.post(`/api/v1/tasks/${t.id}/comments`, { text: '请修改 Please change the sky', status_id: st.retake.id }), 201);
  const thread = assertOk(await artist.c.get(`/api/v1/tasks/${t.id}/comments`), 200).items;
  assert.deepEqual(thread.map((x) => x.status), ['wfa', 'retake']);
  const an = assertOk(await artist.c.get('/api/v1/me/notifications?unread=true'), 200).items;
  assert.ok(an.some((x) => x.kind === 'status' || x.kind === 'comment'), 'the follower hears of it');
  // Unhappy paths.
  assertProblem(await artist.c.post(`/api/v1/tasks/${t.id}/comments`, { text: '' }), 422, 'validation', { fields: ['text'] });
  assertProblem(await artist.c.post(`/api/v1/tasks/${t.id}/comments`, { text: 'hi', mentions: [outsider.id] }), 422, 'validation', { fields: ['mentions'] });
  assertProblem(await artist.c.post(`/api/v1/tasks/${t.id}/comments`, { text: 'x', attachments: ['00000000-0000-7000-8000-000000000000'] }), 422, 'validation', { fields: ['attachments'] });
  assertProblem(await artist.c.post(`/api/v1/tasks/${t.id}/comments`, { text: 'ok', status_id: st.approved.id }), 403, 'status-not-allowed');
  assertProblem(await outsider.c.get(`/api/v1/tasks/${t.id}/comments`), 404, 'not-found');
  assertProblem(await sup.c.post('/api/v1/me/notifications/read', {}), 422, 'validation');
});

test('delete a task with If-Match; only supervisors', async () => {
  const t = tasks[3];
  assertProblem(await artist.c.del(`/api/v1/tasks/${t.id}`), 403, 'production-role');
  const g = await sup.c.get(`/api/v1/tasks/${t.id}`);
  assertProblem(await sup.c.del(`/api/v1/tasks/${t.id}`, { headers: { 'If-Match': '"999"' } }), 412, 'stale-version');
  assert.equal((await sup.c.del(`/api/v1/tasks/${t.id}`, { headers: { 'If-Match': etag(g) } })).status, 204);
  assertProblem(await sup.c.get(`/api/v1/tasks/${t.id}`), 404, 'not-found');
});
