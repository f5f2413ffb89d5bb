// web/app/signin.js: the sign-in page. Wrong credentials, throttling and locks come back as
// problem documents and are shown above the form; ?next= is where to go afterwards, ?email=
// pre-fills the address (invitation links).
import { html } from '/lib/html.js';
import { t } from '/lib/i18n.js';
import { useForm, TextField, Submit, FormError, check } from '/lib/forms.js';
import { searchParam } from '/lib/router.js';
import { signIn, useSession } from '/lib/session.js';
import { Notice, useTitle } from '/lib/ui.js';

export function SignInPage() {
  const { ended } = useSession();
  useTitle(t('signin.title'));
  const f = useForm({ email: searchParam('email') || '', password: '' });
  const go = f.submit(async (v) => {
    check({
      email: [v.email.trim() !== '', t('form.required')],
      password: [v.password !== '', t('form.required')],
    });
    // Signed in: the app leaves this page for ?next= (main.js).
    await signIn(v.email.trim(), v.password);
  });
  return html`<div class="auth-card">
    <h1 class="auth-title">${t('signin.title')}</h1>
    <p class="auth-sub">${t('signin.subtitle')}</p>
    ${ended && html`<${Notice} kind="warn">${ended === 'session-expired' ? t('signin.expired') : t('signin.ended')}<//>`}
    <form class="form" onSubmit=${go} novalidate data-testid="signin-form">
      <${FormError} form=${f} />
      <${TextField} form=${f} name="email" type="email" label=${t('field.email')} autocomplete="username"
        autofocus=${!f.values.email} required />
      <${TextField} form=${f} name="password" type="password" label=${t('field.password')}
        autocomplete="current-password" autofocus=${!!f.values.email} required />
      <${Submit} form=${f} class="btn-primary btn-block">${t('signin.action')}<//>
    </form>
    <p class="auth-note">${t('signin.no_account')}</p>
  </div>`;
}
