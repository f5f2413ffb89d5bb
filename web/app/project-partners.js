// web/app/project-partners.js: the organizations a project is shared with and their roles
// (co-producer and vendor edit; distributor and client view). Managers add a partner by
// searching the directory, change roles and remove partners; an admin of a partner
// organization may take their own organization off the project.
import { html, useState } from '/lib/html.js';
import { api, etagOf } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { confirmAction } from '/lib/dialog.js';
import { OrgPicker } from '/lib/org-picker.js';
import { navigate } from '/lib/router.js';
import { useSession, isOrgAdmin } from '/lib/session.js';
import { PARTNER_ROLES, partnerRoleLabel, kindLabel, options } from '/lib/labels.js';
import { toast } from '/lib/toast.js';
import { usePaged, Avatar, Badge, Empty, ErrorBox, LoadMore, Loading, Spinner, errorMessage } from '/lib/ui.js';
import { fmtRelative } from '/lib/format.js';

function AddPartner({ project, partners, onAdded }) {
  const [org, setOrg] = useState(null);
  const [role, setRole] = useState('co-producer');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const exclude = { [project.org_id]: t('partners.is_owner') };
  for (const p of partners) exclude[p.org_id] = t('partners.already');
  const add = async (e) => {
    e.preventDefault();
    if (!org) {
      setError({ field: t('partners.pick_first') });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const p = await api.post(`/api/v1/projects/${project.id}/partners`, { org_id: org.id, role });
      toast(t('partners.added', { name: p.org_name }));
      setOrg(null);
      onAdded(p);
    } catch (err) {
      setError({ api: err });
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="inline-form" onSubmit=${add} novalidate data-testid="add-partner">
    <div class="grow"><${OrgPicker} value=${org} onChange=${(o) => {
      setOrg(o);
      setError(null);
    }} exclude=${exclude} label=${t('partners.organization')} error=${error && error.field} /></div>
    <label class="field">
      <span class="field-label">${t('field.role')}</span>
      <select class="input select" value=${role} onChange=${(e) => setRole(e.target.value)} data-testid="partner-role">
        ${options(PARTNER_ROLES, partnerRoleLabel).map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
      </select>
    </label>
    <div class="inline-actions"><button type="submit" class="btn btn-primary" disabled=${busy}>
      ${busy ? html`<${Spinner} />` : html`<${Icon} name="plus" />`}${t('partners.add')}</button></div>
    ${error && error.api && html`<div class="inline-error"><${ErrorBox} error=${error.api} /></div>`}
  </form>`;
}

export default function ProjectPartners({ project }) {
  const { me } = useSession();
  const manage = project.access.level === 'manage';
  const paged = usePaged((cursor) => api.get(`/api/v1/projects/${project.id}/partners`, { limit: 100, cursor }), [project.id]);
  const myAdminOrgs = new Set(me.orgs.filter((o) => isOrgAdmin(o.role)).map((o) => o.id));
  const setRole = async (p, role) => {
    try {
      const r = await api.patch(`/api/v1/projects/${project.id}/partners/${p.org_id}`, { role }, { etag: etagOf(p) });
      paged.setItems((xs) => xs.map((x) => (x.org_id === p.org_id ? r : x)));
      toast(t('partners.role_changed', { name: p.org_name, role: partnerRoleLabel(role) }));
    } catch (e) {
      toast(errorMessage(e), 'error');
      paged.reload();
    }
  };
  const remove = async (p) => {
    const own = !manage;
    const ok = await confirmAction({
      title: own ? t('partners.withdraw') : t('partners.remove'),
      message: own ? t('partners.withdraw_confirm', { name: p.org_name, project: project.name })
        : t('partners.remove_confirm', { name: p.org_name, project: project.name }),
      confirmLabel: own ? t('partners.withdraw') : t('partners.remove'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/projects/${project.id}/partners/${p.org_id}`, { etag: etagOf(p) });
      toast(t('partners.removed', { name: p.org_name }));
      if (own && project.access.via === 'partner') {
        navigate('/', { replace: true });
        return;
      }
      paged.setItems((xs) => xs.filter((x) => x.org_id !== p.org_id));
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  };
  return html`<div class="stack">
    ${manage && html`<section class="card">
      <h2 class="card-title">${t('partners.add_title')}</h2>
      <p class="card-desc">${t('partners.add_desc')}</p>
      <${AddPartner} project=${project} partners=${paged.items} onAdded=${(p) => paged.setItems((xs) => [...xs, p])} />
    </section>`}
    <section class="card card-flush">
      <h2 class="card-title card-pad">${t('partners.title')}</h2>
      ${!paged.started && paged.loading ? html`<${Loading} />`
        : paged.error && !paged.items.length ? html`<${ErrorBox} error=${paged.error} onRetry=${paged.reload} />`
        : !paged.items.length ? html`<${Empty} icon="share" title=${t('partners.none')}>${manage ? t('partners.none_hint') : ''}<//>`
        : html`<ul class="mrow-list">${paged.items.map((p) => {
          const canRemove = manage || myAdminOrgs.has(p.org_id);
          return html`<li key=${p.org_id} class="mrow" data-testid="partner-row">
            <${Avatar} name=${p.org_name} id=${p.org_id} />
            <div class="mrow-main">
              <div class="mrow-name"><span class="truncate">${p.org_name}</span></div>
              <div class="mrow-sub truncate"><span class="mono">${p.org_slug}</span> · ${kindLabel(p.org_kind)}</div>
            </div>
            <div class="mrow-role">${manage
              ? html`<select class="input select select-sm" value=${p.role} aria-label=${t('partners.role_of', { name: p.org_name })}
                  onChange=${(e) => setRole(p, e.target.value)}>
                  ${options(PARTNER_ROLES, partnerRoleLabel).map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
                </select>`
              : html`<${Badge}>${partnerRoleLabel(p.role)}<//>`}</div>
            <div class="mrow-since muted small">${t('partners.since', { when: fmtRelative(p.created_at) })}</div>
            <div class="mrow-actions">${canRemove && html`<button type="button" class="btn btn-sm btn-ghost-danger" onClick=${() => remove(p)}>
              ${manage ? t('partners.remove') : t('partners.withdraw')}</button>`}</div>
          </li>`;
        })}</ul>`}
      <${LoadMore} paged=${paged} />
    </section>
    <div class="role-legend muted small">
      <div>${t('partners.legend_edit', { a: partnerRoleLabel('co-producer'), b: partnerRoleLabel('vendor') })}</div>
      <div>${t('partners.legend_view', { a: partnerRoleLabel('distributor'), b: partnerRoleLabel('client') })}</div>
    </div>
  </div>`;
}
