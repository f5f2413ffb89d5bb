// Sessions and credentials in the browser: a stale CSRF token is renewed without the user
// noticing, a session ended elsewhere sends the user to sign-in and back; an invitation
// link creates the account and joins the organization; an API token is shown once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { Client, signIn, addUser } from '../lib/api.mjs';
import { launch, openPage, assertClean, signInUI } from './helpers.mjs';

let srv, browser, admin, org;

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launch()]);
  admin = await signIn(srv, srv.admin.email, srv.admin.password);
  org = (await admin.post('/api/v1/orgs', { name: 'Northern Lights Pictures', kind: 'studio' })).json;
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('a stale CSRF token is renewed; a session ended elsewhere leads to sign-in and back', async () => {
  const u = await addUser(srv, 'editor@example.com', { name: 'Eve Editor' });
  assert.equal((await admin.post(`/api/v1/orgs/${org.id}/members`, { email: u.email, role: 'admin' })).status, 201);
  const { page, errors, close } = await openPage(browser, srv.url, { allowHttp: [401, 403] });
  await signInUI(page, u.email, u.password);
  await page.waitForURL(`**/orgs/${org.id}/projects`);

  // The first write goes out without its CSRF token (as if another tab had signed in again):
  // the server refuses it (403 csrf-failed), the client fetches a fresh token and retries.
  let stripped = 0;
  await page.route('**/api/v1/projects', (route) => {
    const req = route.request();
    if (req.method() !== 'POST' || stripped) return route.continue();
    stripped++;
    const headers = { ...req.headers() };
    delete headers['x-csrf-token'];
    return route.continue({ headers });
  });
  await page.getByRole('button', { name: 'New project' }).click();
  await page.getByLabel('Project name').fill('Aurora');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
  assert.equal(stripped, 1);
  const projectPath = new URL(page.url()).pathname;
  // Let the overview finish loading (its requests must not race the session's end).
  await page.getByTestId('feed').getByText('created the project').waitFor();
  await page.getByText('Not shared with other organizations.').waitFor();

  // End the browser's session from elsewhere (the same person, signed in on another device).
  const other = await signIn(srv, u.email, u.password);
  const sessions = (await other.get('/api/v1/sessions')).json.items;
  for (const s of sessions.filter((x) => !x.is_current)) assert.equal((await other.del(`/api/v1/sessions/${s.id}`)).status, 204);

  // The next write is refused with 401: the app goes to sign-in, says why, and comes back.
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Project name').fill('Aurora (director’s cut)');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL((url) => url.pathname === '/signin' && url.searchParams.get('next') === `${projectPath}/settings`);
  await page.getByText('Your session has ended').waitFor();
  await page.getByLabel('E-mail').fill(u.email);
  await page.getByLabel('Password', { exact: true }).fill(u.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${projectPath}/settings`);
  // The change was not applied while signed out; now it goes through.
  assert.equal((await other.get(projectPath.replace('/projects', '/api/v1/projects'))).json.name, 'Aurora');
  await page.getByLabel('Project name').fill('Aurora (director’s cut)');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Changes saved').waitFor();
  await page.getByRole('heading', { name: /Aurora \(director’s cut\)/ }).waitFor();
  assertClean(errors);
  await close();
});

test('an invitation link creates the account, joins the organization and signs in', async () => {
  const a = await openPage(browser, srv.url);
  await signInUI(a.page, srv.admin.email, srv.admin.password);
  await a.page.goto(`/orgs/${org.id}/invitations`);
  const form = a.page.getByTestId('invite-form');
  await form.getByLabel('E-mail').fill('wang@example.com');
  await form.getByLabel('Role').selectOption('member');
  await form.getByRole('button', { name: 'Send invitation' }).click();
  const link = await a.page.getByTestId('invite-url').inputValue();
  assert.match(link, new RegExp(`^${srv.url}/invite/msi_[A-Za-z0-9_-]+$`));
  await a.page.getByTestId('invitation-row').filter({ hasText: 'wang@example.com' }).getByText('Pending').waitFor();

  // 404 is expected once: the used link, opened again.
  const b = await openPage(browser, srv.url, { allowHttp: [401, 404] });
  await b.page.goto(link);
  await b.page.getByRole('heading', { name: 'Admin invited you to join Northern Lights Pictures' }).waitFor();
  await b.page.getByText('wang@example.com').first().waitFor();
  const accept = b.page.getByTestId('accept-form');
  await accept.getByLabel('Display name').fill('王小芳');
  await accept.getByLabel('Choose a password').fill('short');
  await accept.getByRole('button', { name: 'Create account and join' }).click();
  await accept.getByText('At least 10 characters').waitFor();
  await accept.getByLabel('Choose a password').fill('wang-password-123');
  await accept.getByLabel('Repeat the password').fill('wang-password-123');
  await accept.getByLabel('Language').selectOption('zh-CN');
  await accept.getByRole('button', { name: 'Create account and join' }).click();
  // Signed in as the new account, inside the organization, in the chosen language.
  await b.page.waitForURL(`**/orgs/${org.id}/projects`);
  await b.page.getByRole('button', { name: '新建项目' }).waitFor();
  await b.page.getByRole('button', { name: '账号菜单' }).click();
  await b.page.getByText('wang@example.com').waitFor();
  // The link is used up.
  await b.page.goto(link);
  await b.page.getByText('该邀请已被接受').waitFor();
  assertClean(b.errors);
  await b.close();

  await a.page.reload();
  await a.page.getByTestId('invitation-row').filter({ hasText: 'wang@example.com' }).getByText('Accepted').waitFor();
  await a.page.getByRole('link', { name: 'Members' }).click();
  await a.page.getByTestId('member-row').filter({ hasText: '王小芳' }).waitFor();
  assertClean(a.errors);
  await a.close();
});

test('a new API token is shown once, works, and can be revoked', async () => {
  const { page, errors, close } = await openPage(browser, srv.url);
  await signInUI(page, srv.admin.email, srv.admin.password, { next: '/account' });
  await page.waitForURL('**/account');
  const form = page.getByTestId('token-form');
  await form.getByLabel('Token name').fill('render farm upload');
  await form.getByLabel('Expires').selectOption('30');
  await form.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByTestId('token-value').inputValue();
  assert.match(token, /^mst_[A-Za-z0-9_-]{43}$/);
  await page.getByText('it is shown only once').waitFor();
  const bearer = new Client(srv.url, { token });
  assert.equal((await bearer.get('/api/v1/users/me')).json.email, srv.admin.email);

  // Once dismissed or reloaded, the secret is gone; the list shows its prefix only.
  await page.getByRole('button', { name: 'I have copied it' }).click();
  assert.equal(await page.getByTestId('token-value').count(), 0);
  await page.reload();
  const row = page.getByTestId('token-row').filter({ hasText: 'render farm upload' });
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`${token.slice(0, 12)}…`));
  assert.ok(!(await page.content()).includes(token), 'the token is still in the page');

  await row.getByRole('button', { name: 'Revoke' }).click();
  await page.getByTestId('confirm').click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await bearer.get('/api/v1/users/me')).status, 401);
  assertClean(errors);
  await close();
});

test('a change made elsewhere in the meantime is reported (412) and the form reloads', async () => {
  const p = (await admin.post('/api/v1/projects', { org_id: org.id, name: 'Harbor Lights', code: 'HBL' })).json;
  const { page, errors, close } = await openPage(browser, srv.url, { allowHttp: [401, 412] });
  await signInUI(page, srv.admin.email, srv.admin.password, { next: `/projects/${p.id}/settings` });
  await page.waitForURL(`**/projects/${p.id}/settings`);
  const name = page.getByLabel('Project name');
  assert.equal(await name.inputValue(), 'Harbor Lights');
  // Someone renames it while the form is open.
  const etag = (await admin.get(`/api/v1/projects/${p.id}`)).headers.get('etag');
  assert.equal((await admin.patch(`/api/v1/projects/${p.id}`, { name: 'Harbour Lights (UK)' }, { headers: { 'If-Match': etag } })).status, 200);
  await name.fill('Harbor Lights — final');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('alert').filter({ hasText: 'Someone else changed this' }).waitFor();
  // The page now shows the other person's version, and saving again works.
  await page.getByRole('heading', { name: 'Harbour Lights (UK)' }).waitFor();
  // The form resets in an effect after the render that updated the heading: wait a few frames.
  for (let i = 0; i < 50 && (await name.inputValue()) !== 'Harbour Lights (UK)'; i++) await page.waitForTimeout(20);
  assert.equal(await name.inputValue(), 'Harbour Lights (UK)');
  await name.fill('Harbor Lights — final');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('heading', { name: 'Harbor Lights — final' }).waitFor();
  assert.equal((await admin.get(`/api/v1/projects/${p.id}`)).json.name, 'Harbor Lights — final');
  assertClean(errors);
  await close();
});

test('an invitation for an existing account: sign in from the link, then accept', async () => {
  const u = await addUser(srv, 'lin@example.com', { name: '林嘉欣' });
  const inv = (await admin.post(`/api/v1/orgs/${org.id}/invitations`, { email: u.email, role: 'viewer' })).json;
  const { page, errors, close } = await openPage(browser, srv.url);
  await page.goto(`/invite/${inv.token}`);
  await page.getByText('You already have an account as lin@example.com').waitFor();
  await page.getByRole('link', { name: 'Sign in to accept' }).click();
  await page.waitForURL('**/signin?**');
  assert.equal(await page.getByLabel('E-mail').inputValue(), u.email);
  await page.getByLabel('Password', { exact: true }).fill(u.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**/invite/${inv.token}`);
  await page.getByRole('button', { name: 'Accept and join' }).click();
  await page.waitForURL(`**/orgs/${org.id}/projects`);
  await page.getByText('Welcome to Northern Lights Pictures').waitFor();
  // A viewer creates nothing: no "New project".
  await page.getByRole('heading', { name: 'Northern Lights Pictures' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'New project' }).count(), 0);
  assertClean(errors);
  await close();
});
