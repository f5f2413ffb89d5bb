// The production schedule over the API: task dependencies (finish-to-start with a lag, no
// cycles, one project), milestones, time logs (minutes per person and day, a day holds 24 h,
// task.time_spent is their sum), the workload per person and ISO week, the Gantt data with
// the critical path and slack on a small known graph, progress statistics and the burn-up
// chart from the status history. Every answer respects the production roles: a vendor sees
// only its people's tasks, a client only what was sent for review, an outsider nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg, mkProject, addMember, etag, sql } from './helpers.mjs';

let srv, sup, artist, client, vendor, outsider, org, vorg, corg, project, other;
let st, anim, comp, layout, modeling, epType, seqType, shotType, charType;
let ep1, ep2, sq1, sq2, shots, shots2, hero, otherTask, otherEp;

const P = () => `/api/v1/projects/${project.id}`;
const T = (id) => `/api/v1/tasks/${id}`;
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

before(async () => {
  srv = await startServer();
  sup = await person(srv, 'sup', '监制 Supervisor');
  artist = await person(srv, 'artist', 'Artist');
  client = await person(srv, 'client', 'Client');
  vendor = await person(srv, 'vendor', 'Vendor');
  outsider = await person(srv, 'outsider', 'Outsider');
  org = await mkOrg(sup.c, 'Studio');
  await addMember(sup.c, org.id, artist.id, 'member');
  project = await mkProject(sup.c, org.id, 'Series 1');
  vorg = await mkOrg(vendor.c, 'VFX House');
  corg = await mkOrg(client.c, 'Broadcaster', 'broadcaster');
  assertOk(await sup.c.post(`${P()}/partners`, { org_id: vorg.id, role: 'vendor' }), 201);
  assertOk(await sup.c.post(`${P()}/partners`, { org_id: corg.id, role: 'client' }), 201);
  const voc = assertOk(await sup.c.post(`${P()}/production/setup`, { template: 'series' }), 201);
  [epType, seqType, shotType, charType] = voc.entity_types;
  st = Object.fromEntries(voc.task_statuses.map((s) => [s.short_name, s]));
  anim = voc.task_types.find((t) => t.name === 'Animation');
  comp = voc.task_types.find((t) => t.name === 'Comp');
  layout = voc.task_types.find((t) => t.name === 'Layout');
  modeling = voc.task_types.find((t) => t.name === 'Modeling');
  const mk = async (body) => assertOk(await sup.c.post(`${P()}/entities`, body), 201);
  ep1 = await mk({ type_id: epType.id, name: 'EP01' });
  ep2 = await mk({ type_id: epType.id, name: 'EP02' });
  sq1 = await mk({ type_id: seqType.id, parent_id: ep1.id, name: 'SQ010' });
  sq2 = await mk({ type_id: seqType.id, parent_id: ep2.id, name: 'SQ020' });
  shots = [];
  for (let i = 1; i <= 5; i++) shots.push(await mk({ type_id: shotType.id, parent_id: sq1.id, name: `SH0${i}0` }));
  shots2 = [];
  for (let i = 6; i <= 8; i++) shots2.push(await mk({ type_id: shotType.id, parent_id: sq2.id, name: `SH0${i}0` }));
  hero = await mk({ type_id: charType.id, name: '小明 Hero' });
  // Another organization's project, with a task and an episode of its own.
  const oorg = await mkOrg(outsider.c, 'Elsewhere');
  other = await mkProject(outsider.c, oorg.id, 'Theirs');
  const ovoc = assertOk(await outsider.c.post(`/api/v1/projects/${other.id}/production/setup`, { template: 'series' }), 201);
  otherEp = assertOk(await outsider.c.post(`/api/v1/projects/${other.id}/entities`, { type_id: ovoc.entity_types[0].id, name: 'EP01' }), 201);
  otherTask = assertOk(await outsider.c.post(`/api/v1/projects/${other.id}/tasks`, { task_type_id: ovoc.task_types.find((t) => t.for_kind === 'episode').id, entity_id: otherEp.id }), 201);
});
after(async () => { await srv.stop(); });

const task = async (c, type, entity, extra = {}) =>
  assertOk(await c.post(`${P()}/tasks`, { task_type_id: type.id, entity_id: entity.id, ...extra }), 201);

// The known graph (calendar days; 2030-01-07 is a Monday):
//   A 01-07..01-09            B 01-10..01-14 after A       C 01-10..01-11 after A + 1 day
//   D 01-15..01-16 after B, C E 01-08..01-10 alone
// Forward: ES(B)=10, ES(C)=11 (C is planned a day early: violated), ES(D)=15, end 01-16.
// Backward: LF(B)=14 -> slack 0; LF(C)=14, LS 13, ES 11 -> slack 2; A slack 0; E slack 6.
// Critical path A, B, D.
let A, B, C, D, E, dAB;
test('dependencies: finish-to-start with a lag, same project, visible tasks, no cycles, planners only', async () => {
  A = await task(artist.c, anim, shots[0], { start_date: '2030-01-07', due_date: '2030-01-09' });
  B = await task(artist.c, anim, shots[1], { start_date: '2030-01-10', due_date: '2030-01-14', assignees: [vendor.id] });
  C = await task(artist.c, anim, shots[2], { start_date: '2030-01-10', due_date: '2030-01-11' });
  D = await task(artist.c, anim, shots[3], { start_date: '2030-01-15', due_date: '2030-01-16', assignees: [vendor.id] });
  E = await task(artist.c, anim, shots[4], { start_date: '2030-01-08', due_date: '2030-01-10' });
  dAB = assertOk(await artist.c.post(`${T(B.id)}/dependencies`, { depends_on: A.id }), 201);
  assert.deepEqual({ ...dAB, id: undefined }, { id: undefined, task_id: B.id, depends_on: A.id, lag_days: 0 });
  const dAC = assertOk(await sup.c.post(`${T(C.id)}/dependencies`, { depends_on: A.id, lag_days: 1 }), 201);
  assert.equal(dAC.lag_days, 1);
  assertOk(await artist.c.post(`${T(D.id)}/dependencies`, { depends_on: B.id }), 201);
  assertOk(await artist.c.post(`${T(D.id)}/dependencies`, { depends_on: C.id }), 201);
  // Cycles, direct and through others, are refused and change nothing.
  assertProblem(await artist.c.post(`${T(A.id)}/dependencies`, { depends_on: D.id }), 409, 'dependency-cycle');
  assertProblem(await artist.c.post(`${T(A.id)}/dependencies`, { depends_on: B.id }), 409, 'dependency-cycle');
  assertProblem(await artist.c.post(`${T(B.id)}/dependencies`, { depends_on: D.id }), 409, 'dependency-cycle');
  assertProblem(await artist.c.post(`${T(A.id)}/dependencies`, { depends_on: A.id }), 422, 'validation', { fields: ['depends_on'] });
  assertProblem(await artist.c.post(`${T(B.id)}/dependencies`, { depends_on: A.id }), 409, 'dependency-exists');
  // Bad input and other projects.
  assertProblem(await artist.c.post(`${T(B.id)}/dependencies`, { depends_on: otherTask.id }), 422, 'validation', { fields: ['depends_on'] });
  assertProblem(await artist.c.post(`${T(B.id)}/dependencies`, { depends_on: 'nope' }), 422, 'validation', { fields: ['depends_on'] });
  assertProblem(await artist.c.post(`${T(B.id)}/dependencies`, { depends_on: E.id, lag_days: 400 }), 422, 'validation', { fields: ['lag_days'] });
  assertProblem(await artist.c.post(`${T(B.id)}/dependencies`, { depends_on: E.id, lag_days: '1' }), 422, 'validation', { fields: ['lag_days'] });
  assertProblem(await artist.c.post(`${T(B.id)}/dependencies`, {}), 422, 'validation', { fields: ['depends_on'] });
  assertProblem(await outsider.c.post(`${T(otherTask.id)}/dependencies`, { depends_on: A.id }), 422, 'validation', { fields: ['depends_on'] });
  assertProblem(await outsider.c.post(`${T(B.id)}/dependencies`, { depends_on: E.id }), 404, 'not-found');
  // Roles: a vendor sees B but plans nothing; A is not even visible to it; a client sees neither.
  assertProblem(await vendor.c.post(`${T(D.id)}/dependencies`, { depends_on: B.id }), 403, 'production-role');
  assertProblem(await vendor.c.post(`${T(A.id)}/dependencies`, { depends_on: E.id }), 404, 'not-found');
  assertProblem(await client.c.post(`${T(B.id)}/dependencies`, { depends_on: E.id }), 404, 'not-found');
  // Both directions from one task; a vendor sees only the links between its tasks.
  const deps = assertOk(await artist.c.get(`${T(B.id)}/dependencies`), 200);
  assert.deepEqual(deps.predecessors.map((d) => d.depends_on), [A.id]);
  assert.deepEqual(deps.successors.map((d) => d.task_id), [D.id]);
  assert.equal(deps.predecessors[0].entity_name, 'SH010');
  const vdeps = assertOk(await vendor.c.get(`${T(B.id)}/dependencies`), 200);
  assert.deepEqual(vdeps.predecessors, []);
  assert.deepEqual(vdeps.successors.map((d) => d.task_id), [D.id]);
  assertProblem(await client.c.get(`${T(B.id)}/dependencies`), 404, 'not-found');
  // Delete: planners only; unknown and invisible ones are 404.
  const tmp = assertOk(await artist.c.post(`${T(E.id)}/dependencies`, { depends_on: B.id }), 201);
  const vd = (await vendor.c.get(`${T(D.id)}/dependencies`)).json.predecessors.find((d) => d.depends_on === B.id);
  assertProblem(await vendor.c.del(`/api/v1/dependencies/${vd.id}`), 403, 'production-role');
  assertProblem(await vendor.c.del(`/api/v1/dependencies/${tmp.id}`), 404, 'not-found');
  assertProblem(await outsider.c.del(`/api/v1/dependencies/${tmp.id}`), 404, 'not-found');
  assertOk(await artist.c.del(`/api/v1/dependencies/${tmp.id}`), 204);
  assertProblem(await artist.c.del(`/api/v1/dependencies/${tmp.id}`), 404, 'not-found');
});

test('Gantt data: durations, the critical path by CPM with exact slack, violated dependencies, filters', async () => {
  const g = assertOk(await artist.c.get(`${P()}/schedule?task_type_id=${anim.id}`), 200);
  const by = Object.fromEntries(g.tasks.map((t) => [t.id, t]));
  assert.equal(g.tasks.length, 5);
  assert.deepEqual(g.critical_path, [A.id, B.id, D.id]);
  assert.deepEqual([A, B, C, D, E].map((t) => by[t.id].slack_days), [0, 0, 2, 0, 6]);
  assert.deepEqual([A, B, C, D, E].map((t) => by[t.id].critical), [true, true, false, true, false]);
  // Working days: Mon-Wed 3, Thu-Mon 3, Thu-Fri 2, Tue-Wed 2, Tue-Thu 3.
  assert.deepEqual([A, B, C, D, E].map((t) => by[t.id].duration_days), [3, 3, 2, 2, 3]);
  assert.equal(by[C.id].early_start, '2030-01-11');
  assert.equal(by[C.id].late_finish, '2030-01-14');
  assert.equal(g.project_start, '2030-01-07');
  assert.equal(g.project_end, '2030-01-16');
  assert.equal(g.today, new Date().toISOString().slice(0, 10));
  const t0 = by[B.id];
  for (const k of ['id', 'entity_id', 'entity_name', 'parent_name', 'task_type_id', 'task_type_name', 'color', 'status_id', 'is_done', 'assignees', 'start_date', 'due_date', 'estimate', 'duration_days', 'slack_days', 'critical', 'late']) {
    assert.ok(k in t0, `task has ${k}`);
  }
  assert.equal(t0.entity_name, 'SH020');
  assert.equal(t0.parent_name, 'SQ010');
  assert.equal(t0.task_type_name, 'Animation');
  assert.deepEqual(t0.assignees, [vendor.id]);
  assert.equal(t0.late, false);
  const viol = Object.fromEntries(g.dependencies.map((d) => [`${d.depends_on}>${d.task_id}`, d.violated]));
  assert.deepEqual(viol, { [`${A.id}>${B.id}`]: false, [`${A.id}>${C.id}`]: true, [`${B.id}>${D.id}`]: false, [`${C.id}>${D.id}`]: false });
  // Moving C a day later settles it; moving D earlier than B's end violates B -> D and pushes D.
  const c0 = await artist.c.get(T(C.id));
  assertOk(await artist.c.patch(T(C.id), { start_date: '2030-01-11', due_date: '2030-01-12' }, { headers: { 'If-Match': etag(c0) } }), 200);
  const g2 = assertOk(await artist.c.get(`${P()}/schedule?task_type_id=${anim.id}`), 200);
  assert.ok(g2.dependencies.every((d) => !d.violated));
  assert.equal(g2.tasks.find((t) => t.id === C.id).slack_days, 2);
  assert.equal(g2.tasks.find((t) => t.id === C.id).early_start, '2030-01-11');
  // Filters: an episode (all its shots), a sequence, one entity, an assignee, "me".
  const ep = assertOk(await artist.c.get(`${P()}/schedule?parent_id=${ep1.id}&task_type_id=${anim.id}`), 200);
  assert.equal(ep.tasks.length, 5);
  assert.equal(assertOk(await artist.c.get(`${P()}/schedule?parent_id=${ep2.id}&task_type_id=${anim.id}`), 200).tasks.length, 0);
  assert.equal(assertOk(await artist.c.get(`${P()}/schedule?parent_id=${sq1.id}&task_type_id=${anim.id}`), 200).tasks.length, 5);
  const one = assertOk(await artist.c.get(`${P()}/schedule?parent_id=${shots[1].id}`), 200);
  assert.deepEqual(one.tasks.map((t) => t.id), [B.id]);
  assert.deepEqual(one.dependencies, [], 'only links between tasks of the answer');
  assert.deepEqual(one.critical_path, [B.id]);
  const va = assertOk(await artist.c.get(`${P()}/schedule?assignee=${vendor.id}&task_type_id=${anim.id}`), 200);
  assert.deepEqual(va.tasks.map((t) => t.id).sort(), [B.id, D.id].sort());
  assert.equal(assertOk(await vendor.c.get(`${P()}/schedule?assignee=me&task_type_id=${anim.id}`), 200).tasks.length, 2);
  assertProblem(await artist.c.get(`${P()}/schedule?colour=red`), 400, 'bad-query', { fields: ['colour'] });
  // Roles: the vendor sees its two tasks and the link between them; the client what was sent to it.
  const vg = assertOk(await vendor.c.get(`${P()}/schedule?task_type_id=${anim.id}`), 200);
  assert.deepEqual(vg.tasks.map((t) => t.id), [B.id, D.id]);
  assert.deepEqual(vg.dependencies.map((d) => [d.depends_on, d.task_id]), [[B.id, D.id]]);
  assert.equal(assertOk(await client.c.get(`${P()}/schedule`), 200).tasks.length, 0);
  const e0 = await sup.c.get(T(E.id));
  assertOk(await sup.c.patch(T(E.id), { status_id: st.wfa.id }, { headers: { 'If-Match': etag(e0) } }), 200);
  assert.deepEqual(assertOk(await client.c.get(`${P()}/schedule`), 200).tasks.map((t) => t.id), [E.id]);
  assertProblem(await outsider.c.get(`${P()}/schedule`), 404, 'not-found');
});

test('late tasks: due before today and not done', async () => {
  const late = await task(artist.c, layout, shots2[0], { due_date: day(-3) });
  const soon = await task(artist.c, layout, shots2[1], { due_date: day(3) });
  const doneLate = await task(sup.c, layout, shots2[2], { due_date: day(-3), status_id: st.done.id });
  const g = assertOk(await artist.c.get(`${P()}/schedule?task_type_id=${layout.id}`), 200);
  const by = Object.fromEntries(g.tasks.map((t) => [t.id, t]));
  assert.equal(by[late.id].late, true);
  assert.equal(by[soon.id].late, false);
  assert.equal(by[doneLate.id].late, false);
  assert.equal(by[late.id].duration_days, [0, 6].includes(new Date(Date.now() - 3 * 86400000).getUTCDay()) ? 0 : 1);
});

let M;
test('milestones: per project or for an episode of it, planners only, If-Match', async () => {
  M = assertOk(await artist.c.post(`${P()}/milestones`, { name: '交片 Delivery', date: '2030-01-20', entity_id: ep1.id, color: '#ff0000' }), 201);
  assert.equal(M.entity_name, 'EP01');
  assert.equal(M.project_id, project.id);
  const M2 = assertOk(await sup.c.post(`${P()}/milestones`, { name: 'Lock', date: '2030-01-05' }), 201);
  assert.equal(M2.entity_id, null);
  assert.equal(M2.color, '#e67e22');
  assertProblem(await artist.c.post(`${P()}/milestones`, { name: 'X', date: '2030-02-30' }), 422, 'validation', { fields: ['date'] });
  assertProblem(await artist.c.post(`${P()}/milestones`, { name: 'X', date: '2030-01-05', color: 'red' }), 422, 'validation', { fields: ['color'] });
  assertProblem(await artist.c.post(`${P()}/milestones`, { name: '', date: '2030-01-05' }), 422, 'validation', { fields: ['name'] });
  assertProblem(await artist.c.post(`${P()}/milestones`, { name: 'X', date: '2030-01-05', entity_id: shots[0].id }), 422, 'validation', { fields: ['entity_id'] });
  assertProblem(await artist.c.post(`${P()}/milestones`, { name: 'X', date: '2030-01-05', entity_id: otherEp.id }), 422, 'validation', { fields: ['entity_id'] });
  assertProblem(await vendor.c.post(`${P()}/milestones`, { name: 'X', date: '2030-01-05' }), 403, 'production-role');
  assertProblem(await client.c.post(`${P()}/milestones`, { name: 'X', date: '2030-01-05' }), 403, 'production-role');
  assertProblem(await outsider.c.post(`${P()}/milestones`, { name: 'X', date: '2030-01-05' }), 404, 'not-found');
  const list = assertOk(await client.c.get(`${P()}/milestones`), 200);
  assert.deepEqual(list.items.map((m) => m.name), ['Lock', '交片 Delivery']);
  assert.deepEqual(assertOk(await artist.c.get(`${P()}/milestones?entity_id=${ep1.id}`), 200).items.map((m) => m.id), [M.id]);
  assertProblem(await outsider.c.get(`${P()}/milestones`), 404, 'not-found');
  // PATCH and DELETE with If-Match.
  const upd = await artist.c.patch(`/api/v1/milestones/${M.id}`, { date: '2030-01-21' }, { headers: { 'If-Match': '"1"' } });
  assertOk(upd, 200);
  assert.equal(upd.json.date, '2030-01-21');
  assert.equal(upd.json.name, '交片 Delivery');
  assertProblem(await artist.c.patch(`/api/v1/milestones/${M.id}`, { name: 'Y' }, { headers: { 'If-Match': '"1"' } }), 412, 'stale-version');
  assertProblem(await artist.c.patch(`/api/v1/milestones/${M.id}`, { entity_id: hero.id }), 422, 'validation', { fields: ['entity_id'] });
  assertProblem(await artist.c.patch(`/api/v1/milestones/${M.id}`, { date: 'tomorrow' }), 422, 'validation', { fields: ['date'] });
  assertProblem(await vendor.c.patch(`/api/v1/milestones/${M.id}`, { name: 'Y' }), 403, 'production-role');
  assertProblem(await outsider.c.patch(`/api/v1/milestones/${M.id}`, { name: 'Y' }), 404, 'not-found');
  assert.equal((await artist.c.get(`${P()}/milestones?entity_id=${ep1.id}`)).json.items[0].name, '交片 Delivery');
  const ms = assertOk(await artist.c.get(`${P()}/schedule?parent_id=${ep2.id}`), 200).milestones;
  assert.deepEqual(ms.map((m) => m.name), ['Lock'], 'an episode\'s Gantt shows its milestones and the project\'s');
  assert.deepEqual(assertOk(await artist.c.get(`${P()}/schedule?parent_id=${sq1.id}`), 200).milestones.map((m) => m.name), ['Lock', '交片 Delivery']);
  assertProblem(await vendor.c.del(`/api/v1/milestones/${M2.id}`), 403, 'production-role');
  assertProblem(await artist.c.del(`/api/v1/milestones/${M2.id}`, { headers: { 'If-Match': '"7"' } }), 412, 'stale-version');
  assertOk(await artist.c.del(`/api/v1/milestones/${M2.id}`), 204);
  assertProblem(await artist.c.del(`/api/v1/milestones/${M2.id}`), 404, 'not-found');
});

// Workload example (2026-01-05 is a Monday, ISO week 2026-W02):
//   W1 comp SH010  01-05..01-16, 600 min, artist       -> 60 a working day: W02 300, W03 300
//   W2 comp SH020  due 01-14 only, 120 min, artist+sup -> 60 each in W03
//   W3 comp SH030  01-10..01-11 (a weekend), 90 min    -> all in the due week, W02
//   W4 comp SH040  01-12..01-14, no estimate, vendor   -> a task in W03, 0 planned
let W1, W2, W3, W4;
test('time logs: own time on visible tasks, supervisors for others, 1..1440 a day across tasks, time_spent is the sum', async () => {
  W1 = await task(artist.c, comp, shots[0], { start_date: '2026-01-05', due_date: '2026-01-16', estimate: 600, assignees: [artist.id] });
  W2 = await task(artist.c, comp, shots[1], { due_date: '2026-01-14', estimate: 120, assignees: [artist.id, sup.id] });
  W3 = await task(artist.c, comp, shots[2], { start_date: '2026-01-10', due_date: '2026-01-11', estimate: 90, assignees: [artist.id] });
  W4 = await task(artist.c, comp, shots[3], { start_date: '2026-01-12', due_date: '2026-01-14', assignees: [vendor.id] });
  const L = (t, d) => `${T(t.id)}/time-logs/${d}`;
  const a = assertOk(await artist.c.put(L(W1, '2026-01-06'), { minutes: 90 }), 200);
  assert.equal(a.minutes, 90);
  assert.equal(a.user_id, artist.id);
  assert.equal(a.day, '2026-01-06');
  assert.equal(a.time_spent, 90);
  assertOk(await artist.c.put(L(W1, '2026-01-13'), { minutes: 30 }), 200);
  assert.equal(assertOk(await artist.c.get(T(W1.id)), 200).time_spent, 120);
  // Replace, then delete with 0.
  assertOk(await artist.c.put(L(W1, '2026-01-07'), { minutes: 200 }), 200);
  assert.equal(assertOk(await artist.c.put(L(W1, '2026-01-07'), { minutes: 100 }), 200).time_spent, 220);
  const del = assertOk(await artist.c.put(L(W1, '2026-01-07'), { minutes: 0 }), 200);
  assert.equal(del.id, null);
  assert.equal(del.time_spent, 120);
  // A day holds 24 hours across every task.
  assertOk(await artist.c.put(L(W2, '2026-01-08'), { minutes: 1000 }), 200);
  assertProblem(await artist.c.put(L(W3, '2026-01-08'), { minutes: 441 }), 422, 'validation', { fields: ['minutes'] });
  assertOk(await artist.c.put(L(W3, '2026-01-08'), { minutes: 440 }), 200);
  assertOk(await artist.c.put(L(W2, '2026-01-08'), { minutes: 1000 }), 200, 'replacing a log is not adding to it');
  assertProblem(await artist.c.put(L(W2, '2026-01-08'), { minutes: 1001 }), 422, 'validation', { fields: ['minutes'] });
  assertOk(await artist.c.put(L(W2, '2026-01-08'), { minutes: 0 }), 200);
  assertOk(await artist.c.put(L(W3, '2026-01-08'), { minutes: 0 }), 200);
  // Bad input changes nothing.
  for (const m of [1441, -1, '60', 1.5, null]) {
    assertProblem(await artist.c.put(L(W1, '2026-01-09'), { minutes: m }), 422, 'validation', { fields: ['minutes'] });
  }
  assertProblem(await artist.c.put(L(W1, '2026-02-30'), { minutes: 10 }), 422, 'validation', { fields: ['day'] });
  assertProblem(await artist.c.put(L(W1, 'today'), { minutes: 10 }), 422, 'validation', { fields: ['day'] });
  assertProblem(await artist.c.put(L(W1, day(5)), { minutes: 10 }), 422, 'validation', { fields: ['day'] });
  assertProblem(await artist.c.put(L(W1, '2026-01-09'), {}), 422, 'validation', { fields: ['minutes'] });
  // Others: supervisors only, and only people of the project.
  assertProblem(await artist.c.put(L(W1, '2026-01-09'), { minutes: 10, user_id: sup.id }), 403, 'production-role');
  assertProblem(await sup.c.put(L(W1, '2026-01-09'), { minutes: 10, user_id: outsider.id }), 422, 'validation', { fields: ['user_id'] });
  assertOk(await sup.c.put(L(W4, '2026-01-12'), { minutes: 45, user_id: vendor.id }), 200);
  // Roles: a vendor logs on its tasks only, a client not at all, an outsider sees nothing.
  assertOk(await vendor.c.put(L(W4, '2026-01-13'), { minutes: 15 }), 200);
  assertProblem(await vendor.c.put(L(W1, '2026-01-13'), { minutes: 15 }), 404, 'not-found');
  assertProblem(await client.c.put(L(W1, '2026-01-13'), { minutes: 15 }), 404, 'not-found');
  assertProblem(await client.c.put(`${T(E.id)}/time-logs/2026-01-13`, { minutes: 15 }), 403, 'production-role');
  assertProblem(await outsider.c.put(L(W1, '2026-01-13'), { minutes: 15 }), 404, 'not-found');
  assert.equal(assertOk(await artist.c.get(T(W1.id)), 200).time_spent, 120, 'nothing changed');
  // The task's log and the project's per person and day.
  const tl = assertOk(await artist.c.get(`${T(W1.id)}/time-logs`), 200);
  assert.deepEqual(tl.items.map((l) => [l.day, l.minutes, l.user_name]), [['2026-01-13', 30, 'Artist'], ['2026-01-06', 90, 'Artist']]);
  assert.equal(tl.total, 120);
  assertProblem(await vendor.c.get(`${T(W1.id)}/time-logs`), 404, 'not-found');
  assert.equal(assertOk(await vendor.c.get(`${T(W4.id)}/time-logs`), 200).total, 60);
  const pl = assertOk(await sup.c.get(`${P()}/time-logs?from=2026-01-05&to=2026-01-18`), 200);
  const byUser = Object.fromEntries(pl.people.map((p) => [p.user_id, p]));
  assert.deepEqual(byUser[artist.id].days, { '2026-01-06': 90, '2026-01-13': 30 });
  assert.equal(byUser[artist.id].total, 120);
  assert.deepEqual(byUser[vendor.id].days, { '2026-01-12': 45, '2026-01-13': 15 });
  assert.equal(assertOk(await sup.c.get(`${P()}/time-logs?from=2026-01-05&to=2026-01-18&user_id=${vendor.id}`), 200).people.length, 1);
  const vl = assertOk(await vendor.c.get(`${P()}/time-logs?from=2026-01-05&to=2026-01-18`), 200);
  assert.deepEqual(vl.people.map((p) => p.user_id), [vendor.id], 'a vendor sees the time on its tasks only');
  assert.deepEqual(assertOk(await client.c.get(`${P()}/time-logs?from=2026-01-05&to=2026-01-18`), 200).people, []);
  assertProblem(await sup.c.get(`${P()}/time-logs?from=2026-01-18&to=2026-01-05`), 400, 'bad-query', { fields: ['to'] });
  assertProblem(await sup.c.get(`${P()}/time-logs?from=2026-13-01`), 400, 'bad-query', { fields: ['from'] });
  assertProblem(await sup.c.get(`${P()}/time-logs?from=2024-01-01&to=2026-01-01`), 400, 'bad-query', { fields: ['to'] });
  assertProblem(await outsider.c.get(`${P()}/time-logs`), 404, 'not-found');
});

test('workload: planned minutes spread over working days, logged minutes and tasks per person and ISO week', async () => {
  const w = assertOk(await sup.c.get(`${P()}/workload?from=2026-01-05&to=2026-01-18`), 200);
  assert.deepEqual(w.weeks, ['2026-W02', '2026-W03']);
  const by = Object.fromEntries(w.people.map((p) => [p.user_id, p]));
  assert.equal(by[artist.id].name, 'Artist');
  assert.deepEqual(by[artist.id].weeks, {
    '2026-W02': { planned_minutes: 390, logged_minutes: 90, tasks: 2 },
    '2026-W03': { planned_minutes: 360, logged_minutes: 30, tasks: 2 },
  });
  assert.deepEqual(by[sup.id].weeks, {
    '2026-W02': { planned_minutes: 0, logged_minutes: 0, tasks: 0 },
    '2026-W03': { planned_minutes: 60, logged_minutes: 0, tasks: 1 },
  });
  assert.deepEqual(by[vendor.id].weeks['2026-W03'], { planned_minutes: 0, logged_minutes: 60, tasks: 1 });
  // Only the part inside from..to counts.
  const part = assertOk(await sup.c.get(`${P()}/workload?from=2026-01-08&to=2026-01-13`), 200);
  const ap = part.people.find((p) => p.user_id === artist.id);
  assert.deepEqual(ap.weeks, {
    '2026-W02': { planned_minutes: 210, logged_minutes: 0, tasks: 2 },
    '2026-W03': { planned_minutes: 120, logged_minutes: 30, tasks: 1 },
  });
  // A year boundary: 2025-12-29 is in 2026-W01.
  assert.deepEqual(assertOk(await sup.c.get(`${P()}/workload?from=2025-12-22&to=2026-01-04`), 200).weeks, ['2025-W52', '2026-W01']);
  // Roles.
  const vw = assertOk(await vendor.c.get(`${P()}/workload?from=2026-01-05&to=2026-01-18`), 200);
  assert.deepEqual(vw.people.map((p) => p.user_id), [vendor.id]);
  assert.deepEqual(assertOk(await client.c.get(`${P()}/workload?from=2026-01-05&to=2026-01-18`), 200).people, []);
  assertProblem(await outsider.c.get(`${P()}/workload`), 404, 'not-found');
  assertProblem(await sup.c.get(`${P()}/workload?from=2026-01-05&to=2027-06-01`), 400, 'bad-query', { fields: ['to'] });
  assertProblem(await sup.c.get(`${P()}/workload?from=x`), 400, 'bad-query', { fields: ['from'] });
  assertProblem(await sup.c.get(`${P()}/workload?week=1`), 400, 'bad-query', { fields: ['week'] });
  const def = assertOk(await sup.c.get(`${P()}/workload`), 200);
  assert.equal(def.weeks.length, 8);
  const half = assertOk(await sup.c.get(`${P()}/workload?from=2026-01-05`), 200);
  assert.equal(half.to, '2026-03-01', 'one end given: the default length from it');
  assert.equal(half.weeks.length, 8);
});

test('stats: progress per episode or sequence and task type, with what each role may see', async () => {
  const s = assertOk(await artist.c.get(`${P()}/stats`), 200);
  assert.ok(s.task_types.some((t) => t.id === anim.id));
  const g1 = s.groups.find((g) => g.id === ep1.id);
  assert.equal(g1.name, 'EP01');
  assert.equal(g1.by_type[anim.id].total, 5);
  assert.equal(g1.by_type[anim.id].done, 0);
  assert.deepEqual(g1.by_type[anim.id].by_status, { [st.todo.id]: 4, [st.wfa.id]: 1 });
  assert.equal(g1.by_type[comp.id].total, 4);
  assert.equal(g1.by_type[comp.id].estimate_minutes, 810);
  assert.equal(g1.by_type[comp.id].spent_minutes, 180);
  assert.equal(g1.total, 9);
  const g2 = s.groups.find((g) => g.id === ep2.id);
  assert.equal(g2.by_type[layout.id].total, 3);
  assert.equal(g2.by_type[layout.id].done, 1);
  assert.equal(s.totals.total, 12);
  assert.equal(s.totals.done, 1);
  assert.equal(s.totals.by_type[comp.id].spent_minutes, 180);
  // Retakes count; sequences group too; a task on an asset falls in the group with id null.
  const b0 = await sup.c.get(T(B.id));
  assertOk(await sup.c.patch(T(B.id), { status_id: st.retake.id }, { headers: { 'If-Match': etag(b0) } }), 200);
  await task(sup.c, modeling, hero);
  const s2 = assertOk(await artist.c.get(`${P()}/stats?group=sequence`), 200);
  assert.equal(s2.groups.find((g) => g.id === sq1.id).by_type[anim.id].retakes, 1);
  assert.equal(s2.groups.find((g) => g.id === sq2.id).name, 'SQ020');
  const none = s2.groups.at(-1);
  assert.equal(none.id, null);
  assert.equal(none.total, 1);
  assert.equal(s2.totals.retakes, 1);
  // Roles.
  const vs = assertOk(await vendor.c.get(`${P()}/stats`), 200);
  assert.equal(vs.totals.total, 3, 'the vendor counts B, D and W4');
  const cs = assertOk(await client.c.get(`${P()}/stats`), 200);
  assert.equal(cs.totals.total, 2, 'the client counts E (sent for review) and B (a retake it may decide)');
  assert.deepEqual(cs.totals.by_status, { [st.wfa.id]: 1, [st.retake.id]: 1 });
  assertProblem(await outsider.c.get(`${P()}/stats`), 404, 'not-found');
  assertProblem(await artist.c.get(`${P()}/stats?group=shot`), 400, 'bad-query', { fields: ['group'] });
});

test('burn-up: scope and done per day from the status history, bulk changes included', async () => {
  // Three tasks whose history is moved into March 2025 (their rows in the log, in order).
  const X = await task(sup.c, anim, shots2[0]);
  const Y = await task(sup.c, anim, shots2[1]);
  const Z = await task(sup.c, anim, shots2[2]);
  const x0 = await sup.c.get(T(X.id));
  assertOk(await sup.c.patch(T(X.id), { status_id: st.done.id }, { headers: { 'If-Match': etag(x0) } }), 200);
  assertOk(await sup.c.post(`${P()}/tasks/bulk`, { task_ids: [Y.id], status_id: st.approved.id }), 200);
  assertOk(await sup.c.post(`${P()}/tasks/bulk`, { task_ids: [Y.id], status_id: st.wip.id }), 200);
  assertOk(await sup.c.post(`${T(Z.id)}/comments`, { text: 'started', status_id: st.wip.id }), 201);
  assertOk(await sup.c.post(`${T(Z.id)}/comments`, { text: 'still going', status_id: st.wip.id }), 201);
  assert.equal(await sql(srv, `SELECT COUNT(*) FROM task_status_log WHERE task_id = '${Z.id}'`), '2', 'a status set by a comment is logged, the same status again is not');
  const rows = await sql(srv, `SELECT status_id FROM task_status_log WHERE task_id = '${Y.id}' ORDER BY at`);
  assert.deepEqual(rows.split('\n'), [st.todo.id, st.approved.id, st.wip.id], 'the bulk changes were logged');
  const move = (t, s, at) => sql(srv, `UPDATE task_status_log SET at = '${at}' WHERE task_id = '${t.id}' AND status_id = '${s.id}'`);
  await move(X, st.todo, '2025-03-01T09:00:00.000Z');
  await move(X, st.done, '2025-03-03T18:00:00.000Z');
  await move(Y, st.todo, '2025-03-02T08:00:00.000Z');
  await move(Y, st.approved, '2025-03-02T17:00:00.000Z');
  await move(Y, st.wip, '2025-03-04T10:00:00.000Z');
  await move(Z, st.todo, '2025-03-04T23:59:59.999Z');
  await move(Z, st.wip, '2025-03-06T00:00:00.000Z');
  const b = assertOk(await artist.c.get(`${P()}/stats/burnup?from=2025-02-28&to=2025-03-05`), 200);
  assert.deepEqual(b.days, [
    { day: '2025-02-28', scope: 0, done: 0 },
    { day: '2025-03-01', scope: 1, done: 0 },
    { day: '2025-03-02', scope: 2, done: 1 },
    { day: '2025-03-03', scope: 2, done: 2 },
    { day: '2025-03-04', scope: 3, done: 1 },
    { day: '2025-03-05', scope: 3, done: 1 },
  ]);
  // Today: every task of the project (the default range ends today).
  const now = assertOk(await artist.c.get(`${P()}/stats/burnup`), 200);
  assert.equal(now.days.length, 30);
  const total = assertOk(await artist.c.get(`${P()}/stats`), 200).totals;
  assert.deepEqual(now.days.at(-1), { day: day(0), scope: total.total, done: total.done });
  // A status change today moves today's done count.
  const w0 = await sup.c.get(T(W1.id));
  assertOk(await sup.c.patch(T(W1.id), { status_id: st.approved.id }, { headers: { 'If-Match': etag(w0) } }), 200);
  assert.equal(assertOk(await artist.c.get(`${P()}/stats/burnup`), 200).days.at(-1).done, total.done + 1);
  // Roles and bad ranges.
  const vb = assertOk(await vendor.c.get(`${P()}/stats/burnup?from=2025-02-28&to=2025-03-05`), 200);
  assert.ok(vb.days.every((d) => d.scope === 0), 'the vendor sees none of these tasks');
  assertProblem(await outsider.c.get(`${P()}/stats/burnup`), 404, 'not-found');
  assertProblem(await artist.c.get(`${P()}/stats/burnup?from=2025-03-05&to=2025-03-01`), 400, 'bad-query', { fields: ['to'] });
  assertProblem(await artist.c.get(`${P()}/stats/burnup?from=2020-01-01&to=2025-03-01`), 400, 'bad-query', { fields: ['to'] });
});

test('deleting a task leaves no dangling dependency or time log', async () => {
  const before = assertOk(await artist.c.get(`${P()}/schedule?task_type_id=${anim.id}`), 200);
  assert.ok(before.dependencies.some((d) => d.task_id === C.id || d.depends_on === C.id));
  assertOk(await sup.c.put(`${T(C.id)}/time-logs/2026-01-09`, { minutes: 30 }), 200);
  assertOk(await sup.c.del(T(C.id)), 204);
  const g = assertOk(await artist.c.get(`${P()}/schedule?task_type_id=${anim.id}`), 200);
  assert.ok(g.dependencies.every((d) => d.task_id !== C.id && d.depends_on !== C.id));
  assert.equal(await sql(srv, `SELECT COUNT(*) FROM task_dependency WHERE task_id = '${C.id}' OR depends_on = '${C.id}'`), '0');
  assert.equal(await sql(srv, `SELECT COUNT(*) FROM time_log WHERE task_id = '${C.id}'`), '0');
  assert.deepEqual(g.critical_path, [A.id, B.id, D.id]);
  // The day is free again for that person.
  assertOk(await sup.c.put(`${T(D.id)}/time-logs/2026-01-09`, { minutes: 1440 }), 200);
});

test('bounds: more than 20,000 tasks ask for a filter; a chain of 10,000 dependencies is walked without recursion', async () => {
  const p2 = await mkProject(sup.c, org.id, 'Feature 2');
  const Q = `/api/v1/projects/${p2.id}`;
  const voc = assertOk(await sup.c.post(`${Q}/production/setup`, { template: 'series' }), 201);
  const [et, stype, shtype] = voc.entity_types;
  const an = voc.task_types.find((t) => t.name === 'Animation');
  const todo = voc.task_statuses.find((s) => s.short_name === 'todo');
  const ep = assertOk(await sup.c.post(`${Q}/entities`, { type_id: et.id, name: 'EP01' }), 201);
  const sa = assertOk(await sup.c.post(`${Q}/entities`, { type_id: stype.id, parent_id: ep.id, name: 'SQA' }), 201);
  const sb = assertOk(await sup.c.post(`${Q}/entities`, { type_id: stype.id, parent_id: ep.id, name: 'SQB' }), 201);
  // 20,001 shots and tasks (ids shaped as UUIDs), 10,000 under SQA chained one after another.
  const uid = (kind, i) => `0000000${kind}-0000-7000-8000-' || (100000000000 + ${i}) || '`;
  const now = '2026-01-01T00:00:00.000Z';
  await sql(srv, `INSERT INTO entity (id, project_id, type_id, parent_id, name, created_at, updated_at)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20001)
    SELECT '${uid(1, 'i')}', '${p2.id}', '${shtype.id}', CASE WHEN i <= 10000 THEN '${sa.id}' ELSE '${sb.id}' END,
      'S' || i, '${now}', '${now}' FROM n`);
  await sql(srv, `INSERT INTO task (id, project_id, entity_id, task_type_id, status_id, start_date, due_date, created_at, updated_at)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20001)
    SELECT '${uid(2, 'i')}', '${p2.id}', '${uid(1, 'i')}', '${an.id}', '${todo.id}', '2030-01-07', '2030-01-09', '${now}', '${now}' FROM n`);
  await sql(srv, `INSERT INTO task_dependency (id, project_id, task_id, depends_on, lag_days, created_at)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
    SELECT '${uid(3, 'i')}', '${p2.id}', '${uid(2, 'i + 1')}', '${uid(2, 'i')}', 0, '${now}' FROM n`);
  // Rows loaded behind the server's back: let the planner know them (PostgreSQL keeps the
  // generic plan of a prepared statement made while these tables were small until statistics
  // change; autovacuum does this on a live server).
  await sql(srv, 'ANALYZE');
  const tid = (i) => `00000002-0000-7000-8000-${100000000000 + i}`;
  assertProblem(await artist.c.get(`${Q}/schedule`), 422, 'too-many-tasks');
  assertProblem(await artist.c.get(`${Q}/workload?from=2030-01-01&to=2030-02-01`), 422, 'too-many-tasks');
  const t0 = Date.now();
  const g = assertOk(await artist.c.get(`${Q}/schedule?parent_id=${sa.id}`), 200);
  const ms = Date.now() - t0;
  assert.equal(g.tasks.length, 10000);
  assert.equal(g.dependencies.length, 9999);
  assert.equal(g.critical_path.length, 10000, 'the whole chain is critical');
  assert.equal(g.critical_path[0], tid(1));
  assert.equal(g.critical_path.at(-1), tid(10000));
  assert.equal(g.project_end, new Date(Date.UTC(2030, 0, 7 + 3 * 10000 - 1)).toISOString().slice(0, 10));
  assert.ok(ms < 5000, `10,000 tasks in ${ms} ms`);
  // Closing the chain into a loop is found through all 10,000 tasks.
  assertProblem(await artist.c.post(`/api/v1/tasks/${tid(1)}/dependencies`, { depends_on: tid(10000) }), 409, 'dependency-cycle');
  assertOk(await artist.c.post(`/api/v1/tasks/${tid(10000)}/dependencies`, { depends_on: tid(10001) }), 201);
  const s = assertOk(await artist.c.get(`${Q}/stats`), 200);
  assert.equal(s.totals.total, 20001);
});
