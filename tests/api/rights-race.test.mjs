// Two signatures racing for the same exclusive window: exactly one wins, the other gets 409 and
// changes nothing. Raced through both paths that sign: two draft deals signed at once through
// POST /deals/{id}/status, and two market offers (from two buyers) accepted at once; and one
// offer accepted twice at once. Each race runs several times on a fresh window, on whichever
// engine the suite runs (SQLite, or PostgreSQL with MSTATION_TEST_PG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertProblem, assertOk, person, mkOrg } from './helpers.mjs';

const ROUNDS = 6;
let srv, sOwner, aOwner, bOwner, seller, buyerA, buyerB, title, listing;

before(async () => {
  srv = await startServer();
  sOwner = await person(srv, 'seller', 'Seller');
  aOwner = await person(srv, 'buyera', 'Buyer A');
  bOwner = await person(srv, 'buyerb', 'Buyer B');
  seller = await mkOrg(sOwner.c, 'Race Pictures', 'distributor');
  buyerA = await mkOrg(aOwner.c, 'Platform A', 'platform');
  buyerB = await mkOrg(bOwner.c, 'Platform B', 'platform');
  title = assertOk(await sOwner.c.post(`/api/v1/orgs/${seller.id}/titles`, { kind: 'feature', title: 'Contested' }), 201);
  assertOk(await sOwner.c.post(`/api/v1/titles/${title.id}/rights-in`, {
    source: 'own_production', territories: ['WORLD'], media: ['svod'], start: '2020-01-01', end: null, exclusivity: 'exclusive',
  }), 201);
  listing = assertOk(await sOwner.c.post(`/api/v1/orgs/${seller.id}/listings`, {
    name: 'Contested - SVOD', title_ids: [title.id], visibility: 'market', asking: { currency: 'USD' },
    rights: { territories: ['WORLD'], media: ['svod'], start: '2030-01-01', exclusivity: 'exclusive' },
  }), 201);
});
after(async () => { await srv?.stop(); });

// A fresh exclusive window per round: France, SVOD, one year.
const windowOf = (i) => ({ title_id: title.id, territories: ['FR'], media: ['svod'], start: `${2030 + i}-01-01`, end: `${2030 + i}-12-31`, exclusivity: 'exclusive' });

async function signedDeals() {
  const r = assertOk(await sOwner.c.get(`/api/v1/orgs/${seller.id}/deals?status=signed&limit=500`), 200);
  return r.items.map((d) => d.id);
}

/** Exactly one of two answers is 200, the other a 409 rights-conflict; returns the winner's index. */
function oneWins(results, what) {
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 409], `${what}: ${results.map((r) => `${r.status} ${r.text.slice(0, 300)}`).join(' | ')}`);
  const loser = results.find((r) => r.status === 409);
  const p = assertProblem(loser, 409, 'rights-conflict');
  assert.ok(Array.isArray(p.conflicts) && p.conflicts.length > 0, 'the loser is told what it conflicts with');
  return results.findIndex((r) => r.status === 200);
}

test('two draft deals signed at once for the same exclusive window: one is signed, the other 409', async () => {
  for (let i = 0; i < ROUNDS; i++) {
    const mk = async (org) => assertOk(await sOwner.c.post(`/api/v1/orgs/${seller.id}/deals`, {
      licensee_org_id: org.id, status: 'draft', currency: 'USD', fee: '1000.00', rights: [windowOf(i)],
    }), 201);
    const d1 = await mk(buyerA), d2 = await mk(buyerB);
    const before = await signedDeals();
    const sign = (d) => sOwner.c.post(`/api/v1/deals/${d.id}/status`, { status: 'signed' }, { headers: { 'If-Match': `"${d.version}"` } });
    const results = await Promise.all([sign(d1), sign(d2)]);
    const w = oneWins(results, `round ${i}`);
    const winner = [d1, d2][w], loser = [d1, d2][1 - w];
    assert.equal(results[w].json.status, 'signed');
    const after = await signedDeals();
    assert.deepEqual(after.filter((id) => !before.includes(id)), [winner.id], 'exactly the winner was signed');
    const l = assertOk(await sOwner.c.get(`/api/v1/deals/${loser.id}`), 200);
    assert.equal(l.status, 'draft', 'the loser is unchanged');
    assert.equal(l.version, loser.version);
  }
});

test('two offers for the same exclusive window accepted at once: one deal, the other offer stays open', async () => {
  for (let i = 0; i < ROUNDS; i++) {
    const w = windowOf(10 + i);
    const mk = async (p, org) => assertOk(await p.c.post(`/api/v1/listings/${listing.id}/offers`, {
      org_id: org.id, rights: [w], currency: 'USD', fee: 5000 + i,
    }), 201);
    const oa = await mk(aOwner, buyerA), ob = await mk(bOwner, buyerB);
    const before = await signedDeals();
    const accept = (o) => sOwner.c.post(`/api/v1/offers/${o.id}/accept`, {}, { headers: { 'If-Match': `"${o.version}"` } });
    const results = await Promise.all([accept(oa), accept(ob)]);
    const win = oneWins(results, `round ${i}`);
    const winner = [oa, ob][win], loser = [oa, ob][1 - win];
    assert.equal(results[win].json.offer.status, 'accepted');
    assert.equal(results[win].json.deal.status, 'signed');
    const after = await signedDeals();
    assert.deepEqual(after.filter((id) => !before.includes(id)), [results[win].json.deal.id]);
    const l = assertOk(await sOwner.c.get(`/api/v1/offers/${loser.id}`), 200);
    assert.equal(l.status, 'open');
    assert.equal(l.version, loser.version);
    assert.equal(l.deal_id, null);
    assert.equal(assertOk(await sOwner.c.get(`/api/v1/offers/${winner.id}`), 200).deal_id, results[win].json.deal.id);
    // The loser's thread has no acceptance.
    const ev = assertOk(await sOwner.c.get(`/api/v1/offers/${loser.id}/events`), 200).items.map((e) => e.kind);
    assert.deepEqual(ev, ['offered']);
  }
});

test('one offer accepted twice at once: one deal, the second attempt is refused', async () => {
  for (let i = 0; i < ROUNDS; i++) {
    const o = assertOk(await aOwner.c.post(`/api/v1/listings/${listing.id}/offers`, {
      org_id: buyerA.id, rights: [windowOf(20 + i)], currency: 'USD', fee: 100,
    }), 201);
    const before = await signedDeals();
    const accept = () => sOwner.c.post(`/api/v1/offers/${o.id}/accept`, {}, { headers: { 'If-Match': `"${o.version}"` } });
    const results = await Promise.all([accept(), accept()]);
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    assert.equal(ok.length, 1, results.map((r) => `${r.status} ${r.text.slice(0, 200)}`).join(' | '));
    assert.ok([409, 412].includes(refused[0].status), `refused with ${refused[0].status} ${refused[0].text}`);
    const after = await signedDeals();
    assert.equal(after.filter((id) => !before.includes(id)).length, 1, 'one deal');
    const ev = assertOk(await sOwner.c.get(`/api/v1/offers/${o.id}/events`), 200).items.map((e) => e.kind);
    assert.deepEqual(ev, ['offered', 'accepted']);
  }
});
