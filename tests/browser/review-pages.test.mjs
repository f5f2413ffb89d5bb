// The review pages in a real browser against a real server: on a task page a supervisor
// submits a version (a small 29.97 fps video uploaded to the asset library, its proxy made by
// the server's jobs), steps to a frame with the keys, draws a box and a word on the picture
// and saves a note: it shows the drop-frame timecode of that frame, a marker on the timeline,
// the stored shapes are normalized, and after a reload it is still there and brings back its
// frame and drawing. The filmstrip previews and seeks; notes resolve and reopen. Comments with
// an @mention (the person is notified), a status change, a checklist and an attachment; the
// header's status; approving a version. An artist (in Chinese) gets no approve buttons and
// only artists' statuses, and the page fits a phone. Then a playlist of two versions,
// reordered; review mode goes on to the next version by itself; a client review link with a
// passphrase opened in a fresh browser without a session (a wrong passphrase refused): a
// guest leaves a note with a drawing that the team sees as a guest's note; a view-only link
// to one version; a revoked link and an unknown one each say so. Last, a client asks for
// changes on a task sent for review.
//
// SHOTS_DIR=/tmp/shots node --test tests/browser/review-pages.test.mjs keeps screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer } from '../lib/server.mjs';
import { signIn, addUser } from '../lib/api.mjs';
import { launch, openPage, assertClean, signInUI, overflowX, PHONE } from './helpers.mjs';

const run = promisify(execFile);
const SHOTS = process.env.SHOTS_DIR || '';
const TUS = { 'Tus-Resumable': '1.0.0' };
const b64 = (s) => Buffer.from(s).toString('base64');

let srv, browser, admin, project, task, asset, artistUser, statuses;

async function shot(page, name) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}

// A whole tus upload in one PATCH; resolves to the asset id.
async function upload(c, file, name) {
  const buf = await readFile(file);
  const meta = `filename ${b64(name)},project_id ${b64(project.id)},folder ${b64('/review')}`;
  const cr = await c.req('POST', '/api/v1/uploads', { headers: { ...TUS, 'Upload-Length': String(buf.length), 'Upload-Metadata': meta } });
  assert.equal(cr.status, 201, cr.text);
  const r = await c.req('PATCH', cr.headers.get('location'), {
    body: buf, headers: { ...TUS, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
  });
  assert.equal(r.status, 204, r.text);
  return r.headers.get('x-asset-id');
}

async function waitFor(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  admin = await signIn(srv, srv.admin.email, srv.admin.password);
  const org = (await admin.post('/api/v1/orgs', { name: '北辰影业 Northern Star', kind: 'studio', slug: 'northern-star' })).json;
  project = await ok(await admin.post('/api/v1/projects', { org_id: org.id, name: '长夜 The Long Night', code: 'TLN' }), 201);
  artistUser = await addUser(srv, 'lin.artist@example.com', { name: '林 Artist' });
  await ok(await admin.post(`/api/v1/projects/${project.id}/members`, { email: artistUser.email, role: 'member' }), 201);
  // The artist reads the pages in Chinese.
  await ok(await (await signIn(srv, artistUser.email, artistUser.password)).patch('/api/v1/users/me', { locale: 'zh-CN' }), 200);
  const voc = await ok(await admin.post(`/api/v1/projects/${project.id}/production/setup`, { template: 'series' }), 201);
  statuses = Object.fromEntries(voc.task_statuses.map((s) => [s.short_name, s]));
  const [epT, seqT, shotT] = voc.entity_types;
  const ep = await ok(await admin.post(`/api/v1/projects/${project.id}/entities`, { type_id: epT.id, name: 'EP01' }), 201);
  const sq = await ok(await admin.post(`/api/v1/projects/${project.id}/entities`, { type_id: seqT.id, parent_id: ep.id, name: 'SQ010' }), 201);
  const sh = await ok(await admin.post(`/api/v1/projects/${project.id}/entities`, {
    type_id: shotT.id, parent_id: sq.id, name: 'SH0010', fps: '30000/1001' }), 201);
  const comp = voc.task_types.find((t) => t.name === 'Compositing') || voc.task_types.find((t) => t.for_kind === 'shot');
  task = await ok(await admin.post(`/api/v1/projects/${project.id}/tasks`, { entity_id: sh.id, task_type_id: comp.id, assignees: [artistUser.id] }), 201);
  if (task.items) task = task.items[0];
  // Three seconds of 29.97 fps test picture: 90 frames.
  const clip = join(srv.dir, 'SH0010_comp_v001.mp4');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30000/1001', '-t', '3',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', clip]);
  const id = await upload(admin, clip, 'SH0010_comp_v001.mp4');
  asset = await waitFor(async () => {
    const a = (await admin.get(`/api/v1/assets/${id}`)).json;
    return a && a.proxy_state === 'done' && a.thumbnail_state === 'done' ? a : null;
  }, 60000, 'the proxy');
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const taskUrl = () => `/projects/${project.id}/production/tasks/${task.id}`;

async function videoReady(page) {
  await page.waitForFunction(() => {
    const v = document.querySelector('[data-testid="review-video"]');
    return v && v.readyState >= 2 && v.duration > 2.9;
  }, null, { timeout: 20000 });
}

async function dragOn(page, locator, from, to) {
  const box = await locator.boundingBox();
  await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((from[0] + to[0]) / 2), box.y + box.height * ((from[1] + to[1]) / 2), { steps: 3 });
  await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 3 });
  await page.mouse.up();
}

// On a failure, a picture of every open page (with SHOTS_DIR).
const open = new Set();
async function track(p) {
  open.add(p);
  return p;
}
function withShots(fn) {
  return async () => {
    try {
      await fn();
    } catch (e) {
      let i = 0;
      for (const p of open) await shot(p.page, `failed-${i++}`).catch(() => {});
      throw e;
    } finally {
      open.clear();
    }
  };
}

test('task page: submit a version, a note with a drawing at a frame survives a reload; comment, status, approve', withShots(async () => {
  const a = await track(await openPage(browser, srv.url));
  await signInUI(a.page, srv.admin.email, srv.admin.password, { next: taskUrl() });
  const pg = a.page.getByTestId('task-page');
  await pg.getByTestId('task-title').getByText('SH0010').waitFor();
  await pg.getByText('No versions submitted yet.').waitFor();
  await pg.getByTestId('task-assignees').getByText('林 Artist').waitFor();

  // Submit a version from the project's files.
  await pg.getByTestId('submit-version').click();
  const dlg = a.page.getByRole('dialog', { name: 'Submit a version' });
  await dlg.getByRole('searchbox').fill('SH0010');
  await dlg.getByTestId('asset-option').filter({ hasText: 'SH0010_comp_v001.mp4' }).click();
  await dlg.getByTestId('picked-asset').waitFor();
  await dlg.getByLabel('What changed (optional)').fill('First comp, grade pending');
  await dlg.getByTestId('submit-version-go').click();
  await dlg.waitFor({ state: 'detached' });
  await pg.getByTestId('version-tab').filter({ hasText: 'v001' }).waitFor();
  await pg.getByTestId('version-panel').getByText('Pending review').first().waitFor();
  await videoReady(a.page);
  const tc = pg.getByTestId('timecode');
  await tc.getByText('00:00:00;00').waitFor();
  await pg.getByTestId('frame').getByText('frame 0 of 90').waitFor();

  // Step: shift+→ ten frames, → three, ← one: frame 12.
  await a.page.evaluate(() => document.activeElement && document.activeElement.blur());
  await a.page.keyboard.press('Shift+ArrowRight');
  for (let i = 0; i < 3; i++) await a.page.keyboard.press('ArrowRight');
  await a.page.keyboard.press('ArrowLeft');
  await tc.getByText('00:00:00;12').waitFor();
  await pg.getByTestId('frame').getByText('frame 12 of 90').waitFor();
  const shown = await a.page.evaluate(() => document.querySelector('[data-testid="review-video"]').currentTime);
  assert.equal(Math.floor(shown * 30000 / 1001), 12, `the video shows frame 12 (${shown})`);
  await pg.getByTestId('composer-tc').getByText('00:00:00;12').waitFor();

  // Draw a box and a word, undo one line, save the note.
  const overlay = pg.getByTestId('draw-overlay');
  // Pen, arrow and ellipse draw; Clear takes them all away.
  await pg.getByTestId('tool-pen').click();
  await dragOn(a.page, overlay, [0.2, 0.5], [0.4, 0.6]);
  await pg.getByTestId('tool-arrow').click();
  await dragOn(a.page, overlay, [0.7, 0.2], [0.5, 0.4]);
  await pg.getByTestId('tool-ellipse').click();
  await dragOn(a.page, overlay, [0.6, 0.6], [0.9, 0.9]);
  for (const k of ['path', 'arrow', 'ellipse']) assert.equal(await overlay.locator(`[data-shape="${k}"]`).count(), 1, k);
  assert.ok(Number(await overlay.locator('[data-shape="path"]').evaluate((el) => el.getAttribute('points').split(' ').length)) > 2);
  await shot(a.page, 'review-draw-tools');
  await pg.getByTestId('draw-clear').click();
  assert.equal(await overlay.getAttribute('data-shapes'), '0');
  await pg.getByTestId('tool-rect').click();
  await dragOn(a.page, overlay, [0.3, 0.3], [0.6, 0.7]);
  await pg.getByTestId('tool-line').click();
  await dragOn(a.page, overlay, [0.1, 0.1], [0.2, 0.9]);
  assert.equal(await overlay.getAttribute('data-shapes'), '2');
  await pg.getByTestId('draw-undo').click();
  await pg.getByTestId('tool-text').click();
  await pg.getByLabel('Text to place').fill('亮一点');
  await overlay.click({ position: { x: 40, y: 40 } });
  assert.equal(await overlay.getAttribute('data-shapes'), '2');
  assert.equal(await overlay.locator('[data-shape="rect"]').count(), 1);
  await pg.getByTestId('note-text-input').fill('Brighten the sky here 天空再亮一点');
  await shot(a.page, 'review-task-drawing');
  await pg.getByTestId('note-save').click();
  const note = pg.getByTestId('note').filter({ hasText: 'Brighten the sky here' });
  await note.waitFor();
  await note.getByTestId('note-tc').getByText('00:00:00;12').waitFor();
  assert.equal(await pg.getByTestId('note-marker').count(), 1);
  const saved = (await admin.get(`/api/v1/versions/${(await admin.get(`/api/v1/tasks/${task.id}/versions`)).json.items[0].id}/notes`)).json.items;
  assert.equal(saved.length, 1);
  assert.equal(saved[0].frame, 12);
  assert.equal(saved[0].timecode, '00:00:00;12');
  assert.deepEqual(saved[0].annotations.map((s) => s.type), ['rect', 'text']);
  const rect = saved[0].annotations[0];
  assert.ok(rect.from[0] > 0.25 && rect.from[0] < 0.35 && rect.to[1] > 0.65 && rect.to[1] < 0.75, JSON.stringify(rect));
  await shot(a.page, 'review-task-note');

  // A reload: the note is still there; clicking it goes to its frame and shows its drawing.
  await a.page.reload();
  await videoReady(a.page);
  await tc.getByText('00:00:00;00').waitFor();
  await note.waitFor();
  assert.equal(await overlay.locator('[data-shape]').count(), 0);
  await note.locator('.rv-note-main').click();
  await tc.getByText('00:00:00;12').waitFor();
  await overlay.locator('[data-shape="rect"]').waitFor();
  await overlay.locator('[data-shape="text"]').getByText('亮一点').waitFor();

  // The filmstrip: hovering shows its tile over the picture, a click in the middle goes there.
  const strip = pg.locator('canvas.filmstrip');
  await strip.hover();
  await pg.locator('canvas.rv-preview').waitFor();
  await strip.click();
  await a.page.mouse.move(0, 0);
  const mid = Number(/frame (\d+) of 90/.exec(await pg.getByTestId('frame').textContent())[1]);
  assert.ok(mid >= 43 && mid <= 47, `the middle of the strip is frame ${mid}`);

  // Resolve the note, then reopen it.
  await note.getByTestId('note-resolve').click();
  await note.getByRole('button', { name: 'Reopen' }).waitFor();
  await note.getByTestId('note-resolve').click();
  await note.getByRole('button', { name: 'Resolve' }).waitFor();

  // A comment with an @mention and a status change.
  const thread = pg.getByTestId('comment-thread');
  await thread.getByText('Version 1').first().waitFor();
  const input = thread.getByTestId('comment-input');
  await input.click();
  await a.page.keyboard.type('Looks close. @林');
  await thread.getByTestId('mention-list').getByText('林 Artist').waitFor();
  await a.page.keyboard.press('Enter');
  assert.match(await input.inputValue(), /@林_Artist $/);
  await a.page.keyboard.type('please check the sky.');
  await thread.getByTestId('comment-status').selectOption({ label: statuses.retake.name });
  await thread.getByTestId('comment-post').click();
  await thread.getByTestId('comment').filter({ hasText: 'please check the sky.' }).waitFor();
  await pg.getByTestId('status-chip').getByText('retake').waitFor();
  const art = await signIn(srv, artistUser.email, artistUser.password);
  const mine = (await art.get('/api/v1/me/notifications')).json.items;
  assert.ok(mine.some((n) => n.kind === 'mention'), JSON.stringify(mine));

  // A checklist and an attachment from the project's files.
  await thread.getByTestId('add-checklist').click();
  await thread.getByTestId('checklist-item').fill('Sky matches the plate');
  await thread.getByTestId('add-attachment').click();
  await thread.getByTestId('attach-picker').getByTestId('asset-option').filter({ hasText: 'SH0010_comp_v001.mp4' }).click();
  await thread.getByText('SH0010_comp_v001.mp4').waitFor();
  await thread.getByTestId('comment-post').click();
  const listed = thread.getByTestId('comment').filter({ hasText: 'Sky matches the plate' });
  await listed.waitFor();
  await listed.getByRole('link', { name: 'Attached file' }).waitFor();
  const last = (await admin.get(`/api/v1/tasks/${task.id}/comments`)).json.items.at(-1);
  assert.deepEqual(last.checklist, [{ text: 'Sky matches the plate', checked: false }]);
  assert.deepEqual(last.attachments, [asset.id]);

  // The header's status menu.
  await pg.getByTestId('task-status').selectOption({ label: statuses.wip.name });
  await pg.getByTestId('status-chip').getByText('wip').waitFor();
  assert.equal((await admin.get(`/api/v1/tasks/${task.id}`)).json.status_id, statuses.wip.id);

  // Approve.
  await pg.getByTestId('approve').click();
  await pg.getByTestId('version-panel').locator('[data-testid="review-status"][data-status="approved"]').waitFor();
  await a.page.reload();
  await pg.getByTestId('version-tab').locator('[data-status="approved"]').waitFor();
  assert.equal((await admin.get(`/api/v1/tasks/${task.id}/versions`)).json.items[0].review_status, 'approved');
  await shot(a.page, 'review-task-approved');
  assertClean(a.errors);
  await a.close();

  // An artist (in Chinese) may not approve: no buttons; the status menu offers only artists' statuses.
  // A project member from outside the organization: nothing the page asks for is refused.
  const b = await track(await openPage(browser, srv.url, { allowHttp: [401, 404], locale: 'zh-CN' }));
  const missing = [];
  b.page.on('response', (r) => r.status() === 404 && missing.push(new URL(r.url()).pathname));
  await signInUI(b.page, artistUser.email, artistUser.password, { next: taskUrl() });
  const bp = b.page.getByTestId('task-page');
  await bp.getByTestId('version-panel').waitFor();
  await bp.getByRole('heading', { name: '评论 3' }).waitFor();
  assert.equal(await bp.getByTestId('approve').count(), 0);
  assert.equal(await bp.getByTestId('request-changes').count(), 0);
  const options = await bp.getByTestId('task-status').locator('option').allTextContents();
  assert.ok(!options.includes(statuses.approved.name), options.join(','));
  await bp.getByTestId('note').first().waitFor();
  assert.equal(await bp.getByTestId('note-delete').count(), 0, 'an artist may not delete the supervisor\'s note');

  // At phone width the page fits.
  await b.page.setViewportSize(PHONE);
  await b.page.waitForTimeout(200);
  assert.ok((await overflowX(b.page)) <= 0, 'no horizontal overflow at phone width');
  await shot(b.page, 'review-task-phone');
  assert.deepEqual(missing, []);
  assertClean(b.errors);
  await b.close();
}));

test('playlist, review mode, a client review link with a passphrase: a guest note the team sees; revoked and unknown links', withShots(async () => {
  const a = await track(await openPage(browser, srv.url));
  await signInUI(a.page, srv.admin.email, srv.admin.password, { next: `/projects/${project.id}/production/playlists` });
  const list = a.page.getByTestId('playlists-page');
  await list.getByText('No playlists yet').waitFor();
  await list.getByTestId('playlist-new').click();
  const dlg = a.page.getByRole('dialog', { name: 'New playlist' });
  await dlg.getByLabel('Name').fill('Dailies 周一');
  await dlg.getByLabel('For').selectOption('client');
  await dlg.getByTestId('playlist-create-go').click();
  const pl = a.page.getByTestId('playlist-page');
  await pl.getByRole('heading', { name: 'Dailies 周一' }).waitFor();
  await pl.getByText('This playlist is empty').waitFor();

  // A second version of the task (the same file again), then both in the playlist, v002 first.
  await ok(await admin.post(`/api/v1/tasks/${task.id}/versions`, { asset_id: asset.id, text: 'Second pass' }), 201);
  await pl.getByTestId('playlist-add').click();
  const add = a.page.getByRole('dialog', { name: 'Add versions' });
  await add.getByRole('searchbox').fill('sh0010');
  await add.getByTestId('add-version').filter({ hasText: 'v001' }).click();
  await pl.getByTestId('playlist-item').filter({ hasText: 'v001' }).waitFor();
  await shot(a.page, 'review-add-versions');
  await add.getByTestId('add-version').filter({ hasText: 'v002' }).click();
  await pl.getByTestId('playlist-item').filter({ hasText: 'v002' }).waitFor();
  await add.getByRole('button', { name: 'Close' }).last().click();
  await pl.getByTestId('playlist-item').first().getByTestId('item-down').click();
  await pl.getByTestId('playlist-item').first().getByText('v002').waitFor();
  const order = (await admin.get(`/api/v1/playlists/${a.page.url().split('/').pop()}`)).json.items.map((it) => it.version.number);
  assert.deepEqual(order, [2, 1]);
  await shot(a.page, 'review-playlist');

  // Review mode: v002 first; played to its end, v001 follows by itself, with its note.
  await pl.getByTestId('playlist-review').click();
  const mode = a.page.getByTestId('review-mode');
  await mode.getByTestId('review-current').getByText('SH0010').waitFor();
  await mode.getByText('Storyboard · v002').waitFor();
  await videoReady(a.page);
  await mode.getByText('No notes on this version yet.').waitFor();
  await mode.getByTestId('play').click();
  await a.page.locator('[data-testid="review-mode"][data-index="1"]').waitFor({ timeout: 15000 });
  await mode.getByText('Storyboard · v001').waitFor();
  await mode.getByTestId('note').filter({ hasText: 'Brighten the sky here' }).waitFor();
  await a.page.waitForFunction(() => {
    const v = document.querySelector('[data-testid="review-video"]');
    return v && !v.paused && v.currentTime > 0.1;
  }, null, { timeout: 10000 });
  await mode.getByTestId('play').click();
  await shot(a.page, 'review-mode');
  await a.page.goBack();

  // A client review link with a passphrase.
  await pl.getByTestId('link-new').click();
  const ld = a.page.getByRole('dialog', { name: 'New review link' });
  await ld.getByLabel('Passphrase (optional)').fill('north-star-42');
  await ld.getByTestId('link-create-go').click();
  const made = a.page.getByRole('dialog', { name: 'Review link created' });
  const url = await made.getByTestId('review-link-url').inputValue();
  assert.match(url, /\/r\/[A-Za-z0-9_-]+$/);
  await made.getByRole('button', { name: 'Done' }).click();
  await pl.getByTestId('review-link').filter({ hasText: 'Active' }).waitFor();

  // A browser without a session.
  const g = await track(await openPage(browser, srv.url, { allowHttp: [401, 403] }));
  await g.page.goto(new URL(url).pathname);
  const form = g.page.getByTestId('review-passphrase-form');
  await form.waitFor();
  await shot(g.page, 'review-public-passphrase');
  await form.getByLabel('Passphrase').fill('wrong');
  await form.getByRole('button', { name: 'Open' }).click();
  await form.getByText('That passphrase is not right.').waitFor();
  await form.getByLabel('Passphrase').fill('north-star-42');
  await form.getByRole('button', { name: 'Open' }).click();
  const pub = g.page.getByTestId('review-public');
  await pub.getByTestId('review-current').getByText('SH0010').waitFor();
  assert.equal(await pub.getByTestId('strip-item').count(), 2);
  await pub.getByTestId('strip-item').nth(1).click();
  await pub.getByText('Storyboard · v001').waitFor();
  await videoReady(g.page);
  // The team's own notes stay inside the team: a link shows the notes left through it.
  await pub.getByText('No notes on this version yet.').waitFor();
  // The guest's note at frame 30 with an ellipse.
  await g.page.evaluate(() => document.activeElement && document.activeElement.blur());
  for (let i = 0; i < 3; i++) await g.page.keyboard.press('Shift+ArrowRight');
  await pub.getByTestId('timecode').getByText('00:00:01;00').waitFor();
  await pub.getByTestId('tool-ellipse').click();
  await dragOn(g.page, pub.getByTestId('draw-overlay'), [0.5, 0.2], [0.8, 0.5]);
  await pub.getByTestId('guest-name').fill('Client 王');
  await pub.getByTestId('note-text-input').fill('Logo too small');
  await pub.getByTestId('note-save').click();
  const gnote = pub.getByTestId('note').filter({ hasText: 'Logo too small' });
  await gnote.waitFor();
  await gnote.getByTestId('note-tc').getByText('00:00:01;00').waitFor();
  await gnote.getByText('Guest').waitFor();
  assert.equal(await pub.getByTestId('note-delete').count(), 0);
  await shot(g.page, 'review-public');
  // After a reload (the passphrase again), the guest's note is there with its drawing.
  await g.page.reload();
  await form.getByLabel('Passphrase').fill('north-star-42');
  await form.getByRole('button', { name: 'Open' }).click();
  await pub.getByTestId('strip-item').nth(1).click();
  await gnote.waitFor();
  await gnote.locator('.rv-note-main').click();
  await pub.getByTestId('timecode').getByText('00:00:01;00').waitFor();
  await pub.getByTestId('draw-overlay').locator('[data-shape="ellipse"]').waitFor();
  // A client on a phone: the page fits.
  await g.page.setViewportSize(PHONE);
  await g.page.waitForTimeout(200);
  assert.ok((await overflowX(g.page)) <= 0, 'no horizontal overflow at phone width');
  await shot(g.page, 'review-public-phone');
  assertClean(g.errors);

  // The team sees it on the task page.
  await a.page.goto(taskUrl());
  await a.page.getByTestId('version-tab').filter({ hasText: 'v001' }).click();
  const tn = a.page.getByTestId('note').filter({ hasText: 'Logo too small' });
  await tn.waitFor();
  await tn.getByText('Client 王').waitFor();
  await tn.getByText('Guest').waitFor();
  await tn.locator('.rv-note-main').click();
  await a.page.getByTestId('timecode').getByText('00:00:01;00').waitFor();
  await a.page.getByTestId('draw-overlay').locator('[data-shape="ellipse"]').waitFor();

  // A view-only link to this one version, without a passphrase.
  const vlinks = a.page.getByTestId('review-links');
  await vlinks.getByText('No review links.').waitFor();
  await vlinks.getByTestId('link-new').click();
  const vd = a.page.getByRole('dialog', { name: 'New review link' });
  await vd.getByLabel('Guests may leave notes').uncheck();
  await vd.getByTestId('link-create-go').click();
  const vurl = await a.page.getByRole('dialog', { name: 'Review link created' }).getByTestId('review-link-url').inputValue();
  await a.page.getByRole('dialog', { name: 'Review link created' }).getByRole('button', { name: 'Done' }).click();
  await vlinks.getByTestId('review-link').filter({ hasText: 'Active' }).waitFor();
  const v = await track(await openPage(browser, srv.url));
  await v.page.goto(new URL(vurl).pathname);
  const vpub = v.page.getByTestId('review-public');
  await vpub.getByText('View only: notes are not taken on this link.').waitFor();
  await vpub.getByText('Storyboard · v001').waitFor();
  assert.equal(await vpub.getByTestId('strip-item').count(), 1);
  assert.equal(await vpub.getByTestId('note-composer').count(), 0);
  await videoReady(v.page);
  assertClean(v.errors);
  await v.close();

  // Revoke: the public page says the link has ended; an unknown one says there is none.
  await a.page.goto(`/projects/${project.id}/production/playlists`);
  await a.page.getByTestId('playlist-row').filter({ hasText: 'Dailies 周一' }).waitFor();
  await shot(a.page, 'review-playlists');
  await a.page.getByTestId('playlist-row').filter({ hasText: 'Dailies 周一' }).click();
  await a.page.getByTestId('review-link').getByTestId('link-revoke').click();
  await a.page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await a.page.getByTestId('review-link').filter({ hasText: 'Revoked' }).waitFor();
  assertClean(a.errors);
  await a.close();

  const h = await track(await openPage(browser, srv.url, { allowHttp: [401, 404, 410] }));
  await h.page.goto(new URL(url).pathname);
  await h.page.locator('[data-testid="review-gone"][data-reason="expired"]').waitFor();
  await shot(h.page, 'review-public-gone');
  await h.page.goto('/r/nosuchtoken0123456789');
  await h.page.locator('[data-testid="review-gone"][data-reason="missing"]').waitFor();
  assertClean(h.errors);
  await h.close();
  await g.close();
}));

test('a client sees a task sent for review, asks for changes, and is offered only the clients\' statuses', withShots(async () => {
  const client = await addUser(srv, 'zhao.client@example.com', { name: '赵 Client' });
  await ok(await admin.post(`/api/v1/projects/${project.id}/members`, { email: client.email, role: 'client' }), 201);
  const cur = await admin.get(`/api/v1/tasks/${task.id}`);
  await ok(await admin.patch(`/api/v1/tasks/${task.id}`, { status_id: statuses.wfa.id }, { headers: { 'If-Match': cur.headers.get('etag') } }));
  const c = await track(await openPage(browser, srv.url));
  await signInUI(c.page, client.email, client.password, { next: taskUrl() });
  const pg = c.page.getByTestId('task-page');
  await pg.getByTestId('version-panel').waitFor();
  assert.equal(await pg.getByTestId('submit-version').count(), 0);
  assert.equal(await pg.getByTestId('review-links').count(), 0);
  const options = await pg.getByTestId('task-status').locator('option').allTextContents();
  const clientNames = Object.values(statuses).filter((s) => s.is_client_allowed).map((s) => s.name);
  for (const o of options) assert.ok(o === statuses.wfa.name || clientNames.includes(o), `${o} offered to a client`);
  await pg.getByTestId('request-changes').click();
  await pg.getByTestId('version-panel').locator('[data-testid="review-status"][data-status="changes_requested"]').waitFor();
  const versions = (await admin.get(`/api/v1/tasks/${task.id}/versions`)).json.items;
  assert.equal(versions[0].number, 2); // the newest is shown first
  assert.equal(versions[0].review_status, 'changes_requested');
  await shot(c.page, 'review-task-client');
  assertClean(c.errors);
  await c.close();
}));
