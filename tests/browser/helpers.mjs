// tests/browser/helpers.mjs: shared pieces of the browser tests: Debian's Chromium through
// playwright-core, pages that fail the test on any uncaught error or CSP violation, and
// signing in through the UI.
//
//   const browser = await launch();
//   const { page, errors, close } = await openPage(browser, srv.url, { viewport: PHONE });
//   await signInUI(page, srv.url, email, password);
//   ...
//   assertClean(errors); await close();
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const LAPTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

// The vendored libraries must be in place (scripts/vendor-web, run by scripts/bootstrap),
// with the hooks' bare "preact" import rewritten: there is no import map under the CSP.
function checkVendor() {
  const hooks = new URL('../../web/vendor/preact-hooks.js', import.meta.url);
  let text;
  try {
    text = readFileSync(hooks, 'utf8');
  } catch {
    throw new Error('web/vendor/ is missing: run scripts/vendor-web (or scripts/bootstrap)');
  }
  if (/from\s*"preact"/.test(text)) throw new Error('web/vendor/preact-hooks.js still imports "preact": run scripts/vendor-web');
}

export function launch() {
  checkVendor();
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// An HTTP error status logged by the browser for a fetch the app handles itself (a wrong
// password is a 401, a missing session a 401 from /users/me): expected, not a failure.
const EXPECTED_HTTP = /^Failed to load resource: the server responded with a status of (4\d\d)/;

// A fresh browser context (own cookies and storage) with one page. `errors` collects uncaught
// exceptions, console errors and CSP violations; assertClean(errors) fails the test on any.
export async function openPage(browser, baseURL, { viewport = LAPTOP, locale = 'en-US', allowHttp = [401] } = {}) {
  const context = await browser.newContext({ baseURL, viewport, locale, deviceScaleFactor: 1 });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}\n${e.stack || ''}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const m = EXPECTED_HTTP.exec(text);
    if (m && allowHttp.includes(Number(m[1]))) return;
    errors.push(`console error: ${text}`);
  });
  page.on('requestfailed', (r) => {
    const f = r.failure();
    // Navigations abort pending fetches; that is not an error of the app.
    if (f && !/ERR_ABORTED/.test(f.errorText)) errors.push(`request failed: ${r.url()} ${f.errorText}`);
  });
  return { context, page, errors, close: () => context.close() };
}

export function assertClean(errors) {
  assert.deepEqual(errors, [], `the page reported errors:\n${errors.join('\n')}`);
}

export async function signInUI(page, email, password, { next = '' } = {}) {
  await page.goto(`/signin${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel(/E-mail|电子邮箱/).fill(email);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

// Horizontal overflow of the document: > 0 means something is wider than the viewport.
export function overflowX(page) {
  return page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
}
