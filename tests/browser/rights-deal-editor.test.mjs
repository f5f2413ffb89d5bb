// The deal editor in a real browser against a real server: a deal typed over a signed
// exclusive deal shows the conflict while typing (naming the blocking deal) and nothing is
// written; saving it anyway answers 409 and the editor lists the conflicts; fixing the
// territories clears the conflict; the draft saves, then signs; a signed deal's rights are
// read-only. The editor fits a phone's width.
//
// SHOTS_DIR=/tmp/shots node --test tests/browser/rights-deal-editor.test.mjs keeps screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/api.mjs';
import { assertOk, person, addMember } from '../api/helpers.mjs';
import { launch, openPage, assertClean, signInUI, overflowX, PHONE } from './helpers.mjs';

const SHOTS = process.env.SHOTS_DIR || '';
let srv, browser, admin, org, title, blocking;

async function shot(page, name) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  admin = await signIn(srv, srv.admin.email, srv.admin.password);
  org = assertOk(await admin.post('/api/v1/orgs', { name: '长安影业 Chang’an Pictures', kind: 'distributor' }), 201);
  title = assertOk(await admin.post(`/api/v1/orgs/${org.id}/titles`, {
    kind: 'series', title: '长安十二时辰 The Longest Day in Chang’an', year: 2019, genres: ['历史', 'thriller'],
  }), 201);
  assertOk(await admin.post(`/api/v1/titles/${title.id}/rights-in`, {
    source: 'own_production', territories: { include: ['WORLD'], exclude: [] }, media: ['svod', 'avod', 'pay_tv'],
    start: '2026-01-01', end: null, exclusivity: 'exclusive',
  }), 201);
  blocking = assertOk(await admin.post(`/api/v1/orgs/${org.id}/deals`, {
    licensee_name: 'Canal Azul', reference: 'EXCL-FR-2027', currency: 'EUR', fee: '120000',
    rights: [{ title_id: title.id, territories: ['FR'], media: ['svod'], start: '2027-01-01', end: '2027-12-31', exclusivity: 'exclusive' }],
  }), 201);
  const g = await admin.get(`/api/v1/deals/${blocking.id}`);
  assertOk(await admin.post(`/api/v1/deals/${blocking.id}/status`, { status: 'signed' }, { headers: { 'If-Match': g.headers.get('etag') } }), 200);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const deals = async () => assertOk(await admin.get(`/api/v1/orgs/${org.id}/deals`), 200).items;

test('conflicts appear while typing, a 409 is shown, the fixed deal saves and signs', async () => {
  const { page, errors, close } = await openPage(browser, srv.url, { allowHttp: [401, 409] });
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/orgs/${org.id}/rights/deals/new?title_id=${title.id}` });
  await page.getByTestId('deal-editor').waitFor();
  // The title came from the link; the row starts with it picked.
  await page.getByTestId('row-title-picked').filter({ hasText: 'The Longest Day' }).waitFor();
  await page.getByTestId('licensee-mode-name').click();
  await page.getByTestId('licensee-name').fill('Nordic Stream 北欧流媒体');
  await page.getByTestId('deal-reference').fill('NS-2027');
  await page.getByTestId('deal-fee-input').fill('50000');
  await page.getByTestId('row-territories').fill('EUROPE');
  await page.locator('[data-testid="row-media"] [data-media="svod"]').click();
  await page.getByTestId('row-start').fill('2027-06-01');
  await page.getByTestId('row-end').fill('2027-08-31');
  await page.getByTestId('row-exclusivity').selectOption('exclusive');

  // The live check names the blocking deal and its licensee; nothing was written.
  const conflicts = page.getByTestId('conflicts');
  await conflicts.waitFor();
  const text = await conflicts.innerText();
  assert.match(text, /EXCL-FR-2027/);
  assert.match(text, /Canal Azul/);
  assert.match(text, /\bFR\b/);
  assert.equal(await page.locator('[data-testid="conflict"][data-reason="exclusive"]').count() >= 1, true);
  assert.equal(await page.locator('[data-testid="rights-row"].rt-conflicted').count(), 1, 'the row is marked');
  const link = page.getByTestId('conflict-deal').first();
  assert.equal(await link.getAttribute('href'), `/orgs/${org.id}/rights/deals/${blocking.id}`);
  assert.equal((await deals()).length, 1, 'typing writes nothing');
  await shot(page, 'rights-deal-conflict');

  // Saving anyway: the server's 409, shown as a list, and still nothing written.
  await page.getByTestId('save-deal').click();
  await page.getByTestId('conflicts').filter({ hasText: /Not saved/ }).waitFor();
  assert.match(await page.getByTestId('conflicts').first().innerText(), /EXCL-FR-2027/);
  assert.equal((await deals()).length, 1);
  await shot(page, 'rights-deal-409');

  // Leave France out: the conflict goes away while typing.
  await page.getByTestId('row-territories').fill('EUROPE -FR');
  await page.getByTestId('no-conflicts').waitFor();
  // A payment in the schedule.
  await page.getByTestId('add-payment').click();
  await page.getByTestId('payment-due').fill('2027-07-01');
  await page.getByTestId('payment-amount').fill('25000');
  assert.equal(await page.locator('[data-testid="conflict"]').count(), 0);
  assert.equal(await page.locator('.rt-conflicted').count(), 0);
  await page.getByTestId('save-deal').click();
  await page.waitForURL(new RegExp(`/orgs/${org.id}/rights/deals/[0-9a-f-]{36}$`));
  const id = page.url().split('/').pop();
  const saved = assertOk(await admin.get(`/api/v1/deals/${id}`), 200);
  assert.equal(saved.status, 'draft');
  assert.equal(saved.reference, 'NS-2027');
  assert.equal(saved.licensee_name, 'Nordic Stream 北欧流媒体');
  assert.equal(saved.fee, '50000.00');
  assert.deepEqual(saved.rights[0].territories.exclude, ['FR']);
  assert.deepEqual(saved.rights[0].media, ['svod']);
  assert.deepEqual(saved.payments.map((p) => [p.due_date, p.amount, p.paid_at]), [['2027-07-01', '25000.00', null]]);
  await page.getByTestId('deal-status').filter({ hasText: 'Draft' }).waitFor();

  // Sign it: the status changes on the server and the rights become read-only.
  await page.getByTestId('status-signed').click();
  await page.getByTestId('deal-status').filter({ hasText: 'Signed' }).waitFor();
  assert.equal(assertOk(await admin.get(`/api/v1/deals/${id}`), 200).status, 'signed');
  assert.equal(await page.getByTestId('row-territories').count(), 0, 'a signed deal\'s rights are read-only');
  assert.match(await page.getByTestId('rights-rows').innerText(), /EUROPE -FR/);
  // Once signed, the licensor still records payments.
  await page.getByTestId('payment-paid').check();
  await page.getByTestId('save-deal').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="save-deal"]')?.disabled === true);
  const paid = assertOk(await admin.get(`/api/v1/deals/${id}`), 200);
  assert.match(paid.payments[0].paid_at || '', /^\d{4}-\d{2}-\d{2}/);
  assert.equal(paid.status, 'signed');
  await shot(page, 'rights-deal-signed');

  // The title page lists both deals.
  await page.goto(`/orgs/${org.id}/rights/titles/${title.id}`);
  await page.getByTestId('title-deals').getByText('NS-2027').waitFor();
  assertClean(errors);
  await close();
});

test('a second signature for the same window is refused with the conflict named', async () => {
  // A draft for Germany, then a signed exclusive deal for Germany made behind its back: signing
  // the draft answers 409 and the editor lists what blocks it.
  const draft = assertOk(await admin.post(`/api/v1/orgs/${org.id}/deals`, {
    licensee_name: 'Berlin TV', reference: 'DE-LATE', rights: [{ title_id: title.id, territories: ['DE'], media: ['avod'], start: '2028-01-01', end: '2028-06-30', exclusivity: 'exclusive' }],
  }), 201);
  assertOk(await admin.post(`/api/v1/orgs/${org.id}/deals`, {
    licensee_name: 'Hamburg Stream', reference: 'DE-FIRST', status: 'signed',
    rights: [{ title_id: title.id, territories: ['DACH'], media: ['avod'], start: '2028-03-01', end: '2028-12-31', exclusivity: 'exclusive' }],
  }), 201);
  const { page, errors, close } = await openPage(browser, srv.url, { allowHttp: [401, 409] });
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/orgs/${org.id}/rights/deals/${draft.id}` });
  await page.getByTestId('deal-editor').waitFor();
  // The live check already sees it.
  await page.getByTestId('conflicts').filter({ hasText: 'DE-FIRST' }).waitFor();
  await page.getByTestId('status-signed').click();
  const refused = page.getByTestId('conflicts').filter({ hasText: /Not saved/ });
  await refused.waitFor();
  assert.match(await refused.innerText(), /DE-FIRST/);
  assert.match(await refused.innerText(), /Hamburg Stream/);
  assert.equal(assertOk(await admin.get(`/api/v1/deals/${draft.id}`), 200).status, 'draft');
  assertClean(errors);
  await close();
});

test('the editor fits a phone and reads in Chinese', async () => {
  // A member whose language is Chinese (the UI follows the account's language).
  const mei = await person(srv, 'mei', '王美 Mei');
  assertOk(await mei.c.patch('/api/v1/users/me', { locale: 'zh-CN' }), 200);
  await addMember(admin, org.id, mei.id, 'member');
  const { page, errors, close } = await openPage(browser, srv.url, { viewport: PHONE, locale: 'zh-CN' });
  await signInUI(page, mei.email, mei.password, { next: `/orgs/${org.id}/rights/deals/new?title_id=${title.id}` });
  await page.getByTestId('deal-editor').waitFor();
  await page.getByRole('heading', { name: '新建交易' }).waitFor();
  await page.getByTestId('row-territories').fill('GREATER_CHINA');
  await page.locator('[data-testid="row-media"] [data-media="svod"]').click();
  await page.getByTestId('row-start').fill('2027-01-01');
  await page.getByTestId('no-conflicts').waitFor();
  assert.ok(await overflowX(page) <= 0, 'no sideways scrolling on a phone');
  await shot(page, 'rights-deal-phone-zh');
  assertClean(errors);
  await close();
});
