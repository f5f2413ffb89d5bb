// The Production tab's Schedule (Gantt and workload) and Stats pages in a real browser, on
// data made through the API: dated tasks with dependencies (one chain is the critical path),
// a late task, a milestone, estimates and time logs for the workload, done and retake
// statuses for the progress table, retakes and the burn-up. The assertions read what the
// data says (which bars are critical or late, the milestone's name, hours, done/total).
//
// SHOTS_DIR=/tmp/shots node --test tests/browser/production-schedule.test.mjs keeps screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/api.mjs';
import { person, addMember, assertOk } from '../api/helpers.mjs';
import { launch, openPage, assertClean, signInUI } from './helpers.mjs';

const SHOTS = process.env.SHOTS_DIR || '';
let srv, browser, admin, artist, project, st, tt, tasks;

// A UTC day (the server's "today" is UTC) offset from today.
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

async function shot(page, name) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function patch(id, body) {
  const g = await admin.get(`/api/v1/tasks/${id}`);
  return assertOk(await admin.patch(`/api/v1/tasks/${id}`, body, { headers: { 'If-Match': g.headers.get('etag') } }), 200);
}

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  admin = await signIn(srv, srv.admin.email, srv.admin.password);
  artist = await person(srv, 'artist', 'Ada Artist');
  const org = assertOk(await admin.post('/api/v1/orgs', { name: 'Northern Star', kind: 'studio' }), 201);
  await addMember(admin, org.id, artist.id, 'member');
  project = assertOk(await admin.post('/api/v1/projects', { org_id: org.id, name: 'The Long Night', code: 'TLN' }), 201);
  const P = `/api/v1/projects/${project.id}`;
  const voc = assertOk(await admin.post(`${P}/production/setup`, { template: 'series' }), 201);
  st = Object.fromEntries(voc.task_statuses.map((s) => [s.short_name, s]));
  tt = Object.fromEntries(voc.task_types.map((x) => [x.name, x]));
  const [epT, sqT, shT] = voc.entity_types;
  const ep1 = assertOk(await admin.post(`${P}/entities`, { type_id: epT.id, name: 'EP01' }), 201);
  const ep2 = assertOk(await admin.post(`${P}/entities`, { type_id: epT.id, name: 'EP02' }), 201);
  const sq1 = assertOk(await admin.post(`${P}/entities`, { type_id: sqT.id, parent_id: ep1.id, name: 'SQ010' }), 201);
  const sq2 = assertOk(await admin.post(`${P}/entities`, { type_id: sqT.id, parent_id: ep2.id, name: 'SQ020' }), 201);
  const sh = {};
  for (const [name, parent] of [['SH010', sq1], ['SH020', sq1], ['SH030', sq2]]) {
    sh[name] = assertOk(await admin.post(`${P}/entities`, { type_id: shT.id, parent_id: parent.id, name }), 201);
  }
  const mk = async (shotName, type, body) => {
    const x = assertOk(await admin.post(`${P}/tasks`, { entity_id: sh[shotName].id, task_type_id: tt[type].id }), 201);
    return patch(x.id, body);
  };
  tasks = {
    layout: await mk('SH010', 'Layout', { start_date: day(-10), due_date: day(-7), status_id: st.approved.id, assignees: [artist.id] }),
    anim: await mk('SH010', 'Animation', { start_date: day(-6), due_date: day(-2), assignees: [artist.id], estimate: 960 }),
    comp: await mk('SH010', 'Comp', { start_date: day(-1), due_date: day(6), estimate: 1200, assignees: [artist.id] }),
    anim2: await mk('SH020', 'Animation', { start_date: day(0), due_date: day(2), estimate: 480 }),
    anim3: await mk('SH030', 'Animation', {}),
  };
  assertOk(await admin.post(`/api/v1/tasks/${tasks.anim.id}/dependencies`, { depends_on: tasks.layout.id }), 201);
  assertOk(await admin.post(`/api/v1/tasks/${tasks.comp.id}/dependencies`, { depends_on: tasks.anim.id }), 201);
  assertOk(await admin.post(`${P}/milestones`, { name: 'EP01 delivery', date: day(8), color: '#7c3aed' }), 201);
  // A retake on SH020's animation, then work again; SH030 done.
  await patch(tasks.anim2.id, { status_id: st.retake.id });
  await patch(tasks.anim2.id, { status_id: st.wip.id });
  await patch(tasks.anim3.id, { status_id: st.done.id });
  assertOk(await artist.c.put(`/api/v1/tasks/${tasks.anim.id}/time-logs/${day(-1)}`, { minutes: 150 }), 200);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('schedule: bars grouped by shot, the critical chain, a late task, the milestone, today; filters; workload', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/projects/${project.id}/production/schedule` });
  const gantt = page.getByTestId('gantt');
  await gantt.waitFor();
  const bars = () => gantt.locator('.gt-task').evaluateAll((els) => els.map((e) => ({
    task: e.dataset.task, critical: e.dataset.critical === 'true', late: e.dataset.late === 'true',
  })));
  const all = await bars();
  assert.deepEqual(all.map((b) => b.task).sort(), ['SH010 Animation', 'SH010 Comp', 'SH010 Layout', 'SH020 Animation']);
  const by = Object.fromEntries(all.map((b) => [b.task, b]));
  assert.equal(by['SH010 Animation'].late, true, 'animation was due two days ago and is not done');
  assert.equal(by['SH010 Layout'].late, false, 'layout is approved (done)');
  assert.equal(by['SH010 Comp'].critical, true, 'comp ends the project: critical');
  assert.equal(by['SH010 Animation'].critical, true, 'the chain layout -> animation -> comp is tight');
  assert.equal(by['SH010 Layout'].critical, true);
  assert.equal(by['SH020 Animation'].critical, false, 'SH020 has slack');
  assert.equal(await gantt.locator('.gt-dep').count(), 2);
  assert.equal(await gantt.locator('[data-milestone="EP01 delivery"]').count(), 1);
  assert.equal(await page.getByTestId('today-line').getAttribute('data-day'), day(0));
  assert.match(await page.getByTestId('schedule-summary').innerText(), /5 tasks · 1 late/);
  assert.match(await page.locator('.pg-note').innerText(), /Tasks without dates, not shown: 1/);
  // The bar links to the task page.
  assert.equal(await gantt.locator('a:has([data-task="SH010 Comp"])').getAttribute('href'),
    `/projects/${project.id}/production/tasks/${tasks.comp.id}`);
  await shot(page, 'production-schedule');

  // Zoom to weeks: the chart gets narrower.
  const wDay = Number(await gantt.getAttribute('width'));
  await page.getByTestId('zoom-week').click();
  await page.waitForFunction((w) => Number(document.querySelector('[data-testid="gantt"]').getAttribute('width')) < w, wDay);

  // Filters: one episode, one task type, one assignee.
  await page.getByTestId('schedule-parent').selectOption({ label: 'EP02' });
  await page.getByText('No task has dates yet').waitFor();
  await page.getByTestId('schedule-parent').selectOption({ value: '' });
  await page.getByTestId('schedule-type').selectOption({ label: 'Animation' });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="gantt"] .gt-task').length === 2);
  assert.deepEqual((await bars()).map((b) => b.task).sort(), ['SH010 Animation', 'SH020 Animation']);
  await page.getByTestId('schedule-type').selectOption({ value: '' });
  await page.getByTestId('schedule-assignee').selectOption({ label: 'Ada Artist' });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="gantt"] .gt-task').length === 3);
  assert.ok(!(await bars()).some((b) => b.task === 'SH020 Animation'));

  // Workload: Ada's planned hours this week and next, and the 2.5 h she logged.
  await page.getByTestId('view-workload').click();
  const wl = page.getByTestId('workload');
  await wl.waitFor();
  const ada = wl.locator('tr[data-person="Ada Artist"]');
  await ada.waitFor();
  const text = await ada.innerText();
  assert.match(text, /2\.5 h logged/);
  assert.match(text, /\d+(\.\d)? h/);
  const total = Number((await ada.locator('.pg-wl-total').innerText()).replace(' h', ''));
  const api = (await admin.get(`/api/v1/projects/${project.id}/workload`)).json;
  const mine = api.people.find((p) => p.user_id === artist.id);
  assert.equal(total, Math.round((mine.planned_minutes / 60) * 10) / 10);
  assert.ok(total > 0);
  await shot(page, 'production-workload');
  assertClean(errors);
  await close();
});

test('stats: progress by episode and task type, retakes, burn-up', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/projects/${project.id}/production/stats` });
  const table = page.getByTestId('stats-progress');
  await table.waitFor();
  const ep1 = table.locator('tr[data-group="EP01"]');
  const ep2 = table.locator('tr[data-group="EP02"]');
  // EP01: 4 tasks, layout approved (done); EP02: SH030 animation done.
  assert.match(await ep1.getByTestId('group-total').innerText(), /^1\/4 · 25%$/);
  assert.match(await ep2.getByTestId('group-total').innerText(), /^1\/1 · 100%$/);
  const anim1 = ep1.locator('td[data-type="Animation"] .st-cell');
  assert.equal(await anim1.getAttribute('data-total'), '2');
  assert.equal(await anim1.getAttribute('data-done'), '0');
  assert.match(await page.getByTestId('project-total').innerText(), /^2\/5 · 40%$/);
  // Retakes: one, on Animation.
  const retakes = page.getByTestId('stats-retakes');
  assert.equal(await retakes.locator('tr[data-type="Animation"]').getByTestId('retakes-n').innerText(), '1');
  assert.equal(await retakes.locator('tr[data-type="Layout"]').getByTestId('retakes-n').innerText(), '0');
  // Burn-up: today's scope is the 5 tasks, 2 done.
  await page.getByTestId('burnup').waitFor();
  assert.equal(await page.getByTestId('scope-now').innerText(), '5');
  assert.equal(await page.getByTestId('done-now').innerText(), '2');
  const pts = (await page.getByTestId('line-scope').getAttribute('points')).trim().split(' ');
  assert.equal(pts.length, 30, 'one point per day of the last 30');
  await shot(page, 'production-stats');
  // By sequence.
  await page.getByTestId('stats-group').selectOption('sequence');
  await table.locator('tr[data-group="SQ020"]').waitFor();
  assertClean(errors);
  await close();
});
