// web/app/org.js: an organization's page: its projects, activity, members, invitations and
// settings as tabs under /orgs/<id>/<tab>. Opening it makes it the current organization.
// What a member may do follows my_role: admins and owners manage members, invitations and
// settings; members create projects; viewers look.
import { html, useEffect } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { useForm, useResetOn, TextField, TextArea, SelectField, Submit, FormError, check } from '/lib/forms.js';
import { confirmAction } from '/lib/dialog.js';
import { EventFeed } from '/lib/feed.js';
import { navigate } from '/lib/router.js';
import { useSession, setCurrentOrg, loadMe, isOrgAdmin } from '/lib/session.js';
import { ORG_KINDS, kindLabel, orgRoleLabel, options } from '/lib/labels.js';
import { toast } from '/lib/toast.js';
import { useAsync, useTitle, Avatar, Badge, ErrorBox, Loading, PageHeader, TabNav, Notice } from '/lib/ui.js';
import { fmtDate } from '/lib/format.js';
import { ProjectList } from './projects.js';
import { OrgMembers, OrgInvitations } from './org-members.js';
import { NotFound } from './notfound.js';
/* wt-web rights */
import { registerStrings } from '/lib/i18n.js';
import rightsStrings from '/rights/strings.js';
import { useState as useRightsState } from '/lib/html.js';

registerStrings(rightsStrings);

// The Rights section's pages, loaded when the tab is opened (web/rights/page.js).
function RightsTab({ org, rest }) {
  const [mod, setMod] = useRightsState(null);
  const [error, setError] = useRightsState(null);
  useEffect(() => {
    import('/rights/page.js').then(setMod, setError);
  }, []);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!mod) return html`<${Loading} />`;
  return html`<${mod.default} org=${org} rest=${rest} />`;
}
/* end wt-web rights */
/* wt-web talent */
import talentStrings from '/talent/strings.js';
import { useState as useTalentState } from '/lib/html.js';

registerStrings(talentStrings);

// The Talent section (shortlists, finding crew), loaded when the tab is opened (web/talent/org.js).
function TalentTab({ org, rest }) {
  const [mod, setMod] = useTalentState(null);
  const [error, setError] = useTalentState(null);
  useEffect(() => {
    import('/talent/org.js').then(setMod, setError);
  }, []);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!mod) return html`<${Loading} />`;
  return html`<${mod.default} org=${org} rest=${rest} />`;
}
/* end wt-web talent */

const TABS = [
  { id: 'projects', label: 'tab.projects' },
  /* wt-web rights */
  { id: 'rights', label: 'rights.tab' },
  /* end wt-web rights */
  /* wt-web talent */
  { id: 'talent', label: 'talent.tab' },
  /* end wt-web talent */
  { id: 'activity', label: 'tab.activity' },
  { id: 'members', label: 'tab.members' },
  { id: 'invitations', label: 'tab.invitations', admin: true },
  { id: 'settings', label: 'tab.settings' },
];

function OrgSettings({ org, etag, onSaved, reload }) {
  const admin = isOrgAdmin(org.my_role);
  const { me } = useSession();
  const f = useForm({ name: org.name, slug: org.slug, kind: org.kind, description: org.description || '' });
  useResetOn(f, etag, { name: org.name, slug: org.slug, kind: org.kind, description: org.description || '' });
  const save = f.submit(async (v) => {
    check({
      name: [v.name.trim() !== '', t('form.required')],
      slug: [/^[a-z0-9][a-z0-9-]{1,39}$/.test(v.slug), t('org.slug_rule')],
    });
    try {
      const r = await api.request('PATCH', `/api/v1/orgs/${org.id}`, {
        body: { name: v.name.trim(), slug: v.slug, kind: v.kind, description: v.description },
        etag,
      });
      onSaved(r.data, r.etag);
      await loadMe();
      toast(t('state.saved'));
    } catch (e) {
      if (e.status === 412) reload();
      throw e;
    }
  });
  const leave = async () => {
    const ok = await confirmAction({
      title: t('org.leave'),
      message: t('org.leave_confirm', { name: org.name }),
      confirmLabel: t('org.leave'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/orgs/${org.id}/members/${me.id}`);
      await loadMe();
      toast(t('org.left', { name: org.name }));
      navigate('/', { replace: true });
    } catch (e) {
      toast(e.detail || e.message, 'error');
    }
  };
  return html`<div class="stack">
    <section class="card">
      <h2 class="card-title">${t('org.profile')}</h2>
      ${admin ? html`<form class="form form-2col" onSubmit=${save} novalidate>
        <${FormError} form=${f} />
        <${TextField} form=${f} name="name" label=${t('org.name')} maxLength="200" required />
        <${TextField} form=${f} name="slug" label=${t('org.slug')} hint=${t('org.slug_hint')} autocapitalize="off" spellcheck="false" maxLength="40" />
        <${SelectField} form=${f} name="kind" label=${t('org.kind')} options=${options(ORG_KINDS, kindLabel)} />
        <${TextArea} form=${f} name="description" label=${t('field.description')} rows="4" class="span-2" />
        <div class="form-actions span-2"><${Submit} form=${f}>${t('action.save')}<//></div>
      </form>` : html`<dl class="details">
        <dt>${t('org.name')}</dt><dd>${org.name}</dd>
        <dt>${t('org.slug')}</dt><dd class="mono">${org.slug}</dd>
        <dt>${t('org.kind')}</dt><dd>${kindLabel(org.kind)}</dd>
        <dt>${t('field.description')}</dt><dd class="prewrap">${org.description || '—'}</dd>
        <dt>${t('field.created')}</dt><dd>${fmtDate(org.created_at)}</dd>
      </dl>
      <${Notice}>${t('org.settings_admin_only')}<//>`}
    </section>
    <section class="card card-danger">
      <h2 class="card-title">${t('org.leave')}</h2>
      <p class="card-desc">${t('org.leave_desc')}</p>
      <div><button type="button" class="btn btn-danger-outline" onClick=${leave}>${t('org.leave')}</button></div>
    </section>
  </div>`;
}

export function OrgPage({ id, tab, rest = '' /* wt-web rights */ }) {
  const { me, orgId } = useSession();
  const r = useAsync(() => api.request('GET', `/api/v1/orgs/${encodeURIComponent(id)}`), [id]);
  const member = me.orgs.some((o) => o.id === id);
  useEffect(() => {
    if (member && orgId !== id) setCurrentOrg(id);
  }, [id, member]);
  const org = r.data && r.data.data;
  useTitle(org ? org.name : '');
  if (r.error && r.error.status === 404) return html`<${NotFound} />`;
  if (r.error && !org) return html`<div class="page"><${ErrorBox} error=${r.error} onRetry=${r.reload} /></div>`;
  if (!org) return html`<div class="page"><${Loading} /></div>`;
  const admin = isOrgAdmin(org.my_role);
  const tabs = TABS.filter((x) => !x.admin || admin);
  const current = tabs.find((x) => x.id === tab);
  if (!current) return html`<${NotFound} />`;
  const setOrg = (data, etag) => r.setData({ data, etag });
  let body;
  if (tab === 'projects') body = html`<${ProjectList} org=${org} />`;
  else if (tab === 'activity') {
    body = html`<section class="card"><h2 class="card-title">${t('tab.activity')}</h2><${EventFeed} query=${{ org_id: org.id }} /></section>`;
  }
  /* wt-web rights */
  else if (tab === 'rights') body = html`<${RightsTab} org=${org} rest=${rest} />`;
  /* end wt-web rights */
  /* wt-web talent */
  else if (tab === 'talent') body = html`<${TalentTab} org=${org} rest=${rest} />`;
  /* end wt-web talent */
  else if (tab === 'members') body = html`<${OrgMembers} org=${org} />`;
  else if (tab === 'invitations') body = html`<${OrgInvitations} org=${org} />`;
  else body = html`<${OrgSettings} org=${org} etag=${r.data.etag} onSaved=${setOrg} reload=${r.reload} />`;
  return html`<div class=${tab === 'rights' || tab === 'talent' ? 'page page-wide' /* wt-web rights, talent */ : 'page'}>
    <${PageHeader}
      title=${html`<span class="title-with-avatar">
        <${Avatar} name=${org.name} id=${org.id} size="lg" /><span class="title-text">${org.name}</span></span>`}
      subtitle=${html`<span class="meta-row">
        <span class="mono">${org.slug}</span>
        <span class="dot" aria-hidden="true">·</span><span>${kindLabel(org.kind)}</span>
        ${org.my_role && html`<${Badge} kind="accent">${orgRoleLabel(org.my_role)}<//>`}
      </span>`} />
    <${TabNav} label=${t('org.sections')} items=${tabs.map((x) => ({ href: `/orgs/${org.id}/${x.id}`, label: t(x.label), active: x.id === tab }))} />
    <div class="tab-body">${body}</div>
  </div>`;
}
