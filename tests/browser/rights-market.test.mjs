// The program market in two real browsers (two organizations) against a real server: the
// seller lists a title and invites the buyer, the buyer finds the listing and offers (on a
// phone), the seller counters from its inbox, the buyer accepts - and the signed deal is
// visible to both (the seller's rights out, the buyer's rights bought), while a third
// organization sees neither the offer nor the deal.
//
// SHOTS_DIR=/tmp/shots node --test tests/browser/rights-market.test.mjs keeps screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { signIn } from '../lib/api.mjs';
import { assertOk, person, mkOrg } from '../api/helpers.mjs';
import { launch, openPage, assertClean, signInUI, overflowX, PHONE } from './helpers.mjs';

const SHOTS = process.env.SHOTS_DIR || '';
let srv, browser, admin, seller, buyer, buyerOrg, third, thirdOrg, title;

async function shot(page, name) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  admin = await signIn(srv, srv.admin.email, srv.admin.password);
  seller = assertOk(await admin.post('/api/v1/orgs', { name: '光影发行 Lumen Distribution', kind: 'distributor' }), 201);
  title = assertOk(await admin.post(`/api/v1/orgs/${seller.id}/titles`, { kind: 'feature', title: '流浪地球 The Wandering Earth', year: 2019 }), 201);
  assertOk(await admin.post(`/api/v1/titles/${title.id}/rights-in`, {
    source: 'own_production', territories: ['WORLD'], media: ['svod', 'avod'], start: '2020-01-01', end: null, exclusivity: 'exclusive',
  }), 201);
  buyer = await person(srv, 'buyer', 'Bo Buyer');
  buyerOrg = await mkOrg(buyer.c, 'Pacific Stream 太平洋流媒体', 'platform');
  third = await person(srv, 'third', 'Tia Third');
  thirdOrg = await mkOrg(third.c, 'Nosy Networks', 'broadcaster');
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('seller lists, buyer offers, seller counters, buyer accepts: the deal is signed for both', async () => {
  const s = await openPage(browser, srv.url);
  const b = await openPage(browser, srv.url, { viewport: PHONE });

  // The seller publishes a listing.
  await signInUI(s.page, srv.admin.email, srv.admin.password, { next: `/orgs/${seller.id}/rights/market` });
  await s.page.getByTestId('listings').waitFor();
  await s.page.getByTestId('new-listing').click();
  const form = s.page.getByTestId('listing-form');
  await form.getByTestId('listing-name').fill('Spring slate 春季片单');
  await form.getByTestId('listing-title').fill('Wandering');
  await s.page.getByRole('option', { name: /The Wandering Earth/ }).click();
  await form.locator('[data-testid="listing-media"] [data-media="svod"]').click();
  await form.getByTestId('listing-amount').fill('100000');
  await shot(s.page, 'rights-market-listing-form');
  await form.getByTestId('listing-save').click();
  await s.page.getByTestId('listing-page').waitFor();
  const listingId = s.page.url().split('/').pop();
  // The seller invites the buyer from the directory of organizations.
  await s.page.getByTestId('buyers').getByTestId('org-picker').fill('Pacific');
  await s.page.getByRole('option', { name: /Pacific Stream/ }).click();
  await s.page.getByTestId('invite-buyer').click();
  await s.page.getByTestId('buyers').getByText('Invited', { exact: true }).waitFor();
  const buyers = assertOk(await admin.get(`/api/v1/listings/${listingId}/buyers`), 200).items;
  assert.deepEqual(buyers.map((x) => [x.org_id, x.status]), [[buyerOrg.id, 'invited']]);
  await shot(s.page, 'rights-market-listing');

  // The buyer (on a phone) finds it on the market and offers less.
  await signInUI(b.page, buyer.email, buyer.password, { next: `/orgs/${buyerOrg.id}/rights/market` });
  await b.page.locator('[data-listing="Spring slate 春季片单"]').click();
  await b.page.getByTestId('listing-page').waitFor();
  assert.ok(await overflowX(b.page) <= 0, 'the listing fits a phone');
  await b.page.getByTestId('make-offer').click();
  await b.page.getByTestId('rights-row').first().waitFor();
  assert.equal(await b.page.getByTestId('row-title-select').first().inputValue(), title.id, 'the listing\'s title is asked for');
  await b.page.getByTestId('offer-fee').fill('80000');
  await b.page.getByTestId('offer-message').fill('Can we do 80k for SVOD?');
  await shot(b.page, 'rights-market-offer-form');
  await b.page.getByTestId('send-offer').click();
  await b.page.getByTestId('offer-page').waitFor();
  await b.page.getByTestId('offer-status').filter({ hasText: 'Open' }).waitFor();
  const offerId = b.page.url().split('/').pop();
  const offer = assertOk(await buyer.c.get(`/api/v1/offers/${offerId}`), 200);
  assert.equal(offer.listing_id, listingId);
  assert.equal(offer.terms.fee, '80000.00');
  await shot(b.page, 'rights-market-offer-buyer');

  // The seller counters from the inbox.
  await s.page.goto(`/orgs/${seller.id}/rights/market/offers`);
  await s.page.getByTestId('offer-list').waitFor();
  await s.page.locator(`[data-offer="${offerId}"]`).click();
  await s.page.getByTestId('offer-thread').getByText('Can we do 80k for SVOD?').waitFor();
  await s.page.getByTestId('offer-counter').click();
  await s.page.getByTestId('counter-form').getByTestId('offer-fee').fill('90000');
  await s.page.getByTestId('counter-form').getByTestId('offer-message').fill('90k and it is yours.');
  await s.page.getByTestId('send-counter').click();
  await s.page.getByTestId('offer-status').filter({ hasText: 'Countered' }).waitFor();
  await s.page.getByTestId('offer-thread').getByText('90k and it is yours.').waitFor();
  assert.equal(await s.page.getByTestId('offer-accept').count(), 0, 'the seller cannot accept its own terms');
  await shot(s.page, 'rights-market-offer-seller');

  // The buyer writes in the thread, then accepts: the deal is signed.
  await b.page.reload();
  await b.page.getByTestId('terms-fee').filter({ hasText: '90,000' }).waitFor();
  await b.page.getByTestId('offer-msg').fill('Agreed — 成交！');
  await b.page.getByTestId('offer-send-msg').click();
  await b.page.getByTestId('offer-thread').locator('[data-kind="message"]').filter({ hasText: 'Agreed — 成交！' }).waitFor();
  await b.page.getByTestId('offer-accept').click();
  await b.page.getByTestId('offer-status').filter({ hasText: 'Accepted' }).waitFor();
  await b.page.getByTestId('offer-deal').click();
  await b.page.getByTestId('deal-editor').waitFor();
  await b.page.getByTestId('deal-status').filter({ hasText: 'Signed' }).waitFor();
  const dealId = b.page.url().split('/').pop();
  assert.match(await b.page.getByTestId('deal-editor').innerText(), /Licensed by 光影发行 Lumen Distribution/);
  assert.equal(await b.page.getByTestId('save-deal').count(), 0, 'the licensee only reads the deal');
  await shot(b.page, 'rights-market-deal-buyer');

  const deal = assertOk(await admin.get(`/api/v1/deals/${dealId}`), 200);
  assert.equal(deal.status, 'signed');
  assert.equal(deal.licensee_org_id, buyerOrg.id);
  assert.equal(deal.fee, '90000.00');

  // Both see it in their deals: the seller's rights out, the buyer's bought.
  await s.page.goto(`/orgs/${seller.id}/rights/deals`);
  await s.page.locator(`[data-testid="deal-list"] a[href$="/deals/${dealId}"]`).waitFor();
  await b.page.goto(`/orgs/${buyerOrg.id}/rights/deals`);
  await b.page.getByTestId('deals-bought').click();
  await b.page.locator(`[data-testid="deal-list"] a[href$="/deals/${dealId}"]`).waitFor();

  // A third organization sees none of it.
  assert.equal((await third.c.get(`/api/v1/offers/${offerId}`)).status, 404);
  assert.equal((await third.c.get(`/api/v1/deals/${dealId}`)).status, 404);
  assert.equal(assertOk(await third.c.get(`/api/v1/orgs/${thirdOrg.id}/offers?role=buyer`), 200).items.length, 0);
  assertClean(s.errors);
  assertClean(b.errors);
  await s.close();
  await b.close();
});

test('a buyer withdraws an offer; the seller rejects another', async () => {
  const listing = assertOk(await admin.get(`/api/v1/orgs/${seller.id}/listings`), 200).items[0];
  const row = { title_id: title.id, territories: ['JP'], media: ['avod'], start: '2027-01-01', end: '2027-12-31', exclusivity: 'exclusive' };
  const o1 = assertOk(await buyer.c.post(`/api/v1/listings/${listing.id}/offers`, { org_id: buyerOrg.id, rights: [row], currency: 'USD', fee: '1000' }), 201);
  const o2 = assertOk(await buyer.c.post(`/api/v1/listings/${listing.id}/offers`, { org_id: buyerOrg.id, rights: [{ ...row, territories: ['KR'] }], currency: 'USD', fee: '2000' }), 201);
  const b = await openPage(browser, srv.url);
  await signInUI(b.page, buyer.email, buyer.password, { next: `/orgs/${buyerOrg.id}/rights/market/offers/${o1.id}` });
  await b.page.getByTestId('offer-page').waitFor();
  assert.equal(await b.page.getByTestId('offer-accept').count(), 0, 'nobody accepts their own terms');
  await b.page.getByRole('button', { name: 'Withdraw' }).click();
  await b.page.getByTestId('confirm').click();
  await b.page.getByTestId('offer-status').filter({ hasText: 'Withdrawn' }).waitFor();
  assert.equal(assertOk(await buyer.c.get(`/api/v1/offers/${o1.id}`), 200).status, 'withdrawn');
  const s = await openPage(browser, srv.url);
  await signInUI(s.page, srv.admin.email, srv.admin.password, { next: `/orgs/${seller.id}/rights/market/offers/${o2.id}` });
  await s.page.getByTestId('offer-page').waitFor();
  await s.page.getByRole('button', { name: 'Reject' }).click();
  await s.page.getByTestId('confirm').click();
  await s.page.getByTestId('offer-status').filter({ hasText: 'Rejected' }).waitFor();
  assert.equal(assertOk(await admin.get(`/api/v1/offers/${o2.id}`), 200).status, 'rejected');
  assert.equal(await s.page.getByTestId('offer-counter').count(), 0, 'a rejected offer is over');
  assertClean(b.errors);
  assertClean(s.errors);
  await b.close();
  await s.close();
});
