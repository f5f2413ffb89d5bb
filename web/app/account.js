// web/app/account.js: the signed-in person's own settings: profile and language, password,
// personal API tokens (the secret is shown once, with a copy button) and active sessions
// (end any of them; ending this one signs out).
import { html, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useForm, useResetOn, TextField, SelectField, Submit, FormError, check } from '/lib/forms.js';
import { confirmAction } from '/lib/dialog.js';
import { navigate } from '/lib/router.js';
import { useSession, loadMe, signOut } from '/lib/session.js';
import { toast } from '/lib/toast.js';
import {
  usePaged, useTitle, Badge, CopyField, Empty, ErrorBox, LoadMore, Loading, PageHeader, errorMessage,
} from '/lib/ui.js';
import { fmtDate, fmtDateTime, fmtRelative, uiLanguage } from '/lib/format.js';

const LANGUAGES = [['en', 'English'], ['zh-CN', '简体中文']];

function Profile() {
  const { me, meEtag } = useSession();
  const initial = { display_name: me.display_name, locale: uiLanguage(me.locale) };
  const f = useForm(initial);
  useResetOn(f, me.version, initial);
  const save = f.submit(async (v) => {
    check({ display_name: [v.display_name.trim() !== '', t('form.required')] });
    try {
      await api.patch('/api/v1/users/me', { display_name: v.display_name.trim(), locale: v.locale }, { etag: meEtag });
    } catch (e) {
      if (e.status === 412) await loadMe();
      throw e;
    }
    await loadMe();
    toast(t('state.saved'));
  });
  return html`<section class="card" id="profile">
    <h2 class="card-title">${t('account.profile')}</h2>
    <form class="form form-2col" onSubmit=${save} novalidate data-testid="profile-form">
      <${FormError} form=${f} />
      <${TextField} form=${f} name="display_name" label=${t('account.display_name')} maxLength="200" required />
      <div class="field"><span class="field-label">${t('field.email')}</span><div class="input input-static truncate">${me.email}</div></div>
      <${SelectField} form=${f} name="locale" label=${t('account.language')} options=${LANGUAGES} data-testid="language" />
      <div class="form-actions span-2"><${Submit} form=${f}>${t('action.save')}<//></div>
    </form>
  </section>`;
}

function Password() {
  const f = useForm({ current_password: '', new_password: '', confirm: '' });
  const save = f.submit(async (v) => {
    check({
      current_password: [v.current_password !== '', t('form.required')],
      new_password: [v.new_password.length >= 10, t('account.password_rule')],
      confirm: [v.confirm === v.new_password, t('account.password_mismatch')],
    });
    await api.post('/api/v1/users/me/password', { current_password: v.current_password, new_password: v.new_password });
    f.reset();
    toast(t('account.password_changed'));
  });
  return html`<section class="card" id="password">
    <h2 class="card-title">${t('account.password')}</h2>
    <p class="card-desc">${t('account.password_desc')}</p>
    <form class="form form-3col" onSubmit=${save} novalidate>
      <${FormError} form=${f} />
      <${TextField} form=${f} name="current_password" type="password" label=${t('account.current_password')} autocomplete="current-password" />
      <${TextField} form=${f} name="new_password" type="password" label=${t('account.new_password')} autocomplete="new-password"
        hint=${t('account.password_rule')} />
      <${TextField} form=${f} name="confirm" type="password" label=${t('account.confirm_password')} autocomplete="new-password" />
      <div class="form-actions span-all"><${Submit} form=${f}>${t('account.change_password')}<//></div>
    </form>
  </section>`;
}

const EXPIRY = [['30', 30], ['90', 90], ['365', 365], ['never', null]];

function Tokens() {
  const [shown, setShown] = useState(null);
  const paged = usePaged((cursor) => api.get('/api/v1/tokens', { limit: 100, cursor }), []);
  const f = useForm({ name: '', expiry: '90' });
  const create = f.submit(async (v) => {
    check({ name: [v.name.trim() !== '', t('form.required')] });
    const days = EXPIRY.find(([k]) => k === v.expiry)[1];
    const expires = days === null ? null : new Date(Date.now() + days * 86400000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const tok = await api.post('/api/v1/tokens', { name: v.name.trim(), expires_at: expires });
    setShown(tok);
    f.reset();
    const { token, ...rest } = tok;
    paged.setItems((xs) => [...xs, rest]);
  });
  const revoke = async (tok) => {
    const ok = await confirmAction({
      title: t('tokens.revoke'),
      message: t('tokens.revoke_confirm', { name: tok.name }),
      confirmLabel: t('tokens.revoke'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/tokens/${tok.id}`);
      paged.setItems((xs) => xs.filter((x) => x.id !== tok.id));
      if (shown && shown.id === tok.id) setShown(null);
      toast(t('tokens.revoked', { name: tok.name }));
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  };
  const expiryLabel = (k) => (k === 'never' ? t('tokens.never') : t('tokens.days', { n: k }));
  return html`<section class="card card-flush" id="tokens">
    <div class="card-pad">
      <h2 class="card-title">${t('tokens.title')}</h2>
      <p class="card-desc">${t('tokens.desc')}</p>
      <form class="inline-form" onSubmit=${create} novalidate data-testid="token-form">
        <${TextField} form=${f} name="name" label=${t('tokens.name')} placeholder=${t('tokens.name_placeholder')} class="grow" maxLength="100" />
        <${SelectField} form=${f} name="expiry" label=${t('tokens.expires')} options=${EXPIRY.map(([k]) => [k, expiryLabel(k)])} />
        <div class="inline-actions"><${Submit} form=${f}><${Icon} name="key" />${t('tokens.create')}<//></div>
        <div class="inline-error"><${FormError} form=${f} /></div>
      </form>
      ${shown && html`<div class="reveal" data-testid="token-reveal">
        <div class="reveal-head"><${Icon} name="key" />${t('tokens.created', { name: shown.name })}</div>
        <${CopyField} value=${shown.token} label=${t('tokens.secret')} testid="token-value" />
        <p class="reveal-warn"><${Icon} name="alert" size=${14} />${t('tokens.once')}</p>
        <div><button type="button" class="btn btn-sm" onClick=${() => setShown(null)}>${t('tokens.done')}</button></div>
      </div>`}
    </div>
    ${!paged.started && paged.loading ? html`<${Loading} />`
      : paged.error && !paged.items.length ? html`<${ErrorBox} error=${paged.error} onRetry=${paged.reload} />`
      : !paged.items.length ? html`<${Empty} icon="key" title=${t('tokens.none')} />`
      : html`<ul class="mrow-list">${paged.items.map((tok) => html`<li key=${tok.id} class="mrow" data-testid="token-row">
          <span class="avatar avatar-md av-key" aria-hidden="true"><${Icon} name="key" /></span>
          <div class="mrow-main">
            <div class="mrow-name"><span class="truncate">${tok.name}</span></div>
            <div class="mrow-sub truncate"><span class="mono">${tok.prefix}…</span> · ${t('tokens.created_at', { when: fmtDate(tok.created_at) })}</div>
          </div>
          <div class="mrow-role small">${tok.expires_at ? t('tokens.expires_at', { when: fmtDate(tok.expires_at) }) : t('tokens.no_expiry')}</div>
          <div class="mrow-since muted small">${tok.last_used_at ? t('tokens.used', { when: fmtRelative(tok.last_used_at) }) : t('tokens.never_used')}</div>
          <div class="mrow-actions"><button type="button" class="btn btn-sm btn-ghost-danger" onClick=${() => revoke(tok)}>${t('tokens.revoke')}</button></div>
        </li>`)}</ul>`}
    <${LoadMore} paged=${paged} />
  </section>`;
}

// "Chrome on macOS" from a User-Agent string; good enough to recognize one's own devices.
export function describeAgent(ua) {
  if (!ua) return t('sessions.unknown_device');
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome'
    : /Safari\//.test(ua) ? 'Safari' : /curl\//i.test(ua) ? 'curl' : /node/i.test(ua) ? 'Node.js' : ua.split(/[\s/]/)[0];
  const os = /Windows/.test(ua) ? 'Windows' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS'
    : /Android/.test(ua) ? 'Android' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? t('sessions.agent', { browser, os }) : browser;
}

function Sessions() {
  const paged = usePaged((cursor) => api.get('/api/v1/sessions', { limit: 100, cursor }), []);
  const end = async (s) => {
    const current = !!s.is_current;
    const ok = await confirmAction({
      title: t('sessions.end'),
      message: current ? t('sessions.end_current_confirm') : t('sessions.end_confirm', { device: describeAgent(s.user_agent) }),
      confirmLabel: t('sessions.end'),
      danger: true,
    });
    if (!ok) return;
    try {
      if (current) {
        await signOut();
        navigate('/signin', { replace: true });
        return;
      }
      await api.del(`/api/v1/sessions/${s.id}`);
      paged.setItems((xs) => xs.filter((x) => x.id !== s.id));
      toast(t('sessions.ended'));
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  };
  return html`<section class="card card-flush" id="sessions">
    <div class="card-pad">
      <h2 class="card-title">${t('sessions.title')}</h2>
      <p class="card-desc">${t('sessions.desc')}</p>
    </div>
    ${!paged.started && paged.loading ? html`<${Loading} />`
      : paged.error && !paged.items.length ? html`<${ErrorBox} error=${paged.error} onRetry=${paged.reload} />`
      : html`<ul class="mrow-list">${paged.items.map((s) => html`<li key=${s.id} class="mrow" data-testid="session-row">
          <span class="avatar avatar-md av-key" aria-hidden="true"><${Icon} name="monitor" /></span>
          <div class="mrow-main">
            <div class="mrow-name"><span class="truncate">${describeAgent(s.user_agent)}</span>
              ${s.is_current ? html`<${Badge} kind="ok">${t('sessions.this_device')}<//>` : null}</div>
            <div class="mrow-sub truncate">${s.ip || '—'} · ${t('sessions.signed_in', { when: fmtDateTime(s.created_at) })}</div>
          </div>
          <div class="mrow-role muted small">${t('sessions.seen', { when: fmtRelative(s.last_seen_at) })}</div>
          <div class="mrow-since muted small">${t('sessions.until', { when: fmtDate(s.expires_at) })}</div>
          <div class="mrow-actions"><button type="button" class="btn btn-sm btn-ghost-danger" onClick=${() => end(s)}>
            ${s.is_current ? t('account.sign_out') : t('sessions.end')}</button></div>
        </li>`)}</ul>`}
    <${LoadMore} paged=${paged} />
  </section>`;
}

export function AccountPage() {
  const { me } = useSession();
  useTitle(t('account.settings'));
  return html`<div class="page page-medium">
    <${PageHeader} title=${t('account.settings')} subtitle=${me.email} />
    <nav class="anchor-nav" aria-label=${t('account.sections')}>
      <a href="#profile">${t('account.profile')}</a>
      <a href="#password">${t('account.password')}</a>
      <a href="#tokens">${t('tokens.title')}</a>
      <a href="#sessions">${t('sessions.title')}</a>
    </nav>
    <div class="stack">
      <${Profile} />
      <${Password} />
      <${Tokens} />
      <${Sessions} />
    </div>
  </div>`;
}
