// The market between organizations over the API: a seller's listings (on the market or by
// invitation, screeners through asset-library share links shown only to invited or approved
// buyers), a buyer's access request, offers with counter-offers taking turns, the message
// thread, acceptance that signs the deal for both parties in one transaction, and the unhappy
// paths: bad terms, the wrong side accepting, a stale If-Match, a closed listing, a declined
// buyer, a conflict at acceptance (409, nothing changed). A third organization sees none of
// it: every listing, offer, thread and deal route answers it 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer } from '../lib/server.mjs';
import {
  assertProblem, assertOk, person, mkOrg, mkProject, addMember, etag, anon, moduleRoutes, walk, NIL_UUID, upload } from './helpers.mjs';

let srv, sOwner, sMember, sViewer, bOwner, bViewer, tOwner;
let seller, buyer, third, t1, t2, t3, foreignTitle, asset, foreignAsset;
let L1, L2, L3;


async function mkTitle(c, orgId, title) {
  const t = assertOk(await c.post(`/api/v1/orgs/${orgId}/titles`, { kind: 'feature', title, year: 2024 }), 201);
  // The seller controls the title worldwide, every media it sells here, exclusively, for good.
  assertOk(await c.post(`/api/v1/titles/${t.id}/rights-in`, {
    source: 'own_production', territories: { include: ['WORLD'] }, media: ['svod', 'avod', 'pay_tv', 'free_tv'],
    start: '2020-01-01', end: null, exclusivity: 'exclusive',
  }), 201);
  return t;
}

const row = (titleId, extra = {}) => ({
  title_id: titleId, territories: ['FR', 'DE'], media: ['svod'], start: '2027-01-01', end: '2028-12-31', exclusivity: 'exclusive', ...extra,
});
const L = (id) => `/api/v1/listings/${id}`;
const O = (id) => `/api/v1/offers/${id}`;
const ifm = (v) => ({ headers: { 'If-Match': typeof v === 'number' ? `"${v}"` : v } });

before(async () => {
  srv = await startServer();
  sOwner = await person(srv, 'sowner', '片方 Seller Owner');
  sMember = await person(srv, 'smember', 'Seller Sales');
  sViewer = await person(srv, 'sviewer', 'Seller Viewer');
  bOwner = await person(srv, 'bowner', 'Buyer Owner');
  bViewer = await person(srv, 'bviewer', 'Buyer Viewer');
  tOwner = await person(srv, 'towner', 'Third Owner');
  seller = await mkOrg(sOwner.c, '星光影业 Starlight Pictures', 'distributor');
  await addMember(sOwner.c, seller.id, sMember.id, 'member');
  await addMember(sOwner.c, seller.id, sViewer.id, 'viewer');
  buyer = await mkOrg(bOwner.c, 'Channel Nord', 'broadcaster');
  await addMember(bOwner.c, buyer.id, bViewer.id, 'viewer');
  third = await mkOrg(tOwner.c, 'Third Platform', 'platform');
  t1 = await mkTitle(sOwner.c, seller.id, '长河 The Long River');
  t2 = await mkTitle(sOwner.c, seller.id, 'Night Train');
  t3 = await mkTitle(sOwner.c, seller.id, 'Micro Love');
  foreignTitle = assertOk(await tOwner.c.post(`/api/v1/orgs/${third.id}/titles`, { kind: 'feature', title: 'Not yours' }), 201);
  const project = await mkProject(sOwner.c, seller.id, 'Screeners');
  asset = await upload(sOwner.c, randomBytes(4096), 'long-river-screener.bin', project.id, '/screeners');
  const tproject = await mkProject(tOwner.c, third.id, 'Theirs');
  foreignAsset = await upload(tOwner.c, randomBytes(1024), 'other.bin', tproject.id, '/screeners');
});
after(async () => { await srv?.stop(); });

const listingBody = (extra = {}) => ({
  name: 'The Long River - European SVOD',
  description: 'A river saga. 长河.',
  title_ids: [t1.id],
  rights: { territories: { include: ['EUROPE'], exclude: ['GB'] }, media: ['svod', 'avod'], start: '2027-01-01', end: '2031-12-31', exclusivity: 'exclusive' },
  asking: { currency: 'EUR', amount: '250000.00', terms: 'Two years minimum, MG on signature.' },
  visibility: 'market',
  ...extra,
});

test('listings: checked on the way in; only the seller\'s members with edit level publish', async () => {
  const P = `/api/v1/orgs/${seller.id}/listings`;
  assertProblem(await sViewer.c.post(P, listingBody()), 403, 'rights-role');
  assertProblem(await tOwner.c.post(P, listingBody()), 404, 'not-found');
  assertProblem(await sOwner.c.post(P, listingBody({ title_ids: [foreignTitle.id] })), 422, 'validation', { fields: ['title_ids'] });
  assertProblem(await sOwner.c.post(P, listingBody({ title_ids: [t1.id, t1.id] })), 422, 'validation', { fields: ['title_ids'] });
  assertProblem(await sOwner.c.post(P, listingBody({ title_ids: ['nope'] })), 422, 'validation', { fields: ['title_ids'] });
  assertProblem(await sOwner.c.post(P, listingBody({ rights: { ...listingBody().rights, territories: ['XX'] } })), 422, 'validation', { fields: ['rights.territories'] });
  const bad = assertProblem(await sOwner.c.post(P, listingBody({ rights: { ...listingBody().rights, media: ['telepathy'] } })), 422, 'validation', { fields: ['rights.media'] });
  assert.match(bad.errors[0].message, /telepathy/, 'the message names the bad entry');
  assertProblem(await sOwner.c.post(P, listingBody({ rights: { ...listingBody().rights, start: '2027-02-30' } })), 422, 'validation', { fields: ['rights.start'] });
  assertProblem(await sOwner.c.post(P, listingBody({ rights: { ...listingBody().rights, end: '2026-01-01' } })), 422, 'validation', { fields: ['rights.end'] });
  assertProblem(await sOwner.c.post(P, listingBody({ rights: { ...listingBody().rights, exclusivity: 'mostly' } })), 422, 'validation', { fields: ['rights.exclusivity'] });
  assertProblem(await sOwner.c.post(P, listingBody({ rights: { ...listingBody().rights, color: 'red' } })), 422, 'validation', { fields: ['rights.color'] });
  assertProblem(await sOwner.c.post(P, listingBody({ asking: { currency: 'EURO' } })), 422, 'validation', { fields: ['asking.currency'] });
  assertProblem(await sOwner.c.post(P, listingBody({ asking: { currency: 'EUR', amount: '12.345' } })), 422, 'validation', { fields: ['asking.amount'] });
  assertProblem(await sOwner.c.post(P, listingBody({ visibility: 'secret' })), 422, 'validation', { fields: ['visibility'] });
  assertProblem(await sOwner.c.post(P, listingBody({ screener_asset_ids: [foreignAsset.id] })), 422, 'validation', { fields: ['screener_asset_ids'] });
  assertProblem(await sOwner.c.post(P, listingBody({ screener_asset_ids: [NIL_UUID] })), 422, 'validation', { fields: ['screener_asset_ids'] });
  assertProblem(await sOwner.c.post(P, { ...listingBody(), nmae: 'typo' }), 422, 'validation', { fields: ['nmae'] });
  const none = assertOk(await sOwner.c.get(P), 200);
  assert.equal(none.items.length, 0, 'nothing was created by the refused requests');

  L1 = assertOk(await sMember.c.post(P, listingBody({ screener_asset_ids: [asset.id] })), 201);
  assert.equal(L1.status, 'open');
  assert.equal(L1.org_name, seller.name);
  assert.equal(L1.your_side, 'seller');
  assert.deepEqual(L1.title_ids, [t1.id]);
  assert.equal(L1.titles[0].title, '长河 The Long River');
  assert.deepEqual(L1.rights.territories, { include: ['EUROPE'], exclude: ['GB'] });
  assert.deepEqual(L1.rights.media, ['svod', 'avod']);
  assert.equal(L1.rights.end, '2031-12-31');
  assert.deepEqual(L1.asking, { currency: 'EUR', amount: '250000.00', terms: 'Two years minimum, MG on signature.' });
  assert.equal(L1.screeners.length, 1, 'the seller sees its screeners');
  assert.equal(L1.screeners[0].asset_id, asset.id);
  assert.match(L1.screeners[0].url, /^\/api\/v1\/shares\/mss_/);
  L2 = assertOk(await sOwner.c.post(P, listingBody({
    name: 'Night Train - Nordic pay TV (by invitation)', title_ids: [t2.id, t3.id], visibility: 'invited',
    rights: { territories: ['FR', 'DE', 'IT', 'NORDICS'], media: ['svod', 'pay_tv'], start: '2027-01-01', end: null, exclusivity: 'exclusive' },
    asking: { currency: 'EUR' },
  })), 201);
  assert.equal(L2.rights.end, null);
  assert.equal(L2.asking.amount, null);
  L3 = assertOk(await sOwner.c.post(P, listingBody({ name: 'Micro Love - AVOD worldwide', description: 'Short episodes.', title_ids: [t3.id],
    rights: { territories: ['WORLD'], media: ['avod'], start: '2027-01-01', exclusivity: 'non_exclusive' }, asking: { currency: 'USD', amount: 5000 } })), 201);
  assert.equal(L3.asking.amount, '5000.00');
});

test('the market: visibility by organization, screeners only with access, filters, a third organization sees no invited listing', async () => {
  const browse = async (c, org, qs = '') => assertOk(await c.get(`/api/v1/market/listings?org=${org}${qs}`), 200).items;
  const names = (items) => items.map((l) => l.id).sort();
  assert.deepEqual(names(await browse(bOwner.c, buyer.id)), [L1.id, L3.id].sort());
  assert.deepEqual(names(await browse(tOwner.c, third.id)), [L1.id, L3.id].sort());
  assert.deepEqual(names(await browse(sOwner.c, seller.id)), [L1.id, L2.id, L3.id].sort(), 'the seller sees its own');
  const seen = (await browse(bOwner.c, buyer.id)).find((l) => l.id === L1.id);
  assert.deepEqual(seen.screeners, [], 'no screeners without an invitation or approval');
  assert.equal(seen.screener_count, 1);
  assert.equal(seen.your_side, 'buyer');
  assert.equal(seen.may_offer, true);
  // Browsing as an organization one is not a member of, or without one.
  assertProblem(await bOwner.c.get(`/api/v1/market/listings?org=${third.id}`), 404, 'not-found');
  assertProblem(await bOwner.c.get('/api/v1/market/listings'), 422, 'validation', { fields: ['org'] });
  assertProblem(await bOwner.c.get(`/api/v1/market/listings?org=${buyer.id}&colour=red`), 400, 'bad-query');
  assertProblem(await anon(srv).get(`/api/v1/market/listings?org=${buyer.id}`), 401, 'authentication-required');
  // Filters.
  assert.deepEqual(names(await browse(bOwner.c, buyer.id, '&q=micro')), [L3.id]);
  assert.deepEqual(names(await browse(bOwner.c, buyer.id, `&q=${encodeURIComponent('长河')}`)), [L1.id]);
  assert.deepEqual(names(await browse(bOwner.c, buyer.id, '&media=svod')), [L1.id]);
  assert.deepEqual(names(await browse(bOwner.c, buyer.id, '&territory=US')), [L3.id], 'EUROPE does not meet US; WORLD does');
  assert.deepEqual(names(await browse(bOwner.c, buyer.id, '&territory=GB')), [L3.id], 'GB is excluded from L1');
  assert.deepEqual(names(await browse(bOwner.c, buyer.id, '&territory=FR,JP')), [L1.id, L3.id].sort());
  assertProblem(await bOwner.c.get(`/api/v1/market/listings?org=${buyer.id}&territory=ATLANTIS`), 422, 'validation', { fields: ['territory'] });
  assertProblem(await bOwner.c.get(`/api/v1/market/listings?org=${buyer.id}&media=S%20VOD`), 422, 'validation', { fields: ['media'] });
  const paged = await walk(bOwner.c, `/api/v1/market/listings?org=${buyer.id}`, 1);
  assert.equal(paged.items.length, 2);
  // One listing: the invited one does not exist for those not invited.
  for (const c of [bOwner.c, tOwner.c]) {
    assertProblem(await c.get(L(L2.id)), 404, 'not-found');
  }
  assertProblem(await tOwner.c.get(`${L(L2.id)}?org=${third.id}`), 404, 'not-found');
  assertProblem(await tOwner.c.get(`${L(L2.id)}?org=${seller.id}`), 404, 'not-found');
  assertProblem(await tOwner.c.get(L(NIL_UUID)), 404, 'not-found');
  assertProblem(await tOwner.c.get(L('not-an-id')), 404, 'not-found');
  const asThird = assertOk(await tOwner.c.get(L(L1.id)), 200);
  assert.equal(asThird.viewer_org_id, third.id);
  assert.deepEqual(asThird.screeners, []);
  // The seller's routes are the seller's.
  for (const c of [bOwner.c, tOwner.c]) {
    assertProblem(await c.get(`${L(L1.id)}/buyers`), 404, 'not-found');
    assertProblem(await c.patch(L(L1.id), { name: 'Mine now' }), 404, 'not-found');
    assertProblem(await c.post(`${L(L1.id)}/buyers`, { org_id: buyer.id, status: 'approved' }), 404, 'not-found');
  }
  assertProblem(await tOwner.c.post(`${L(L2.id)}/access-requests`, { org_id: third.id }), 404, 'not-found');
  assertProblem(await tOwner.c.post(`${L(L2.id)}/offers`, { org_id: third.id, rights: [row(t2.id)], currency: 'EUR', fee: 1 }), 404, 'not-found');
  assertProblem(await tOwner.c.get(`/api/v1/orgs/${seller.id}/listings`), 404, 'not-found');
});

test('buyers: an access request, approval shows the screeners (share links that open), invitations need manage level', async () => {
  assertProblem(await bViewer.c.post(`${L(L1.id)}/access-requests`, { org_id: buyer.id }), 403, 'rights-role');
  assertProblem(await bOwner.c.post(`${L(L1.id)}/access-requests`, { org_id: seller.id }), 404, 'not-found');
  const req = assertOk(await bOwner.c.post(`${L(L1.id)}/access-requests`, { org_id: buyer.id, message: 'We would love to see it.' }), 201);
  assert.equal(req.status, 'requested');
  assert.equal(req.org_name, buyer.name);
  assert.equal(assertOk(await bOwner.c.post(`${L(L1.id)}/access-requests`, { org_id: buyer.id }), 200).status, 'requested', 'asking twice changes nothing');
  let seen = assertOk(await bOwner.c.get(`${L(L1.id)}?org=${buyer.id}`), 200);
  assert.equal(seen.buyer_status, 'requested');
  assert.deepEqual(seen.screeners, [], 'a request alone shows no screener');
  const list = assertOk(await sViewer.c.get(`${L(L1.id)}/buyers`), 200);
  assert.deepEqual(list.items.map((b) => [b.org_id, b.status, b.message]), [[buyer.id, 'requested', 'We would love to see it.']]);
  assertProblem(await sMember.c.post(`${L(L1.id)}/buyers`, { org_id: buyer.id, status: 'approved' }), 403, 'rights-role');
  assertProblem(await sOwner.c.post(`${L(L1.id)}/buyers`, { org_id: seller.id, status: 'approved' }), 422, 'validation', { fields: ['org_id'] });
  assertProblem(await sOwner.c.post(`${L(L1.id)}/buyers`, { org_id: NIL_UUID, status: 'approved' }), 422, 'validation', { fields: ['org_id'] });
  assertProblem(await sOwner.c.post(`${L(L1.id)}/buyers`, { org_id: buyer.id, status: 'requested' }), 422, 'validation', { fields: ['status'] });
  assertProblem(await sOwner.c.post(`${L(L1.id)}/buyers`, { status: 'approved' }), 422, 'validation', { fields: ['org_id'] });
  assert.equal(assertOk(await sOwner.c.post(`${L(L1.id)}/buyers`, { org_id: buyer.id, status: 'approved' }), 200).status, 'approved');
  seen = assertOk(await bViewer.c.get(L(L1.id)), 200);
  assert.equal(seen.buyer_status, 'approved');
  assert.equal(seen.screeners.length, 1);
  assert.equal(seen.screeners[0].share_id, undefined, 'the share id is the seller\'s business');
  const share = assertOk(await anon(srv).get(seen.screeners[0].url), 200);
  assert.equal(share.asset.name, 'long-river-screener.bin');
  assert.equal(share.mode, 'view');
  // The third organization still sees the market listing without screeners.
  assert.deepEqual(assertOk(await tOwner.c.get(L(L1.id)), 200).screeners, []);
  // Inviting by slug to the invited listing.
  const inv = assertOk(await sOwner.c.post(`${L(L2.id)}/buyers`, { org_slug: buyer.slug, status: 'invited' }), 201);
  assert.equal(inv.org_id, buyer.id);
  seen = assertOk(await bOwner.c.get(L(L2.id)), 200);
  assert.equal(seen.buyer_status, 'invited');
  assert.equal(seen.may_offer, true);
  const mk = assertOk(await bOwner.c.get(`/api/v1/market/listings?org=${buyer.id}`), 200).items.map((l) => l.id);
  assert.ok(mk.includes(L2.id), 'an invited listing appears in the invited buyer\'s market');
  const payTv = assertOk(await bOwner.c.get(`/api/v1/market/listings?org=${buyer.id}&media=pay_tv`), 200).items.map((l) => l.id);
  assert.deepEqual(payTv, [L2.id]);
  assertProblem(await tOwner.c.get(L(L2.id)), 404, 'not-found');
  // A declined organization makes no offers.
  assert.equal(assertOk(await sOwner.c.post(`${L(L3.id)}/buyers`, { org_id: third.id, status: 'declined' }), 201).status, 'declined');
  assertProblem(await tOwner.c.post(`${L(L3.id)}/offers`, { org_id: third.id, rights: [row(t3.id, { media: ['avod'], exclusivity: 'non_exclusive' })], currency: 'USD', fee: 1000 }), 403, 'not-invited');
  assertProblem(await tOwner.c.post(`${L(L3.id)}/access-requests`, { org_id: third.id }), 409, 'access-declined');
});

let offer, dealId;
test('offers: bad terms are refused with field errors and change nothing', async () => {
  const P = `${L(L2.id)}/offers`;
  const good = { org_id: buyer.id, rights: [row(t2.id)], currency: 'EUR', fee: '100000.00' };
  assertProblem(await bViewer.c.post(P, good), 403, 'rights-role');
  assertProblem(await sOwner.c.post(P, { ...good, org_id: seller.id }), 422, 'validation', { fields: ['org_id'] });
  assertProblem(await bOwner.c.post(P, { ...good, org_id: 'x' }), 422, 'validation', { fields: ['org_id'] });
  assertProblem(await bOwner.c.post(P, { ...good, rights: [row(t1.id)] }), 422, 'validation', { fields: ['rights/0/title_id'] });
  assertProblem(await bOwner.c.post(P, { ...good, rights: [row(foreignTitle.id)] }), 422, 'validation', { fields: ['rights/0/title_id'] });
  assertProblem(await bOwner.c.post(P, { ...good, rights: [row(t2.id, { media: ['carrier_pigeon'] })] }), 422, 'validation', { fields: ['rights/0/media'] });
  assertProblem(await bOwner.c.post(P, { ...good, rights: [row(t2.id), row(t2.id, { territories: { include: ['MOON'] } })] }), 422, 'validation', { fields: ['rights/1/territories'] });
  assertProblem(await bOwner.c.post(P, { ...good, rights: [row(t2.id, { start: '2029-01-01', end: '2028-01-01' })] }), 422, 'validation', { fields: ['rights/0/start'] });
  assertProblem(await bOwner.c.post(P, { ...good, rights: [row(t2.id, { runs: 0 })] }), 422, 'validation', { fields: ['rights/0/runs'] });
  assertProblem(await bOwner.c.post(P, { ...good, rights: [row(t2.id, { price: 3 })] }), 422, 'validation', { fields: ['rights/0/price'] });
  assertProblem(await bOwner.c.post(P, { ...good, rights: [] }), 422, 'validation', { fields: ['rights'] });
  assertProblem(await bOwner.c.post(P, { ...good, currency: 'XYZ1' }), 422, 'validation', { fields: ['currency'] });
  assertProblem(await bOwner.c.post(P, { ...good, fee: 'lots' }), 422, 'validation', { fields: ['fee'] });
  assertProblem(await bOwner.c.post(P, { ...good, fee: -5 }), 422, 'validation', { fields: ['fee'] });
  assertProblem(await bOwner.c.post(P, { ...good, fee: undefined }), 422, 'validation', { fields: ['fee'] });
  assertProblem(await bOwner.c.post(P, { ...good, payments: [{ due_date: '2027-13-01', amount: '10.00' }] }), 422, 'validation', { fields: ['payments/0/due_date'] });
  assertProblem(await bOwner.c.post(P, { ...good, message: 'x'.repeat(10001) }), 422, 'validation', { fields: ['message'] });
  assertProblem(await bOwner.c.post(P, { ...good, discount: true }), 422, 'validation', { fields: ['discount'] });
  assertProblem(await bOwner.c.post(`${L(NIL_UUID)}/offers`, good), 404, 'not-found');
  assertProblem(await bOwner.c.post(P, { ...good, rights: Array.from({ length: 201 }, () => row(t2.id)) }), 422, 'validation', { fields: ['rights'] });
  assertProblem(await bOwner.c.post(P, { ...good, fee: '10.00', minimum_guarantee: '20.00' }), 422, 'validation', { fields: ['minimum_guarantee'] });
  assertProblem(await bOwner.c.post(P, { ...good, fee: '10.00', payments: [{ due_date: '2027-01-01', amount: '11.00' }] }), 422, 'validation', { fields: ['payments'] });
  assertProblem(await bOwner.c.post(P, { ...good, rights: [row(t2.id, { allocation: '100000.01' })] }), 422, 'validation', { fields: ['rights'] });
  assertProblem(await bOwner.c.post(P, [good]), 422, 'validation');
  assertProblem(await bOwner.c.get('/api/v1/offers/not-an-id'), 404, 'not-found');
  assertProblem(await bOwner.c.get(`/api/v1/offers/${NIL_UUID}/events`), 404, 'not-found');
  const inbox = assertOk(await bOwner.c.get(`/api/v1/orgs/${buyer.id}/offers`), 200);
  assert.equal(inbox.items.length, 0);
});

test('the flow: offer, the wrong side cannot accept, counter, messages, stale If-Match, accept signs the deal for both', async () => {
  const made = await bOwner.c.post(`${L(L2.id)}/offers`, {
    org_id: buyer.id, rights: [row(t2.id, { languages: [{ tag: 'fr', kinds: ['dubbed', 'subtitled'] }] })], currency: 'EUR', fee: '100000.00',
    minimum_guarantee: 50000, payments: [{ due_date: '2027-01-15', amount: '50000.00', note: 'on signature' }], message: 'Bonjour! Our first offer.',
  });
  offer = assertOk(made, 201);
  assert.equal(made.headers.get('location'), `/api/v1/offers/${offer.id}`);
  assert.equal(offer.status, 'open');
  assert.equal(offer.last_by, 'buyer');
  assert.equal(offer.round, 1);
  assert.equal(offer.your_side, 'buyer');
  assert.equal(offer.seller_name, seller.name);
  assert.equal(offer.buyer_name, buyer.name);
  assert.equal(offer.deal_id, null);
  assert.equal(offer.terms.fee, '100000.00');
  assert.equal(offer.terms.minimum_guarantee, '50000.00');
  assert.deepEqual(offer.terms.rights[0].territories, { include: ['FR', 'DE'], exclude: [] });
  assert.deepEqual(offer.may, { counter: false, accept: false, reject: false, withdraw: true, message: true });
  assert.equal(offer.conflicts, undefined, 'the buyer does not see the seller\'s conflicts');
  // The buyer cannot accept (or counter) its own terms.
  assertProblem(await bOwner.c.post(`${O(offer.id)}/accept`, {}, ifm(offer.version)), 409, 'not-your-turn');
  assertProblem(await bOwner.c.post(`${O(offer.id)}/counter`, { rights: [row(t2.id)], currency: 'EUR', fee: 1 }), 409, 'not-your-turn');
  // The seller sees it, with the conflicts of the terms (none) and what it may do.
  const s = assertOk(await sMember.c.get(O(offer.id)), 200);
  assert.equal(s.your_side, 'seller');
  assert.deepEqual(s.conflicts, []);
  assert.deepEqual(s.may, { counter: false, accept: false, reject: true, withdraw: false, message: true }, 'a member neither accepts nor counters for the seller: both bind it');
  assert.equal(assertOk(await sOwner.c.get(O(offer.id)), 200).may.accept, true);
  assertProblem(await sMember.c.post(`${O(offer.id)}/accept`, {}, ifm(s.version)), 403, 'rights-role');
  // The third organization: nothing exists.
  const T = tOwner.c;
  assertProblem(await T.get(O(offer.id)), 404, 'not-found');
  assertProblem(await T.get(`${O(offer.id)}?org=${third.id}`), 404, 'not-found');
  assertProblem(await T.get(`${O(offer.id)}?org=${buyer.id}`), 404, 'not-found');
  assertProblem(await T.get(`${O(offer.id)}/events`), 404, 'not-found');
  assertProblem(await T.post(`${O(offer.id)}/messages`, { body: 'hi' }), 404, 'not-found');
  assertProblem(await T.post(`${O(offer.id)}/counter`, { rights: [row(t2.id)], currency: 'EUR', fee: 1 }), 404, 'not-found');
  assertProblem(await T.post(`${O(offer.id)}/accept`, {}, ifm(offer.version)), 404, 'not-found');
  assertProblem(await T.post(`${O(offer.id)}/reject`, {}), 404, 'not-found');
  assertProblem(await T.post(`${O(offer.id)}/withdraw`, {}), 404, 'not-found');
  assertProblem(await T.get(`/api/v1/orgs/${buyer.id}/offers`), 404, 'not-found');
  assert.equal(assertOk(await T.get(`/api/v1/orgs/${third.id}/offers`), 200).items.length, 0);
  // Counter: bad terms change nothing; good ones move the turn.
  assertProblem(await sMember.c.post(`${O(offer.id)}/counter`, { rights: [row(t2.id)], currency: 'EUR', fee: '1.00' }), 403, 'rights-role');
  assertProblem(await sOwner.c.post(`${O(offer.id)}/counter`, { rights: [row(t2.id, { media: ['nope'] })], currency: 'EUR', fee: 1 }), 422, 'validation', { fields: ['rights/0/media'] });
  assertProblem(await sOwner.c.post(`${O(offer.id)}/counter`, { rights: [row(t2.id)], currency: 'EUR', fee: '1.00' }, ifm(offer.version + 5)), 412, 'stale-version');
  assert.equal(assertOk(await sMember.c.get(O(offer.id)), 200).version, offer.version);
  const before = offer;
  const c1 = assertOk(await sOwner.c.post(`${O(offer.id)}/counter`, {
    rights: [row(t2.id)], currency: 'EUR', fee: '150000.00', payments: [{ due_date: '2027-01-15', amount: 150000 }], message: 'Our price is 150k.',
  }, ifm(offer.version)), 200);
  assert.equal(c1.status, 'countered');
  assert.equal(c1.last_by, 'seller');
  assert.equal(c1.round, 2);
  assert.equal(c1.version, before.version + 1);
  assert.equal(c1.terms.fee, '150000.00');
  assert.equal(c1.terms.minimum_guarantee, '0.00');
  assertProblem(await sOwner.c.post(`${O(offer.id)}/counter`, { rights: [row(t2.id)], currency: 'EUR', fee: 1 }), 409, 'not-your-turn');
  assertProblem(await sOwner.c.post(`${O(offer.id)}/accept`, {}, ifm(c1.version)), 409, 'not-your-turn');
  assertProblem(await sOwner.c.post(`${O(offer.id)}/reject`, {}), 409, 'not-your-turn');
  // Messages from both sides; a message does not change the version an acceptance names.
  assertOk(await bViewer.c.get(O(offer.id)), 200);
  assertProblem(await bViewer.c.post(`${O(offer.id)}/messages`, { body: 'A viewer speaks' }), 403, 'rights-role');
  assertProblem(await bOwner.c.post(`${O(offer.id)}/messages`, { body: '' }), 422, 'validation', { fields: ['body'] });
  assertOk(await bOwner.c.post(`${O(offer.id)}/messages`, { body: 'Could you do 140k? 谢谢' }), 201);
  const m2 = assertOk(await sMember.c.post(`${O(offer.id)}/messages`, { body: 'No, 150k is firm.' }), 201);
  assert.equal(m2.version, c1.version);
  // Accept: the buyer, with the version it read; a stale or missing one changes nothing.
  assertProblem(await bOwner.c.post(`${O(offer.id)}/accept`, {}, ifm(before.version)), 412, 'stale-version');
  assertProblem(await bOwner.c.post(`${O(offer.id)}/accept`, {}), 400, 'if-match-required');
  assertProblem(await bViewer.c.post(`${O(offer.id)}/accept`, {}, ifm(c1.version)), 403, 'rights-role');
  assert.equal(assertOk(await bOwner.c.get(O(offer.id)), 200).status, 'countered');
  const g = await bOwner.c.get(O(offer.id));
  const acc = assertOk(await bOwner.c.post(`${O(offer.id)}/accept`, { message: 'Deal.' }, ifm(etag(g))), 200);
  assert.equal(acc.offer.status, 'accepted');
  assert.equal(acc.offer.deal_id, acc.deal.id);
  assert.deepEqual(acc.offer.may, { counter: false, accept: false, reject: false, withdraw: false, message: true });
  dealId = acc.deal.id;
  assert.equal(acc.deal.status, 'signed');
  assert.equal(acc.deal.org_id, seller.id);
  assert.equal(acc.deal.licensee_org_id, buyer.id);
  assert.equal(acc.deal.offer_id, offer.id);
  assert.equal(acc.deal.currency, 'EUR');
  assert.equal(acc.deal.fee, '150000.00');
  assert.equal(acc.deal.rights.length, 1);
  assert.equal(acc.deal.rights[0].title_id, t2.id);
  assert.equal(acc.deal.rights[0].exclusivity, 'exclusive');
  assert.equal(acc.deal.payments.length, 1);
  assert.ok(acc.deal.signed_at);
  // Both parties see the deal; the third does not.
  assert.equal(assertOk(await sViewer.c.get(`/api/v1/deals/${dealId}`), 200).status, 'signed');
  assert.equal(assertOk(await bViewer.c.get(`/api/v1/deals/${dealId}`), 200).offer_id, offer.id);
  assertProblem(await T.get(`/api/v1/deals/${dealId}`), 404, 'not-found');
  // The buyer holds the rights it bought, from the same transaction.
  const acquired = assertOk(await bViewer.c.get(`/api/v1/titles/${t2.id}/rights-in`), 200).items.filter((x) => x.deal_id === dealId);
  assert.deepEqual(acquired.map((x) => [x.source, x.exclusivity, x.start, x.end]), [['acquired', 'exclusive', '2027-01-01', '2028-12-31']]);
  assertProblem(await T.get(`/api/v1/titles/${t2.id}/rights-in`), 404, 'not-found');
  const lic = assertOk(await bOwner.c.get(`/api/v1/orgs/${buyer.id}/deals?role=licensee`), 200);
  assert.deepEqual(lic.items.map((d) => d.id), [dealId]);
  assert.equal(assertOk(await T.get(`/api/v1/orgs/${third.id}/deals`), 200).items.length, 0);
  // Final: nothing moves any more; the thread stays open for messages.
  const done = assertOk(await bOwner.c.get(O(offer.id)), 200);
  assertProblem(await sOwner.c.post(`${O(offer.id)}/counter`, { rights: [row(t2.id)], currency: 'EUR', fee: 1 }), 409, 'offer-closed');
  assertProblem(await sOwner.c.post(`${O(offer.id)}/accept`, {}, ifm(done.version)), 409, 'offer-closed');
  assertProblem(await bOwner.c.post(`${O(offer.id)}/withdraw`, {}), 409, 'offer-closed');
  assertProblem(await bOwner.c.post(`${O(offer.id)}/reject`, {}), 409, 'offer-closed');
  assertOk(await sOwner.c.post(`${O(offer.id)}/messages`, { body: 'Thank you!' }), 201);
  // The thread, as both parties see it.
  const ev = assertOk(await bViewer.c.get(`${O(offer.id)}/events`), 200).items;
  assert.deepEqual(ev.map((e) => [e.kind, e.side]), [
    ['offered', 'buyer'], ['countered', 'seller'], ['message', 'buyer'], ['message', 'seller'], ['accepted', 'buyer'], ['message', 'seller'],
  ]);
  assert.equal(ev[0].body, 'Bonjour! Our first offer.');
  assert.equal(ev[0].org_name, buyer.name);
  assert.equal(ev[0].actor_name, 'Buyer Owner');
  assert.equal(ev[0].terms.fee, '100000.00');
  assert.equal(ev[1].terms.fee, '150000.00');
  assert.equal(ev[1].actor_name, sOwner.name);
  assert.equal(ev[2].terms, null);
  assert.equal(ev[4].body, 'Deal.');
  assert.deepEqual(assertOk(await sViewer.c.get(`${O(offer.id)}/events`), 200).items.map((e) => e.id), ev.map((e) => e.id));
  const page = await walk(sViewer.c, `${O(offer.id)}/events`, 4);
  assert.equal(page.items.length, 6);
  // Inboxes.
  const sIn = assertOk(await sViewer.c.get(`/api/v1/orgs/${seller.id}/offers?role=seller&status=accepted`), 200).items;
  assert.deepEqual(sIn.map((o) => o.id), [offer.id]);
  assert.equal(sIn[0].your_side, 'seller');
  assert.equal(assertOk(await sViewer.c.get(`/api/v1/orgs/${seller.id}/offers?role=buyer`), 200).items.length, 0);
  const bIn = assertOk(await bViewer.c.get(`/api/v1/orgs/${buyer.id}/offers?role=buyer`), 200).items;
  assert.deepEqual(bIn.map((o) => [o.id, o.your_side]), [[offer.id, 'buyer']]);
  assertProblem(await bViewer.c.get(`/api/v1/orgs/${buyer.id}/offers?role=broker`), 422, 'validation', { fields: ['role'] });
  // The audit log: both organizations have the steps; the third none.
  const evs = async (c) => (await walk(c, `/api/v1/events?object_id=${offer.id}`, 200)).items.map((e) => e.action);
  const sActions = await evs(sOwner.c), bActions = await evs(bOwner.c);
  for (const a of ['rights.offer_made', 'rights.offer_countered', 'rights.offer_message', 'rights.offer_accepted']) {
    assert.ok(sActions.includes(a), `seller log has ${a}`);
    assert.ok(bActions.includes(a), `buyer log has ${a}`);
  }
  assert.deepEqual(await evs(tOwner.c), []);
});

test('acceptance re-checks conflicts: 409 with the conflicts and nothing changed; a counter to a free window then signs', async () => {
  // The same exclusive window again (sold above): the offer may be made, the seller is warned.
  const o2 = assertOk(await bOwner.c.post(`${L(L2.id)}/offers`, { org_id: buyer.id, rights: [row(t2.id, { territories: ['FR'] })], currency: 'EUR', fee: 90000 }), 201);
  const seen = assertOk(await sOwner.c.get(O(o2.id)), 200);
  assert.ok(seen.conflicts.length > 0, 'the seller sees the conflict as a warning');
  assert.equal(seen.conflicts[0].reason, 'exclusive');
  const deals = async () => assertOk(await sOwner.c.get(`/api/v1/orgs/${seller.id}/deals`), 200).items.map((d) => d.id).sort();
  const dealsBefore = await deals();
  const evBefore = assertOk(await sOwner.c.get(`${O(o2.id)}/events`), 200).items.length;
  const r = await sOwner.c.post(`${O(o2.id)}/accept`, {}, ifm(seen.version));
  const p = assertProblem(r, 409, 'rights-conflict');
  assert.ok(Array.isArray(p.conflicts) && p.conflicts.length > 0);
  assert.equal(p.conflicts[0].title_id, t2.id);
  assert.equal(p.conflicts[0].deal_id, dealId);
  const after = assertOk(await sOwner.c.get(O(o2.id)), 200);
  assert.equal(after.status, 'open');
  assert.equal(after.version, seen.version);
  assert.equal(after.deal_id, null);
  assert.deepEqual(await deals(), dealsBefore, 'no deal was created');
  assert.equal(assertOk(await sOwner.c.get(`${O(o2.id)}/events`), 200).items.length, evBefore, 'no event was added');
  // The seller counters with Italy instead; the buyer accepts.
  const c = assertOk(await sOwner.c.post(`${O(o2.id)}/counter`, { rights: [row(t2.id, { territories: ['IT'] })], currency: 'EUR', fee: 90000, message: 'France is gone; Italy?' }), 200);
  assert.equal(c.conflicts.length, 0);
  const acc = assertOk(await bOwner.c.post(`${O(o2.id)}/accept`, {}, ifm(c.version)), 200);
  assert.equal(acc.deal.status, 'signed');
  assert.deepEqual(acc.deal.rights[0].territories, { include: ['IT'], exclude: [] });
  assert.equal((await deals()).length, dealsBefore.length + 1);
});

test('reject, withdraw, closing a listing; the seller accepting needs manage level', async () => {
  const mk = async (terr) => assertOk(await bOwner.c.post(`${L(L1.id)}/offers`, {
    org_id: buyer.id, rights: [row(t1.id, { territories: [terr], media: ['avod'], exclusivity: 'non_exclusive' })], currency: 'EUR', fee: '1000.00',
  }), 201);
  const a = await mk('ES');
  assertProblem(await sOwner.c.post(`${O(a.id)}/withdraw`, {}), 409, 'not-your-turn');
  assertProblem(await sOwner.c.post(`${O(a.id)}/reject`, { reason: 7 }), 422, 'validation', { fields: ['reason'] });
  assertProblem(await sOwner.c.post(`${O(a.id)}/reject`, { why: 'x' }), 422, 'validation', { fields: ['why'] });
  const rj = assertOk(await sMember.c.post(`${O(a.id)}/reject`, { reason: 'Not for this price.' }), 200);
  assert.equal(rj.status, 'rejected');
  assertProblem(await bOwner.c.post(`${O(a.id)}/counter`, { rights: [row(t1.id)], currency: 'EUR', fee: 1 }), 409, 'offer-closed');
  assertProblem(await bOwner.c.post(`${O(a.id)}/messages`, { body: 'Please?' }), 409, 'offer-closed');
  const b = await mk('PT');
  const wd = assertOk(await bOwner.c.post(`${O(b.id)}/withdraw`), 200);
  assert.equal(wd.status, 'withdrawn');
  const evs = assertOk(await sOwner.c.get(`${O(b.id)}/events`), 200).items.map((e) => e.kind);
  assert.deepEqual(evs, ['offered', 'withdrawn']);
  // The seller accepts only with manage level.
  const c = await mk('PL');
  assertProblem(await sMember.c.post(`${O(c.id)}/accept`, {}, ifm(c.version)), 403, 'rights-role');
  const acc = assertOk(await sOwner.c.post(`${O(c.id)}/accept`, {}, ifm(c.version)), 200);
  assert.equal(acc.deal.licensee_org_id, buyer.id);
  assert.equal(acc.offer.your_side, 'seller');
  // Closing: If-Match guards it; a closed listing takes no new offers and leaves the market.
  const g = await sOwner.c.get(L(L1.id));
  assertProblem(await sOwner.c.patch(L(L1.id), { status: 'closed' }, ifm(Number(g.json.version) + 3)), 412, 'stale-version');
  assertProblem(await sOwner.c.patch(L(L1.id), { status: 'gone' }), 422, 'validation', { fields: ['status'] });
  assertProblem(await sViewer.c.patch(L(L1.id), { status: 'closed' }), 403, 'rights-role');
  const closed = assertOk(await sMember.c.patch(L(L1.id), { status: 'closed' }, ifm(etag(g))), 200);
  assert.equal(closed.status, 'closed');
  assert.equal(closed.version, g.json.version + 1);
  assertProblem(await bOwner.c.post(`${L(L1.id)}/offers`, { org_id: buyer.id, rights: [row(t1.id)], currency: 'EUR', fee: 1 }), 409, 'listing-closed');
  assertProblem(await tOwner.c.get(L(L1.id)), 404, 'not-found');
  const market = assertOk(await tOwner.c.get(`/api/v1/market/listings?org=${third.id}`), 200).items.map((l) => l.id);
  assert.ok(!market.includes(L1.id));
  assert.equal(assertOk(await bOwner.c.get(L(L1.id)), 200).status, 'closed', 'a buyer with offers still reads it');
  // Screeners replaced: taking one off revokes its share link.
  const url = assertOk(await bOwner.c.get(L(L1.id)), 200).screeners[0].url;
  assertOk(await anon(srv).get(url), 200);
  const cleared = assertOk(await sOwner.c.patch(L(L1.id), { screener_asset_ids: [] }), 200);
  assert.deepEqual(cleared.screeners, []);
  const gone = await anon(srv).get(url);
  assert.ok(gone.status === 410 || gone.status === 404, `a revoked share does not open: ${gone.status}`);
});

test('every market route has an OpenAPI description', async () => {
  const doc = assertOk(await anon(srv).get('/api/v1/openapi.json'), 200);
  const routes = (await moduleRoutes('rights')).filter((r) => /^h_(listing|listings|market|offer|offers|org_listings|org_offers)/.test(r.handler));
  assert.ok(routes.length >= 17);
  const missing = routes.filter((r) => !doc.paths?.[r.path]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(missing, []);
});

test('a person in both organizations acts as the side whose turn it is, or as ?org=; never accepts their own terms', async () => {
  await addMember(bOwner.c, buyer.id, sMember.id, 'member');
  // An admin of the seller (counters bind the seller) and a member of the buyer.
  assertOk(await sOwner.c.patch(`/api/v1/orgs/${seller.id}/members/${sMember.id}`, { role: 'admin' }), 200);
  const P = `${L(L3.id)}/offers`;
  const o = assertOk(await sMember.c.post(P, {
    org_id: buyer.id, rights: [row(t3.id, { territories: ['JP'], media: ['avod'], exclusivity: 'non_exclusive' })], currency: 'USD', fee: 800,
  }), 201);
  assert.equal(o.your_side, 'buyer');
  assert.equal(o.your_org_id, buyer.id);
  assert.equal(assertOk(await sMember.c.get(`${O(o.id)}?org=${buyer.id}`), 200).your_side, 'buyer');
  assert.equal(assertOk(await sMember.c.get(`${O(o.id)}?org=${seller.id}`), 200).your_side, 'seller');
  assertProblem(await sMember.c.get(`${O(o.id)}?org=${third.id}`), 404, 'not-found');
  // Its turn is the seller's: the counter is made as the seller.
  const c = assertOk(await sMember.c.post(`${O(o.id)}/counter`, { rights: [row(t3.id, { territories: ['JP', 'KR'], media: ['avod'], exclusivity: 'non_exclusive' })], currency: 'USD', fee: 900 }), 200);
  assert.equal(c.last_by, 'seller');
  assert.equal(c.your_side, 'seller');
  // Now it is the buyer's turn, but this person wrote the terms: someone else accepts.
  assertProblem(await sMember.c.post(`${O(o.id)}/accept`, {}, ifm(c.version)), 409, 'not-your-turn');
  const acc = assertOk(await bOwner.c.post(`${O(o.id)}/accept`, {}, ifm(c.version)), 200);
  assert.equal(acc.deal.fee, '900.00');
  const ev = assertOk(await sMember.c.get(`${O(o.id)}/events`), 200).items;
  assert.deepEqual(ev.map((e) => [e.kind, e.side, e.org_id]), [
    ['offered', 'buyer', buyer.id], ['countered', 'seller', seller.id], ['accepted', 'buyer', buyer.id],
  ]);
});

test('a listing changes as a whole or not at all; going invited-only hides it from the market', async () => {
  const g = await sOwner.c.get(L(L3.id));
  assertProblem(await sOwner.c.patch(L(L3.id), { name: 'Renamed', title_ids: [foreignTitle.id] }, ifm(etag(g))), 422, 'validation', { fields: ['title_ids'] });
  assertProblem(await sOwner.c.patch(L(L3.id), { name: 'Renamed', asking: { currency: 'JPY', amount: '10.5' } }, ifm(etag(g))), 422, 'validation', { fields: ['asking.amount'] });
  assertProblem(await sOwner.c.patch(L(L3.id), { name: 'Renamed', screener_asset_ids: [foreignAsset.id] }, ifm(etag(g))), 422, 'validation', { fields: ['screener_asset_ids'] });
  const same = assertOk(await sOwner.c.get(L(L3.id)), 200);
  assert.equal(same.name, g.json.name);
  assert.equal(same.version, g.json.version);
  assertOk(await tOwner.c.get(`${L(L3.id)}?org=${third.id}`), 200);
  const ch = assertOk(await sOwner.c.patch(L(L3.id), {
    name: 'Micro Love & friends', asking: { currency: 'JPY', amount: 1000000 }, title_ids: [t3.id, t1.id], visibility: 'invited',
    rights: { territories: ['ASIA'], media: ['avod', 'fast'], start: '2027-06-01', end: '2029-05-31', exclusivity: 'sole' },
  }, ifm(etag(g))), 200);
  assert.equal(ch.name, 'Micro Love & friends');
  assert.deepEqual(ch.asking, { currency: 'JPY', amount: '1000000', terms: '' }, 'asking is replaced as a whole');
  assert.deepEqual(ch.title_ids, [t3.id, t1.id]);
  assert.deepEqual(ch.rights, { territories: { include: ['ASIA'], exclude: [] }, media: ['avod', 'fast'], languages: [], start: '2027-06-01', end: '2029-05-31', exclusivity: 'sole' });
  assert.equal(ch.version, g.json.version + 1);
  assertProblem(await tOwner.c.get(`${L(L3.id)}?org=${third.id}`), 404, 'not-found');
  assert.ok(!assertOk(await tOwner.c.get(`/api/v1/market/listings?org=${third.id}`), 200).items.some((l) => l.id === L3.id));
  assert.equal(assertOk(await bOwner.c.get(L(L3.id)), 200).visibility, 'invited', 'a buyer with an offer on it still reads it');
});
