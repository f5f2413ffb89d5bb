// The Assets tab and share links in a real browser against a real server: files uploaded with
// the file picker (tus, through tus-js-client) appear with the thumbnails the server's jobs
// make, folders are navigated by the tree and the crumbs, the detail panel plays the proxy,
// a share link with a passphrase opens in a browser without a session (wrong passphrase
// refused, right one shows the player and the download), and after it is revoked the same
// link says so. Also the page at phone width with a long Chinese name.
//
// SHOTS_DIR=/tmp/shots node --test tests/browser/assets.test.mjs keeps screenshots of the pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/api.mjs';
import { launch, openPage, assertClean, signInUI, overflowX, PHONE } from './helpers.mjs';

const run = promisify(execFile);
const SHOTS = process.env.SHOTS_DIR || '';
const CJK_NAME = '第一集 开场 城市夜景航拍 长镜头 最终调色版本（导演确认）.mp4';

let srv, browser, project, clip, cjkClip, clip2, rushes;

async function shot(page, name) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  const admin = await signIn(srv, srv.admin.email, srv.admin.password);
  const org = (await admin.post('/api/v1/orgs', { name: '北辰影业 Northern Star', kind: 'studio', slug: 'northern-star' })).json;
  project = (await admin.post('/api/v1/projects', { org_id: org.id, name: '长夜 The Long Night', code: 'TLN' })).json;
  // Two seconds of 25 fps test picture with a tone: thumbnails, filmstrip, proxy and waveform.
  clip = join(srv.dir, 'A001_C002_0101.mp4');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi',
    '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-shortest', '-y', clip]);
  cjkClip = join(srv.dir, CJK_NAME);
  await copyFile(clip, cjkClip);
  // A second take of A001 (three seconds), and a folder of rushes: sound and a still.
  clip2 = join(srv.dir, 'take2', 'A001_C002_0101.mp4');
  rushes = join(srv.dir, 'Rushes 第1天');
  await Promise.all([mkdir(join(srv.dir, 'take2')), mkdir(join(rushes, 'sound'), { recursive: true }),
    mkdir(join(rushes, 'stills'), { recursive: true })]);
  await Promise.all([
    run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-t', '3',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', clip2]),
    run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=220:sample_rate=48000:beep_factor=4',
      '-t', '3', '-ac', '2', '-y', join(rushes, 'sound', 'S01_T01 现场录音.wav')]),
    run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360', '-frames:v', '1', '-y',
      join(rushes, 'stills', 'still_001.png')]),
  ]);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The page polls while the server's jobs make the previews; wait for the card's picture.
async function waitForThumbnail(card) {
  await card.locator('img.thumb-img').waitFor({ timeout: 20000 });
  await card.locator('img.thumb-img').evaluate((img) => img.complete && img.naturalWidth > 0
    || new Promise((res, rej) => { img.onload = res; img.onerror = rej; }));
}

test('upload, folders, detail with the proxy playing, a share link with a passphrase, revoked', async () => {
  const a = await openPage(browser, srv.url);
  await signInUI(a.page, srv.admin.email, srv.admin.password, { next: `/projects/${project.id}/assets?folder=/EP01` });
  await a.page.waitForURL(`**/projects/${project.id}/assets?folder=/EP01`);
  await a.page.getByRole('link', { name: 'Assets' }).waitFor();
  await a.page.getByText('No files here yet').waitFor();

  // Upload two files by the picker into /EP01.
  await a.page.getByTestId('upload-files').setInputFiles([clip, cjkClip]);
  const tray = a.page.getByTestId('upload-tray');
  await tray.waitFor();
  await tray.locator('[data-testid="upload-row"][data-state="done"]').nth(1).waitFor({ timeout: 15000 });
  await tray.getByText('2 uploaded').waitFor();

  const card = a.page.getByTestId('asset-card').filter({ hasText: 'A001_C002_0101.mp4' });
  const cjkCard = a.page.getByTestId('asset-card').filter({ hasText: '第一集' });
  await card.waitFor();
  await waitForThumbnail(card);
  await waitForThumbnail(cjkCard);
  await shot(a.page, 'assets-grid');

  // Folders: the root shows EP01 as a folder; back into it by the tile, out by the crumbs.
  await a.page.locator('.assets-tree').getByRole('link', { name: 'All files' }).click();
  await a.page.waitForURL(`**/projects/${project.id}/assets`);
  const tile = a.page.getByTestId('folder-tile').filter({ hasText: 'EP01' });
  await tile.waitFor();
  assert.equal(await a.page.getByTestId('asset-card').count(), 0);
  await tile.click();
  await a.page.waitForURL(/folder=%2FEP01$/);
  await card.waitFor();
  assert.equal(await a.page.getByTestId('asset-card').count(), 2);

  // The list view has the probe's facts.
  await a.page.getByRole('button', { name: 'List' }).click();
  const row = a.page.getByTestId('asset-row').filter({ hasText: 'A001_C002_0101.mp4' });
  await row.waitFor();
  await row.getByText('320 × 180').waitFor();
  await row.getByText('v001').waitFor();
  await shot(a.page, 'assets-list');
  await a.page.getByRole('button', { name: 'Thumbnails' }).click();

  // Open the detail: facts, and the proxy plays.
  await card.click();
  await a.page.waitForURL(/asset=[0-9a-f-]{36}/);
  const detail = a.page.getByTestId('asset-detail');
  await detail.getByRole('heading', { name: 'A001_C002_0101.mp4' }).waitFor();
  const facts = detail.getByTestId('asset-facts');
  await facts.getByText('320 × 180').waitFor();
  await facts.getByText('00:00:02:00').waitFor();
  await facts.locator('dd', { hasText: /^25$/ }).waitFor();
  const video = detail.getByTestId('asset-video');
  await video.waitFor({ timeout: 15000 });
  await a.page.waitForFunction(() => {
    const v = document.querySelector('[data-testid="asset-video"]');
    return v && v.readyState >= 2 && Math.abs(v.duration - 2) < 0.2;
  }, null, { timeout: 10000 });
  await video.evaluate((v) => { v.muted = true; return v.play(); });
  await a.page.waitForFunction(() => document.querySelector('[data-testid="asset-video"]').currentTime > 0.2, null, { timeout: 5000 });
  await video.evaluate((v) => v.pause());
  await detail.locator('canvas.filmstrip').waitFor();
  // Hovering a video's thumbnail scrubs through its filmstrip.
  const thumb = await card.locator('.asset-thumb').boundingBox();
  await a.page.mouse.move(thumb.x + thumb.width * 0.2, thumb.y + thumb.height / 2);
  await a.page.mouse.move(thumb.x + thumb.width * 0.7, thumb.y + thumb.height / 2, { steps: 3 });
  await card.locator('canvas.thumb-scrub').waitFor();
  await a.page.mouse.move(0, 0);
  await detail.getByTestId('version-row').first().getByText('v001').waitFor();
  await shot(a.page, 'assets-detail');

  // A share link: download allowed, with a passphrase.
  await detail.getByTestId('asset-share').click();
  const dialog = a.page.getByRole('dialog', { name: 'Share links' });
  await dialog.getByRole('radio', { name: 'Viewing and download' }).click();
  await dialog.getByLabel('Passphrase (optional)').fill('open sesame');
  await dialog.getByLabel('Note (optional)').fill('给调色师 for the colourist');
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const url = await dialog.getByTestId('share-url').inputValue();
  assert.match(url, /\/s\/mss_[A-Za-z0-9_-]+$/);
  await dialog.getByTestId('share-row').filter({ hasText: 'Active' }).waitFor();
  await shot(a.page, 'assets-share-dialog');

  // Someone without an account opens it.
  const b = await openPage(browser, srv.url, { allowHttp: [401, 403, 404, 410] });
  const path = new URL(url).pathname;
  await b.page.goto(path);
  await b.page.getByRole('heading', { name: 'This link is protected' }).waitFor();
  await shot(b.page, 'share-passphrase');
  await b.page.getByLabel('Passphrase').fill('not it');
  await b.page.getByRole('button', { name: 'Open' }).click();
  await b.page.getByText('That passphrase is not right.').waitFor();
  await b.page.getByLabel('Passphrase').fill('open sesame');
  await b.page.getByRole('button', { name: 'Open' }).click();
  await b.page.getByTestId('share-name').getByText('A001_C002_0101.mp4').waitFor();
  await b.page.waitForFunction(() => {
    const v = document.querySelector('[data-testid="share-video"]');
    return v && v.readyState >= 1 && Math.abs(v.duration - 2) < 0.2;
  }, null, { timeout: 10000 });
  const dl = b.page.getByTestId('share-download');
  assert.match(await dl.getAttribute('href'), /\/api\/v1\/shares\/mss_[^/]+\/content\?access=/);
  const bytes = await b.page.evaluate(async (href) => (await (await fetch(href)).arrayBuffer()).byteLength, await dl.getAttribute('href'));
  assert.ok(bytes > 1000, 'the download gives the original');
  await shot(b.page, 'share-view');

  // Revoked: the same link says so.
  await dialog.getByTestId('share-revoke').click();
  await a.page.getByTestId('confirm').click();
  await dialog.getByTestId('share-row').filter({ hasText: 'Revoked' }).waitFor();
  await b.page.reload();
  await b.page.getByRole('heading', { name: 'This link was revoked' }).waitFor();
  await shot(b.page, 'share-revoked');
  // An unknown link says that instead.
  await b.page.goto('/s/mss_nothing-here');
  await b.page.getByRole('heading', { name: 'This link does not exist' }).waitFor();

  assertClean(a.errors);
  assertClean(b.errors);
  await b.close();
  await a.close();
});

test('a folder keeps its structure; sound gets a waveform; a new version, compared and restored', async () => {
  const a = await openPage(browser, srv.url);
  await signInUI(a.page, srv.admin.email, srv.admin.password, { next: `/projects/${project.id}/assets?folder=/EP01` });
  await a.page.getByTestId('asset-card').first().waitFor();

  // A new folder exists on the page until a file goes into it.
  await a.page.getByRole('button', { name: 'New folder' }).click();
  const nf = a.page.getByRole('dialog', { name: 'New folder' });
  await nf.getByLabel('Folder name').fill('a/b');
  await nf.getByRole('button', { name: 'Create folder' }).click();
  await nf.getByText('A folder name cannot contain').waitFor();
  await nf.getByLabel('Folder name').fill('调色 Grade');
  await nf.getByRole('button', { name: 'Create folder' }).click();
  await a.page.waitForURL(/folder=%2FEP01%2F%E8%B0%83%E8%89%B2/);
  await a.page.getByText('No files here yet').waitFor();
  await a.page.locator('.assets-tree').getByRole('link', { name: '调色 Grade' }).waitFor();
  await a.page.locator('.assets-crumbs').getByRole('link', { name: 'EP01' }).click();

  // A whole folder, picked: its sub-folders become sub-folders of /EP01.
  await a.page.getByTestId('upload-folder').setInputFiles(rushes);
  await a.page.getByTestId('upload-tray').getByText('2 uploaded').waitFor({ timeout: 15000 });
  const tree = a.page.locator('.assets-tree');
  await tree.getByRole('link', { name: 'Rushes 第1天' }).click();
  await a.page.waitForURL(/folder=%2FEP01%2FRushes/);
  await a.page.getByTestId('folder-tile').filter({ hasText: 'sound' }).click();
  const wav = a.page.getByTestId('asset-card').filter({ hasText: 'S01_T01 现场录音.wav' });
  await wav.click();
  const detail = a.page.getByTestId('asset-detail');
  await detail.locator('canvas.waveform').waitFor({ timeout: 15000 });
  await detail.getByTestId('asset-facts').getByText('stereo').waitFor();
  await shot(a.page, 'assets-audio');
  await a.page.locator('.assets-crumbs').getByRole('link', { name: 'Rushes 第1天' }).click();
  await a.page.getByTestId('folder-tile').filter({ hasText: 'stills' }).click();
  await waitForThumbnail(a.page.getByTestId('asset-card').filter({ hasText: 'still_001.png' }));

  // A new version of A001 from its detail panel.
  await a.page.goto(`/projects/${project.id}/assets?folder=/EP01`);
  await a.page.getByTestId('asset-card').filter({ hasText: 'A001_C002_0101.mp4' }).click();
  await detail.getByTestId('version-row').first().waitFor();
  await detail.getByTestId('upload-version').setInputFiles(clip2);
  await detail.getByTestId('version-row').filter({ hasText: 'v002' }).getByText('Current').waitFor({ timeout: 15000 });
  await detail.getByTestId('asset-facts').getByText('00:00:03:00').waitFor({ timeout: 10000 });
  await detail.getByRole('button', { name: 'Compare v001 and v002' }).click();
  const cmp = a.page.getByRole('dialog', { name: 'v001 and v002' });
  await cmp.getByTestId('compare').getByText('Duration').waitFor();
  await shot(a.page, 'assets-compare');
  await cmp.getByRole('button', { name: 'Close' }).click();

  // Restore v001: it comes back as v003.
  await detail.getByTestId('version-row').filter({ hasText: 'v001' }).getByRole('button', { name: 'Restore' }).click();
  await a.page.getByTestId('confirm').click();
  const v3 = detail.getByTestId('version-row').filter({ hasText: 'v003' });
  await v3.getByText('Current').waitFor();
  await v3.getByText('Restored from v001').waitFor();
  await detail.getByTestId('asset-facts').getByText('00:00:02:00').waitFor({ timeout: 10000 });
  await shot(a.page, 'assets-versions');
  if (SHOTS) {
    await a.page.setViewportSize({ width: 1100, height: 760 });
    await shot(a.page, 'assets-1100');
  }
  assertClean(a.errors);
  await a.close();
});

test('an interrupted upload resumes from where the server is, without starting over', async () => {
  const a = await openPage(browser, srv.url);
  await signInUI(a.page, srv.admin.email, srv.admin.password, { next: `/projects/${project.id}/assets?folder=/Resume` });
  await a.page.getByText('No files here yet').waitFor();
  // The upload is created, but its bytes never arrive: the connection drops on every PATCH.
  let patches = 0;
  await a.page.route('**/api/v1/uploads/*', (route) => {
    if (route.request().method() !== 'PATCH') return route.continue();
    patches++;
    return route.abort('connectionreset');
  });
  await a.page.getByTestId('upload-files').setInputFiles(clip);
  await a.page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith('tus::mstation-tus')));
  for (let i = 0; !patches && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(patches > 0, 'the first tab tried to send the bytes');
  // Paused: no retry is in flight when the tab goes.
  await a.page.getByRole('button', { name: 'Pause' }).click();
  await a.page.locator('[data-testid="upload-row"][data-state="paused"]').waitFor();
  await a.page.close();

  // Another tab of the same browser gets the same file: it carries on with the same upload.
  const page2 = await a.context.newPage();
  page2.setDefaultTimeout(8000);
  const calls = [];
  page2.on('request', (r) => r.url().includes('/api/v1/uploads') && calls.push(r.method()));
  await page2.goto(`/projects/${project.id}/assets?folder=/Resume`);
  await page2.getByText('No files here yet').waitFor();
  await page2.getByTestId('upload-files').setInputFiles(clip);
  await page2.locator('[data-testid="upload-row"][data-state="done"]').waitFor({ timeout: 10000 });
  assert.deepEqual(calls, ['HEAD', 'PATCH'], 'no new upload was created');
  await page2.getByTestId('asset-card').filter({ hasText: 'A001_C002_0101.mp4' }).waitFor();
  // Done: the remembered upload is forgotten.
  assert.equal(await page2.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tus::')).length), 0);

  // Files dropped on the page go to the current folder.
  const dt = await page2.evaluateHandle(() => {
    const d = new DataTransfer();
    d.items.add(new File(['场记：第 3 场第 2 条可用。\n'], '场记 notes.txt', { type: 'text/plain' }));
    return d;
  });
  await page2.getByTestId('assets-page').dispatchEvent('dragenter', { dataTransfer: dt });
  await page2.getByText('Drop to upload').waitFor();
  await page2.getByTestId('assets-page').dispatchEvent('drop', { dataTransfer: dt });
  await page2.getByTestId('asset-card').filter({ hasText: '场记 notes.txt' }).waitFor();
  assert.equal(await page2.getByText('Drop to upload').count(), 0);
  await a.close();
});

test('phone width in Chinese: long CJK names ellipsize, nothing overflows, detail fills the screen', async () => {
  const admin = await signIn(srv, srv.admin.email, srv.admin.password);
  assert.equal((await admin.patch('/api/v1/users/me', { locale: 'zh-CN' })).status, 200);
  const p = await openPage(browser, srv.url, { viewport: PHONE, locale: 'zh-CN' });
  await signInUI(p.page, srv.admin.email, srv.admin.password, { next: `/projects/${project.id}/assets?folder=/EP01` });
  await p.page.waitForURL(`**/projects/${project.id}/assets?folder=/EP01`);
  const card = p.page.getByTestId('asset-card').filter({ hasText: '第一集' });
  await card.waitFor();
  await waitForThumbnail(card);
  assert.ok(await overflowX(p.page) <= 0, 'no horizontal overflow at phone width');
  // The long name is clamped inside its card.
  const fits = await card.evaluate((el) => {
    const name = el.querySelector('.asset-card-name');
    return name.scrollHeight > name.clientHeight && el.getBoundingClientRect().right <= window.innerWidth;
  });
  assert.ok(fits, 'the long name is clamped and the card fits the screen');
  await shot(p.page, 'assets-phone');
  await card.click();
  const detail = p.page.getByTestId('asset-detail');
  await detail.getByText('详情').waitFor();
  const box = await detail.boundingBox();
  assert.ok(box.width >= PHONE.width - 1, 'the detail panel takes the whole width');
  await shot(p.page, 'assets-phone-detail');
  await detail.getByTestId('detail-close').click();
  await p.page.waitForURL((u) => !u.search.includes('asset='));

  // The share page of the long-named file, view only, on the phone.
  const id = await card.evaluate((el) => new URL(el.href).searchParams.get('asset'));
  const share = (await admin.post(`/api/v1/assets/${id}/shares`, { mode: 'view' })).json;
  await p.page.goto(new URL(share.url).pathname);
  await p.page.getByTestId('share-name').waitFor();
  await p.page.getByText('仅可观看').waitFor();
  assert.equal(await p.page.getByTestId('share-download').count(), 0, 'a view link offers no download');
  assert.ok(await overflowX(p.page) <= 0, 'the share page fits the phone');
  await shot(p.page, 'share-phone');
  assertClean(p.errors);
  await p.close();
  await admin.patch('/api/v1/users/me', { locale: 'en' });
});
