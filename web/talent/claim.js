// web/talent/claim.js: /talent/claim/<token>, where a claim link lands. The person (signed in:
// the app sends everyone else to sign in and back here) claims the profile an organization
// kept for them: POST /talent/claim {token}; from then on only they edit it, and their
// consent replaces the organization's. Not the making of links: profile.js does that for the
// keeping organization's members.
import { html, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { navigate } from '/lib/router.js';
import { toast } from '/lib/toast.js';
import { useTitle, ErrorBox, Spinner } from '/lib/ui.js';

export default function ClaimPage({ token }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [consent, setConsent] = useState(false);
  useTitle(t('talent.claim_title'));
  const claim = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/v1/talent/claim', { token });
      toast(t('talent.claimed_done'));
      navigate('/talent/me', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="page page-narrow tl-page" data-testid="claim-page">
    <section class="card stack">
      <h1 class="page-title"><${Icon} name="key" size=${20} />${t('talent.claim_title')}</h1>
      <p class="muted">${t('talent.claim_desc')}</p>
      ${error && html`<${ErrorBox} error=${error} />`}
      <label class="tl-consent"><input type="checkbox" checked=${consent} data-testid="claim-consent" onChange=${(e) => setConsent(e.target.checked)} />
        <span>${t('talent.consent')}</span></label>
      <div class="form-actions">
        <a class="btn" href="/talent">${t('action.cancel')}</a>
        <button type="button" class="btn btn-primary" disabled=${busy || !consent} data-testid="claim" onClick=${claim}>
          ${busy && html`<${Spinner} />`}${t('talent.claim_action')}</button>
      </div>
    </section>
  </div>`;
}
