// web/app/project-overview.js: the project's front page: what it is (name, code, status,
// description), who owns it, how the caller reaches it, its partners, and recent activity.
// Managers get Edit (the Settings tab) and Archive / Restore here.
import { html } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { confirmAction } from '/lib/dialog.js';
import { EventFeed } from '/lib/feed.js';
import { accessRoleLabel, levelLabel, partnerRoleLabel, statusLabel } from '/lib/labels.js';
import { toast } from '/lib/toast.js';
import { useAsync, Avatar, Badge, errorMessage } from '/lib/ui.js';
import { fmtDate, fmtDateTime } from '/lib/format.js';

export async function setProjectStatus({ project, etag, reload, setProject }, status) {
  const archive = status === 'archived';
  const ok = await confirmAction({
    title: archive ? t('project.archive') : t('project.restore'),
    message: archive ? t('project.archive_confirm', { name: project.name }) : t('project.restore_confirm', { name: project.name }),
    confirmLabel: archive ? t('project.archive') : t('project.restore'),
  });
  if (!ok) return;
  try {
    const r = await api.request('PATCH', `/api/v1/projects/${project.id}`, { body: { status }, etag });
    setProject(r.data, r.etag);
    toast(archive ? t('project.archived') : t('project.restored'));
  } catch (e) {
    toast(errorMessage(e), 'error');
    if (e.status === 412) reload();
  }
}

function accessExplain(a, project) {
  if (a.via === 'org') return t('access.via_org', { org: project.org_name });
  if (a.via === 'partner') return t('access.via_partner');
  return t('access.via_member');
}

function Partners({ project }) {
  const r = useAsync(() => api.get(`/api/v1/projects/${project.id}/partners`, { limit: 8 }), [project.id]);
  const items = (r.data && r.data.items) || [];
  return html`<section class="card">
    <div class="card-head">
      <h2 class="card-title">${t('tab.partners')}</h2>
      <a class="link-sm" href=${`/projects/${project.id}/partners`}>${t('action.view_all')}</a>
    </div>
    ${r.loading && !r.data ? html`<div class="muted small">${t('state.loading')}</div>`
      : !items.length ? html`<p class="muted small">${t('partners.none_short')}</p>`
      : html`<ul class="mini-list">${items.map((p) => html`<li key=${p.org_id} class="mini-row">
          <${Avatar} name=${p.org_name} id=${p.org_id} size="sm" />
          <span class="truncate">${p.org_name}</span>
          <${Badge}>${partnerRoleLabel(p.role)}<//>
        </li>`)}</ul>`}
  </section>`;
}

export default function ProjectOverview(props) {
  const { project } = props;
  const a = project.access;
  const manage = a.level === 'manage';
  const archived = project.status === 'archived';
  return html`<div class="overview">
    <div class="overview-main stack">
      ${archived && html`<div class="alert alert-warn"><${Icon} name="archive" /><div class="alert-body">${t('project.archived_note')}</div></div>`}
      <section class="card">
        <div class="card-head">
          <h2 class="card-title">${t('project.about')}</h2>
          ${manage && html`<div class="card-actions">
            <a class="btn btn-sm" href=${`/projects/${project.id}/settings`}><${Icon} name="settings" />${t('action.edit')}</a>
            <button type="button" class="btn btn-sm" onClick=${() => setProjectStatus(props, archived ? 'active' : 'archived')}>
              <${Icon} name="archive" />${archived ? t('project.restore') : t('project.archive')}</button>
          </div>`}
        </div>
        <div class=${`prose prewrap ${project.description ? '' : 'muted'}`} data-testid="project-description">
          ${project.description || t('project.no_description')}</div>
      </section>
      <section class="card">
        <div class="card-head">
          <h2 class="card-title">${t('project.recent_activity')}</h2>
          <a class="link-sm" href=${`/projects/${project.id}/activity`}>${t('action.view_all')}</a>
        </div>
        <${EventFeed} query=${{ project_id: project.id }} limit=${6} moreHref=${`/projects/${project.id}/activity`} />
      </section>
    </div>
    <aside class="overview-side stack">
      <section class="card">
        <h2 class="card-title">${t('project.details')}</h2>
        <dl class="details details-stacked">
          <dt>${t('project.code')}</dt><dd>${project.code ? html`<span class="code-chip">${project.code}</span>` : '—'}</dd>
          <dt>${t('field.status')}</dt><dd><${Badge} kind=${archived ? 'warn' : 'ok'}>${statusLabel(project.status)}<//></dd>
          <dt>${t('project.owner')}</dt>
          <dd class="owner-cell"><${Avatar} name=${project.org_name} id=${project.org_id} size="sm" /><span class="truncate">${project.org_name}</span></dd>
          <dt>${t('project.your_access')}</dt>
          <dd><div><strong>${accessRoleLabel(a)}</strong> · ${levelLabel(a.level)}</div><div class="muted small">${accessExplain(a, project)}</div></dd>
          <dt>${t('field.created')}</dt><dd title=${fmtDateTime(project.created_at)}>${fmtDate(project.created_at)}</dd>
          <dt>${t('field.updated')}</dt><dd title=${fmtDateTime(project.updated_at)}>${fmtDate(project.updated_at)}</dd>
        </dl>
      </section>
      <${Partners} project=${project} />
    </aside>
  </div>`;
}
