// The shell in a real browser against a real server: signing in (and failing to), the first
// organization, a project shared with a partner organization as its members see it, signing
// out, the project list at phone width, and the Chinese UI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { signIn, addUser } from '../lib/api.mjs';
import { launch, openPage, assertClean, signInUI, overflowX, PHONE } from './helpers.mjs';

let srv, browser, partner, partnerOrg;

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  // The partner organization belongs to a second user, created through the API.
  partner = await addUser(srv, 'zhou@example.com', { name: '周雨桐' });
  const pc = await signIn(srv, partner.email, partner.password);
  partnerOrg = (await pc.post('/api/v1/orgs', { name: '常州影视后期制作中心', kind: 'studio', slug: 'cz-post' })).json;
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('a wrong password shows the error and stays on the sign-in page', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await page.goto('/projects/whatever');
  await page.waitForURL(/\/signin\?next=%2Fprojects%2Fwhatever$/);
  await page.getByLabel('E-mail').fill(srv.admin.email);
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'password is wrong' });
  await alert.waitFor();
  assert.match(new URL(page.url()).pathname, /^\/signin$/);
  // The form keeps the address and is usable again.
  assert.equal(await page.getByLabel('E-mail').inputValue(), srv.admin.email);
  assert.equal(await page.getByRole('button', { name: 'Sign in' }).isEnabled(), true);
  assertClean(errors);
  await close();
});

test('admin creates the organization and a project, shares it; the partner sees it; sign out', async () => {
  const a = await openPage(browser, srv.url);
  await signInUI(a.page, srv.admin.email, srv.admin.password);
  // No organization yet: the page asks to create one.
  await a.page.waitForURL(/\/welcome$/);
  await a.page.getByRole('heading', { name: 'Create your organization' }).waitFor();
  await a.page.getByLabel('Organization name').fill('Northern Lights Pictures');
  await a.page.getByLabel('Type').selectOption('studio');
  await a.page.getByRole('button', { name: 'Create organization' }).click();
  await a.page.waitForURL(/\/orgs\/[0-9a-f-]{36}\/projects$/);
  await a.page.getByRole('heading', { name: 'Northern Lights Pictures' }).waitFor();
  await a.page.getByText('No projects yet').waitFor();

  // Create a project through the dialog.
  await a.page.getByRole('button', { name: 'New project' }).click();
  const dialog = a.page.getByRole('dialog', { name: 'New project' });
  await dialog.getByLabel('Project name').fill('The Long Night — Season 2');
  await dialog.getByLabel('Code (optional)').fill('tln2');
  assert.equal(await dialog.getByLabel('Code (optional)').inputValue(), 'TLN2');
  await dialog.getByRole('button', { name: 'Create project' }).click();
  await a.page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
  const projectPath = new URL(a.page.url()).pathname;
  await a.page.getByRole('heading', { name: /The Long Night — Season 2/ }).waitFor();
  await a.page.getByText('Your role: Owner').first().waitFor();

  // Share it: find the partner in the organization directory by part of its handle.
  await a.page.getByRole('link', { name: 'Partners' }).click();
  await a.page.waitForURL(`**${projectPath}/partners`);
  await a.page.getByTestId('org-picker').fill('cz-p');
  await a.page.getByRole('option', { name: /常州影视后期制作中心/ }).click();
  await a.page.getByTestId('partner-role').selectOption('vendor');
  await a.page.getByRole('button', { name: 'Add partner' }).click();
  const row = a.page.getByTestId('partner-row').filter({ hasText: '常州影视后期制作中心' });
  await row.waitFor();
  assert.equal(await row.getByRole('combobox').inputValue(), 'vendor');
  // The activity feed has both events.
  await a.page.getByRole('link', { name: 'Activity' }).click();
  await a.page.getByTestId('feed').getByText('added a partner').waitFor();
  await a.page.getByTestId('feed').getByText('created the project').waitFor();
  assertClean(a.errors);
  await a.close();

  // The partner's user, in a fresh browser context, finds it in their organization's list.
  const b = await openPage(browser, srv.url);
  await signInUI(b.page, partner.email, partner.password);
  await b.page.waitForURL(`**/orgs/${partnerOrg.id}/projects`);
  const shared = b.page.getByTestId('project-row').filter({ hasText: 'The Long Night — Season 2' });
  await shared.waitFor();
  const text = await shared.innerText();
  assert.match(text, /Shared by Northern Lights Pictures/);
  assert.match(text, /Your role: Vendor/);
  await shared.click();
  await b.page.waitForURL(`**${projectPath}`);
  await b.page.getByText('Partner access').waitFor();
  // A vendor partner may not manage: no Settings tab, no Edit/Archive, no add-partner form.
  assert.equal(await b.page.getByRole('link', { name: 'Settings' }).count(), 0);
  assert.equal(await b.page.getByRole('button', { name: 'Archive' }).count(), 0);
  await b.page.getByRole('link', { name: 'Partners' }).click();
  await b.page.getByTestId('partner-row').waitFor();
  assert.equal(await b.page.getByTestId('add-partner').count(), 0);
  assert.equal(await b.page.getByTestId('partner-row').getByRole('combobox').count(), 0);

  // Sign out from the account menu: back at sign-in, and the app stays signed out.
  await b.page.getByRole('button', { name: 'Account menu' }).click();
  await b.page.getByTestId('sign-out').click();
  await b.page.waitForURL('**/signin');
  await b.page.goto(projectPath);
  await b.page.waitForURL(/\/signin\?next=/);
  await b.page.getByRole('button', { name: 'Sign in' }).waitFor();
  assertClean(b.errors);
  await b.close();
});

test('the project list fits a phone screen with long CJK names', async () => {
  const c = await signIn(srv, partner.email, partner.password);
  for (const name of [
    '霸道总裁爱上我之重生归来第三季：豪门千金的逆袭复仇大计（竖屏微短剧一百集完整版）',
    'An exceedingly long English working title for a co-production that nobody will ever shorten',
    'Supercalifragilisticexpialidocious_without_any_spaces_at_all_in_the_name_of_this_project',
  ]) {
    const r = await c.post('/api/v1/projects', { org_id: partnerOrg.id, name, code: 'MICRO-DRAMA-0001', description: name.repeat(3) });
    assert.equal(r.status, 201);
  }
  const { page, errors, close } = await openPage(browser, srv.url, { viewport: PHONE });
  await signInUI(page, partner.email, partner.password);
  await page.getByTestId('project-row').filter({ hasText: '霸道总裁' }).waitFor();
  assert.ok((await page.getByTestId('project-row').count()) >= 4);
  assert.ok(await overflowX(page) <= 0, `horizontal overflow of ${await overflowX(page)}px`);
  // Every row stays inside the viewport.
  const widest = await page.$$eval('[data-testid="project-row"]', (rows) => Math.max(...rows.map((r) => r.getBoundingClientRect().right)));
  assert.ok(widest <= PHONE.width, `a row reaches ${widest}px`);
  // The project page and its partner list at the same width.
  await page.getByTestId('project-row').filter({ hasText: '霸道总裁' }).click();
  await page.getByRole('heading', { name: /霸道总裁/ }).waitFor();
  assert.ok(await overflowX(page) <= 0, 'project page overflows');
  await page.getByRole('link', { name: 'Partners' }).click();
  await page.getByText('Not shared with any organization').waitFor();
  assert.ok(await overflowX(page) <= 0, 'partners page overflows');
  assertClean(errors);
  await close();
});

test('a Chinese-speaking user gets the Chinese UI and can switch to English', async () => {
  const u = await addUser(srv, 'chen@example.com', { name: '陈思远' });
  const c = await signIn(srv, u.email, u.password);
  assert.equal((await c.patch('/api/v1/users/me', { locale: 'zh-CN' })).status, 200);
  const org = (await c.post('/api/v1/orgs', { name: '星河影视文化传媒', kind: 'broadcaster' })).json;
  // Before sign-in the page follows the browser's language.
  const { page, errors, close } = await openPage(browser, srv.url, { locale: 'zh-CN' });
  await page.goto('/signin');
  await page.getByRole('heading', { name: '登录' }).waitFor();
  await page.getByLabel('电子邮箱').fill(u.email);
  await page.getByLabel('密码', { exact: true }).fill(u.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(`**/orgs/${org.id}/projects`);
  await page.getByRole('button', { name: '新建项目' }).waitFor();
  for (const tab of ['项目', '动态', '成员', '邀请', '设置']) await page.getByRole('link', { name: tab, exact: true }).waitFor();
  await page.getByText('还没有项目').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.match(await page.getByText('电视台').first().innerText(), /电视台/);
  // The account page switches the language (and saves it to the profile).
  await page.goto('/account');
  await page.getByRole('heading', { name: '账号设置' }).waitFor();
  await page.getByTestId('language').selectOption('en');
  await page.getByRole('button', { name: '保存更改' }).click();
  await page.getByRole('heading', { name: 'Account settings' }).waitFor();
  assert.equal((await c.get('/api/v1/users/me')).json.locale, 'en');
  assertClean(errors);
  await close();
});

test('the organization switcher changes and remembers the current organization', async () => {
  const c = await signIn(srv, partner.email, partner.password);
  const second = (await c.post('/api/v1/orgs', { name: 'Zhou Sound Studio', kind: 'agency' })).json;
  const u = await addUser(srv, 'member@example.com', { name: 'Mia Member' });
  // 422 once: adding an address that has no account.
  const { page, errors, close } = await openPage(browser, srv.url, { allowHttp: [401, 422] });
  await signInUI(page, partner.email, partner.password);
  await page.waitForURL(/\/orgs\/[0-9a-f-]{36}\/projects$/);
  await page.getByRole('button', { name: 'Switch organization' }).click();
  await page.getByRole('menuitemradio', { name: /Zhou Sound Studio/ }).click();
  await page.waitForURL(`**/orgs/${second.id}/projects`);
  await page.goto('/');
  await page.waitForURL(`**/orgs/${second.id}/projects`);
  await page.getByRole('heading', { name: 'Zhou Sound Studio' }).waitFor();

  // Members: add an existing account, change the role, remove.
  await page.getByRole('link', { name: 'Members' }).click();
  const add = page.getByTestId('add-org-member');
  await add.getByLabel('E-mail of the account').fill('nobody@example.com');
  await add.getByRole('button', { name: 'Add' }).click();
  await add.getByRole('alert').filter({ hasText: 'no account has this e-mail address' }).waitFor();
  await add.getByLabel('E-mail of the account').fill(u.email);
  await add.getByLabel('Role').selectOption('viewer');
  await add.getByRole('button', { name: 'Add' }).click();
  const row = page.getByTestId('member-row').filter({ hasText: 'Mia Member' });
  await row.waitFor();
  await row.getByRole('combobox').selectOption('admin');
  await page.getByText('Mia Member is now Admin').waitFor();
  const members = (await c.get(`/api/v1/orgs/${second.id}/members`)).json.items;
  assert.equal(members.find((m) => m.user_id === u.id).role, 'admin');
  await row.getByRole('button', { name: 'Remove' }).click();
  await page.getByTestId('confirm').click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await c.get(`/api/v1/orgs/${second.id}/members`)).json.items.length, 1);
  assertClean(errors);
  await close();
});

test('the project activity feed loads more on demand', async () => {
  const c = await signIn(srv, partner.email, partner.password);
  const p = (await c.post('/api/v1/projects', { org_id: partnerOrg.id, name: 'Feed test' })).json;
  for (let i = 1; i <= 45; i++) {
    assert.equal((await c.patch(`/api/v1/projects/${p.id}`, { description: `Cut ${i}` })).status, 200);
  }
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, partner.email, partner.password, { next: `/projects/${p.id}/activity` });
  const items = page.getByTestId('feed').locator('.feed-item');
  await items.first().waitFor();
  assert.equal(await items.count(), 40);
  await page.getByRole('button', { name: 'Load more' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="feed"] .feed-item').length === 46);
  assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0);
  assert.match(await items.last().innerText(), /created the project/);
  assertClean(errors);
  await close();
});
