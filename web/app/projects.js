// web/app/projects.js: the project list of an organization — the projects it owns and those
// other organizations share with it, each marked with who owns it and the caller's role —
// with search, a status filter and the "New project" dialog (members and above).
import { html, useState } from '/lib/html.js';
import { api } from '/lib/api.js';
import { t } from '/lib/i18n.js';
import { Icon } from '/lib/icons.js';
import { useForm, TextField, TextArea, Submit, FormError, check } from '/lib/forms.js';
import { Dialog } from '/lib/dialog.js';
import { navigate } from '/lib/router.js';
import { canCreateProjects } from '/lib/session.js';
import { accessRoleLabel, levelLabel, statusLabel } from '/lib/labels.js';
import { toast } from '/lib/toast.js';
import { usePaged, useDebounced, Empty, ErrorBox, LoadMore, Loading, Badge, Spinner } from '/lib/ui.js';
import { fmtRelative, fmtDateTime } from '/lib/format.js';

export const CODE_RE = /^[A-Z0-9_-]{0,16}$/;

export function CreateProjectDialog({ org, onClose }) {
  const f = useForm({ name: '', code: '', description: '' });
  const save = f.submit(async (v) => {
    check({
      name: [v.name.trim() !== '', t('form.required')],
      code: [CODE_RE.test(v.code), t('project.code_rule')],
    });
    const body = { org_id: org.id, name: v.name.trim() };
    if (v.code) body.code = v.code;
    if (v.description.trim()) body.description = v.description.trim();
    const p = await api.post('/api/v1/projects', body);
    toast(t('project.created', { name: p.name }));
    onClose();
    navigate(`/projects/${p.id}`);
  });
  return html`<${Dialog} title=${t('project.new')} onClose=${onClose}>
    <form class="form" onSubmit=${save} novalidate data-testid="create-project">
      <p class="muted small">${t('project.new_in', { org: org.name })}</p>
      <${FormError} form=${f} />
      <${TextField} form=${f} name="name" label=${t('project.name')} placeholder=${t('project.name_placeholder')} autofocus required maxLength="200" />
      <${TextField} form=${f} name="code" label=${t('project.code_optional')} hint=${t('project.code_hint')} class="mono-input"
        maxLength="16" autocapitalize="characters" spellcheck="false"
        onInput=${(e) => f.set('code', e.target.value.toUpperCase())} />
      <${TextArea} form=${f} name="description" label=${t('field.description_optional')} rows="3" />
      <div class="form-actions">
        <button type="button" class="btn" onClick=${onClose}>${t('action.cancel')}</button>
        <${Submit} form=${f}>${t('project.create_action')}<//>
      </div>
    </form>
  <//>`;
}

function ProjectRow({ p, org }) {
  const shared = p.org_id !== org.id;
  return html`<li class="prow-item"><a class="prow" href=${`/projects/${p.id}`} data-testid="project-row">
    <span class=${`prow-icon ${shared ? 'is-shared' : ''}`} aria-hidden="true"><${Icon} name=${shared ? 'share' : 'folder'} /></span>
    <span class="prow-main">
      <span class="prow-title">
        ${p.code && html`<span class="code-chip">${p.code}</span>`}
        <span class="prow-name truncate">${p.name}</span>
      </span>
      <span class="prow-desc truncate">${p.description || html`<span class="faint">${t('project.no_description')}</span>`}</span>
    </span>
    <span class="prow-meta">
      ${shared
        ? html`<${Badge} kind="shared" title=${t('project.shared_by', { org: p.org_name })}>
            <${Icon} name="share" size=${12} /><span class="truncate">${t('project.shared_by', { org: p.org_name })}</span><//>`
        : html`<${Badge} kind="owned">${t('project.owned')}<//>`}
      <span class="prow-role" title=${levelLabel(p.access.level)}>${t('project.your_role', { role: accessRoleLabel(p.access) })}</span>
      ${p.status !== 'active' && html`<${Badge} kind="muted">${statusLabel(p.status)}<//>`}
      <time class="prow-time" datetime=${p.updated_at} title=${fmtDateTime(p.updated_at)}>${fmtRelative(p.updated_at)}</time>
    </span>
  </a></li>`;
}

export function ProjectList({ org }) {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('active');
  const [creating, setCreating] = useState(false);
  const dq = useDebounced(q.trim(), 250);
  const paged = usePaged(
    (cursor) => api.get('/api/v1/projects', { org_id: org.id, q: dq, status: status === 'all' ? '' : status, limit: 50, cursor }),
    [org.id, dq, status],
  );
  const canCreate = canCreateProjects(org.my_role);
  const filtered = dq !== '' || status !== 'active';
  return html`<div class="stack">
    <div class="toolbar">
      <label class="search">
        <${Icon} name="search" class="muted" />
        <input class="search-input" type="search" value=${q} placeholder=${t('project.search')}
          aria-label=${t('project.search')} onInput=${(e) => setQ(e.target.value)} data-testid="project-search" />
        ${paged.loading && paged.started && html`<${Spinner} />`}
      </label>
      <div class="segmented" role="group" aria-label=${t('project.status_filter')}>
        ${['active', 'archived', 'all'].map((s) => html`<button key=${s} type="button"
          class=${`seg ${status === s ? 'on' : ''}`} aria-pressed=${status === s ? 'true' : 'false'}
          onClick=${() => setStatus(s)}>${s === 'all' ? t('status.all') : statusLabel(s)}</button>`)}
      </div>
      <div class="toolbar-spacer"></div>
      ${canCreate && html`<button type="button" class="btn btn-primary" onClick=${() => setCreating(true)} data-testid="new-project">
        <${Icon} name="plus" />${t('project.new')}</button>`}
    </div>
    ${!paged.started && paged.loading ? html`<${Loading} />`
      : paged.error && !paged.items.length ? html`<${ErrorBox} error=${paged.error} onRetry=${paged.reload} />`
      : !paged.items.length ? html`<${Empty} icon="folder" title=${filtered ? t('project.none_found') : t('project.none')}>
          ${!filtered && (canCreate ? t('project.none_hint') : t('project.none_hint_viewer'))}
        <//>`
      : html`<ul class="prow-list" data-testid="project-list">${paged.items.map((p) => html`<${ProjectRow} key=${p.id} p=${p} org=${org} />`)}</ul>`}
    <${LoadMore} paged=${paged} />
    ${creating && html`<${CreateProjectDialog} org=${org} onClose=${() => setCreating(false)} />`}
  </div>`;
}
