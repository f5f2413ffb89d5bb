// My tasks (/tasks) in a real browser: the signed-in artist's tasks from two projects,
// grouped by project, late ones marked, an inline status change that persists (only the
// statuses artists may set are offered), the status and due filters, links to the task page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/api.mjs';
import { person, addMember, assertOk } from '../api/helpers.mjs';
import { launch, openPage, assertClean, signInUI } from './helpers.mjs';

const SHOTS = process.env.SHOTS_DIR || '';
let srv, browser, admin, artist, p1, p2, late, soon, done, other;

const day = (offset) => {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

async function plan(project, template) {
  const P = `/api/v1/projects/${project.id}`;
  const voc = assertOk(await admin.post(`${P}/production/setup`, { template }), 201);
  const st = Object.fromEntries(voc.task_statuses.map((s) => [s.short_name, s]));
  const assetType = voc.entity_types.find((x) => x.kind === 'asset');
  const types = voc.task_types.filter((x) => x.for_kind === 'asset');
  return { P, st, assetType, types };
}

async function task(v, name, typeIdx, fields) {
  const e = assertOk(await admin.post(`${v.P}/entities`, { type_id: v.assetType.id, name }), 201);
  const t = assertOk(await admin.post(`${v.P}/tasks`, { entity_id: e.id, task_type_id: v.types[typeIdx].id }), 201);
  const g = await admin.get(`/api/v1/tasks/${t.id}`);
  return assertOk(await admin.patch(`/api/v1/tasks/${t.id}`, fields, { headers: { 'If-Match': g.headers.get('etag') } }), 200);
}

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  admin = await signIn(srv, srv.admin.email, srv.admin.password);
  artist = await person(srv, 'artist', 'Ada Artist');
  const org = assertOk(await admin.post('/api/v1/orgs', { name: 'Northern Star', kind: 'studio' }), 201);
  await addMember(admin, org.id, artist.id, 'member');
  p1 = assertOk(await admin.post('/api/v1/projects', { org_id: org.id, name: 'Alpha Series', code: 'ALS' }), 201);
  p2 = assertOk(await admin.post('/api/v1/projects', { org_id: org.id, name: 'Beta Feature', code: 'BEF' }), 201);
  const v1 = await plan(p1, 'series');
  const v2 = await plan(p2, 'feature');
  late = await task(v1, '小明 Hero', 0, { assignees: [artist.id], due_date: day(-3) });
  soon = await task(v1, 'Sword', 1, { assignees: [artist.id], due_date: day(10), priority: 3 });
  done = await task(v2, 'Castle', 0, { assignees: [artist.id], status_id: v2.st.done.id, due_date: day(-5) });
  other = await task(v2, 'Dragon', 0, { assignees: [], due_date: day(-1) });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('my tasks: grouped by project, late marked, inline status change, filters, task links', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, artist.email, artist.password);
  await page.getByTestId('my-tasks-link').click();
  await page.waitForURL('**/tasks');
  const alpha = page.locator('section[data-project="Alpha Series"]');
  await alpha.waitFor();
  // Open tasks by default: the done one and someone else's are not listed.
  assert.deepEqual(await page.locator('section[data-project]').evaluateAll((els) => els.map((e) => e.dataset.project)), ['Alpha Series']);
  const rows = alpha.locator('.pg-mt-row');
  assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.dataset.task)),
    [`小明 Hero ${late.task_type}`, `Sword ${soon.task_type}`]);
  const lateRow = rows.first();
  assert.match(await lateRow.getAttribute('class'), /pg-late/);
  assert.match(await lateRow.getByTestId('due').innerText(), /Late/);
  assert.doesNotMatch(await rows.nth(1).getByTestId('due').innerText(), /Late/);
  assert.match(await rows.nth(1).innerText(), /Urgent/);
  assert.equal(await lateRow.locator('a.pg-mt-name').getAttribute('href'), `/projects/${p1.id}/production/tasks/${late.id}`);
  if (SHOTS) {
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'production-mytasks.png') });
  }

  // Inline status change: an artist is not offered "approved"; "wip" persists.
  await lateRow.locator('.pg-chip-btn').click();
  const menu = page.getByTestId('status-menu');
  await menu.waitFor();
  const offered = await menu.locator('.pg-chip').evaluateAll((els) => els.map((e) => e.dataset.status));
  assert.ok(offered.includes('wip') && !offered.includes('approved'), `offered ${offered}`);
  await menu.locator('button:has([data-status="wip"])').click();
  await lateRow.locator('.pg-chip[data-status="wip"]').waitFor();
  assert.equal((await admin.get(`/api/v1/tasks/${late.id}`)).json.status, 'wip');

  // Filters.
  await page.getByTestId('mytasks-due').selectOption('late');
  await page.waitForFunction(() => document.querySelectorAll('.pg-mt-row').length === 1);
  assert.equal(await page.locator('.pg-mt-row').getAttribute('data-task'), `小明 Hero ${late.task_type}`);
  await page.getByTestId('mytasks-status').selectOption('done');
  await page.getByText('No tasks here').waitFor();
  await page.getByTestId('mytasks-due').selectOption('');
  await page.locator('section[data-project="Beta Feature"]').waitFor();
  assert.deepEqual(await page.locator('.pg-mt-row').evaluateAll((els) => els.map((e) => e.dataset.task)), [`Castle ${done.task_type}`]);
  await page.getByTestId('mytasks-status').selectOption('wip');
  await page.waitForFunction(() => document.querySelectorAll('.pg-mt-row').length === 1);
  assert.equal(await page.locator('.pg-mt-row').getAttribute('data-task'), `小明 Hero ${late.task_type}`);
  assert.ok(other.id);
  assertClean(errors);
  await close();
});
