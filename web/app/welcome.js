// web/app/welcome.js: creating an organization — the first step for someone who belongs to
// none (the /welcome page), and the "Create organization" dialog of the switcher. Also lists
// projects shared with the person directly, so a client invited to one project is not lost.
import { html } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { useForm, TextField, TextArea, SelectField, Submit, FormError, check } from '/lib/forms.js';
import { Dialog } from '/lib/dialog.js';
import { navigate } from '/lib/router.js';
import { loadMe, setCurrentOrg, useSession } from '/lib/session.js';
import { ORG_KINDS, kindLabel, options, accessRoleLabel } from '/lib/labels.js';
import { toast } from '/lib/toast.js';
import { useAsync, useTitle, Badge } from '/lib/ui.js';

function CreateOrgForm({ onDone, footer }) {
  const f = useForm({ name: '', kind: 'studio', slug: '', description: '' });
  const save = f.submit(async (v) => {
    check({
      name: [v.name.trim() !== '', t('form.required')],
      slug: [!v.slug || /^[a-z0-9][a-z0-9-]{1,39}$/.test(v.slug), t('org.slug_rule')],
    });
    const body = { name: v.name.trim(), kind: v.kind };
    if (v.slug) body.slug = v.slug;
    if (v.description.trim()) body.description = v.description.trim();
    const org = await api.post('/api/v1/orgs', body);
    await loadMe(org.id);
    setCurrentOrg(org.id);
    toast(t('org.created', { name: org.name }));
    if (onDone) onDone(org);
    navigate(`/orgs/${org.id}/projects`);
  });
  return html`<form class="form" onSubmit=${save} novalidate>
    <${FormError} form=${f} />
    <${TextField} form=${f} name="name" label=${t('org.name')} placeholder=${t('org.name_placeholder')} autofocus required maxLength="200" />
    <${SelectField} form=${f} name="kind" label=${t('org.kind')} options=${options(ORG_KINDS, kindLabel)} />
    <${TextField} form=${f} name="slug" label=${t('org.slug_optional')} hint=${t('org.slug_hint')} class="mono-input"
      autocapitalize="off" spellcheck="false" maxLength="40" />
    <${TextArea} form=${f} name="description" label=${t('field.description_optional')} rows="3" />
    <div class="form-actions">${footer}<${Submit} form=${f}>${t('org.create_action')}<//></div>
  </form>`;
}

export function CreateOrgDialog({ onClose }) {
  return html`<${Dialog} title=${t('org.create')} onClose=${onClose}>
    <${CreateOrgForm} onDone=${onClose}
      footer=${html`<button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>`} />
  <//>`;
}

function DirectProjects() {
  const r = useAsync(() => api.get('/api/v1/projects', { limit: 50 }), []);
  const items = (r.data && r.data.items) || [];
  if (!items.length) return null;
  return html`<section class="card">
    <h2 class="card-title">${t('welcome.shared_with_you')}</h2>
    <ul class="simple-list">
      ${items.map((p) => html`<li key=${p.id}><a href=${`/projects/${p.id}`} class="simple-row">
        <span class="truncate strong">${p.name}</span>
        <${Badge}>${accessRoleLabel(p.access)}<//>
        <span class="muted truncate">${p.org_name}</span>
      </a></li>`)}
    </ul>
  </section>`;
}

export function WelcomePage() {
  const { me } = useSession();
  useTitle(t('welcome.title'));
  return html`<div class="page page-narrow">
    <header class="welcome-head">
      <h1 class="page-title">${t('welcome.hello', { name: me.display_name })}</h1>
      <p class="muted">${me.orgs.length ? t('welcome.another') : t('welcome.intro')}</p>
    </header>
    <section class="card">
      <h2 class="card-title">${t('welcome.create_title')}</h2>
      <p class="card-desc">${t('welcome.create_desc')}</p>
      <${CreateOrgForm} />
    </section>
    <p class="muted small">${t('welcome.invited_hint')}</p>
    <${DirectProjects} />
  </div>`;
}
