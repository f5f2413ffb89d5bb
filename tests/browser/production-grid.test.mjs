// The Production tab's grid in a real browser against a real server: the setup offer, an
// inline status change that persists (and the menu offers an artist only the statuses
// artists may set), creating a task in an empty cell, keyboard navigation, a multi-select
// bulk change, filters, search and grouping, and the virtual list over 2,100 shots (only a
// window of rows in the DOM; scrolling to the bottom shows the last one).
//
// SHOTS_DIR=/tmp/shots node --test tests/browser/production-grid.test.mjs keeps screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/api.mjs';
import { person, addMember, assertOk, mkOrg } from '../api/helpers.mjs';
import { launch, openPage, assertClean, signInUI } from './helpers.mjs';

const SHOTS = process.env.SHOTS_DIR || '';
let srv, browser, admin, artist, client, org, project, empty, voc, st, tt, shots, ep1, ep2, assetTT;

async function shot(page, name) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  admin = await signIn(srv, srv.admin.email, srv.admin.password);
  artist = await person(srv, 'artist', 'Ada Artist');
  org = assertOk(await admin.post('/api/v1/orgs', { name: 'Northern Star', kind: 'studio' }), 201);
  await addMember(admin, org.id, artist.id, 'member');
  client = await person(srv, 'client', 'Carla Client');
  const corg = await mkOrg(client.c, 'Broadcaster', 'broadcaster');
  project = assertOk(await admin.post('/api/v1/projects', { org_id: org.id, name: 'The Long Night', code: 'TLN' }), 201);
  empty = assertOk(await admin.post('/api/v1/projects', { org_id: org.id, name: 'Not set up', code: 'NSU' }), 201);
  const P = `/api/v1/projects/${project.id}`;
  assertOk(await admin.post(`${P}/partners`, { org_id: corg.id, role: 'client' }), 201);
  voc = assertOk(await admin.post(`${P}/production/setup`, { template: 'series' }), 201);
  st = Object.fromEntries(voc.task_statuses.map((s) => [s.short_name, s]));
  tt = Object.fromEntries(voc.task_types.map((x) => [x.name, x]));
  const [epT, sqT, shT] = voc.entity_types;
  ep1 = assertOk(await admin.post(`${P}/entities`, { type_id: epT.id, name: 'EP01' }), 201);
  ep2 = assertOk(await admin.post(`${P}/entities`, { type_id: epT.id, name: 'EP02' }), 201);
  const sq1 = assertOk(await admin.post(`${P}/entities`, { type_id: sqT.id, parent_id: ep1.id, name: 'SQ010' }), 201);
  const sq2 = assertOk(await admin.post(`${P}/entities`, { type_id: sqT.id, parent_id: ep2.id, name: 'SQ020' }), 201);
  shots = {};
  for (let i = 1; i <= 5; i++) {
    const name = `SH0${i}0`;
    shots[name] = assertOk(await admin.post(`${P}/entities`, {
      type_id: shT.id, parent_id: i < 5 ? sq1.id : sq2.id, name, frame_in: 1001, frame_out: 1000 + 24 * i,
    }), 201);
  }
  const ids = Object.values(shots).map((s) => s.id);
  assertOk(await admin.post(`${P}/tasks`, { entity_ids: ids, task_type_id: tt.Animation.id }), 201);
  assertOk(await admin.post(`${P}/tasks`, { entity_ids: ids.slice(0, 4), task_type_id: tt.Compositing?.id || tt.Comp.id }), 201);
  const charT = voc.entity_types.find((x) => x.name === 'Character');
  const hero = assertOk(await admin.post(`${P}/entities`, { type_id: charT.id, name: '小明 Hero' }), 201);
  assetTT = voc.task_types.find((x) => x.for_kind === 'asset');
  assertOk(await admin.post(`${P}/tasks`, { entity_id: hero.id, task_type_id: assetTT.id }), 201);
  const anim1 = (await admin.get(`${P}/tasks?entity_id=${shots.SH010.id}&task_type_id=${tt.Animation.id}`)).json.items[0];
  const g = await admin.get(`/api/v1/tasks/${anim1.id}`);
  assertOk(await admin.patch(`/api/v1/tasks/${anim1.id}`, { assignees: [artist.id] }, { headers: { 'If-Match': g.headers.get('etag') } }), 200);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const comp = () => tt.Compositing || tt.Comp;
async function taskOf(shotName, type) {
  const r = await admin.get(`/api/v1/projects/${project.id}/tasks?entity_id=${shots[shotName].id}&task_type_id=${type.id}`);
  return r.json.items[0];
}
const row = (page, name) => page.locator(`[data-testid="grid"] .pg-row[data-row="${name}"]`);
const cell = (page, name, col) => row(page, name).locator(`.pg-task[data-col="${col}"]`);
const shownRows = (page) => page.locator('[data-testid="grid"] .pg-row[data-row]').evaluateAll((els) => els.map((e) => e.dataset.row));

test('a project without production: the setup offer fills the vocabulary', async () => {
  const { page, errors, close } = await openPage(browser, srv.url, { allowHttp: [401, 404] });
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/projects/${empty.id}/production` });
  await page.getByRole('link', { name: 'Production' }).waitFor();
  await page.getByTestId('production-setup').waitFor();
  await shot(page, 'production-setup');
  await page.locator('[data-template="micro-drama"]').click();
  await page.getByTestId('grid').or(page.getByText(/^No .* yet$/)).first().waitFor();
  const types = (await admin.get(`/api/v1/projects/${empty.id}/entity-types`)).json.items;
  assert.ok(types.length > 0, 'the setup made entity types');
  // The sub-navigation's Playlists page belongs to another module: until it exists, a clear error.
  await page.getByRole('link', { name: 'Playlists' }).click();
  await page.waitForURL(`**/projects/${empty.id}/production/playlists`);
  const missing = page.getByTestId('module-missing');
  const loaded = await missing.waitFor({ timeout: 3000 }).then(() => true, () => false);
  if (loaded) assert.match(await missing.innerText(), /review\/playlists\.js/);
  assertClean(errors.filter((e) => !/review\/playlists\.js/.test(e)));
  await close();
});

test('inline status edit persists; empty cells create tasks; the keyboard moves and opens the menu', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/projects/${project.id}/production` });
  await page.getByTestId('grid').waitFor();
  assert.deepEqual(await shownRows(page), ['SH010', 'SH020', 'SH030', 'SH040', 'SH050']);
  // The data: frames, the chip's status, the assignee's initials.
  assert.equal(await row(page, 'SH020').locator('.pg-frames').innerText(), '48');
  assert.equal(await cell(page, 'SH010', 'Animation').locator('.pg-chip').getAttribute('data-status'), 'todo');
  assert.equal(await cell(page, 'SH010', 'Animation').locator('.pg-avatar').innerText(), 'AA');
  await shot(page, 'production-grid');

  await cell(page, 'SH010', 'Animation').locator('.pg-chip-btn').click();
  const menu = page.getByTestId('status-menu');
  await menu.waitFor();
  await shot(page, 'production-grid-menu');
  await menu.locator('button:has([data-status="wip"])').click();
  await menu.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.querySelector('.pg-row[data-row="SH010"] .pg-task[data-col="Animation"] .pg-chip')?.dataset.status === 'wip');
  assert.equal((await taskOf('SH010', tt.Animation)).status, 'wip');
  await page.reload();
  await page.getByTestId('grid').waitFor();
  assert.equal(await cell(page, 'SH010', 'Animation').locator('.pg-chip').getAttribute('data-status'), 'wip');

  // SH050 has no Comp task: the empty cell offers to create it.
  await cell(page, 'SH050', comp().name).locator('.pg-empty-btn').click();
  await page.getByTestId('status-menu').getByRole('menuitem', { name: 'Create task' }).click();
  await cell(page, 'SH050', comp().name).locator('.pg-chip[data-status="todo"]').waitFor();
  assert.ok(await taskOf('SH050', comp()), 'the task exists');

  // Keyboard: from the first cell, down twice and right to Comp... Enter opens SH030's menu.
  await page.getByTestId('grid').focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowUp');
  for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowLeft');
  const colNames = await page.locator('.pg-head .pg-col').evaluateAll((els) => els.map((e) => e.dataset.col));
  const compIdx = colNames.indexOf(comp().name);
  const animIdx = colNames.indexOf('Animation');
  for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowDown');
  for (let i = 0; i < compIdx; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('.pg-focus').getAttribute('data-col'), comp().name);
  await page.keyboard.press('Enter');
  await page.getByTestId('status-menu').waitFor();
  assert.equal(await page.locator('.pg-task:has([data-testid="status-menu"])').evaluate((el) => el.closest('.pg-row').dataset.row), 'SH030');
  await page.keyboard.press('Escape');
  await page.getByTestId('status-menu').waitFor({ state: 'detached' });
  // Space selects the focused row (SH030).
  await page.keyboard.press(' ');
  await page.getByTestId('bulk-bar').waitFor();
  assert.match(await row(page, 'SH030').getAttribute('class'), /pg-selected/);
  await page.keyboard.press(' ');
  await page.getByTestId('bulk-bar').waitFor({ state: 'detached' });
  assert.ok(animIdx >= 0);

  // The row name opens the row's first task on the task page (the review module's, or a
  // clear error box while that module is not there).
  const firstTask = await taskOf('SH020', tt.Animation);
  await row(page, 'SH020').locator('.pg-name a').click();
  await page.waitForURL(`**/projects/${project.id}/production/tasks/${firstTask.id}`);
  const missing = await page.getByTestId('module-missing').waitFor({ timeout: 3000 }).then(() => true, () => false);
  if (missing) assert.match(await page.getByTestId('module-missing').innerText(), /review\/task\.js/);
  assertClean(errors.filter((e) => !missing || !/status of 404/.test(e)));
  await close();

  // An artist's menu has no "approved" (not allowed to artists); a supervisor's has.
  const a = await openPage(browser, srv.url);
  await signInUI(a.page, artist.email, artist.password, { next: `/projects/${project.id}/production` });
  await a.page.getByTestId('grid').waitFor();
  await cell(a.page, 'SH020', 'Animation').locator('.pg-chip-btn').click();
  const am = a.page.getByTestId('status-menu');
  await am.waitFor();
  const offered = await am.locator('.pg-chip').evaluateAll((els) => els.map((e) => e.dataset.status));
  assert.ok(offered.includes('wip') && !offered.includes('approved'), `artist offered ${offered}`);
  assert.ok(st.approved.is_artist_allowed === false);
  assertClean(a.errors);
  await a.close();
});

test('multi-select with shift-click and a bulk status change', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/projects/${project.id}/production` });
  await page.getByTestId('grid').waitFor();
  await row(page, 'SH020').locator('input[type="checkbox"]').click();
  await row(page, 'SH040').locator('input[type="checkbox"]').click({ modifiers: ['Shift'] });
  const bar = page.getByTestId('bulk-bar');
  await bar.waitFor();
  assert.match(await bar.innerText(), /3 selected/);
  await page.getByTestId('bulk-column').selectOption({ label: comp().name });
  await page.getByTestId('bulk-status').selectOption({ value: st.approved.id });
  await shot(page, 'production-grid-bulk');
  await page.getByTestId('bulk-apply').click();
  await bar.waitFor({ state: 'detached' });
  for (const n of ['SH020', 'SH030', 'SH040']) assert.equal((await taskOf(n, comp())).status, 'approved', n);
  assert.equal((await taskOf('SH010', comp())).status, 'todo');
  assert.equal((await taskOf('SH020', tt.Animation)).status, 'todo', 'only the chosen column changed');
  await cell(page, 'SH030', comp().name).locator('.pg-chip[data-status="approved"]').waitFor();

  // Planning in bulk: assignee, priority and due date of two rows' animation tasks.
  await row(page, 'SH010').locator('input[type="checkbox"]').click();
  await row(page, 'SH050').locator('input[type="checkbox"]').click();
  await bar.waitFor();
  await page.getByTestId('bulk-column').selectOption({ label: 'Animation' });
  await page.getByTestId('bulk-assignee').selectOption({ label: 'Ada Artist' });
  assert.equal(await page.getByTestId('bulk-assignee-mode').inputValue(), 'add', 'adding keeps the other assignees');
  await page.getByTestId('bulk-priority').selectOption({ label: 'Urgent' });
  await page.getByTestId('bulk-due').fill('2031-05-04');
  await page.getByTestId('bulk-apply').click();
  await bar.waitFor({ state: 'detached' });
  for (const n of ['SH010', 'SH050']) {
    const x = await taskOf(n, tt.Animation);
    assert.deepEqual([x.assignees, x.priority, x.due_date], [[artist.id], 3, '2031-05-04'], n);
  }
  assert.deepEqual((await taskOf('SH020', tt.Animation)).assignees, []);
  await cell(page, 'SH050', 'Animation').locator('.pg-avatar').waitFor();

  // Select all (filtered) then clear.
  await page.getByTestId('grid-search').fill('SH05');
  await page.waitForFunction(() => document.querySelectorAll('.pg-row[data-row]').length === 1);
  await page.getByTestId('select-all').check();
  assert.match(await bar.innerText(), /1 selected/);
  await page.getByRole('button', { name: 'Clear selection' }).click();
  assertClean(errors);
  await close();
});

test('filters, search, sort and grouping narrow and order the rows', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/projects/${project.id}/production` });
  await page.getByTestId('grid').waitFor();
  await page.getByTestId('grid-search').fill('sq020');
  await page.waitForFunction(() => document.querySelectorAll('.pg-row[data-row]').length === 1);
  assert.deepEqual(await shownRows(page), ['SH050']);
  await page.getByTestId('grid-search').fill('');
  await page.waitForFunction(() => document.querySelectorAll('.pg-row[data-row]').length === 5);

  await page.getByTestId('filter-column').selectOption({ label: comp().name });
  await page.getByTestId('filter-status').selectOption({ value: st.approved.id });
  await page.waitForFunction(() => document.querySelectorAll('.pg-row[data-row]').length === 3);
  assert.deepEqual(await shownRows(page), ['SH020', 'SH030', 'SH040']);
  assert.match(await page.getByTestId('grid-count').innerText(), /3 of 5/);
  await page.getByTestId('filter-column').selectOption({ value: '' });

  await page.getByTestId('filter-assignee').selectOption({ label: 'Ada Artist' });
  await page.waitForFunction(() => document.querySelectorAll('.pg-row[data-row]').length === 2);
  assert.deepEqual(await shownRows(page), ['SH010', 'SH050']);
  await page.getByTestId('filter-assignee').selectOption({ value: '' });

  await page.getByTestId('grid-sort').selectOption({ label: `Sort by ${comp().name} status` });
  await page.waitForFunction(() => document.querySelectorAll('.pg-row[data-row]')[1]?.dataset.row === 'SH050');
  assert.deepEqual(await shownRows(page), ['SH010', 'SH050', 'SH020', 'SH030', 'SH040'], 'todo before approved');
  await page.getByTestId('grid-sort').selectOption({ value: 'frames' });
  await page.waitForFunction(() => document.querySelector('.pg-row[data-row]')?.dataset.row === 'SH050');
  assert.deepEqual(await shownRows(page), ['SH050', 'SH040', 'SH030', 'SH020', 'SH010']);

  // Grouping by episode: headers with counts; collapsing one hides its rows.
  await page.getByTestId('grid-group').selectOption({ label: 'Group by Episode' });
  const groups = page.locator('.pg-group');
  await groups.first().waitFor();
  assert.deepEqual(await groups.evaluateAll((els) => els.map((e) => e.innerText.replace(/\s+/g, ' ').trim())), ['EP01 4', 'EP02 1']);
  await shot(page, 'production-grid-grouped');
  await groups.first().locator('button').click();
  await page.waitForFunction(() => document.querySelectorAll('.pg-row[data-row]').length === 1);
  assert.deepEqual(await shownRows(page), ['SH050']);

  // The episode filter asks the server for one episode's shots.
  await page.getByTestId('grid-group').selectOption({ value: 'none' });
  await page.getByTestId('episode-filter').selectOption({ label: 'EP01' });
  await page.waitForFunction(() => document.querySelectorAll('.pg-row[data-row]').length === 4);
  assertClean(errors);
  await close();
});

test('a client sees only what was sent for review and may set only client statuses; plans nothing', async () => {
  const t1 = await taskOf('SH010', comp());
  const g = await admin.get(`/api/v1/tasks/${t1.id}`);
  assertOk(await admin.patch(`/api/v1/tasks/${t1.id}`, { status_id: st.wfa.id }, { headers: { 'If-Match': g.headers.get('etag') } }), 200);
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, client.email, client.password, { next: `/projects/${project.id}/production` });
  await page.getByTestId('grid').waitFor();
  // SH010's comp is waiting for approval, SH020-040's were approved (bulk test); SH050 has nothing for review.
  assert.deepEqual(await shownRows(page), ['SH010', 'SH020', 'SH030', 'SH040']);
  assert.equal(await cell(page, 'SH010', 'Animation').locator('.pg-chip').count(), 0, 'tasks not sent for review are not shown');
  assert.equal(await page.getByTestId('add-entity').count(), 0);
  assert.equal(await page.locator('.pg-col-add, .pg-empty-btn').count(), 0);
  await cell(page, 'SH010', comp().name).locator('.pg-chip-btn').click();
  const menu = page.getByTestId('status-menu');
  await menu.waitFor();
  const offered = await menu.locator('.pg-chip').evaluateAll((els) => els.map((e) => e.dataset.status));
  const allowed = voc.task_statuses.filter((x) => x.is_client_allowed).map((x) => x.short_name);
  assert.deepEqual(offered, allowed);
  await menu.locator('button:has([data-status="approved"])').click();
  await cell(page, 'SH010', comp().name).locator('.pg-chip[data-status="approved"]').waitFor();
  assert.equal((await taskOf('SH010', comp())).status, 'approved');
  // The bulk bar offers a client statuses only, no planning.
  await row(page, 'SH010').locator('input[type="checkbox"]').click();
  await page.getByTestId('bulk-bar').waitFor();
  assert.equal(await page.getByTestId('bulk-assignee').count(), 0);
  assertClean(errors);
  await close();
  // Back to where the other tests expect it.
  const g2 = await admin.get(`/api/v1/tasks/${t1.id}`);
  assertOk(await admin.patch(`/api/v1/tasks/${t1.id}`, { status_id: st.todo.id }, { headers: { 'If-Match': g2.headers.get('etag') } }), 200);
});

test('another entity type; adding a shot; a task column for every row', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/projects/${project.id}/production` });
  await page.getByTestId('grid').waitFor();
  await page.getByTestId('entity-type').selectOption({ label: 'Character' });
  await row(page, '小明 Hero').waitFor();
  assert.deepEqual(await shownRows(page), ['小明 Hero']);
  assert.equal(await cell(page, '小明 Hero', assetTT.name).locator('.pg-chip').getAttribute('data-status'), 'todo');
  assert.ok(!(await page.locator('.pg-head .pg-col').evaluateAll((els) => els.map((e) => e.dataset.col))).includes('Animation'));

  await page.getByTestId('entity-type').selectOption({ label: 'Shot' });
  await row(page, 'SH010').waitFor();
  await page.getByTestId('add-entity').click();
  const form = page.getByTestId('add-entity-form');
  await form.getByLabel('Name').fill('SH060');
  await form.getByLabel('Sequence').selectOption({ label: 'EP02 / SQ020' });
  await form.getByLabel('Frame in').fill('1001');
  await form.getByLabel('Frame out').fill('1010');
  await form.getByRole('button', { name: 'Add' }).click();
  await row(page, 'SH060').waitFor();
  assert.equal(await row(page, 'SH060').locator('.pg-frames').innerText(), '10');
  assert.equal(await row(page, 'SH060').locator('.pg-parent').innerText(), 'SQ020');

  await page.getByRole('button', { name: 'Create Storyboard tasks for the rows without one' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.pg-task[data-col="Storyboard"] .pg-chip').length === 6);
  const sb = (await admin.get(`/api/v1/projects/${project.id}/tasks?task_type_id=${tt.Storyboard.id}&limit=100`)).json.items;
  assert.equal(sb.length, 6);

  // Back from a task page, the grid is as it was left (type, search).
  await page.getByTestId('grid-search').fill('SH06');
  await page.waitForFunction(() => document.querySelectorAll('.pg-row[data-row]').length === 1);
  await row(page, 'SH060').locator('.pg-name a').click();
  await page.waitForURL(/\/production\/tasks\//);
  await page.goBack();
  await row(page, 'SH060').waitFor();
  assert.equal(await page.getByTestId('grid-search').inputValue(), 'SH06');
  assert.deepEqual(await shownRows(page), ['SH060']);
  assertClean(errors.filter((e) => !/status of 404/.test(e))); // the review module's task page, when not there
  await close();
});

test('2,100 shots: only a window of rows is in the DOM; scrolling to the bottom shows the last', async () => {
  const big = assertOk(await admin.post('/api/v1/projects', { org_id: org.id, name: 'Feature', code: 'FEA' }), 201);
  const P = `/api/v1/projects/${big.id}`;
  const v = assertOk(await admin.post(`${P}/production/setup`, { template: 'feature' }), 201);
  const shotType = v.entity_types.find((x) => x.kind === 'shot');
  const seqType = v.entity_types.find((x) => x.id === shotType.parent_type_id);
  const parent = seqType ? assertOk(await admin.post(`${P}/entities`, { type_id: seqType.id, name: 'SQ100' }), 201) : null;
  const N = 2100;
  const ids = [];
  for (let i = 0; i < N; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 50); j++) {
      batch.push(admin.post(`${P}/entities`, {
        type_id: shotType.id, name: `S${String(j + 1).padStart(4, '0')}`, ...(parent ? { parent_id: parent.id } : {}),
        frame_in: 1, frame_out: 1 + j,
      }).then((r) => assertOk(r, 201).id));
    }
    ids.push(...(await Promise.all(batch)));
  }
  const types = v.task_types.filter((x) => x.for_kind === 'shot').slice(0, 3);
  for (const x of types) assertOk(await admin.post(`${P}/tasks`, { entity_ids: ids, task_type_id: x.id }), 201);

  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/projects/${big.id}/production` });
  const grid = page.getByTestId('grid');
  await grid.waitFor({ timeout: 20000 });
  assert.equal(await grid.getAttribute('aria-rowcount'), String(N + 1));
  const inDom = await page.locator('.pg-row[data-row]').count();
  assert.ok(inDom > 5 && inDom < 80, `${inDom} rows in the DOM`);
  assert.deepEqual((await shownRows(page)).slice(0, 2), ['S0001', 'S0002']);
  await shot(page, 'production-grid-big');
  await grid.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await row(page, `S${N}`).waitFor();
  const names = await shownRows(page);
  assert.ok(names.length < 80, `${names.length} rows in the DOM after scrolling`);
  assert.equal(names[names.length - 1], `S${N}`);
  assert.ok(!names.includes('S0001'));
  // The last row is inside the scroller's visible box.
  const box = await grid.boundingBox();
  const last = await row(page, `S${N}`).boundingBox();
  assert.ok(last.y + last.height <= box.y + box.height + 1 && last.y >= box.y, 'the last row is visible');
  await shot(page, 'production-grid-big-bottom');
  assertClean(errors);
  await close();
});
