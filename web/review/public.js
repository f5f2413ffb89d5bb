// web/review/public.js: /r/<token>, the client review page — for anyone holding a review
// link, with or without an account (no session is used: requests go without cookies). It
// asks for the passphrase when the link has one (sent as X-Passphrase), then shows the
// link's versions in review mode with their notes; when the link allows notes, a guest gives
// a name and leaves notes at a frame, with drawings. An expired or revoked link (410) and an
// unknown one (404) each get a page that says so.
import { html, useState, useEffect } from '/lib/html.js';
import { ApiError } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useTitle, Loading, Spinner, ErrorBox } from '/lib/ui.js';
import { fmtDateTime } from '/lib/format.js';
import { stylesReady } from './common.js';
import { ReviewMode } from './review-mode.js';

await stylesReady;

async function call(method, path, passphrase, body) {
  const headers = { Accept: 'application/json' };
  if (passphrase) headers['X-Passphrase'] = passphrase;
  if (body) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { detail: e.message });
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    // Not JSON.
  }
  if (!res.ok) throw new ApiError(res.status, data || { title: res.statusText });
  return data;
}

function Gone({ error }) {
  const which = error.status === 410 ? 'expired' : error.status === 404 ? 'missing' : '';
  if (!which) return html`<${ErrorBox} error=${error} />`;
  return html`<div class="rv-gone" data-testid="review-gone" data-reason=${which}>
    <div class="empty-icon"><${Icon} name=${which === 'expired' ? 'history' : 'link'} size=${22} /></div>
    <h1 class="auth-title">${which === 'expired' ? t('review.public.gone_title') : t('review.public.missing_title')}</h1>
    <p class="muted">${which === 'expired' ? t('review.public.gone_body') : t('review.public.missing_body')}</p>
  </div>`;
}

function PassphraseForm({ onSubmit, error, busy }) {
  const [value, setValue] = useState('');
  const wrong = error && error.slug === 'passphrase-wrong';
  return html`<form class="form" novalidate data-testid="review-passphrase-form" onSubmit=${(e) => {
    e.preventDefault();
    if (value) onSubmit(value);
  }}>
    <div class="rv-pass-head"><span class="rv-pass-icon"><${Icon} name="lock" size=${20} /></span>
      <div><h1 class="auth-title">${t('review.public.pass_title')}</h1><p class="muted">${t('review.public.pass_body')}</p></div></div>
    <div class=${`field ${wrong ? 'has-error' : ''}`}>
      <label class="field-label" for="rv-pass">${t('review.public.passphrase')}</label>
      <input id="rv-pass" class="input" type="password" autocomplete="off" autofocus value=${value}
        aria-invalid=${wrong ? 'true' : undefined} onInput=${(e) => setValue(e.target.value)} />
      ${wrong && html`<div class="field-error" role="alert">${t('review.public.wrong')}</div>`}
    </div>
    ${error && !wrong && error.status !== 401 && html`<${ErrorBox} error=${error} />`}
    <button type="submit" class="btn btn-primary btn-block" disabled=${busy || !value}>${busy && html`<${Spinner} />`}${t('review.public.open')}</button>
  </form>`;
}

export function PublicReviewPage({ token }) {
  const [state, setState] = useState({ phase: 'loading', link: null, error: null, busy: false, pass: '' });
  useTitle(state.link ? state.link.name : t('review.public.title'));
  const path = `/api/v1/review/${encodeURIComponent(token)}`;
  const open = async (pass) => {
    setState((s) => ({ ...s, busy: true }));
    try {
      const link = await call('GET', path, pass);
      setState({ phase: 'ready', link, error: null, busy: false, pass });
    } catch (error) {
      const needPass = error.status === 401 || error.slug === 'passphrase-required' || error.slug === 'passphrase-wrong';
      setState({ phase: needPass ? 'passphrase' : 'gone', link: null, error: pass || !needPass ? error : null, busy: false, pass: '' });
    }
  };
  useEffect(() => {
    open('');
  }, [token]);

  let body;
  if (state.phase === 'loading') body = html`<${Loading} />`;
  else if (state.phase === 'passphrase') body = html`<div class="auth-card"><${PassphraseForm} onSubmit=${open} error=${state.error} busy=${state.busy} /></div>`;
  else if (state.phase === 'gone') body = html`<div class="auth-card"><${Gone} error=${state.error} /></div>`;
  else {
    const { link } = state;
    const items = (link.items || []).map((it) => ({ ...it, id: it.version_id }));
    body = html`<div class="rv-public" data-testid="review-public">
      ${link.note && html`<p class="rv-public-note prewrap">${link.note}</p>`}
      <p class="muted small">${link.expires_at ? t('review.public.until', { when: fmtDateTime(link.expires_at) }) : ''}
        ${link.allow_notes ? '' : t('review.public.view_only')}</p>
      <${ReviewMode} items=${items} title=${link.name} canNote=${!!link.allow_notes} guestName=${true}
        loadNotes=${async (it) => it.notes || []}
        createNote=${(it, b) => call('POST', `${path}/notes`, state.pass, { ...b, version_id: it.version_id })} />
    </div>`;
  }
  return html`<div class="rv-public-layout">
    <header class="rv-public-top">
      <span class="auth-brand"><span class="logo-mark" aria-hidden="true">m</span><span class="logo-text">mstation</span></span>
      <span class="muted small">${t('review.public.for_review')}</span>
    </header>
    <main class="rv-public-body">${body}</main>
    <footer class="auth-foot">${t('app.tagline')}</footer>
  </div>`;
}

export default PublicReviewPage;
