// The talent search and an organization's "Find crew" in a real browser against a real
// server: the top bar's Talent link; a Chinese substring search; facets (craft, language
// with a level, country, city) whose counts are the API's, narrowing the results to what the
// API answers for the same question; an availability window; "more" pages; the empty and the
// error state; the filters panel on a phone, in Chinese. Then matching a project need: ranked
// people with a bar per factor of each score's explanation and the availability.
//
// Parts that need the search and match routes (the "search" part of issue 7) skip themselves
// while the server does not describe those routes.
//
// SHOTS_DIR=/tmp/shots node --test tests/browser/talent-search.test.mjs keeps screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { signIn, addUser } from '../lib/api.mjs';
import { assertOk } from '../api/helpers.mjs';
import { launch, openPage, assertClean, signInUI, overflowX, PHONE } from './helpers.mjs';

const SHOTS = process.env.SHOTS_DIR || '';
const FILLERS = 30;
let srv, browser, admin, org, viewer, routes, codes, sound, editor, people;

async function shot(page, name, fullPage = false) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

const iso = (d) => d.toISOString().slice(0, 10);
const addDays = (n) => iso(new Date(Date.now() + n * 86400000));

// A profile the organization keeps (with the consent it attests), then its fields.
async function makeProfile(names, fields = {}) {
  const p = assertOk(await admin.post('/api/v1/talent/profiles', {
    org_id: org.id, consent: { attested: true, note: 'signed release form' }, names,
  }), 201);
  if (!Object.keys(fields).length) return p;
  return assertOk(await admin.patch(`/api/v1/talent/profiles/${p.id}`, fields, { headers: { 'If-Match': `"${p.version}"` } }), 200);
}

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  admin = await signIn(srv, srv.admin.email, srv.admin.password);
  routes = new Set(Object.keys(assertOk(await admin.get('/api/v1/openapi.json'), 200).paths || {}));
  org = assertOk(await admin.post('/api/v1/orgs', { name: '青海高原影业 Plateau Pictures', kind: 'studio' }), 201);
  const v = await addUser(srv, 'viewer@example.com', { name: 'Vera Viewer' });
  viewer = { ...v, c: await signIn(srv, v.email, v.password) };
  codes = assertOk(await admin.get('/api/v1/talent/crafts'), 200).items.map((c) => c.code);
  sound = codes.includes('sound') ? 'sound' : codes[0];
  editor = codes.includes('editor') ? 'editor' : codes[1];
  const pub = { names: 'public', headline: 'public', crafts: 'public', languages: 'public', location: 'public', skills: 'public', availability: 'public', credits: 'public' };
  people = {
    tashi: await makeProfile([{ name: '扎西多吉', script: 'Hans', primary: true }, { name: 'Tashi Dorje', script: 'Latn', primary: false }], {
      headline: '同期录音师 Location sound recordist', crafts: [sound], skills: ['Pro Tools', '同期录音'],
      languages: [{ tag: 'bo', level: 'native' }, { tag: 'zh', level: 'fluent' }],
      location: { country: 'CN', region: 'Qinghai', city: 'Xining', travel: 'international' }, visibility: pub,
    }),
    liming: await makeProfile([{ name: '李明', script: 'Hans', primary: true }], {
      headline: '录音师', crafts: [sound], languages: [{ tag: 'zh', level: 'native' }, { tag: 'bo', level: 'basic' }],
      location: { country: 'CN', region: 'Qinghai', city: 'Xining', travel: 'regional' }, visibility: pub,
    }),
    wang: await makeProfile([{ name: '王芳', script: 'Hans', primary: true }, { name: 'Wang Fang', script: 'Latn', primary: false }], {
      headline: '剪辑师 Film editor — features and long-form documentary with an unusually long headline that must wrap nicely',
      crafts: [editor], languages: [{ tag: 'zh', level: 'native' }, { tag: 'en', level: 'professional' }],
      location: { country: 'CN', city: 'Beijing', travel: 'national' }, visibility: pub,
    }),
    marie: await makeProfile([{ name: 'Marie Dubois', script: 'Latn', primary: true }], {
      headline: 'Cheffe monteuse', crafts: [editor, sound], languages: [{ tag: 'fr', level: 'native' }, { tag: 'en', level: 'fluent' }],
      location: { country: 'FR', city: 'Paris', travel: 'international' }, visibility: pub,
    }),
  };
  const others = codes.filter((c) => c !== sound && c !== editor);
  for (let i = 0; i < FILLERS; i += 1) {
    await makeProfile([{ name: `Crew Member ${String(i).padStart(2, '0')}`, script: 'Latn', primary: true }], {
      crafts: [others[i % others.length]], location: { country: 'DE', city: 'Berlin', travel: 'local' }, visibility: pub,
    });
  }
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The names of the cards on the page, in order.
const cards = (page) => page.locator('[data-testid="talent-results"] [data-testid="talent-card"]').evaluateAll((els) => els.map((e) => e.dataset.name));
// The API's answer to the same question, as the viewer.
async function apiNames(qs) {
  const r = assertOk(await viewer.c.get(`/api/v1/talent/search?limit=24&${qs}`), 200);
  return { names: r.items.map((x) => x.primary_name), total: r.total, facets: r.facets };
}
async function shows(page, want) {
  await page.waitForFunction((w) => JSON.stringify([...document.querySelectorAll('[data-testid="talent-results"] [data-testid="talent-card"]')]
    .map((e) => e.dataset.name)) === JSON.stringify(w), want).catch(async (e) => {
    await shot(page, 'talent-search-failed');
    throw new Error(`the page shows ${JSON.stringify(await cards(page))}, not ${JSON.stringify(want)}: ${e.message}`);
  });
}

test('talent search: Chinese substring, facets with the API\'s counts, availability window, more, empty and error states', async (t) => {
  if (!routes.has('/api/v1/talent/search')) {
    t.skip('the search route is not on this server');
    return;
  }
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, viewer.email, viewer.password);
  await page.getByTestId('talent-link').click();
  await page.waitForURL('**/talent');
  await page.getByTestId('talent-results').waitFor();
  const all = await apiNames('');
  await shows(page, all.names);
  assert.match(await page.getByTestId('talent-total').innerText(), new RegExp(`${all.total} people`));
  assert.ok(await overflowX(page) <= 0);
  await shot(page, 'talent-search');

  // "More" appends the next page.
  assert.ok(all.total > 24);
  await page.getByTestId('talent-more').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="talent-results"] [data-testid="talent-card"]').length === n, Math.min(all.total, 48));

  // A Chinese substring of a name (not its start).
  await page.getByTestId('talent-q').fill('西多吉');
  await shows(page, ['扎西多吉']);
  const card = page.locator('[data-testid="talent-card"]').first();
  assert.match(await card.innerText(), /Tashi Dorje/);
  assert.match(await card.innerText(), /Xining/);
  await page.getByTestId('talent-q').fill('');
  await shows(page, all.names);

  // Facets: the counts are the API's; a click narrows to what the API answers.
  const facetCount = (name, value) => page.locator(`[data-facet="${name}"] [data-value="${value}"] .tl-facet-count`).innerText();
  await page.locator(`[data-facet="craft"] [data-value="${sound}"]`).waitFor();
  const soundCount = all.facets.craft.find((f) => f.value === sound).count;
  assert.equal(Number(await facetCount('craft', sound)), soundCount);
  await page.locator(`[data-facet="craft"] [data-value="${sound}"]`).click();
  await page.waitForURL((u) => u.searchParams.get('craft') === sound);
  const bySound = await apiNames(`craft=${sound}`);
  await shows(page, bySound.names);
  assert.equal(bySound.names.length, soundCount);
  assert.deepEqual([...bySound.names].sort(), ['Marie Dubois', '扎西多吉', '李明'].sort());
  // Then Tibetan at a professional level or better: Tashi only (Li Ming's is basic).
  await page.locator('[data-facet="language"] [data-value="bo"]').click();
  await page.getByTestId('language-level').selectOption('professional');
  await shows(page, (await apiNames(`craft=${sound}&language=bo&level=professional`)).names);
  assert.deepEqual(await cards(page), ['扎西多吉']);
  await shot(page, 'talent-search-facets');
  await page.getByTestId('active-language').click();
  const xining = (await apiNames(`craft=${sound}`)).facets.city.find((f) => f.value.toLowerCase() === 'xining').value;
  await page.locator(`[data-facet="city"] [data-value="${xining}"]`).click();
  assert.match(await page.locator(`[data-facet="city"] [data-value="${xining}"]`).innerText(), /Xining/);
  await shows(page, (await apiNames(`craft=${sound}&city=${encodeURIComponent(xining)}`)).names);
  assert.deepEqual([...(await cards(page))].sort(), ['扎西多吉', '李明'].sort());

  // An availability window: Li Ming is unavailable in it (when the work part can say so).
  if (routes.has('/api/v1/talent/profiles/{id}/unavailable')) {
    assertOk(await admin.post(`/api/v1/talent/profiles/${people.liming.id}/unavailable`, { start: addDays(10), end: addDays(20) }), 201);
    await page.getByTestId('avail-from').fill(addDays(12));
    await page.getByTestId('avail-to').fill(addDays(14));
    const win = await apiNames(`craft=${sound}&city=${encodeURIComponent(xining)}&available_from=${addDays(12)}&available_to=${addDays(14)}`);
    await shows(page, win.names);
    assert.ok(!win.names.includes('李明') || (await page.locator('[data-name="李明"] [data-available="booked"]').count()) === 1);
    await page.getByTestId('active-window').click();
  }

  // Nothing matches: the empty state offers to clear.
  await page.getByTestId('talent-q').fill('zzqqxxnothing');
  await page.getByTestId('talent-empty').waitFor();
  await page.getByTestId('talent-empty').getByRole('button').click();
  await shows(page, all.names);

  // The server failing: an error with a retry.
  await page.route('**/api/v1/talent/search**', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'urn:mstation:problem:unavailable', title: 'Service Unavailable', detail: 'Try again.' }) }));
  await page.getByTestId('talent-q').fill('王芳');
  await page.locator('[data-testid="talent-search"] .alert-error').waitFor();
  await page.unroute('**/api/v1/talent/search**');
  await page.locator('[data-testid="talent-search"] .alert-error').getByRole('button', { name: 'Retry' }).click();
  await shows(page, ['王芳']);
  // The helper lets only 4xx through; the 503 here is the test's own.
  assertClean(errors.filter((e) => !/status of 503/.test(e)));
  await close();

  // A phone, in Chinese: the filters fold into a panel.
  assertOk(await viewer.c.patch('/api/v1/users/me', { locale: 'zh-CN' }), 200);
  const p = await openPage(browser, srv.url, { viewport: PHONE, locale: 'zh-CN' });
  await signInUI(p.page, viewer.email, viewer.password, { next: '/talent?q=%E5%BD%95%E9%9F%B3' });
  await p.page.getByTestId('talent-results').waitFor();
  assert.equal(await p.page.getByTestId('facets').isVisible(), false);
  assert.ok(await overflowX(p.page) <= 0, 'no sideways scrolling');
  await shot(p.page, 'talent-search-zh-phone', true);
  await p.page.getByTestId('toggle-filters').click();
  await p.page.getByTestId('facets').waitFor();
  assert.match(await p.page.getByTestId('facets').innerText(), /工种/);
  assert.ok(await overflowX(p.page) <= 0);
  await shot(p.page, 'talent-search-zh-phone-filters', true);
  assertClean(p.errors);
  await p.close();
  assertOk(await viewer.c.patch('/api/v1/users/me', { locale: 'en' }), 200);
});

test('find crew: a need ranks people with each score explained, bar by bar', async (t) => {
  if (!routes.has('/api/v1/orgs/{id}/talent/match')) {
    t.skip('the match route is not on this server');
    return;
  }
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/orgs/${org.id}/talent/match` });
  await page.getByTestId('need-form').waitFor();
  await page.getByTestId('need-craft').selectOption(sound);
  await page.getByTestId('need-from').fill(addDays(30));
  await page.getByTestId('need-to').fill(addDays(40));
  await page.getByTestId('need-lang-0').fill('bo');
  await page.getByTestId('need-level-0').selectOption('fluent');
  await page.getByTestId('need-add-lang').click();
  await page.getByTestId('need-lang-1').fill('zh');
  await page.getByTestId('need-city').fill('Xining');
  await page.getByTestId('need-country').fill('CN');
  await page.getByTestId('find-crew').click();
  await page.getByTestId('match-results').waitFor();
  const api = assertOk(await admin.post(`/api/v1/orgs/${org.id}/talent/match`, {
    craft: sound, from: addDays(30), to: addDays(40), languages: [{ tag: 'bo', level: 'fluent' }, { tag: 'zh', level: 'professional' }],
    location: { country: 'CN', city: 'Xining' }, limit: 25,
  }), 200);
  const items = page.getByTestId('match-item');
  assert.equal(await items.count(), api.items.length);
  assert.equal(await items.first().getByTestId('card-name').innerText(), api.items[0].profile.primary_name);
  assert.equal(api.items[0].profile.primary_name, '扎西多吉', 'the fluent Tibetan speaker in Xining ranks first');
  // A bar per factor: points of max, and the detail in words.
  const first = api.items[0];
  const bars = await items.first().locator('.tl-factor').evaluateAll((els) => els.map((e) => ({
    factor: e.dataset.factor, points: Number(e.dataset.points), max: Number(e.dataset.max),
    width: Number(e.querySelector('.tl-bar-fg')?.getAttribute('width') || 0), detail: e.querySelector('.tl-factor-detail')?.textContent || '',
  })));
  assert.equal(bars.length, first.explain.length);
  for (const [i, b] of bars.entries()) {
    const x = first.explain[i];
    assert.equal(b.factor, x.factor);
    assert.equal(b.points, Number(x.points));
    assert.ok(Math.abs(b.width - (x.max ? (100 * x.points) / x.max : 0)) < 0.01, `bar ${x.factor} is ${x.points}/${x.max}`);
    assert.equal(b.detail, x.detail || '');
  }
  assert.equal(await items.first().locator('[data-available]').getAttribute('data-available'), first.available);
  await shot(page, 'talent-match', true);
  assertClean(errors);
  await close();

  const p = await openPage(browser, srv.url, { viewport: PHONE });
  await signInUI(p.page, srv.admin.email, srv.admin.password, { next: `/orgs/${org.id}/talent/match` });
  await p.page.getByTestId('need-craft').selectOption(sound);
  await p.page.getByTestId('find-crew').click();
  await p.page.getByTestId('match-results').waitFor();
  assert.ok(await overflowX(p.page) <= 0, 'no sideways scrolling');
  await shot(p.page, 'talent-match-phone', true);
  assertClean(p.errors);
  await p.close();
});
