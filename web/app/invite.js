// web/app/invite.js: /invite/<token>, where an invitation link lands. It shows who invited
// whom to which organization with which role, then, depending on who is looking:
//   - nobody signed in, no account for the address: choose a name and password; the account
//     is created, joined and signed in in one step;
//   - nobody signed in, the account exists: sign in as that address first (and come back);
//   - signed in as the invitee: one click to accept;
//   - signed in as someone else: say so, and offer to sign out.
import { html } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t, locale } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useForm, TextField, SelectField, Submit, FormError, check } from '/lib/forms.js';
import { navigate } from '/lib/router.js';
import { useSession, loadMe, signOut, setCurrentOrg } from '/lib/session.js';
import { orgRoleLabel, kindLabel } from '/lib/labels.js';
import { toast } from '/lib/toast.js';
import { useAsync, useTitle, Avatar, ErrorBox, Loading, Notice } from '/lib/ui.js';
import { fmtDate } from '/lib/format.js';

async function joined(org) {
  await loadMe(org.id);
  setCurrentOrg(org.id);
  toast(t('invite.joined', { org: org.name }));
  navigate(`/orgs/${org.id}/projects`, { replace: true });
}

function NewAccountForm({ token, inv }) {
  const f = useForm({ display_name: '', password: '', confirm: '', locale: locale() });
  const go = f.submit(async (v) => {
    check({
      display_name: [v.display_name.trim() !== '', t('form.required')],
      password: [v.password.length >= 10, t('account.password_rule')],
      confirm: [v.confirm === v.password, t('account.password_mismatch')],
    });
    const r = await api.post(`/api/v1/invitations/${encodeURIComponent(token)}/accept`,
      { display_name: v.display_name.trim(), password: v.password, locale: v.locale }, { auth: false });
    await joined(r.org || inv.org);
  });
  return html`<form class="form" onSubmit=${go} novalidate data-testid="accept-form">
    <${FormError} form=${f} />
    <div class="field"><span class="field-label">${t('field.email')}</span><div class="input input-static truncate">${inv.email}</div></div>
    <${TextField} form=${f} name="display_name" label=${t('account.display_name')} autocomplete="name" autofocus maxLength="200" />
    <${TextField} form=${f} name="password" type="password" label=${t('account.choose_password')} autocomplete="new-password"
      hint=${t('account.password_rule')} />
    <${TextField} form=${f} name="confirm" type="password" label=${t('account.confirm_password')} autocomplete="new-password" />
    <${SelectField} form=${f} name="locale" label=${t('account.language')} options=${[['en', 'English'], ['zh-CN', '简体中文']]} />
    <${Submit} form=${f} class="btn-primary btn-block">${t('invite.create_and_join')}<//>
  </form>`;
}

function AcceptButton({ token, inv }) {
  const f = useForm({});
  const go = f.submit(async () => {
    const r = await api.post(`/api/v1/invitations/${encodeURIComponent(token)}/accept`, {});
    await joined(r.org || inv.org);
  });
  return html`<form class="form" onSubmit=${go}>
    <${FormError} form=${f} />
    <${Submit} form=${f} class="btn-primary btn-block">${t('invite.accept')}<//>
  </form>`;
}

export function InvitePage({ token }) {
  const s = useSession();
  useTitle(t('invite.page_title'));
  const r = useAsync(() => api.get(`/api/v1/invitations/${encodeURIComponent(token)}`, undefined, { auth: false }), [token]);
  if (r.loading && !r.data) return html`<div class="auth-card"><${Loading} /></div>`;
  if (r.error) {
    return html`<div class="auth-card">
      <h1 class="auth-title">${t('invite.page_title')}</h1>
      <${ErrorBox} error=${r.error} />
      <p class="auth-note"><a href=${s.status === 'ready' ? '/' : '/signin'}>${s.status === 'ready' ? t('notfound.home') : t('signin.action')}</a></p>
    </div>`;
  }
  const inv = r.data;
  const me = s.status === 'ready' ? s.me : null;
  const here = `/invite/${encodeURIComponent(token)}`;
  let action;
  if (me && me.email.toLowerCase() === inv.email.toLowerCase()) {
    action = html`<${AcceptButton} token=${token} inv=${inv} />`;
  } else if (me) {
    action = html`<${Notice} kind="warn">${t('invite.wrong_account', { email: inv.email, me: me.email })}<//>
      <button type="button" class="btn btn-block" onClick=${() => signOut()}>${t('account.sign_out')}</button>`;
  } else if (inv.account_exists) {
    action = html`<p class="muted">${t('invite.sign_in_first', { email: inv.email })}</p>
      <a class="btn btn-primary btn-block" href=${`/signin?next=${encodeURIComponent(here)}&email=${encodeURIComponent(inv.email)}`}>
        ${t('invite.sign_in_to_accept')}</a>`;
  } else {
    action = html`<${NewAccountForm} token=${token} inv=${inv} />`;
  }
  return html`<div class="auth-card" data-testid="invitation">
    <div class="invite-org">
      <${Avatar} name=${inv.org.name} id=${inv.org.id} size="lg" />
      <div class="invite-org-main">
        <div class="invite-org-name">${inv.org.name}</div>
        <div class="muted small">${kindLabel(inv.org.kind)} · <span class="mono">${inv.org.slug}</span></div>
      </div>
    </div>
    <h1 class="auth-title">${t('invite.headline', { inviter: inv.invited_by || t('invite.someone'), org: inv.org.name })}</h1>
    <p class="auth-sub">${t('invite.details', { role: orgRoleLabel(inv.role), email: inv.email })}</p>
    <p class="muted small"><${Icon} name="info" size=${12} /> ${t('invite.expires', { when: fmtDate(inv.expires_at) })}</p>
    ${action}
  </div>`;
}
