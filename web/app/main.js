// web/app/main.js: the single-page app's entry: loads the session, routes the URL to a page,
// and draws the shell (top bar, toasts, confirmations) around it.
//
// Public pages: /signin, /invite/<token> and /s/<token> (a share link). Everything else
// needs a session; without one the app goes to /signin?next=<where you were>, and comes back
// there after signing in. A 401 from any API call (session ended elsewhere, expired) does
// the same. The upload tray (web/assets/tray.js) sits on every signed-in page, so uploads
// go on while the person moves around.
import { html, render, useEffect, useState } from '/lib/html.js';
import { onUnauthorized } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { installLinkHandler, navigate, useRoute, match, safeNext } from '/lib/router.js';
import { loadMe, sessionEnded, session, useSession } from '/lib/session.js';
import { ToastHost } from '/lib/toast.js';
import { ConfirmHost } from '/lib/dialog.js';
import { ErrorBox, Loading, useLocale } from '/lib/ui.js';
import { TopBar } from './shell.js';
import { SignInPage } from './signin.js';
import { InvitePage } from './invite.js';
import { WelcomePage } from './welcome.js';
import { OrgPage } from './org.js';
import { ProjectPage } from './project.js';
import { AccountPage } from './account.js';
import { NotFound } from './notfound.js';
import { UploadTray } from '/assets/tray.js';

// The public page of a share link (/s/<token>): loaded only when one is opened.
function SharePage({ token }) {
  const [mod, setMod] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    import('/assets/share-page.js').then(setMod, setError);
  }, []);
  if (error) return html`<div class="auth-layout"><div class="auth-card"><${ErrorBox} error=${error} /></div></div>`;
  if (!mod) return html`<div class="boot"><${Loading} /></div>`;
  return html`<${mod.SharePage} token=${token} />`;
}

// wt-webreview: the client review page of a review link (/r/<token>), loaded only when one
// is opened; like a share link it needs no session.
function ReviewLinkPage({ token }) {
  const [mod, setMod] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    import('/review/public.js').then(setMod, setError);
  }, []);
  if (error) return html`<div class="auth-layout"><div class="auth-card"><${ErrorBox} error=${error} /></div></div>`;
  if (!mod) return html`<div class="boot"><${Loading} /></div>`;
  return html`<${mod.PublicReviewPage} token=${token} />`;
}

// wt-webgrid: My tasks (/tasks), loaded when opened.
function MyTasks() {
  const [mod, setMod] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    import('/production/my-tasks.js').then(setMod, setError);
  }, []);
  if (error) return html`<div class="page"><${ErrorBox} error=${error} /></div>`;
  if (!mod) return html`<div class="page"><${Loading} /></div>`;
  return html`<${mod.MyTasksPage} />`;
}

/* wt-web talent */
// The talent data center (/talent, /talent/p/<id>, /talent/me), loaded when opened.
function Talent({ rest }) {
  const [mod, setMod] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    import('/talent/page.js').then(setMod, setError);
  }, []);
  if (error) return html`<div class="page"><${ErrorBox} error=${error} /></div>`;
  if (!mod) return html`<div class="page"><${Loading} /></div>`;
  return html`<${mod.default} rest=${rest} />`;
}
/* end wt-web talent */

function Redirect({ to }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Home() {
  const s = useSession();
  if (!s.orgId) return html`<${Redirect} to="/welcome" />`;
  return html`<${Redirect} to=${`/orgs/${s.orgId}/projects`} />`;
}

const routes = [
  ['/', Home],
  ['/welcome', WelcomePage],
  ['/orgs/:id', ({ id }) => html`<${Redirect} to=${`/orgs/${encodeURIComponent(id)}/projects`} />`],
  /* wt-web rights */
  ['/orgs/:id/rights/:rest*', ({ id, rest }) => html`<${OrgPage} id=${id} tab="rights" rest=${rest} />`],
  /* end wt-web rights */
  /* wt-web talent */
  ['/orgs/:id/talent/:rest*', ({ id, rest }) => html`<${OrgPage} id=${id} tab="talent" rest=${rest} />`],
  ['/talent/:rest*', Talent],
  /* end wt-web talent */
  ['/orgs/:id/:tab', OrgPage],
  ['/projects/:id/:rest*', ProjectPage],
  ['/account', AccountPage],
  // wt-webgrid
  ['/tasks', MyTasks],
];

function resolve(path) {
  for (const [pattern, Page] of routes) {
    const params = match(pattern, path);
    if (params) return html`<${Page} ...${params} />`;
  }
  return html`<${NotFound} />`;
}

function AuthLayout({ children }) {
  return html`<div class="auth-layout">
    <div class="auth-brand"><span class="logo-mark" aria-hidden="true">m</span><span class="logo-text">mstation</span></div>
    ${children}
    <footer class="auth-foot">${t('app.tagline')}</footer>
  </div>`;
}

function App() {
  useLocale();
  const s = useSession();
  const { path, search } = useRoute();

  // Share links are for people without an account: no session needed, none asked for.
  const share = match('/s/:token', path);
  if (share) return html`<${SharePage} token=${share.token} /><${ToastHost} />`;
  const reviewLink = match('/r/:token', path);
  if (reviewLink) return html`<${ReviewLinkPage} token=${reviewLink.token} /><${ToastHost} />`;

  if (s.status === 'loading') return html`<div class="boot"><${Loading} /></div>`;
  if (s.status === 'error') {
    return html`<${AuthLayout}><div class="auth-card"><${ErrorBox} error=${s.error} onRetry=${start} /></div><//>`;
  }

  const invite = match('/invite/:token', path);
  if (invite) {
    return html`<${AuthLayout}><${InvitePage} token=${invite.token} /><//>
      <${ToastHost} /><${ConfirmHost} />`;
  }
  if (path === '/signin') {
    if (s.status === 'ready') {
      const next = new URLSearchParams(search).get('next');
      return html`<${Redirect} to=${safeNext(next)} />`;
    }
    return html`<${AuthLayout}><${SignInPage} /><//><${ToastHost} />`;
  }
  if (s.status !== 'ready') {
    const next = path === '/' ? '' : `?next=${encodeURIComponent(path + search)}`;
    return html`<${Redirect} to=${`/signin${next}`} />`;
  }
  return html`<div class="shell">
    <${TopBar} />
    <main class="main" id="main">${resolve(path)}</main>
  </div>
  <${UploadTray} /><${ToastHost} /><${ConfirmHost} />`;
}

async function start() {
  session.set({ status: 'loading' });
  try {
    await loadMe();
  } catch (error) {
    session.set({ status: 'error', error });
  }
}

onUnauthorized((err) => {
  if (session.get().status === 'ready') sessionEnded(err);
});
installLinkHandler();
render(html`<${App} />`, document.getElementById('app'));
start();
